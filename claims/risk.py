"""Fraud and quality signals shown to the reviewer, each explained in Chinese.

Plain functions over facts the selectors gather; the thresholds are data (the
`RiskThreshold` table, editable by supervisors), with the defaults below.
A signal is a prompt to look closer, never a decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import TextChoices

from claims.choices import LossCategory
from claims.payout import yuan
from core.clock import SHANGHAI


class SignalCode(TextChoices):
    EARLY_IN_COVER = "early_in_cover", "起保后不久出险"
    LATE_IN_COVER = "late_in_cover", "临近保险止期出险"
    LATE_REPORT = "late_report", "延迟报案"
    REPEAT_VEHICLE = "repeat_vehicle", "同一车辆频繁出险"
    REPEAT_PERSON = "repeat_person", "同一伤者多次涉案"
    NEAR_LIMIT = "near_limit", "金额贴近限额"


class ThresholdCode(TextChoices):
    EARLY_DAYS = "early_days", "起保后若干天内出险即提示（天）"
    LATE_DAYS = "late_days", "保险止期前若干天内出险即提示（天）"
    LATE_REPORT_HOURS = "late_report_hours", "出险后超过若干小时报案视为延迟报案（小时）"
    VEHICLE_CLAIMS = "vehicle_claims", "同一车辆在统计期内出险达到若干次即提示（次，含本案）"
    VEHICLE_WINDOW_DAYS = "vehicle_window_days", "同一车辆出险次数的统计期（天）"
    PERSON_CLAIMS = "person_claims", "同一伤者（按身份证号）涉案达到若干件即提示（件，含本案）"
    NEAR_LIMIT_PERCENT = "near_limit_percent", "分项损失达到限额的若干百分比及以上即提示（%）"


@dataclass(frozen=True)
class Thresholds:
    early_days: int = 7
    late_days: int = 7
    late_report_hours: int = 48
    vehicle_claims: int = 2
    vehicle_window_days: int = 365
    person_claims: int = 2
    near_limit_percent: Decimal = Decimal(95)

    @classmethod
    def from_values(cls, values: Mapping[str, Decimal]) -> Thresholds:
        """Thresholds from table rows (code → value); missing codes keep their default."""
        defaults = cls()
        kwargs = {}
        for code in ThresholdCode:
            if code in values:
                default = getattr(defaults, code.value)
                kwargs[code.value] = type(default)(values[code])
        return cls(**kwargs)


@dataclass(frozen=True)
class OtherClaim:
    number: str
    accident_at: dt.datetime


@dataclass(frozen=True)
class RepeatedPerson:
    masked_name: str
    masked_id: str
    claim_numbers: tuple[str, ...]  # the other claims this person appears in


@dataclass(frozen=True)
class Facts:
    accident_at: dt.datetime
    reported_at: dt.datetime
    cover_start: dt.date
    cover_end: dt.date
    other_vehicle_claims: Sequence[OtherClaim] = ()  # other claims of the vehicle (any time)
    repeated_people: Sequence[RepeatedPerson] = ()
    amounts: Mapping[str, Decimal] = field(default_factory=dict)  # category → loss total
    limits: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Signal:
    code: SignalCode
    explanation: str

    @property
    def label(self) -> str:
        return self.code.label


def report_delay_hours(accident_at: dt.datetime, reported_at: dt.datetime) -> int:
    return int((reported_at - accident_at).total_seconds() // 3600)


def is_late_report(accident_at: dt.datetime, reported_at: dt.datetime, thresholds: Thresholds) -> bool:
    """Reported more than `late_report_hours` after the accident (accepted, but flagged)."""
    return reported_at - accident_at > dt.timedelta(hours=thresholds.late_report_hours)


def signals(facts: Facts, thresholds: Thresholds) -> list[Signal]:
    """Every signal the facts raise, in a fixed order, each with its reason in words."""
    found: list[Signal] = []
    day = facts.accident_at.astimezone(SHANGHAI).date()

    since_start = (day - facts.cover_start).days
    if 0 <= since_start < thresholds.early_days:
        found.append(
            Signal(
                SignalCode.EARLY_IN_COVER,
                f"出险日 {day} 距保险起期 {facts.cover_start} 仅 {since_start} 天"
                f"（提示阈值：起保后 {thresholds.early_days} 天内），请核实是否先出险后投保。",
            )
        )
    before_end = (facts.cover_end - day).days
    if 0 <= before_end < thresholds.late_days:
        found.append(
            Signal(
                SignalCode.LATE_IN_COVER,
                f"出险日 {day} 距保险止期 {facts.cover_end} 仅 {before_end} 天"
                f"（提示阈值：止期前 {thresholds.late_days} 天内），请核实出险时间是否属实。",
            )
        )
    if is_late_report(facts.accident_at, facts.reported_at, thresholds):
        hours = report_delay_hours(facts.accident_at, facts.reported_at)
        delay = f"{hours // 24} 天 {hours % 24} 小时" if hours >= 24 else f"{hours} 小时"
        found.append(
            Signal(
                SignalCode.LATE_REPORT,
                f"出险后 {delay}才报案（超过 {thresholds.late_report_hours} 小时），"
                "事故现场与损失可能已无法核实，请重点核查事故证明。",
            )
        )
    window = dt.timedelta(days=thresholds.vehicle_window_days)
    recent = [c for c in facts.other_vehicle_claims if abs(c.accident_at - facts.accident_at) <= window]
    if len(recent) + 1 >= thresholds.vehicle_claims:
        numbers = "、".join(c.number for c in recent[:5])
        found.append(
            Signal(
                SignalCode.REPEAT_VEHICLE,
                f"该车在出险前后 {thresholds.vehicle_window_days} 天内共出险 {len(recent) + 1} 次"
                f"（含本案；其他赔案：{numbers}），请核查是否存在重复索赔或故意制造事故。",
            )
        )
    for person in facts.repeated_people:
        if len(person.claim_numbers) + 1 >= thresholds.person_claims:
            found.append(
                Signal(
                    SignalCode.REPEAT_PERSON,
                    f"伤者 {person.masked_name}（{person.masked_id}）还出现在赔案 "
                    f"{'、'.join(person.claim_numbers[:5])} 中，请核查是否为职业索赔或伪造伤情。",
                )
            )
    for category, amount in facts.amounts.items():
        limit = facts.limits.get(category)
        if not limit or amount <= 0:
            continue
        floor = limit * thresholds.near_limit_percent / 100
        if floor <= amount <= limit:
            found.append(
                Signal(
                    SignalCode.NEAR_LIMIT,
                    f"{LossCategory(category).label}损失 {yuan(amount)} 元，达到限额 {yuan(limit)} 元的 "
                    f"{amount * 100 / limit:.1f}%（提示阈值 {thresholds.near_limit_percent}%），"
                    "请核实票据与损失是否按限额凑整。",
                )
            )
    return found
