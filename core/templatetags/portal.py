"""Template helpers of the portal: masking, money, renewal-status badges, navigation."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import masking
from policies.choices import RenewalStatus

register = template.Library()

STATUS_STYLES = {
    RenewalStatus.RENEWED: "success",
    RenewalStatus.IN_FORCE: "primary",
    RenewalStatus.DUE: "warning",
    RenewalStatus.LAPSED: "danger",
    RenewalStatus.CANCELLED: "secondary",
}


@register.filter
def mask_id(value: str) -> str:
    return masking.mask_id_number(value)


@register.filter
def mask_phone(value: str) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_plate(value: str) -> str:
    return masking.mask_plate(value)


@register.filter
def mask_name(value: str) -> str:
    return masking.mask_name(value)


@register.filter
def yuan(value) -> str:
    """1234.5 → ¥1,234.50"""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(value):,.2f}"


@register.filter
def percent(rate) -> str:
    """-0.30 → −30%, 0.10 → +10%, 0 → 0%"""
    if rate is None:
        return "—"
    value = Decimal(rate) * 100
    if value > 0:
        return f"+{value:.0f}%"
    if value < 0:
        return f"−{abs(value):.0f}%"
    return "0%"


@register.simple_tag
def status_badge(status) -> str:
    """A coloured badge for a renewal status (DOMAIN §4)."""
    if not status:
        return mark_safe('<span class="badge text-bg-light border">未投保</span>')
    status = RenewalStatus(status)
    return format_html(
        '<span class="badge status-badge text-bg-{}" data-status="{}">{}</span>',
        STATUS_STYLES[status],
        status.value,
        status.label,
    )


@register.simple_tag(takes_context=True)
def active(context, namespace: str) -> str:
    """Return "active" when the current page belongs to `namespace` (a URL namespace or name)."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match and (match.namespace == namespace or match.url_name == namespace):
        return "active"
    return ""
