"""How money and rates are written, everywhere the portal writes them (pages, prints,
explanations, messages). Money is `Decimal` yuan, shown to the fen."""

from __future__ import annotations

from decimal import Decimal

EMPTY = "—"


def amount(value: Decimal | int | str | None) -> str:
    """18000 → "18,000.00" (a table cell, an explanation)."""
    if value is None or value == "":
        return EMPTY
    return f"{Decimal(value):,.2f}"


def yuan(value: Decimal | int | str | None) -> str:
    """1234.5 → "¥1,234.50"."""
    return EMPTY if value is None or value == "" else f"¥{amount(value)}"


def percent_of(rate: Decimal) -> str:
    """0.30 → "30%" (the size of a rate, without its sign)."""
    return f"{abs(Decimal(rate)) * 100:.0f}%"


def signed_percent(rate: Decimal | None) -> str:
    """-0.30 → "−30%", 0.10 → "+10%", 0 → "0%"."""
    if rate is None:
        return EMPTY
    if rate > 0:
        return f"+{percent_of(rate)}"
    if rate < 0:
        return f"−{percent_of(rate)}"
    return "0%"


def rate_words(rate: Decimal) -> str:
    """-0.30 → "下浮 30%", 0.10 → "上浮 10%", 0 → "不浮动" (a floating rate in words)."""
    if rate < 0:
        return f"下浮 {percent_of(rate)}"
    if rate > 0:
        return f"上浮 {percent_of(rate)}"
    return "不浮动"


def rate_factor(rate: Decimal) -> str:
    """-0.30 → "(1 − 30%)" (the factor in a premium formula)."""
    return f"(1 {'−' if rate < 0 else '+'} {percent_of(rate)})"
