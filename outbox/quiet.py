"""The quiet hours (21:00–08:00 Beijing time): a message its sender flagged `quiet_hours`
never goes out in them; it waits for 08:00. Which messages may wait is the sender's call
(renewal reminders by SMS and push do; a ticket reply the customer is waiting for does not)."""

from __future__ import annotations

import datetime as dt

from core.clock import SHANGHAI

QUIET_START = dt.time(21, 0)
QUIET_END = dt.time(8, 0)


def is_quiet(moment: dt.datetime) -> bool:
    """Whether `moment` (any time zone) falls in the quiet hours."""
    local = moment.astimezone(SHANGHAI).time()
    return local >= QUIET_START or local < QUIET_END


def after_quiet_hours(moment: dt.datetime) -> dt.datetime:
    """`moment` itself, or 08:00 Beijing time when `moment` falls in the quiet hours."""
    if not is_quiet(moment):
        return moment
    local = moment.astimezone(SHANGHAI)
    morning = local.date() if local.time() < QUIET_END else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(morning, QUIET_END, tzinfo=SHANGHAI)
