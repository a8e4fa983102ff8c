"""Template helpers of the portal: masking, money, navigation."""

from decimal import Decimal

from django import template

from core import masking, text

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return masking.mask_id_number(value)


@register.filter
def city_of(value: str) -> str:
    return masking.city_of(value)


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
    return text.yuan(value)


@register.filter
def amount(value) -> str:
    """Money in a table cell: 18000 → "18,000.00"."""
    return text.amount(value)


@register.filter
def percent(rate) -> str:
    """-0.30 → −30%, 0.10 → +10%, 0 → 0%"""
    return text.signed_percent(None if rate is None or rate == "" else Decimal(rate))


@register.simple_tag(takes_context=True)
def active(context, namespace: str) -> str:
    """Return "active" when the current page belongs to `namespace` (a URL namespace or name)."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match and (match.namespace == namespace or match.url_name == namespace):
        return "active"
    return ""


@register.filter
def shown_value(field) -> str:
    """A form field's value as a person reads it: a choice's label (销售渠道 柜面, not its
    code), any other value as it is."""
    value = field.value()
    choices = getattr(field.field, "choices", None)
    if choices is not None and value not in (None, ""):
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    return "" if value is None else str(value)
