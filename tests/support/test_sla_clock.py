"""The SLA clock at its edges: calendar time 7×24, paused while waiting on the customer,
breached only after the target (exactly at it is still within)."""

import datetime as dt
from zoneinfo import ZoneInfo

from support import sla
from support.sla import Clock, SlaState

SH = ZoneInfo("Asia/Shanghai")
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
START = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH)


def test_due_time_is_start_plus_target_in_calendar_time():
    assert sla.due_at(Clock(START), 4 * HOUR) == dt.datetime(2026, 3, 10, 13, 0, tzinfo=SH)


def test_clock_runs_across_midnight_without_business_hours():
    start = dt.datetime(2026, 3, 10, 22, 30, tzinfo=SH)
    assert sla.due_at(Clock(start), 4 * HOUR) == dt.datetime(2026, 3, 11, 2, 30, tzinfo=SH)


def test_clock_runs_across_month_end_and_february():
    start = dt.datetime(2026, 1, 31, 20, 0, tzinfo=SH)
    assert sla.due_at(Clock(start), 72 * HOUR) == dt.datetime(2026, 2, 3, 20, 0, tzinfo=SH)
    feb = dt.datetime(2026, 2, 28, 23, 0, tzinfo=SH)
    assert sla.due_at(Clock(feb), 2 * HOUR) == dt.datetime(2026, 3, 1, 1, 0, tzinfo=SH)


def test_clock_runs_across_year_end_and_a_leap_day():
    assert sla.due_at(Clock(dt.datetime(2026, 12, 31, 23, 0, tzinfo=SH)), 2 * HOUR) == dt.datetime(
        2027, 1, 1, 1, 0, tzinfo=SH
    )
    assert sla.due_at(Clock(dt.datetime(2028, 2, 28, 12, 0, tzinfo=SH)), 24 * HOUR) == dt.datetime(
        2028, 2, 29, 12, 0, tzinfo=SH
    )


def test_answer_exactly_at_the_target_is_within_and_one_microsecond_later_is_a_breach():
    target = 2 * HOUR
    assert sla.within(target, target)
    assert not sla.within(target + dt.timedelta(microseconds=1), target)
    clock = Clock(START)
    due = sla.due_at(clock, target)
    assert sla.state(clock, target, at=due, warning_percent=80) == SlaState.WARNING
    assert (
        sla.state(clock, target, at=due + dt.timedelta(microseconds=1), warning_percent=80)
        == SlaState.BREACHED
    )
    assert sla.remaining(clock, target, due) == dt.timedelta(0)


def test_warning_starts_at_the_warning_percent_of_the_target():
    clock, target = Clock(START), 10 * HOUR
    assert sla.warn_at(clock, target, 80) == START + 8 * HOUR
    assert sla.state(clock, target, at=START + 8 * HOUR - MINUTE, warning_percent=80) == SlaState.RUNNING
    assert sla.state(clock, target, at=START + 8 * HOUR, warning_percent=80) == SlaState.WARNING


def test_pause_stops_the_clock_and_resume_moves_the_due_time_by_the_pause():
    target = 4 * HOUR
    paused = sla.pause(Clock(START), START + HOUR)
    assert sla.due_at(paused, target) is None  # unknown while paused
    assert sla.elapsed(paused, START + 30 * HOUR) == HOUR  # time stands still
    assert sla.state(paused, target, at=START + 30 * HOUR, warning_percent=80) == SlaState.PAUSED
    resumed = sla.resume(paused, START + 3 * HOUR)
    assert resumed.paused_total == 2 * HOUR
    assert sla.due_at(resumed, target) == START + 6 * HOUR
    assert sla.elapsed(resumed, START + 6 * HOUR) == target


def test_pausing_twice_and_resuming_twice_change_nothing():
    clock = sla.pause(Clock(START), START + HOUR)
    assert sla.pause(clock, START + 2 * HOUR) == clock
    running = sla.resume(clock, START + 3 * HOUR)
    assert sla.resume(running, START + 5 * HOUR) == running


def test_several_pauses_add_up_across_midnight():
    clock = Clock(dt.datetime(2026, 3, 31, 21, 0, tzinfo=SH))
    clock = sla.resume(sla.pause(clock, clock.started_at + HOUR), clock.started_at + 3 * HOUR)  # 22:00–24:00
    clock = sla.resume(
        sla.pause(clock, clock.started_at + 4 * HOUR), clock.started_at + 10 * HOUR
    )  # 01:00–07:00
    assert clock.paused_total == 8 * HOUR
    assert sla.due_at(clock, 8 * HOUR) == dt.datetime(2026, 4, 1, 13, 0, tzinfo=SH)


def test_a_breach_reached_before_the_pause_stays_a_breach_while_paused():
    clock = sla.pause(Clock(START), START + 5 * HOUR)
    assert sla.state(clock, 4 * HOUR, at=START + 9 * HOUR, warning_percent=80) == SlaState.BREACHED


def test_a_stopped_target_is_met_or_missed_by_its_recorded_time():
    clock = Clock(START)
    assert sla.state(clock, HOUR, at=START + 9 * HOUR, warning_percent=80, spent=HOUR) == SlaState.MET
    assert sla.state(clock, HOUR, at=START, warning_percent=80, spent=HOUR + MINUTE) == SlaState.MISSED


def test_pause_before_the_start_counts_from_the_start():
    clock = sla.pause(Clock(START), START - HOUR)
    assert sla.elapsed(clock, START + HOUR) == dt.timedelta(0)


def test_time_left_reads_in_chinese():
    assert sla.humanize(dt.timedelta(days=1, hours=3, minutes=5)) == "1 天 3 小时"
    assert sla.humanize(dt.timedelta(hours=2, minutes=5)) == "2 小时 5 分"
    assert sla.humanize(dt.timedelta(hours=2)) == "2 小时"
    assert sla.humanize(-dt.timedelta(minutes=12, seconds=30)) == "12 分"
    assert sla.humanize(dt.timedelta(seconds=40)) == "不到 1 分"
