"""Parsing of single cells of the legacy files into typed values. Each parser returns the
value or raises ValidationError with a Chinese message; inputs are normalised first
(full-width → half-width, spaces trimmed)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from policies.choices import EnergyType, PolicyStatus, PremiumCategory, Province
from policies.identifiers import PLATE_PROVINCE_NAMES

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_COUNT = re.compile(r"^[0-9]+$")  # ASCII digits only: "²".isdigit() is true, int("²") fails


def text(value: str) -> str:
    """NFKC-folded (full-width → half-width) and trimmed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def parse_date(value: str) -> dt.date:
    raw = text(value)
    if not raw:
        raise ValidationError("不能为空。")
    if not _DATE.match(raw):
        raise ValidationError(f"日期“{raw}”格式不正确，应为 YYYY-MM-DD。")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(f"日期“{raw}”不存在。") from exc


def parse_money(value: str) -> Decimal:
    raw = text(value).replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError(f"金额“{text(value)}”不是数字。") from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationError("金额须大于 0。")
    if amount.as_tuple().exponent < -2:
        raise ValidationError("金额最多保留两位小数（元、角、分）。")
    if amount >= Decimal("100000000"):
        raise ValidationError("金额过大。")
    return amount.quantize(Decimal("0.01"))


def parse_count(value: str) -> int:
    raw = text(value)
    if not raw:
        return 0
    if not _COUNT.match(raw):
        raise ValidationError(f"“{raw}”不是非负整数。")
    count = int(raw)
    if count > 99:
        raise ValidationError("次数超出合理范围（最多 99）。")
    return count


def parse_displacement(value: str) -> Decimal | None:
    raw = text(value)
    if not raw:
        return None
    try:
        litres = Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError(f"排量“{raw}”不是数字（单位：升）。") from exc
    if not litres.is_finite() or litres <= 0 or litres >= 100:
        raise ValidationError("排量应大于 0 且小于 100 升。")
    if litres.as_tuple().exponent < -2:
        raise ValidationError("排量最多保留两位小数。")
    return litres


_ENERGY = {e.value: e.value for e in EnergyType} | {e.label: e.value for e in EnergyType}
_STATUS = {s.value: s.value for s in PolicyStatus} | {s.label: s.value for s in PolicyStatus}


_CATEGORIES = frozenset(PremiumCategory.values)  # `.values` builds a new list on every access


def parse_category(value: str) -> str:
    code = text(value).upper()
    if code not in _CATEGORIES:
        raise ValidationError(f"车辆类别“{text(value)}”不是费率表中的代码（如 FAMILY_LT6、TRUCK_2_5）。")
    return code


def parse_energy(value: str) -> str:
    raw = text(value)
    energy = _ENERGY.get(raw.lower()) or _ENERGY.get(raw)
    if energy is None:
        raise ValidationError(f"能源类型“{raw}”无效，应为 fuel、electric、hybrid 或 fuel_cell。")
    return energy


def parse_status(value: str) -> str:
    raw = text(value)
    status = _STATUS.get(raw.lower()) or _STATUS.get(raw)
    if status is None:
        raise ValidationError(f"状态“{raw}”无效，应为 in_force 或 cancelled。")
    return status


# Full names of the provincial regions ("江苏省", "广西壮族自治区", "北京市") and plate
# abbreviations ("苏") map to the 31 `Province` values.
_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市")
_PROVINCE_ALIASES = {name: name for name in Province.values} | dict(PLATE_PROVINCE_NAMES)


def parse_province(value: str) -> str:
    raw = re.sub(r"\s+", "", text(value))
    if raw in _PROVINCE_ALIASES:
        return _PROVINCE_ALIASES[raw]
    for suffix in _PROVINCE_SUFFIXES:
        stem = raw.removesuffix(suffix)
        if stem != raw and stem in Province.values:
            return stem
    raise ValidationError(f"省份“{raw}”不是 31 个省级行政区之一（如 江苏、江苏省、广西壮族自治区）。")
