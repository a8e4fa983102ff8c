"""The SLA clock of a ticket: calendar time (the hotline runs 7×24), paused while the
ticket waits on the customer and while it stays resolved.

Pure functions over aware datetimes and timedeltas; no ORM. A target is met when the
clock's elapsed time is at most the target: answering exactly at the due time is within
SLA, one microsecond later is a breach.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import TextChoices

ZERO = dt.timedelta(0)


@dataclass(frozen=True)
class Clock:
    started_at: dt.datetime
    paused_total: dt.timedelta = ZERO
    paused_since: dt.datetime | None = None

    @property
    def running(self) -> bool:
        return self.paused_since is None


def pause(clock: Clock, at: dt.datetime) -> Clock:
    """Stop the clock at `at` (a second pause is a no-op)."""
    if not clock.running:
        return clock
    return replace(clock, paused_since=max(at, clock.started_at))


def resume(clock: Clock, at: dt.datetime) -> Clock:
    """Restart a paused clock: the pause is added to the time the targets move by."""
    if clock.running:
        return clock
    gap = max(at - clock.paused_since, ZERO)
    return replace(clock, paused_total=clock.paused_total + gap, paused_since=None)


def elapsed(clock: Clock, at: dt.datetime) -> dt.timedelta:
    """Time on the clock at `at`: from the start, less every pause."""
    end = clock.paused_since if clock.paused_since is not None else at
    return max(end - clock.started_at - clock.paused_total, ZERO)


def due_at(clock: Clock, target: dt.timedelta) -> dt.datetime | None:
    """When `target` runs out if the clock keeps running; None while it is paused
    (the due time moves with every minute of the pause)."""
    if not clock.running:
        return None
    return clock.started_at + clock.paused_total + target


def warn_at(clock: Clock, target: dt.timedelta, warning_percent: int) -> dt.datetime | None:
    """When a warning goes out: once `warning_percent` % of the target has elapsed."""
    if not clock.running:
        return None
    return clock.started_at + clock.paused_total + target * warning_percent / 100


def within(spent: dt.timedelta, target: dt.timedelta) -> bool:
    """A target is met when the time spent is at most the target (exactly at it counts)."""
    return spent <= target


def remaining(clock: Clock, target: dt.timedelta, at: dt.datetime) -> dt.timedelta:
    """Time left before the breach at `at`; negative once breached."""
    return target - elapsed(clock, at)


class SlaState(TextChoices):
    RUNNING = "running", "进行中"
    WARNING = "warning", "即将超时"
    BREACHED = "breached", "已超时"
    PAUSED = "paused", "已暂停"
    MET = "met", "已达标"
    MISSED = "missed", "未达标"


def state(
    clock: Clock,
    target: dt.timedelta,
    *,
    at: dt.datetime,
    warning_percent: int,
    spent: dt.timedelta | None = None,
) -> SlaState:
    """The state of one target at `at`. `spent` is the recorded time when the target's
    clock has stopped for good (first response given, ticket resolved)."""
    if spent is not None:
        return SlaState.MET if within(spent, target) else SlaState.MISSED
    used = elapsed(clock, at)
    if not within(used, target):
        return SlaState.BREACHED
    if not clock.running:
        return SlaState.PAUSED
    if used >= target * warning_percent / 100:
        return SlaState.WARNING
    return SlaState.RUNNING


def humanize(delta: dt.timedelta) -> str:
    """`1 天 3 小时`, `2 小时 5 分`, `12 分` — the remaining or overdue time, in Chinese."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {mins} 分" if mins else f"{hours} 小时"
    return f"{mins} 分" if mins else "不到 1 分"
