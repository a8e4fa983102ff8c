"""The cadence at its edges: the exact day, month ends, leap years, the lapse day
(docs/regulation.md §4: days_left = end_date − day; 0 on the last day, −1 on the first day of lapse),
and the quiet hours for SMS and push (21:00–08:00 Asia/Shanghai)."""

import datetime as dt

import pytest

from reminders.cadence import SHANGHAI, due_end_dates, end_date_for, is_quiet, next_allowed, send_at
from reminders.models import CadenceStep
from reminders.planning import plan_reminders
from tests.factories import policy_ending

D = dt.date


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=SHANGHAI)


def test_the_default_cadence_is_60_30_7_1_days_before_and_the_first_day_of_lapse(db):
    for channel in ("sms", "email", "push"):
        assert sorted(CadenceStep.objects.filter(channel=channel).values_list("days_left", flat=True)) == [
            -1, 1, 7, 30, 60,
        ]  # fmt: skip
    assert sorted(CadenceStep.objects.filter(channel="call").values_list("days_left", flat=True)) == [-1, 7]


@pytest.mark.parametrize(
    ("day", "days_left", "end"),
    [
        (D(2026, 3, 1), 30, D(2026, 3, 31)),  # month end
        (D(2026, 1, 31), 30, D(2026, 3, 2)),  # February has 28 days in 2026
        (D(2028, 1, 31), 30, D(2028, 3, 1)),  # and 29 in 2028
        (D(2028, 2, 28), 1, D(2028, 2, 29)),  # the leap day is a cover end like any other
        (D(2028, 3, 1), -1, D(2028, 2, 29)),  # the first day of lapse after it
        (D(2027, 3, 1), -1, D(2027, 2, 28)),
        (D(2026, 12, 31), 1, D(2027, 1, 1)),  # across the year end
        (D(2026, 11, 2), 60, D(2027, 1, 1)),
    ],
)
def test_a_step_is_due_for_the_cover_ending_exactly_days_left_later(day, days_left, end):
    assert end_date_for(day, days_left) == end
    assert due_end_dates(day, [days_left]) == {end: days_left}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("end", "reminded_on", "not_on"),
    [
        (D(2026, 3, 31), {D(2026, 1, 30): 60, D(2026, 3, 1): 30, D(2026, 3, 24): 7, D(2026, 3, 30): 1,
                          D(2026, 4, 1): -1}, [D(2026, 3, 2), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 2)]),
        (D(2028, 2, 29), {D(2027, 12, 31): 60, D(2028, 1, 30): 30, D(2028, 2, 22): 7, D(2028, 2, 28): 1,
                          D(2028, 3, 1): -1}, [D(2028, 1, 29), D(2028, 1, 31), D(2028, 2, 29), D(2028, 3, 2)]),
        (D(2027, 2, 28), {D(2026, 12, 30): 60, D(2027, 1, 29): 30, D(2027, 2, 21): 7, D(2027, 2, 27): 1,
                          D(2027, 3, 1): -1}, [D(2027, 1, 28), D(2027, 1, 30), D(2027, 2, 28)]),
    ],
)  # fmt: skip
def test_the_planner_reminds_on_exactly_the_cadence_days(end, reminded_on, not_on):
    policy = policy_ending(end)
    for day, days_left in reminded_on.items():
        result = plan_reminders(day=day, now=at(day, 9))
        assert result.by_step[("sms", days_left)] == 1, day
        assert policy.reminders.filter(channel="sms", days_left=days_left, planned_for=day).exists()
    for day in not_on:
        assert plan_reminders(day=day, now=at(day, 9)).count("sms") == 0, day
    assert policy.reminders.filter(channel="sms").count() == 5


@pytest.mark.parametrize(
    ("local", "quiet"),
    [((20, 59), False), ((21, 0), True), ((23, 30), True), ((0, 0), True), ((7, 59), True), ((8, 0), False)],
)
def test_quiet_hours_run_from_21_00_to_08_00_shanghai_time(local, quiet):
    assert is_quiet(at(D(2026, 11, 25), *local)) is quiet
    # The same instant in UTC is judged by Shanghai's clock.
    assert is_quiet(at(D(2026, 11, 25), *local).astimezone(dt.UTC)) is quiet


def test_sms_and_push_in_the_quiet_hours_wait_for_08_00():
    assert next_allowed(at(D(2026, 11, 25), 21, 0), channel="sms") == at(D(2026, 11, 26), 8)
    assert next_allowed(at(D(2026, 11, 25), 23, 59), channel="push") == at(D(2026, 11, 26), 8)
    assert next_allowed(at(D(2026, 11, 26), 3, 0), channel="sms") == at(D(2026, 11, 26), 8)
    assert next_allowed(at(D(2026, 11, 26), 8, 0), channel="sms") == at(D(2026, 11, 26), 8)
    # Across a month end and a leap day.
    assert next_allowed(at(D(2028, 2, 28), 22), channel="sms") == at(D(2028, 2, 29), 8)
    assert next_allowed(at(D(2026, 12, 31), 22), channel="sms") == at(D(2027, 1, 1), 8)


def test_email_and_calls_have_no_quiet_hours():
    assert next_allowed(at(D(2026, 11, 25), 23), channel="email") == at(D(2026, 11, 25), 23)
    assert next_allowed(at(D(2026, 11, 25), 23), channel="call") == at(D(2026, 11, 25), 23)


def test_a_reminder_planned_for_a_day_goes_out_that_day_outside_the_quiet_hours():
    day = D(2026, 11, 25)
    # Planned in the small hours of the day itself: SMS at 08:00, email at once.
    assert send_at(channel="sms", day=day, now=at(day, 1)) == at(day, 8)
    assert send_at(channel="email", day=day, now=at(day, 1)) == at(day, 1)
    # Planned the evening before: not before the day begins.
    assert send_at(channel="email", day=day, now=at(day - dt.timedelta(days=1), 22)) == at(day, 0)
    assert send_at(channel="push", day=day, now=at(day - dt.timedelta(days=1), 22)) == at(day, 8)
    # Planned late on the day: the SMS waits for the next morning.
    assert send_at(channel="sms", day=day, now=at(day, 21, 30)) == at(day + dt.timedelta(days=1), 8)
    assert send_at(channel="sms", day=day, now=at(day, 14)) == at(day, 14)
