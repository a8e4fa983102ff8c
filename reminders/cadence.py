"""When a reminder is due and when it may go out — pure functions over dates and times.

A cadence step names the days left on the cover (docs/regulation.md §4: `days_left = end_date − day`,
0 on the last day, −1 on the first day of lapse); on `day` the step is due for the
policies whose cover ends on `day + days_left`. SMS and app push never go out in the
quiet hours (21:00–08:00 Asia/Shanghai); what falls in them waits for 08:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.clock import SHANGHAI, start_of_day
from outbox.quiet import after_quiet_hours, is_quiet

__all__ = ["SHANGHAI", "due_end_dates", "end_date_for", "is_quiet", "next_allowed", "send_at"]

# Reminders by SMS and app push wait out the outbox's quiet hours; email and calls do not.
QUIET_CHANNELS = frozenset({"sms", "push"})
REMINDER_PURPOSE = "renewal_reminder"


def end_date_for(day: dt.date, days_left: int) -> dt.date:
    """The cover end date a step with `days_left` is due for on `day`."""
    return day + dt.timedelta(days=days_left)


def due_end_dates(day: dt.date, steps: Iterable[int]) -> dict[dt.date, int]:
    """{cover end date: days_left} of every step due on `day`."""
    return {end_date_for(day, days): days for days in steps}


def next_allowed(moment: dt.datetime, *, channel: str) -> dt.datetime:
    """The earliest time at or after `moment` a message of `channel` may go out:
    `moment` itself, or 08:00 Asia/Shanghai after the quiet hours for SMS and push."""
    return after_quiet_hours(moment) if channel in QUIET_CHANNELS else moment


def send_at(*, channel: str, day: dt.date, now: dt.datetime) -> dt.datetime:
    """When a reminder planned for `day` goes out: not before that day begins, not before
    now, and never in the quiet hours for SMS and push."""
    return next_allowed(max(now, start_of_day(day)), channel=channel)
