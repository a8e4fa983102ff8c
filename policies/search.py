"""Recognising what a search term is: policy number, plate, VIN, ID number, phone or name."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

from policies.identifiers import (
    PLATE_PROVINCES,
    check_vin,
    clean_id_number,
    clean_plate,
    id_check_char,
    normalize,
    plate_kind,
)


class TermKind(models.TextChoices):
    """What a search term is; `.label` is its name as the search box says it."""

    POLICY_NUMBER = "policy_number", "保单号"
    PLATE = "plate", "号牌号码"
    VIN = "vin", "车辆识别代号"
    ID_NUMBER = "id_number", "身份证号"
    PHONE = "phone", "手机号"
    NAME = "name", "姓名"
    NAME_PLATE = "name_plate", "姓名和号牌片段"


_ID = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE = re.compile(r"^1[3-9][0-9]{9}$")
_VIN = re.compile(r"^[0-9A-HJ-NPR-Z]{17}$")
_POLICY = re.compile(r"^[A-Z]{1,6}[0-9]{8,26}$|^[0-9]{15,26}$")
_CJK_NAME = re.compile(r"^[\u3400-\u9fff·•]{1,20}$")
# A name (or a given name) and part of a plate: "建平 A12", "建平 苏A12", "建平A12".
_SPACED_NAME_AND_PLATE = re.compile(r"^([\u3400-\u9fff·•]{1,20})\s+([\u3400-\u9fff]?[A-Z0-9]{2,7})$")
_COMPACT_NAME_AND_PLATE = re.compile(r"^([\u3400-\u9fff·•]{1,20})([A-Z0-9]{2,7})$")


def classify(term: str) -> list[tuple[TermKind, str]]:
    """The kinds `term` may be, most likely first, each with its normalised value.

    An empty list means the term is none of them (say so; search nothing).
    """
    value = normalize(term)
    if not value:
        return []
    kinds: list[tuple[TermKind, str]] = []
    if _ID.match(value) and id_check_char(value[:17]) == value[17]:
        kinds.append((TermKind.ID_NUMBER, value))
    if _PHONE.match(value.removeprefix("+86")):
        kinds.append((TermKind.PHONE, value.removeprefix("+86")))
    if value[0] in PLATE_PROVINCES and plate_kind(value):
        kinds.append((TermKind.PLATE, value))
    if _VIN.match(value):
        kinds.append((TermKind.VIN, value))
    if _POLICY.match(value):
        kinds.append((TermKind.POLICY_NUMBER, value))
    name = re.sub(r"\s+", "", term)
    if not kinds and _CJK_NAME.match(name):
        kinds.append((TermKind.NAME, name))
    elif not kinds and (pair := name_and_plate(term)):
        kinds.append((TermKind.NAME_PLATE, " ".join(pair)))
    return kinds


def name_and_plate(term: str) -> tuple[str, str] | None:
    """A name and a plate fragment typed together ("建平 A12", "建平 苏A12", "建平A12"), as
    (name, fragment in upper case); None for anything else. Without a space the name ends at
    the first Latin letter or digit, so a name ending in a province's character stays whole."""
    text = " ".join(term.split())
    found = _SPACED_NAME_AND_PLATE.match(normalize_spaced(text))
    if not found:
        compact = normalize_spaced(text).replace(" ", "")
        found = _COMPACT_NAME_AND_PLATE.match(compact)
    if not found or not _CJK_NAME.match(found.group(1)) or len(found.group(1)) < 2:
        return None  # "苏A1234" is a plate mistyped, not the name 苏
    return found.group(1), found.group(2)


def normalize_spaced(text: str) -> str:
    """Full-width letters and digits folded and upper-cased, spaces kept (`normalize` drops them)."""
    return " ".join(normalize(part) for part in text.split(" "))


_ID_LIKE = re.compile(r"^[0-9]{17}[0-9X]$|^[0-9]{15}$")
_VIN_LIKE = re.compile(r"^[0-9A-HJ-NPR-Z]{17}$")
_PHONE_LIKE = re.compile(r"^1[0-9]{9,11}$")
_ALL_DIGITS = re.compile(r"^[0-9]+$")


def problems(term: str, *, today=None) -> list[str]:
    """Why `term` is not the identifier it looks like, in Chinese: an ID number with a wrong
    check character or birth date, a China-made VIN with a wrong check digit (or an imported
    one whose digit is off: a warning), a plate of an impossible format, a phone number of
    the wrong length. Empty when nothing looks wrong."""
    value = normalize(term)
    found: list[str] = []
    if _ID_LIKE.match(value):
        try:
            clean_id_number(value, today=today)
        except ValidationError as exc:
            found.extend(exc.messages)
    if _VIN_LIKE.match(value) and not _ALL_DIGITS.match(value):
        try:
            warning = check_vin(value).warning
        except ValidationError as exc:
            found.extend(exc.messages)
        else:
            found.extend([warning] if warning else [])
    if value[:1] in PLATE_PROVINCES and len(value) <= 9 and not plate_kind(value):
        try:
            clean_plate(value)
        except ValidationError as exc:
            found.extend(exc.messages)
    if _PHONE_LIKE.match(value) and len(value) != 11:
        found.append(f"手机号码应为 11 位，“{value}”为 {len(value)} 位。")
    return found
