"""Request bodies: one declaration per body, used both to parse requests and to write
their JSON Schema into the OpenAPI document, so the two cannot drift apart.

Parsing refuses, with a 400 and a Chinese message, everything that is not a JSON object
of the declared string fields: undecodable bytes, bad JSON, nesting too deep for the
parser, NaN, unknown or missing fields, wrong types, over-long or invalid values.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from channels.api import errors
from channels.api.errors import ApiError, ErrorKind
from channels.api.selectors import StatusAnswer
from policies.identifiers import clean_plate, clean_vin
from policies.pricing import Quote


def printable(value: str, limit: int = 40) -> str:
    """`value` safe to echo in a message: lone surrogates escaped, cut to `limit`."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


DIGITS = frozenset("0123456789０１２３４５６７８９")  # full-width ones are folded to ASCII


def _other_digit(ch: str) -> bool:
    """A character that is, or folds (NFKC) into, a digit, but is neither an ASCII nor a
    full-width digit: "٣" (Arabic-Indic), "३" (Devanagari), "²", "①", "𝟗", "㍘"."""
    if ch in DIGITS or ch.isascii():
        return False
    return unicodedata.numeric(ch, None) is not None or any(
        c in "0123456789" for c in unicodedata.normalize("NFKC", ch)
    )


def ascii_digits(clean: Callable[[str], object]) -> Callable[[str], object]:
    """`clean` of a number-bearing field (a phone, an ID number, a plate, a VIN), refusing
    digits of other scripts first: Python's `\\d` and `str.isdigit` take them, and NFKC
    folds "²" and "①" into ASCII digits that nobody typed. After the full-width fold only
    0–9 are digits."""

    def checked(value: str) -> object:
        other = next((ch for ch in value if _other_digit(ch)), None)
        if other is not None:
            raise ValidationError(f"只能使用数字 0–9，不能含有“{other}”。")
        return clean(value)

    return checked


@dataclass(frozen=True)
class Field:
    """A string field, cleaned by a function that raises ValidationError in Chinese."""

    name: str
    label: str  # the Chinese name used in messages
    description: str
    example: str
    max_length: int
    clean: Callable[[str], object]
    error: ErrorKind  # answered with the ValidationError's message
    required: bool = True
    format: str | None = None
    pattern: str | None = None
    enum: tuple[str, ...] = ()

    @property
    def type_label(self) -> str:
        return f"字符串，最多 {self.max_length} 字符"

    def json_schema(self) -> dict:
        schema = {"type": "string", "maxLength": self.max_length, "description": self.description}
        if self.format:
            schema["format"] = self.format
        if self.pattern:
            schema["pattern"] = self.pattern
        if self.enum:
            schema["enum"] = list(self.enum)
        return schema | {"examples": [self.example]}

    def parse(self, value: object, path: str = "") -> object:
        where = f"{path}{self.name}"
        if not isinstance(value, str):
            raise ApiError(errors.INVALID_TYPE, f"字段 {where}（{self.label}）应为字符串。", field=where)
        if len(value) > self.max_length:
            raise ApiError(
                errors.FIELD_TOO_LONG,
                f"字段 {where}（{self.label}）最多 {self.max_length} 个字符。",
                field=where,
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(self.error, f"{self.label}含有无效字符。", field=where) from None
        try:
            return self.clean(value)
        except ValidationError as error:
            raise ApiError(self.error, error.messages[0], field=where) from None


@dataclass(frozen=True)
class BooleanField:
    name: str
    label: str
    description: str
    example: bool
    required: bool = True
    type_label = "true 或 false"

    def json_schema(self) -> dict:
        return {"type": "boolean", "description": self.description, "examples": [self.example]}

    def parse(self, value: object, path: str = "") -> bool:
        if not isinstance(value, bool):
            where = f"{path}{self.name}"
            raise ApiError(
                errors.INVALID_TYPE, f"字段 {where}（{self.label}）应为 true 或 false。", field=where
            )
        return value


@dataclass(frozen=True)
class ListField:
    """An array of objects, each one a `Body` of its own."""

    name: str
    label: str
    description: str
    item: Body
    max_items: int
    min_items: int = 1
    required: bool = True
    # Checks the items together (a sum, say): raises ValidationError in Chinese → 400.
    check: Callable[[list[dict]], object] | None = None

    @property
    def type_label(self) -> str:
        return f"数组，{self.min_items}–{self.max_items} 项"

    @property
    def example(self) -> list:
        return [self.item.example]

    def json_schema(self) -> dict:
        return {
            "type": "array",
            "minItems": self.min_items,
            "maxItems": self.max_items,
            "items": self.item.json_schema(),
            "description": self.description,
        }

    def parse(self, value: object, path: str = "") -> list[dict]:
        where = f"{path}{self.name}"
        if not isinstance(value, list):
            raise ApiError(errors.INVALID_TYPE, f"字段 {where}（{self.label}）应为数组。", field=where)
        if not self.min_items <= len(value) <= self.max_items:
            raise ApiError(
                errors.INVALID_FIELD,
                f"{self.label}应有 {self.min_items}–{self.max_items} 项，当前为 {len(value)} 项。",
                field=where,
            )
        items = [self.item.parse_object(entry, path=f"{where}[{i}].") for i, entry in enumerate(value)]
        if self.check is not None:
            try:
                self.check(items)
            except ValidationError as error:
                raise ApiError(errors.INVALID_FIELD, error.messages[0], field=where) from None
        return items


@dataclass(frozen=True)
class Body:
    fields: tuple[Field | BooleanField | ListField, ...]
    example: dict

    def json_schema(self) -> dict:
        return {
            "type": "object",
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
            "properties": {f.name: f.json_schema() for f in self.fields},
            "examples": [self.example],
        }

    def parse(self, raw: bytes) -> dict:
        """The cleaned values of the body's fields, or ApiError 400."""
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApiError(errors.MALFORMED_JSON) from None
        if not text.strip():
            raise ApiError(errors.INVALID_BODY)
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
            raise ApiError(errors.MALFORMED_JSON) from None
        return self.parse_object(data)

    def parse_object(self, data: object, path: str = "") -> dict:
        if not isinstance(data, dict):
            if path:
                where = path.rstrip(".")
                raise ApiError(errors.INVALID_TYPE, f"{where} 应为 JSON 对象。", field=where)
            raise ApiError(errors.INVALID_BODY)
        names = {f.name for f in self.fields}
        unknown = sorted(k for k in data if k not in names)
        if unknown:
            shown = "、".join(f"{path}{printable(k)}" for k in unknown[:5])
            allowed = "、".join(f.name for f in self.fields)
            whose = "该项" if path else "本接口"
            raise ApiError(errors.UNKNOWN_FIELD, f"不支持的字段：{shown}。{whose}的字段为：{allowed}。")
        cleaned = {}
        for field in self.fields:
            if field.name not in data:
                if field.required:
                    where = f"{path}{field.name}"
                    raise ApiError(
                        errors.MISSING_FIELD, f"缺少必填字段 {where}（{field.label}）。", field=where
                    )
                continue
            cleaned[field.name] = field.parse(data[field.name], path)
        return cleaned


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


PLATE = Field(
    "plate", "号牌号码", "号牌号码，如行驶证所载；空格、大小写、全角字符均可，按柜面规则规范化。",
    "苏A12345", 32, ascii_digits(clean_plate), errors.INVALID_PLATE,
)  # fmt: skip
VIN = Field(
    "vin", "车辆识别代号", "车辆识别代号（VIN），17 位，行驶证上可查；空格、大小写、全角字符均可。",
    "LSVAB2C09A0000101", 40, ascii_digits(clean_vin), errors.INVALID_VIN,
)  # fmt: skip

VEHICLE_BODY = Body((PLATE, VIN), example={"plate": "苏A12345", "vin": "LSVAB2C09A0000101"})


# --- Response bodies ----------------------------------------------------------------------------


def money(amount: Decimal) -> str:
    """Yuan with two decimals, no grouping (a JSON string): Decimal("665") → "665.00"."""
    return f"{amount:.2f}"


def signed_rate(rate: Decimal) -> str:
    """The floating rate with an explicit sign, zero without one: -0.30 → "-0.30",
    0.10 → "+0.10", 0 → "0.00"."""
    return "0.00" if rate == 0 else f"{rate:+.2f}"


def status_body(answer: StatusAnswer) -> dict:
    return {
        "status": answer.status.value,
        "cover_end": answer.cover_end.isoformat() if answer.cover_end else None,
        "days_left": answer.days_left,
        "renewal_start": answer.renewal_start.isoformat() if answer.renewal_start else None,
        "plate": answer.plate,
        "channels": [{"code": c.code, "name": c.name} for c in answer.channels],
    }


def quote_body(quote: Quote) -> dict:
    return {
        "base_premium": money(quote.base_premium),
        "floating_group": quote.floating_plan,
        "floating_reason": quote.floating_reason,
        "floating_rate": signed_rate(quote.floating_rate),
        "premium": money(quote.premium),
        "vehicle_tax": money(quote.vehicle_tax),
        "total": money(quote.total),
        "explanation": quote.explanation_text,
    }
