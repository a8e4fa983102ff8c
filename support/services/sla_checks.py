from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from support import workflow
from support.choices import EventKind, Status
from support.models import Queue, Ticket, TicketEvent
from support.sla import humanize

RUNNING = Q(status__in=sorted(workflow.CLOCK_RUNNING))


@dataclass(frozen=True)
class SlaCheckResult:
    response_warnings: int = 0
    response_escalations: int = 0
    resolution_warnings: int = 0
    resolution_escalations: int = 0

    @property
    def total(self) -> int:
        return (
            self.response_warnings
            + self.response_escalations
            + self.resolution_warnings
            + self.resolution_escalations
        )


# Escalations run first: a ticket found already breached is escalated, never warned late.
# (flag set once, the time it is due at, condition that the clock still counts)
_CHECKS = {
    "response_escalations": (
        "response_escalated_at",
        "first_response_due",
        Q(first_responded_at__isnull=True),
    ),
    "resolution_escalations": ("resolution_escalated_at", "resolution_due", Q()),
    "response_warnings": ("response_warned_at", "first_response_warn_at", Q(first_responded_at__isnull=True)),
    "resolution_warnings": ("resolution_warned_at", "resolution_warn_at", Q()),
}


def _message(check: str, ticket: Ticket, now: dt.datetime) -> str:
    what = "首次响应" if check.startswith("response") else "解决"
    due = ticket.first_response_due if check.startswith("response") else ticket.resolution_due
    if check.endswith("warnings"):
        return f"{what}时限将于 {timezone.localtime(due):%m-%d %H:%M} 到期（剩余 {humanize(due - now)}）。"
    to = f"，已升级至主管 {ticket.queue.supervisor}" if ticket.queue.supervisor_id else "，已升级至主管"
    return f"{what}已超时 {humanize(now - due)}{to}。"


def sla_check(*, now: dt.datetime | None = None, dry_run: bool = False) -> SlaCheckResult:
    """Warn before a breach and escalate after one: each ticket's warning and escalation of
    each target happens once (a flag column records it), so running this every minute is
    safe. A warning is due once `warning_percent` of the target has elapsed; an escalation
    once the target is exceeded (exactly at the due time is still within it). Paused
    clocks (waiting on the customer, resolved) never warn or escalate."""
    now = now or timezone.now()
    counts = {}
    for check, (flag, column, still_counting) in _CHECKS.items():
        with transaction.atomic():
            if check.endswith("warnings"):  # due for a warning, not yet breached
                due = "first_response_due" if check.startswith("response") else "resolution_due"
                reached = Q(**{f"{column}__lte": now, f"{due}__gte": now})
            else:
                reached = Q(**{f"{column}__lt": now})
            candidates = (
                Ticket.objects.filter(RUNNING, still_counting, reached, **{f"{flag}__isnull": True})
                .select_related("queue__supervisor")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by(column)
            )
            tickets = list(candidates)
            counts[check] = len(tickets)
            if dry_run or not tickets:
                continue
            _apply(check, flag, tickets, now)
    return SlaCheckResult(**counts)


def _apply(check: str, flag: str, tickets: list[Ticket], now: dt.datetime) -> None:
    escalation = check.endswith("escalations")
    kind = EventKind.SLA_ESCALATED if escalation else EventKind.SLA_WARNING
    ids = [t.pk for t in tickets]
    updates = {flag: now}
    if escalation:
        # A breach makes the warning moot: never send it late.
        updates["response_warned_at" if check.startswith("response") else "resolution_warned_at"] = now
    if escalation:
        supervisor = Queue.objects.filter(pk=OuterRef("queue_id")).values("supervisor_id")[:1]
        updates["escalated_to"] = Coalesce(Subquery(supervisor), F("escalated_to"))
    Ticket.objects.filter(pk__in=ids, **{f"{flag}__isnull": True}).update(**updates)
    TicketEvent.objects.bulk_create(
        [TicketEvent(ticket=t, kind=kind, body=_message(check, t, now), created_at=now) for t in tickets]
    )


@transaction.atomic
def tickets_close_resolved(*, days: int = 7, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Close the tickets resolved more than `days` days ago that the customer has not
    answered since (a reply would have reopened them)."""
    now = now or timezone.now()
    stale = list(
        Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lt=now - dt.timedelta(days=days))
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    if dry_run or not stale:
        return len(stale)
    Ticket.objects.filter(pk__in=stale, status=Status.RESOLVED).update(status=Status.CLOSED, closed_at=now)
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket_id=pk, kind=EventKind.STATUS, from_value=Status.RESOLVED, to_value=Status.CLOSED,
                body=f"解决后 {days} 天客户未再回复，工单自动关闭。", created_at=now,
            )
            for pk in stale
        ]
    )  # fmt: skip
    return len(stale)
