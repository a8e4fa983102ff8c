"""The demo's recent past, lived hour by hour: each back-filled day plans its renewal reminders
in the morning and sends its messages at that day's own hours, so the outbox, the dashboard's
figures, the call list and the satisfaction surveys look like a working insurer's whatever the
hour the demo is built. Only today's messages wait out today's quiet hours (21:00–08:00 Beijing
time, `outbox.quiet`).

Idempotent: a day already planned plans nothing new, and a message already sent is never sent
again, so `./scripts/demo` may run it on every start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from core.clock import SHANGHAI, local, start_of_day
from outbox.sender import DrainResult, Sender
from reminders.conversion import conversion_refresh
from reminders.planning import plan_reminders

PLANNED_AT = dt.time(7, 0)  # when each day's reminders are planned (before the 08:00 send)
DEFAULT_DAYS = 35


@dataclass
class HistoryResult:
    days: int = 0
    planned: int = 0
    sent: DrainResult = field(default_factory=DrainResult)
    today_planned: int = 0
    today_sent: DrainResult = field(default_factory=DrainResult)


class _Clock:
    """The sender's clock while a past day is replayed: a fixed moment, moved by hand."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def demo_history(*, days: int = DEFAULT_DAYS, now: dt.datetime | None = None) -> HistoryResult:
    """Replay the `days` days before today hour by hour (plan at 07:00, send on every hour), then
    plan today's reminders and send what is due now — today's SMS and push not in the quiet hours."""
    now = now or timezone.now()
    today = local(now).date()
    result = HistoryResult()
    clock = _Clock(now)
    sender = Sender(worker="demo-history", clock=clock)
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        for hour in range(24):
            clock.moment = start_of_day(day) + dt.timedelta(hours=hour)
            if hour == PLANNED_AT.hour:
                result.planned += plan_reminders(day=day, now=clock.moment).total
            result.sent.add(sender.drain())
        result.days += 1
    # Today up to now: what fell due in the hours already gone, then today's plan.
    for hour in range(local(now).hour + 1):
        moment = dt.datetime.combine(today, dt.time(hour), tzinfo=SHANGHAI)
        if moment >= now:
            break
        clock.moment = moment
        result.today_sent.add(sender.drain())
    clock.moment = now
    result.today_planned = plan_reminders(day=today, now=now).total
    result.today_sent.add(sender.drain())
    conversion_refresh(last=today, now=now)
    return result
