"""Template helpers of the claims desk: durations, deadline and state badges."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

from claims.deadlines import DeadlineStatus
from claims.tables import state_badge
from core import text

register = template.Library()

DEADLINE_STYLES = {
    DeadlineStatus.NOT_STARTED: "light border",
    DeadlineStatus.DONE_UNTIMED: "success",
    DeadlineStatus.RUNNING: "primary",
    DeadlineStatus.MET: "success",
    DeadlineStatus.BREACHED: "danger",
    DeadlineStatus.OVERDUE: "danger",
    DeadlineStatus.STOPPED: "secondary",
}


@register.filter
def duration(seconds) -> str:
    """3725 → "1 小时 2 分"; 90000 → "1 天 1 小时"."""
    if seconds is None or seconds == "":
        return ""
    seconds = int(seconds.total_seconds()) if hasattr(seconds, "total_seconds") else int(seconds)
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{minutes} 分" if minutes else "不足 1 分"


@register.simple_tag
def deadline_badge(deadline) -> str:
    return format_html(
        '<span class="badge text-bg-{}" data-deadline-status="{}">{}</span>',
        DEADLINE_STYLES[deadline.status],
        deadline.status.value,
        deadline.status.label,
    )


@register.simple_tag
def claim_state(state) -> str:
    return state_badge(state)


@register.filter
def last_day(due) -> str:
    """The deadline's last day as people say it: 24:00 of the day before `due` (00:00)."""
    if due is None:
        return "—"
    return f"{timezone.localtime(due) - dt.timedelta(minutes=1):%Y-%m-%d} 24:00"


@register.filter
def amount(value) -> str:
    """Money in a table cell: 18000 → "18,000.00"."""
    return text.amount(value)


@register.simple_tag
def waited(since, now) -> str:
    """How long since `since`, as `duration` says it."""
    return duration(now - since) if since and now else ""
