"""Amounts in Chinese financial capitals (人民币大写), as printed on policies and receipts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ((3, "仟"), (2, "佰"), (1, "拾"), (0, ""))


def _section(n: int) -> str:
    """1–9999 in capitals; inner zeros are read once (1005 → 壹仟零伍)."""
    out, pending_zero = "", False
    for power, unit in _SECTION_UNITS:
        digit = n // 10**power % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += DIGITS[digit] + unit
    return out


def integer_in_capitals(n: int) -> str:
    """A whole number below one trillion in capitals (180000 → 壹拾捌万)."""
    if n == 0:
        return "零"
    out, pending_zero = "", False
    for value, unit in ((n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")):
        if value == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or value < 1000):
            out += "零"
        out += _section(value) + unit
        pending_zero = False
    return out


def rmb_capitals(amount: Decimal) -> str:
    """`Decimal("1155.00")` → 壹仟壹佰伍拾伍元整; `Decimal("12.05")` → 壹拾贰元零伍分."""
    fen_total = int((abs(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    out = "负" if amount < 0 and fen_total else ""
    if yuan:
        out += integer_in_capitals(yuan) + "元"
    if not jiao and not fen:
        return (out or "零元") + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    return out + (DIGITS[fen] + "分" if fen else "整")
