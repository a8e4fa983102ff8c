"""Template helpers of the policy domain: the renewal-status badge."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from policies.choices import RenewalStatus

register = template.Library()

STATUS_STYLES = {
    RenewalStatus.RENEWED: "success",
    RenewalStatus.IN_FORCE: "primary",
    RenewalStatus.DUE: "warning",
    RenewalStatus.LAPSED: "danger",
    RenewalStatus.CANCELLED: "secondary",
    RenewalStatus.UPCOMING: "info",
}


@register.simple_tag
def status_badge(status) -> str:
    """A coloured badge for a renewal status (docs/regulation.md §4)."""
    if not status:
        return mark_safe('<span class="badge text-bg-light border">未投保</span>')
    status = RenewalStatus(status)
    return format_html(
        '<span class="badge status-badge text-bg-{}" data-status="{}">{}</span>',
        STATUS_STYLES[status],
        status.value,
        status.label,
    )
