"""Keeping a ticket's SLA columns in step with its clock and status (no queries)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from support import sla, workflow
from support.choices import PRIORITY_RANK, Status
from support.models import SlaTarget, Ticket


def sla_target(category: str, priority: str) -> SlaTarget:
    target = SlaTarget.objects.filter(category=category, priority=priority).first()
    if target is None:
        raise ValidationError(
            "尚未配置“%(category)s · %(priority)s”的服务时限，请联系主管在管理后台设置。",
            code="no_sla",
            params={"category": category, "priority": priority},
        )
    return target


def apply_targets(ticket: Ticket, target: SlaTarget) -> None:
    """Take the targets of `target`; a target already met or missed keeps the one it was
    measured against."""
    if ticket.first_responded_at is None:
        ticket.first_response_target = target.first_response
    if ticket.resolved_at is None:
        ticket.resolution_target = target.resolution
    ticket.warning_percent = target.warning_percent
    ticket.priority_rank = PRIORITY_RANK[ticket.priority]


def sync(ticket: Ticket, clock: sla.Clock) -> None:
    """Store `clock` and the due times that follow from it. Due times are empty while the
    clock stands still, so a queue sorted by `sla_due` puts those tickets last."""
    ticket.paused_total = clock.paused_total
    ticket.paused_since = clock.paused_since
    responding = ticket.first_responded_at is None and ticket.status != Status.CLOSED
    resolving = ticket.status not in (Status.RESOLVED, Status.CLOSED)
    ticket.first_response_due = sla.due_at(clock, ticket.first_response_target) if responding else None
    ticket.first_response_warn_at = (
        sla.warn_at(clock, ticket.first_response_target, ticket.warning_percent) if responding else None
    )
    ticket.resolution_due = sla.due_at(clock, ticket.resolution_target) if resolving else None
    ticket.resolution_warn_at = (
        sla.warn_at(clock, ticket.resolution_target, ticket.warning_percent) if resolving else None
    )
    ticket.sla_due = ticket.first_response_due if responding else ticket.resolution_due


def record_first_response(ticket: Ticket, at: dt.datetime) -> None:
    """Stop the first-response clock at `at` (once) and move the ticket's next due time on."""
    if ticket.first_responded_at is None:
        ticket.first_responded_at = at
        ticket.first_response_time = sla.elapsed(ticket.clock, at)
        sync(ticket, ticket.clock)


def move(ticket: Ticket, to: str, at: dt.datetime) -> str:
    """Change the status (refusing what `workflow` forbids), run or stop the clock, and
    record the resolution. Returns the status it moved from."""
    before = ticket.status
    if not workflow.can_move(before, to):
        raise ValidationError(
            "工单状态不能从“%(from)s”改为“%(to)s”。",
            code="transition",
            params={"from": Status(before).label, "to": Status(to).label},
        )
    clock = ticket.clock
    if to == Status.RESOLVED:
        record_first_response(ticket, at)
        ticket.resolution_time = sla.elapsed(clock, at)
        ticket.resolved_at = at
    if before == Status.RESOLVED and to == Status.REOPENED:
        ticket.resolved_at = None
        ticket.resolution_time = None
        ticket.reopen_count += 1
    if to == Status.CLOSED:
        ticket.closed_at = at
    ticket.status = to
    clock = sla.resume(clock, at) if to in workflow.CLOCK_RUNNING else sla.pause(clock, at)
    sync(ticket, clock)
    return before
