"""Masking of personal data shown in lists (ID numbers, phones, plates, names)."""

from __future__ import annotations

import re


def mask_id_number(value: str) -> str:
    """`360426199101010071` → `3604**********0071`."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_phone(value: str) -> str:
    """`13812345678` → `138****5678`."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_plate(value: str) -> str:
    """`粤B12345` → `粤B***45`: enough for the customer to recognise, not to look up."""
    if not value:
        return ""
    if len(value) <= 4:
        return value[0] + "*" * (len(value) - 1)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


def mask_name(value: str) -> str:
    """`张三丰` → `张**`."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_recipient(channel: str, value: str) -> str:
    """Phones as 138****5678, email as z***@example.cn, app accounts by their ends."""
    if not value:
        return ""
    if channel == "email" and "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if channel == "sms":
        return mask_phone(value)
    return value[:2] + "***" + value[-2:] if len(value) > 4 else value[:1] + "***"


_CITY = re.compile(r"^(?:[^省]{2,7}?(?:省|自治区))?([^省市]{1,8}?(?:市|自治州|地区|盟))")


def city_of(address: str) -> str:
    """The city an address names (`江苏省南京市玄武区…` → `南京市`, `北京市朝阳区…` → `北京市`):
    enough to tell two customers of one masked name apart without showing where they live."""
    match = _CITY.match(address or "")
    return match.group(1) if match else ""
