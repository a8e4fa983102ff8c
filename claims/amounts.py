"""How large an amount of money a claim may hold: the one bound for every amount typed into
the claims desk, posted to the channel API or passed to a service, and for every sum a claim
keeps.

The law sets no ceiling on a loss: a reported or assessed loss may exceed the liability
limits, which cap the payout, not the loss (docs/regulation.md §5). So the ceiling is what
the claims' money columns hold — numeric(12, 2), up to 9,999,999,999.99 yuan — read from the
models here, so it follows them if they ever widen. It bounds each loss line and each sum a
claim stores (the reported and assessed totals are sums of lines: `check_total` bounds them
before anything is written, so an over-large claim is refused with a message instead of
overflowing the column in PostgreSQL, a 500).

Amounts typed as text take ASCII digits only, after full-width ones are folded ("１５００"
from a Chinese IME): `Decimal()` would also read "١٥٠٠" and "१५००", which nobody means."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models

from claims.models import Claim, LedgerEntry, Loss, Payment
from core import text

MONEY_MODELS = (Claim, Loss, Payment, LedgerEntry)
MONEY_COLUMNS: tuple[models.DecimalField, ...] = tuple(
    f for model in MONEY_MODELS for f in model._meta.get_fields() if isinstance(f, models.DecimalField)
)
DECIMAL_PLACES = max(f.decimal_places for f in MONEY_COLUMNS)
INTEGER_DIGITS = min(f.max_digits - f.decimal_places for f in MONEY_COLUMNS)
FEN = Decimal(1).scaleb(-DECIMAL_PLACES)
ZERO = Decimal(0).quantize(FEN)
MAX_AMOUNT = Decimal(10) ** INTEGER_DIGITS - FEN  # 9,999,999,999.99: the largest a column holds
MAX_AMOUNT_TEXT = text.amount(MAX_AMOUNT)

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_SIGNED_AMOUNT_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def parse_amount(
    value: Decimal | int | str | None, label: str = "金额", *, positive: bool = False
) -> Decimal:
    """`value` as yuan to the fen, from 0 (above 0 when `positive`) to `MAX_AMOUNT`; None
    and "" are 0. Raises ValidationError with a Chinese message naming `label`:
    code `amount_invalid` (not a number), `amount_negative`, `amount_not_positive`,
    `amount_fen` (finer than the fen) or `amount_too_large`."""
    params = {"label": label, "value": str(value)[:30], "max": MAX_AMOUNT_TEXT}
    if isinstance(value, bool):
        raise ValidationError("%(label)s“%(value)s”不是有效金额。", code="amount_invalid", params=params)
    if value is None or value == "":
        amount = Decimal(0)
    elif isinstance(value, str):
        typed = value.translate(_FULL_WIDTH).strip()
        if not _SIGNED_AMOUNT_TEXT.fullmatch(typed):
            raise ValidationError(
                "%(label)s“%(value)s”不是有效金额，请用数字 0–9 填写，如 1500.00。",
                code="amount_invalid",
                params=params,
            )
        amount = Decimal(typed)
    else:
        try:
            amount = value if isinstance(value, Decimal) else Decimal(str(value))
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationError(
                "%(label)s“%(value)s”不是有效金额。", code="amount_invalid", params=params
            ) from None
    if not amount.is_finite():
        raise ValidationError("%(label)s“%(value)s”不是有效金额。", code="amount_invalid", params=params)
    if amount < 0:
        raise ValidationError("%(label)s不能为负数。", code="amount_negative", params=params)
    # Compared before any rounding: quantizing 10²⁸ yuan would overflow the decimal context.
    if amount > MAX_AMOUNT:
        raise ValidationError("%(label)s不能超过 %(max)s 元。", code="amount_too_large", params=params)
    if amount != amount.quantize(FEN):
        raise ValidationError("%(label)s最多精确到分（两位小数）。", code="amount_fen", params=params)
    if positive and amount == 0:
        raise ValidationError("%(label)s须大于 0。", code="amount_not_positive", params=params)
    return amount.quantize(FEN)


def check_total(amounts: Iterable[Decimal], what: str = "损失") -> Decimal:
    """The sum of `amounts` (each already within the bound), refused with `amount_total_too_large`
    when it would not fit a claim's total column."""
    total = sum(amounts, ZERO)
    if total > MAX_AMOUNT:
        raise ValidationError(
            "%(what)s合计 %(total)s 元，超过一个赔案可记录的上限 %(max)s 元，请核对各项金额。",
            code="amount_total_too_large",
            params={"what": what, "total": text.amount(total), "max": MAX_AMOUNT_TEXT},
        )
    return total


def amount_pattern() -> str:
    """The JSON Schema / regex pattern of an amount as the API takes it: ASCII digits, at most
    `INTEGER_DIGITS` before the point and `DECIMAL_PLACES` after it."""
    return rf"^[0-9]{{1,{INTEGER_DIGITS}}}(\.[0-9]{{1,{DECIMAL_PLACES}}})?$"
