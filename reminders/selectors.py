"""Reads for the supervisors' reminder pages: the cadence, the campaign by day and channel,
the outbox's health. Each runs a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q

from outbox.models import MessageStatus, OutboundMessage
from reminders.models import CadenceStep, Reminder, ReminderChannel

CHANNELS = list(ReminderChannel.choices)


@dataclass
class CadenceRow:
    days_left: int
    label: str
    steps: dict[str, CadenceStep | None]


def cadence_grid() -> list[CadenceRow]:
    """One row per days_left value, one column per channel (one query)."""
    steps = list(CadenceStep.objects.all())
    rows: dict[int, CadenceRow] = {}
    for step in sorted(steps, key=lambda s: -s.days_left):
        row = rows.setdefault(
            step.days_left, CadenceRow(step.days_left, step.when, {c: None for c, _ in CHANNELS})
        )
        row.steps[step.channel] = step
    return list(rows.values())


@dataclass
class CampaignDay:
    day: dt.date
    cells: dict[str, dict[str, int]] = field(default_factory=dict)  # channel → {planned, sent, …}

    @property
    def row(self) -> list[dict[str, int]]:
        """The cells in channel order (empty channels as zeros)."""
        empty = {"planned": 0, "sent": 0, "waiting": 0, "failed": 0}
        return [self.cells.get(code, empty) for code, _ in CHANNELS]


def campaign_by_day(*, last: dt.date, days: int = 7) -> list[CampaignDay]:
    """Reminders planned on each of the last `days` days, per channel: planned, sent (or
    called), waiting, failed — one grouped query over the reminders' index."""
    first = last - dt.timedelta(days=days - 1)
    rows = (
        Reminder.objects.filter(planned_for__range=(first, last))
        .values("planned_for", "channel")
        .annotate(
            planned=Count("id"),
            sent=Count("id", filter=Q(message__status=MessageStatus.SENT) | Q(call__attempts__gt=0)),
            failed=Count("id", filter=Q(message__status=MessageStatus.FAILED)),
        )
    )
    by_day = {first + dt.timedelta(days=i): CampaignDay(first + dt.timedelta(days=i)) for i in range(days)}
    for r in rows:
        by_day[r["planned_for"]].cells[r["channel"]] = {
            "planned": r["planned"],
            "sent": r["sent"],
            "failed": r["failed"],
            "waiting": r["planned"] - r["sent"] - r["failed"],
        }
    return sorted(by_day.values(), key=lambda d: d.day, reverse=True)


@dataclass(frozen=True)
class OutboxHealth:
    queued: int
    due: int
    sending: int
    failed: int
    open_calls: int


def outbox_health(*, now: dt.datetime) -> OutboxHealth:
    """Counts through the outbox's partial and status indexes (never a scan of the sent
    messages), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM policies_outboundmessage WHERE status = 'pending'),
                   (SELECT count(*) FROM policies_outboundmessage WHERE status = 'pending' AND not_before <= %s),
                   (SELECT count(*) FROM policies_outboundmessage WHERE status = 'sending'),
                   (SELECT count(*) FROM policies_outboundmessage WHERE status = 'failed'),
                   (SELECT count(*) FROM policies_renewalcall WHERE status = 'open')
            """,
            [now],
        )
        return OutboxHealth(*cursor.fetchone())


def failed_messages():
    """Failed outbox messages of every purpose, newest first, with their reminder's policy."""
    return (
        OutboundMessage.objects.filter(status=MessageStatus.FAILED)
        .select_related("reminder__policy__vehicle")
        .order_by("-created_at", "-pk")
    )
