"""The first-notice-of-loss body of `POST /api/v1/claims/reports` and its answer."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone

from channels.api import errors
from channels.api.schemas import PLATE, VIN, Body, BooleanField, Field, ListField, ascii_digits
from claims.amounts import amount_pattern, check_total, parse_amount
from claims.choices import ClaimState, PartyKind, PartyRelation, PersonOutcome
from claims.deadlines import documents_promise
from claims.services import MAX_PARTIES
from core.clock import SHANGHAI
from core.masking import mask_plate
from policies.identifiers import clean_id_number, clean_phone, clean_plate

# ASCII digits only ("\d" would take "٣٠٠٠"), as many as the claims' money columns hold.
MONEY_PATTERN = amount_pattern()
MONEY_NAMES = ("death_disability", "medical", "property")


def clean_accident_at(value: str) -> dt.datetime:
    """ISO 8601 date and time; without an offset it is Beijing time. ASCII only: Python's
    parser also reads "٢٠٢٦" and "２０２６" as 2026."""
    try:
        if not value.isascii():
            raise ValueError(value)
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError("出险时间应为 ISO 8601 格式，如 2026-11-20T14:30:00+08:00。") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def text(label: str, *, required: bool = False) -> Callable[[str], str]:
    """Free text: trimmed; control characters (NUL included) refused."""

    def clean(value: str) -> str:
        value = value.strip()
        if required and not value:
            raise ValidationError(f"请填写{label}。")
        if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
            raise ValidationError(f"{label}含有无效的控制字符。")
        return value

    return clean


def choice(label: str, values: list[str]) -> Callable[[str], str]:
    def clean(value: str) -> str:
        if value not in values:
            raise ValidationError(f"{label}应为 {'、'.join(values)} 之一。")
        return value

    return clean


def clean_money(label: str) -> Callable[[str], object]:
    def clean(value: str) -> object:
        if not re.fullmatch(MONEY_PATTERN, value.strip()):
            raise ValidationError(f'{label}应为元，用数字 0–9 书写、最多两位小数的字符串，如 "3000.00"。')
        return parse_amount(value.strip(), label)  # the claims' bound, as on the desk's form

    return clean


def parties_total(parties: list[dict]) -> None:
    """The losses of all parties together must fit a claim's total, as each fits its line."""
    check_total((p[name] for p in parties for name in MONEY_NAMES if name in p), "报损金额")


def _money_field(name: str, label: str) -> Field:
    return Field(
        name, label, f"{label}（元），两位小数以内的字符串；没有则不填", "3000.00", 13, clean_money(label),
        errors.INVALID_FIELD, required=False, pattern=MONEY_PATTERN,
    )  # fmt: skip


PARTY = Body(
    (
        Field("kind", "当事方类别", "person 人员、vehicle 车辆、property 其他财产", "person", 10,
              choice("当事方类别", PartyKind.values), errors.INVALID_FIELD, enum=tuple(PartyKind.values)),
        Field("name", "姓名或名称", "受伤人员姓名，或财产名称", "李明", 50, text("姓名或名称"),
              errors.INVALID_FIELD, required=False),
        Field("id_number", "身份证号码", "受伤人员的身份证号码（知道时填写）", "320104198506150011", 30,
              ascii_digits(clean_id_number), errors.INVALID_FIELD, required=False),
        Field("plate", "号牌号码", "对方车辆的号牌号码", "苏B12345", 32, ascii_digits(clean_plate),
              errors.INVALID_PLATE, required=False),
        Field("outcome", "伤亡情况", "人员的伤亡情况：injured 受伤、disabled 伤残、died 死亡", "injured", 10,
              choice("伤亡情况", PersonOutcome.values), errors.INVALID_FIELD, required=False,
              enum=tuple(PersonOutcome.values)),
        Field("relation", "与本车的关系", "third_party 第三者（默认）、own_side 本车人员或财产", "third_party", 12,
              choice("与本车的关系", PartyRelation.values), errors.INVALID_FIELD, required=False,
              enum=tuple(PartyRelation.values)),
        Field("description", "损失说明", "损失情况的简要说明", "左前臂擦伤", 200, text("损失说明"),
              errors.INVALID_FIELD, required=False),
        _money_field("death_disability", "死亡伤残损失"),
        _money_field("medical", "医疗费用"),
        _money_field("property", "财产损失"),
        BooleanField("rescue", "抢救费用", "医疗费用是否为抢救费用", False, required=False),
    ),
    example={"kind": "person", "name": "李明", "outcome": "injured", "medical": "3000.00"},
)  # fmt: skip

CLAIM_REPORT_BODY = Body(
    (
        PLATE,
        VIN,
        Field("accident_at", "出险时间", "出险时间，ISO 8601；不带时区时按北京时间", "2026-11-20T14:30:00+08:00",
              40, clean_accident_at, errors.INVALID_FIELD, format="date-time"),
        Field("place", "出险地点", "出险地点", "南京市玄武区中山路与北京东路交叉口", 200,
              text("出险地点", required=True), errors.INVALID_FIELD),
        Field("description", "事故经过", "事故经过", "变道时与右侧车辆剐蹭，对方驾驶人左前臂擦伤。", 2000,
              text("事故经过", required=True), errors.INVALID_FIELD),
        BooleanField("at_fault", "本车是否有责", "本车驾驶人是否负有事故责任（不确定时按有责报案）", True),
        Field("reporter_name", "报案人姓名", "报案人姓名", "陈先生", 50, text("报案人姓名"),
              errors.INVALID_FIELD, required=False),
        Field("reporter_phone", "报案人手机号", "报案人手机号；受理短信发送到此号码，不填则发给被保险人",
              "13812345678", 20, ascii_digits(clean_phone), errors.INVALID_FIELD, required=False),
        ListField("parties", "受损当事方", "受损的人员、车辆或财产，至少一项；各项损失合计不能超过一个赔案可记录的上限",
                  PARTY, max_items=MAX_PARTIES, check=parties_total),
    ),
    example={
        "plate": "苏A12345",
        "vin": "LSVAB2C09A0000101",
        "accident_at": "2026-11-20T14:30:00+08:00",
        "place": "南京市玄武区中山路与北京东路交叉口",
        "description": "变道时与右侧车辆剐蹭，对方驾驶人左前臂擦伤。",
        "at_fault": True,
        "reporter_phone": "13812345678",
        "parties": [
            {"kind": "person", "name": "李明", "outcome": "injured", "medical": "3000.00"},
            {"kind": "vehicle", "plate": "苏B12345", "property": "1500.00"},
        ],
    },
)  # fmt: skip


def claim_body(claim) -> dict:
    """What the reporter learns: the claim number, its state and what happens next."""
    return {
        "claim_number": claim.number,
        "state": claim.state,
        "state_name": ClaimState(claim.state).label,
        "plate": mask_plate(claim.vehicle.plate),
        "accident_at": timezone.localtime(claim.accident_at).isoformat(),
        "reported_at": timezone.localtime(claim.reported_at).isoformat(),
        "message": (
            f"报案已受理，赔案号 {claim.number}。{documents_promise(claim)}，"
            "请保留事故认定书或协议书、损失清单及费用票据。"
        ),
    }
