"""Identifiers of 交强险: resident ID numbers, VINs, plates and licence numbers.

Pure functions over strings, as docs/regulation.md §7 defines them. Every input typed by a person
goes through `normalize` first: spaces and separators stripped, full-width characters
turned half-width, letters upper-cased.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# --- Normalisation ------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-_.·•・/\\,，、。:：]+")


def normalize(value: str | None) -> str:
    """Strip spaces and separators, fold full-width to half-width, upper-case (docs/regulation.md §7)."""
    if not value:
        return ""
    # NFKC folds full-width digits and letters (Chinese IME input) to ASCII.
    folded = unicodedata.normalize("NFKC", str(value))
    return _SEPARATORS.sub("", folded).upper()


# --- Resident ID number (GB 11643) -------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# Only ASCII digits are digits here (str.isdigit and a unicode \d also take "٣", "²", "३").
_LEGACY_ID_SHAPE = re.compile(r"^[0-9]{15}$")
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def id_check_char(first17: str) -> str:
    """The check character of an 18-character ID number, from its first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_birth_date(id_number: str) -> dt.date | None:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def clean_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised ID number or raise ValidationError with a Chinese message."""
    number = normalize(value)
    if not number:
        raise ValidationError("请输入身份证号码。", code="required")
    if _LEGACY_ID_SHAPE.match(number):
        raise ValidationError("15 位身份证号码已停止使用，请提供 18 位号码。", code="id_legacy")
    if not _ID_SHAPE.match(number):
        raise ValidationError("身份证号码应为 18 位：前 17 位为数字，最后一位为数字或 X。", code="id_format")
    birth = id_birth_date(number)
    if birth is None or not birth.year >= 1900:
        raise ValidationError("身份证号码中的出生日期无效。", code="id_birth_date")
    if birth > (today or dt.date.today()):
        raise ValidationError("身份证号码中的出生日期晚于今天。", code="id_birth_date")
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            "身份证号码校验位不正确，请核对最后一位（按号码计算应为 %(expected)s）。",
            code="id_check",
            params={"expected": expected},
        )
    return number


def validate_id_number(value: str) -> None:
    """Model-field validator form of `clean_id_number` (value must already be normalised)."""
    if clean_id_number(value) != value:
        raise ValidationError("身份证号码须以规范形式保存（大写、无空格）。", code="id_normal_form")


# --- VIN (GB 16735 / ISO 3779) ------------------------------------------------------------------

VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_LETTER_VALUES = {
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_SHAPE = re.compile(r"^[0-9A-HJ-NPR-Z]{17}$")
_ASCII_DIGITS = frozenset("0123456789")


def vin_check_char(vin: str) -> str:
    total = sum(
        (int(c) if c in _ASCII_DIGITS else VIN_LETTER_VALUES[c]) * w
        for c, w in zip(vin, VIN_WEIGHTS, strict=True)
    )
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


@dataclass(frozen=True)
class VinCheck:
    vin: str
    warning: str = ""  # set when an imported VIN fails its check digit (allowed, but said)


def check_vin(value: str) -> VinCheck:
    """Validate a VIN. A bad check digit is an error for China-made VINs (WMI starting
    with L) and a warning for imported ones (docs/regulation.md §7)."""
    vin = normalize(value)
    if not vin:
        raise ValidationError("请输入车辆识别代号（VIN）。", code="required")
    if len(vin) != 17:
        raise ValidationError(
            "车辆识别代号应为 17 位，当前为 %(length)s 位。", code="vin_length", params={"length": len(vin)}
        )
    if not _VIN_SHAPE.match(vin):
        raise ValidationError("车辆识别代号只能包含数字和字母，且不含 I、O、Q。", code="vin_chars")
    expected = vin_check_char(vin)
    if vin[8] != expected:
        if vin.startswith("L"):
            raise ValidationError(
                "车辆识别代号第 9 位校验位不正确（按号码计算应为 %(expected)s），请核对行驶证。",
                code="vin_check",
                params={"expected": expected},
            )
        return VinCheck(vin, warning=f"进口车辆识别代号校验位与计算值 {expected} 不符，请核对。")
    return VinCheck(vin)


def clean_vin(value: str) -> str:
    return check_vin(value).vin


def validate_vin(value: str) -> None:
    if clean_vin(value) != value:
        raise ValidationError("车辆识别代号须以规范形式保存（大写、无空格）。", code="vin_normal_form")


# --- Plates (GA 36) ------------------------------------------------------------------------------

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_PROVINCE_NAMES = {
    "京": "北京", "津": "天津", "沪": "上海", "渝": "重庆", "冀": "河北", "豫": "河南",
    "云": "云南", "辽": "辽宁", "黑": "黑龙江", "湘": "湖南", "皖": "安徽", "鲁": "山东",
    "新": "新疆", "苏": "江苏", "浙": "浙江", "赣": "江西", "鄂": "湖北", "桂": "广西",
    "甘": "甘肃", "晋": "山西", "蒙": "内蒙古", "陕": "陕西", "吉": "吉林", "闽": "福建",
    "贵": "贵州", "粤": "广东", "青": "青海", "藏": "西藏", "川": "四川", "宁": "宁夏",
    "琼": "海南",
}  # fmt: skip
_P = f"[{PLATE_PROVINCES}]"
_SERIAL = "[0-9A-HJ-NP-Z]"  # digits and letters without I and O
PLATE_SPECIAL_ENDINGS = "学警港澳领挂"
_PLATE_PATTERNS = {
    "ordinary": re.compile(rf"^{_P}[A-Z]{_SERIAL}{{5}}$"),
    "new_energy_small": re.compile(rf"^{_P}[A-Z][DABCEFGHJK]{_SERIAL}[0-9]{{4}}$"),
    "new_energy_large": re.compile(rf"^{_P}[A-Z][0-9]{{5}}[DABCEFGHJK]$"),
    "special": re.compile(rf"^{_P}[A-Z]{_SERIAL}{{4}}[{PLATE_SPECIAL_ENDINGS}]$"),
    "embassy": re.compile(r"^使[0-9]{6}$"),
}


def plate_kind(plate: str) -> str | None:
    """The GA 36 format a normalised plate matches, or None."""
    for kind, pattern in _PLATE_PATTERNS.items():
        if pattern.match(plate):
            return kind
    return None


def clean_plate(value: str) -> str:
    plate = normalize(value)
    if not plate:
        raise ValidationError("请输入号牌号码。", code="required")
    if plate_kind(plate) is None:
        if plate[0] not in PLATE_PROVINCES and not plate.startswith("使"):
            raise ValidationError(
                "号牌号码“%(plate)s”的第一个字应为省份简称（如 粤、苏、京）。",
                code="plate_province",
                params={"plate": plate},
            )
        raise ValidationError(
            "号牌号码“%(plate)s”格式不正确：普通号牌为省份简称 + 发牌机关字母 + 5 位数字或字母"
            "（不含 I、O），新能源号牌为 6 位。",
            code="plate_format",
            params={"plate": plate},
        )
    return plate


def validate_plate(value: str) -> None:
    if clean_plate(value) != value:
        raise ValidationError("号牌号码须以规范形式保存（大写、无空格）。", code="plate_normal_form")


def is_trailer_plate(plate: str) -> bool:
    """Trailers have not bought 交强险 since 2013-03-01 (条例 Art. 42, docs/regulation.md §1)."""
    return plate.endswith("挂")


# --- Driving licence -----------------------------------------------------------------------------

LICENCE_CLASSES = (
    "A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "D", "E", "F", "M", "N", "P",
)  # fmt: skip
_FILE_NUMBER = re.compile(r"^[0-9]{12}$")


def clean_file_number(value: str) -> str:
    number = normalize(value)
    if not _FILE_NUMBER.match(number):
        raise ValidationError("驾驶证档案编号应为 12 位数字。", code="file_number")
    return number


def clean_licence_classes(value: str) -> str:
    """Normalise permitted classes ("c1 d" → "C1,D") and reject unknown codes."""
    raw = unicodedata.normalize("NFKC", value or "").upper()
    codes = [c for c in re.split(r"[\s,，、/]+", raw) if c]
    unknown = [c for c in codes if c not in LICENCE_CLASSES]
    if not codes:
        raise ValidationError("请填写准驾车型。", code="required")
    if unknown:
        raise ValidationError(
            "准驾车型 %(codes)s 无效，有效车型为 %(valid)s。",
            code="licence_class",
            params={"codes": "、".join(unknown), "valid": " ".join(LICENCE_CLASSES)},
        )
    ordered = sorted(set(codes), key=LICENCE_CLASSES.index)
    return ",".join(ordered)


# --- Phone numbers -------------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def clean_phone(value: str) -> str:
    phone = normalize(value).removeprefix("+86").removeprefix("0086")
    if not _MOBILE.match(phone):
        raise ValidationError("手机号码应为 11 位、以 1 开头的数字。", code="phone")
    return phone
