"""The rows of a legacy policy file: parsing each row, then the checks across rows
(duplicate numbers, one person per ID number, one vehicle per VIN, no overlapping cover)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.masking import mask_id_number
from policies.choices import PASSENGER_CAR_CATEGORIES, TAX_EXEMPT_ENERGY, EnergyType, PolicyStatus, TermKind
from policies.identifiers import (
    check_vin,
    clean_id_number,
    clean_phone,
    clean_plate,
    is_trailer_plate,
    normalize,
)
from policies.refusals import TRAILER_REFUSAL
from policies.renewal import one_year_end

from .csvfile import Report
from .fields import (
    parse_category,
    parse_count,
    parse_date,
    parse_displacement,
    parse_energy,
    parse_money,
    parse_status,
    text,
)

POLICY_HEADER = (
    "policy_number", "branch_code", "holder_name", "holder_id_number", "holder_phone", "plate", "vin",
    "engine_number", "vehicle_category", "displacement_l", "energy", "registration_date", "start_date",
    "end_date", "premium", "at_fault_claims", "fatal_claims", "status",
)  # fmt: skip
POLICY_LABELS = {
    "policy_number": "保单号", "branch_code": "网点代码", "holder_name": "投保人姓名",
    "holder_id_number": "身份证号码", "holder_phone": "手机号码", "plate": "号牌号码",
    "vin": "车辆识别代号", "engine_number": "发动机号码", "vehicle_category": "车辆类别",
    "displacement_l": "排量（升）", "energy": "能源类型", "registration_date": "注册日期",
    "start_date": "保险起期", "end_date": "保险止期", "premium": "保费", "at_fault_claims": "有责事故次数",
    "fatal_claims": "有责死亡事故次数", "status": "状态",
}  # fmt: skip
PERSON_COLUMNS = ("holder_name", "holder_phone")
CANCELLED = PolicyStatus.CANCELLED.value  # plain strings: enum member access is slow in hot loops
_FUEL_BURNING = frozenset({EnergyType.FUEL.value, EnergyType.HYBRID.value})
VEHICLE_COLUMNS = (
    "plate",
    "engine_number",
    "vehicle_category",
    "displacement_l",
    "energy",
    "registration_date",
)
_ATTR = {
    "holder_name": "holder_name", "holder_phone": "holder_phone", "plate": "plate",
    "engine_number": "engine_number", "vehicle_category": "category", "displacement_l": "displacement",
    "energy": "energy", "registration_date": "registration_date",
}  # fmt: skip


@dataclass(slots=True)
class PolicyRow:
    """One valid row, normalised. Attribute names match `Policy` where `selectors` read them."""

    row: int
    number: str
    branch_code: str
    holder_name: str
    holder_id: str
    holder_phone: str
    plate: str
    vin: str
    engine_number: str
    category: str
    displacement: Decimal | None
    energy: str
    registration_date: dt.date
    start_date: dt.date
    end_date: dt.date
    premium: Decimal
    at_fault_claims: int
    fatal_claims: int
    status: str
    term_kind: str = TermKind.ANNUAL.value

    def value(self, column: str):
        return getattr(self, _ATTR[column])


def parse_row(row: int, cells: list[str], report: Report, *, today: dt.date) -> PolicyRow | None:
    """The row's values, normalised and typed, or None after reporting what is wrong."""
    if len(cells) != len(POLICY_HEADER):
        report.error(row, "", f"应有 {len(POLICY_HEADER)} 列，实际 {len(cells)} 列。")
        return None
    raw = dict(zip(POLICY_HEADER, cells, strict=True))
    values: dict = {}
    errors_before = len(report.errors)

    def take(column: str, parse):
        try:
            values[column] = parse(raw[column])
        except ValidationError as exc:
            values[column] = None
            report.error(row, column, exc.messages[0])

    take("policy_number", _policy_number)
    take("branch_code", _required_text)
    take("holder_name", _name)
    take("holder_id_number", lambda v: clean_id_number(v, today=today))
    take("holder_phone", lambda v: clean_phone(v) if text(v) else "")
    take("plate", clean_plate)
    take("vin", check_vin)
    take("engine_number", _engine_number)
    take("vehicle_category", parse_category)
    take("displacement_l", parse_displacement)
    take("energy", parse_energy)
    take("registration_date", parse_date)
    take("start_date", parse_date)
    take("end_date", parse_date)
    take("premium", parse_money)
    take("at_fault_claims", parse_count)
    take("fatal_claims", parse_count)
    take("status", parse_status)

    plate, vin = values["plate"], values["vin"]
    if plate and is_trailer_plate(plate):
        report.error(row, "plate", f"{TRAILER_REFUSAL}不能导入。")
    if vin is not None and vin.warning:
        report.warn(row, "vin", vin.warning)
    energy, displacement, category = values["energy"], values["displacement_l"], values["vehicle_category"]
    if energy in TAX_EXEMPT_ENERGY and displacement is not None:
        report.error(row, "displacement_l", f"{EnergyType(energy).label}车辆没有排量，请留空。")
    if energy in _FUEL_BURNING and category in PASSENGER_CAR_CATEGORIES and displacement is None:
        report.error(row, "displacement_l", "燃油及混合动力乘用车须填写排量（升），用于计算车船税。")
    registration, start, end = values["registration_date"], values["start_date"], values["end_date"]
    if registration and registration > today:
        report.error(row, "registration_date", "注册日期晚于今天。")
    if start and end:
        if end < start:
            report.error(row, "end_date", f"保险止期 {end} 早于起期 {start}。")
        elif end > one_year_end(start):
            report.error(row, "end_date", f"保险期间超过一年：自 {start} 起最晚止于 {one_year_end(start)}。")
    at_fault, fatal = values["at_fault_claims"], values["fatal_claims"]
    if at_fault is not None and fatal is not None and fatal > at_fault:
        report.error(row, "fatal_claims", f"有责死亡事故 {fatal} 次多于有责事故 {at_fault} 次。")

    if len(report.errors) > errors_before:
        return None
    return PolicyRow(
        row=row, number=values["policy_number"], branch_code=values["branch_code"],
        holder_name=values["holder_name"], holder_id=values["holder_id_number"],
        holder_phone=values["holder_phone"], plate=plate, vin=vin.vin,
        engine_number=values["engine_number"], category=category, displacement=displacement,
        energy=energy, registration_date=registration, start_date=start, end_date=end,
        premium=values["premium"], at_fault_claims=at_fault, fatal_claims=fatal, status=values["status"],
    )  # fmt: skip


def _policy_number(value: str) -> str:
    number = normalize(value)
    if not number:
        raise ValidationError("不能为空。")
    if len(number) > 32:
        raise ValidationError("保单号不能超过 32 个字符。")
    return number


def _required_text(value: str) -> str:
    if not text(value):
        raise ValidationError("不能为空。")
    return text(value)


def _name(value: str) -> str:
    name = "".join(text(value).split())
    if not name:
        raise ValidationError("不能为空。")
    if len(name) > 50:
        raise ValidationError("姓名不能超过 50 个字符。")
    return name


def _engine_number(value: str) -> str:
    number = normalize(value)
    if len(number) > 30:
        raise ValidationError("发动机号码不能超过 30 个字符。")
    return number


def check_across_rows(rows: Iterable[PolicyRow], report: Report) -> list[PolicyRow]:
    """Report conflicts between rows and return the rows that have none."""
    by_number: dict[str, PolicyRow] = {}
    by_person: dict[str, PolicyRow] = {}
    by_vehicle: dict[str, list[PolicyRow]] = defaultdict(list)
    bad: set[int] = set()
    for r in rows:
        first = by_number.setdefault(r.number, r)
        if first is not r:
            report.error(
                r.row, "policy_number", f"保单号 {r.number} 与第 {first.row} 行重复，每张保单只能一行。"
            )
            bad.add(r.row)
            continue
        person = by_person.setdefault(r.holder_id, r)
        if person is not r:
            for column in PERSON_COLUMNS:
                theirs, ours = person.value(column), r.value(column)
                if theirs and ours and theirs != ours:
                    report.error(
                        r.row, column,
                        f"身份证号码 {mask_id_number(r.holder_id)} 在第 {person.row} 行为“{theirs}”，"
                        f"本行为“{ours}”，同一人须一致。",
                    )  # fmt: skip
                    bad.add(r.row)
            if not person.holder_phone and r.holder_phone:
                by_person[r.holder_id] = r
        vehicle_rows = by_vehicle[r.vin]
        if vehicle_rows:
            first_row = vehicle_rows[0]
            for column in VEHICLE_COLUMNS:
                theirs, ours = first_row.value(column), r.value(column)
                if theirs != ours:
                    report.error(
                        r.row, column,
                        f"车辆识别代号 {r.vin} 在第 {first_row.row} 行为“{_show(theirs)}”，"
                        f"本行为“{_show(ours)}”，同一车辆须一致。",
                    )  # fmt: skip
                    bad.add(r.row)
        vehicle_rows.append(r)

    for vehicle_rows in by_vehicle.values():
        live = sorted(
            (r for r in vehicle_rows if r.status != CANCELLED and r.row not in bad),
            key=lambda r: (r.start_date, r.end_date),
        )
        reach = None  # the row whose cover ends last so far
        for later in live:
            earlier = reach
            if reach is None or later.end_date > reach.end_date:
                reach = later
            if earlier is not None and later.start_date <= earlier.end_date:
                report.error(
                    later.row, "start_date",
                    f"与第 {earlier.row} 行保单 {earlier.number}（{earlier.start_date} 至 {earlier.end_date}）"
                    "的保险期间重叠，同一车辆的有效保单不能重叠。",
                )  # fmt: skip
                bad.add(later.row)
    return [r for r in by_number.values() if r.row not in bad]


def _show(value) -> str:
    return "空" if value in (None, "") else str(value)
