"""Badges of the support desk: ticket status, priority and SLA state."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from core import masking
from support import sla
from support.choices import Priority, Status

register = template.Library()

STATUS_STYLES = {
    Status.NEW: "primary",
    Status.OPEN: "info",
    Status.WAITING: "secondary",
    Status.RESOLVED: "success",
    Status.CLOSED: "light border",
    Status.REOPENED: "warning",
}
PRIORITY_STYLES = {
    Priority.URGENT: "danger",
    Priority.HIGH: "warning",
    Priority.NORMAL: "light border",
    Priority.LOW: "light border text-secondary",
}
SLA_STYLES = {
    sla.SlaState.RUNNING: "success-subtle text-success-emphasis border border-success-subtle",
    sla.SlaState.WARNING: "warning",
    sla.SlaState.BREACHED: "danger",
    sla.SlaState.PAUSED: "secondary-subtle text-secondary-emphasis border",
    sla.SlaState.MET: "success-subtle text-success-emphasis border border-success-subtle",
    sla.SlaState.MISSED: "danger-subtle text-danger-emphasis border border-danger-subtle",
}


@register.simple_tag
def ticket_status(status: str) -> str:
    status = Status(status)
    return format_html(
        '<span class="badge ticket-status text-bg-{}" data-status="{}">{}</span>',
        STATUS_STYLES[status],
        status.value,
        status.label,
    )


@register.simple_tag
def priority_badge(priority: str) -> str:
    priority = Priority(priority)
    return format_html(
        '<span class="badge text-bg-{}" data-priority="{}">{}</span>',
        PRIORITY_STYLES[priority],
        priority.value,
        priority.label,
    )


def sla_text(state: sla.SlaState, left: dt.timedelta) -> str:
    if state in (sla.SlaState.RUNNING, sla.SlaState.WARNING):
        return f"剩 {sla.humanize(left)}"
    if state == sla.SlaState.BREACHED:
        return f"超 {sla.humanize(left)}"
    if state == sla.SlaState.PAUSED:
        return "已暂停"
    return sla.SlaState(state).label


@register.simple_tag
def sla_badge(ticket, now=None) -> str:
    """The SLA state of the target that matters now, with the time left or overdue."""
    result = ticket.sla_state(now or timezone.now())
    if result is None:
        return format_html('<span class="text-secondary">—</span>')
    state, left = result
    which = "响应" if ticket.first_responded_at is None else "解决"
    return format_html(
        '<span class="badge sla-badge text-bg-{}" data-sla="{}" title="{}{}">{}{}</span>',
        SLA_STYLES[state],
        state.value,
        which,
        sla.SlaState(state).label,
        which + " " if state not in (sla.SlaState.MET, sla.SlaState.MISSED) else which,
        sla_text(state, left),
    )


@register.filter
def status_label(value: str) -> str:
    """A stored status code as its Chinese label (history keeps codes)."""
    return Status(value).label if value in Status.values else value


@register.filter
def mask_name(value: str) -> str:
    return masking.mask_name(value)


@register.filter
def hours(delta) -> str:
    """A duration in hours, one decimal: 1.5 h."""
    if delta is None:
        return "—"
    return f"{delta.total_seconds() / 3600:.1f} 小时"


@register.filter
def minutes_or_hours(delta) -> str:
    if delta is None:
        return "—"
    return sla.humanize(delta) if delta else "即时（来电当场答复）"
