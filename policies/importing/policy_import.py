"""Import of legacy policies: validate every row, match people and vehicles, build the
renewal chains, derive the premium's parts from the tariff book, then write everything in
one transaction with bulk operations.

Matching: people by ID number, vehicles by VIN, policies by number (so a second import of
the same file changes nothing). Each imported policy's policyholder and insured are the
row's holder; a new vehicle's owner is the holder of its latest row. The premium's parts:
base premium from the tariff book on the start date; floating plan of the branch;
floating reason from the vehicle's earlier policy years (docs/regulation.md §2); floating rate =
premium ÷ base − 1 to the hundredth; no vehicle tax (not in the file); total = premium.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from core.masking import mask_id_number
from policies.choices import SalesChannel, TermKind
from policies.models import Branch, Person, Policy, Vehicle
from policies.pricing import TariffBook, floating_reason
from policies.quotes import claims_history
from policies.tariffs import load_tariff_book

from .bulk import (
    PERSON_FIELDS,
    POLICY_FIELDS,
    VEHICLE_FIELDS,
    BulkInserter,
    analyze,
    bulk_update_rows,
    release_ids,
    reserve_ids,
    without_statement_timeout,
)
from .csvfile import ImportRejected, Report, read_rows
from .policy_rows import (
    CANCELLED,
    POLICY_HEADER,
    POLICY_LABELS,
    VEHICLE_COLUMNS,
    PolicyRow,
    check_across_rows,
    parse_row,
)

HUNDREDTH = Decimal("0.01")
ANNUAL = TermKind.ANNUAL.value
RATE_LIMIT = Decimal("99.99")  # the widest floating rate the column holds
_VEHICLE_FIELDS = {
    "plate": "plate", "engine_number": "engine_number", "vehicle_category": "premium_category",
    "displacement_l": "displacement_l", "energy": "energy_type", "registration_date": "registration_date",
}  # fmt: skip
# The fields of a policy the file decides; equal values mean "unchanged" on re-import.
COMPARED = (
    "vehicle_id", "policyholder_id", "insured_id", "branch_id", "start_date", "end_date", "base_premium",
    "floating_plan", "floating_reason", "floating_rate", "premium", "vehicle_tax", "total",
    "at_fault_claims", "fatal_claims", "status", "cancelled_on", "renewed_from_id",
)  # fmt: skip


@dataclass(eq=False)
class NewPerson:
    name: str
    id_number: str
    phone: str
    pk: int | None = None


@dataclass(eq=False)
class NewVehicle:
    row: PolicyRow
    owner: NewPerson | Person
    pk: int | None = None


@dataclass(eq=False)
class Planned:
    """A file row as the policy it becomes (new, or matching an imported one)."""

    row: PolicyRow
    branch: Branch
    holder: NewPerson | Person
    vehicle: NewVehicle | Vehicle
    base_premium: Decimal
    floating_plan: str
    floating_rate: Decimal
    existing: Policy | None = None
    floating_reason: str = ""
    predecessor: Planned | Policy | None = None
    pk: int | None = None

    # Attribute names `selectors.claims_history` reads.
    @property
    def status(self) -> str:
        return self.row.status

    @property
    def term_kind(self) -> str:
        return ANNUAL

    @property
    def start_date(self) -> dt.date:
        return self.row.start_date

    @property
    def at_fault_claims(self) -> int:
        return self.row.at_fault_claims

    @property
    def fatal_claims(self) -> int:
        return self.row.fatal_claims

    @property
    def drink_driving_offences(self) -> int:
        """Not in the file: kept from the portal's own records of an imported policy."""
        return self.existing.drink_driving_offences if self.existing is not None else 0

    def values(self) -> dict:
        r = self.row
        cancelled = r.status == CANCELLED
        return {
            "vehicle_id": self.vehicle.pk, "policyholder_id": self.holder.pk, "insured_id": self.holder.pk,
            "branch_id": self.branch.pk, "start_date": r.start_date, "end_date": r.end_date,
            "base_premium": self.base_premium, "floating_plan": self.floating_plan,
            "floating_reason": self.floating_reason, "floating_rate": self.floating_rate,
            "premium": r.premium, "vehicle_tax": Decimal("0.00"), "total": r.premium,
            "at_fault_claims": r.at_fault_claims, "fatal_claims": r.fatal_claims, "status": r.status,
            "cancelled_on": r.end_date if cancelled else None,
            "renewed_from_id": self.predecessor.pk if self.predecessor is not None else None,
        }  # fmt: skip


@dataclass
class PolicyImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    vehicles_created: int = 0
    relinked: int = 0  # policies already in the database whose chain link or floating reason moved
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Plan:
    new_persons: list[NewPerson] = field(default_factory=list)
    phone_updates: dict[int, Person] = field(default_factory=dict)  # by key
    new_vehicles: list[NewVehicle] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    relinks: list[tuple[Policy, Planned | Policy | None, str]] = field(default_factory=list)


def policies_import(
    source: str | Path | io.TextIOBase,
    *,
    dry_run: bool = False,
    progress: bool = False,
    today: dt.date | None = None,
) -> PolicyImportResult:
    """Validate every row of a legacy policy file, then write it all or nothing.

    Raises `ImportRejected` (its `report` names row, column and reason of every problem)
    when any row is bad; then nothing is written.
    """
    today = today or timezone.localdate()
    report = Report(POLICY_LABELS)
    rows = []
    for row, cells in tqdm(
        read_rows(source, POLICY_HEADER), desc="校验", unit="行", disable=not progress, mininterval=1
    ):
        parsed = parse_row(row, cells, report, today=today)
        if parsed is not None:
            rows.append(parsed)
    rows = check_across_rows(rows, report)
    plan = _plan(rows, report, load_tariff_book())
    if report.errors:
        raise ImportRejected(report)

    result = PolicyImportResult(warnings=report.lines(report.warnings), dry_run=dry_run)
    result.persons_created = len(plan.new_persons)
    result.persons_updated = len(plan.phone_updates)
    result.vehicles_created = len(plan.new_vehicles)
    result.relinked = len(plan.relinks)
    if dry_run:
        _assign_keys(plan, {Person: -(10**12), Vehicle: -(10**12), Policy: -(10**12)})
        _count_changes(plan, result)
        return result
    _write(plan, result, progress=progress)
    return result


# --- Matching and planning ---------------------------------------------------------------------


def _chunks(items: Sequence, size: int | None = None):
    size = size or 5000
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fetch(queryset, field_name: str, keys) -> list:
    keys = list(keys)
    found = []
    for chunk in _chunks(keys):
        found.extend(queryset.filter(**{f"{field_name}__in": chunk}))
    return found


def _plan(rows: list[PolicyRow], report: Report, book: TariffBook) -> _Plan:
    plan = _Plan()
    branches = {b.code: b for b in Branch.objects.filter(code__in={r.branch_code for r in rows})}
    persons = {
        p.id_number: p
        for p in _fetch(
            Person.objects.only("id_number", "name", "phone"), "id_number", {r.holder_id for r in rows}
        )
    }
    vehicles = {v.vin: v for v in _fetch(Vehicle.objects.all(), "vin", {r.vin for r in rows})}
    on_record = defaultdict(list)
    existing = {}
    for p in _fetch(Policy.objects.all(), "vehicle_id", [v.pk for v in vehicles.values()]):
        on_record[p.vehicle_id].append(p)
        existing[p.number] = p
    numbers = {r.number for r in rows} - existing.keys()  # on record for a vehicle not in the file?
    existing |= {p.number: p for p in _fetch(Policy.objects.all(), "number", numbers)}

    new_persons: dict[str, NewPerson] = {}
    new_vehicles: dict[str, NewVehicle] = {}
    by_vehicle: dict[str, list[Planned]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r.start_date, r.row), reverse=True):  # latest row first
        branch = branches.get(r.branch_code)
        if branch is None:
            report.error(r.row, "branch_code", f"网点代码 {r.branch_code} 不存在，请先导入营业网点。")
            continue
        holder = _person(r, persons, new_persons, report, plan)
        vehicle = vehicles.get(r.vin)
        if vehicle is not None:
            if not _vehicle_agrees(r, vehicle, report):
                continue
        else:
            vehicle = new_vehicles.get(r.vin)
            if vehicle is None:  # the latest row names the owner
                vehicle = new_vehicles[r.vin] = NewVehicle(r, holder)
        policy = existing.get(r.number)
        if policy is not None and not policy.imported:
            report.error(r.row, "policy_number", f"保单号 {r.number} 已被系统中出具的保单使用。")
            continue
        if policy is not None and policy.vehicle_id != getattr(vehicle, "pk", None):
            report.error(r.row, "policy_number", f"保单号 {r.number} 在系统中属于另一辆车。")
            continue
        try:
            base = book.base_premium(r.category, r.start_date)
            floating_plan, _ = book.plan_for(province=branch.province, city=branch.city, day=r.start_date)
        except ValidationError as exc:
            report.error(r.row, "start_date", exc.messages[0])
            continue
        rate = (r.premium / base - 1).quantize(HUNDREDTH)
        if abs(rate) > RATE_LIMIT:
            report.error(r.row, "premium", f"保费 {r.premium} 元与基础保费 {base} 元相差过大，请核对。")
            continue
        if holder is None:
            continue
        by_vehicle[r.vin].append(Planned(r, branch, holder, vehicle, base, floating_plan, rate, policy))

    in_file = {r.number for r in rows}
    for vin, planned in by_vehicle.items():
        vehicle = vehicles.get(vin)
        recorded = [p for p in on_record[vehicle.pk] if p.number not in in_file] if vehicle else []
        if _overlaps_record(planned, recorded, report):
            continue
        _chain(planned, recorded, plan)
    if report.errors:
        return plan
    plan.new_persons = list(new_persons.values())
    plan.new_vehicles = list(new_vehicles.values())
    return plan


def _person(r: PolicyRow, persons: dict, new_persons: dict, report: Report, plan: _Plan):
    person = persons.get(r.holder_id)
    if person is None:
        new = new_persons.get(r.holder_id)
        if new is None:
            new = new_persons[r.holder_id] = NewPerson(r.holder_name, r.holder_id, r.holder_phone)
        elif not new.phone:
            new.phone = r.holder_phone
        return new
    if person.name != r.holder_name:
        report.error(
            r.row, "holder_name",
            f"身份证号码 {mask_id_number(r.holder_id)} 在系统中登记的姓名为“{person.name}”，与本行“{r.holder_name}”不一致。",
        )  # fmt: skip
        return None
    if not person.phone and r.holder_phone:
        person.phone = r.holder_phone
        plan.phone_updates[person.pk] = person
    return person


def _vehicle_agrees(r: PolicyRow, vehicle: Vehicle, report: Report) -> bool:
    agrees = True
    for column in VEHICLE_COLUMNS:
        ours, theirs = r.value(column), getattr(vehicle, _VEHICLE_FIELDS[column])
        if ours != theirs and not (ours in (None, "") and theirs in (None, "")):
            shown = "空" if theirs in (None, "") else theirs
            report.error(
                r.row, column, f"车辆 {r.vin} 在系统中登记为“{shown}”，与本行“{ours or '空'}”不一致。"
            )
            agrees = False
    return agrees


def _overlaps_record(planned: list[Planned], recorded: list[Policy], report: Report) -> bool:
    clash = False
    live = [p for p in recorded if p.status != CANCELLED]
    for item in planned:
        r = item.row
        if r.status == CANCELLED:
            continue
        for p in live:
            if p.start_date <= r.end_date and r.start_date <= p.end_date:
                report.error(
                    r.row, "start_date",
                    f"与系统中保单 {p.number}（{p.start_date} 至 {p.end_date}）的保险期间重叠。",
                )  # fmt: skip
                clash = True
    return clash


def _chain(planned: list[Planned], recorded: list[Policy], plan: _Plan) -> None:
    """Order the vehicle's policies by start date: each one renews the one before, and each
    imported one floats on the policy years before it."""
    chain: list[Planned | Policy] = sorted(
        [*planned, *recorded], key=lambda p: (p.start_date, _end(p), _number(p))
    )
    for index, item in enumerate(chain):
        predecessor = chain[index - 1] if index else None
        earlier = claims_history(chain[:index], before=item.start_date)
        reason = floating_reason(earlier).value
        if isinstance(item, Planned):
            item.predecessor = predecessor
            item.floating_reason = reason
            plan.planned.append(item)
            continue
        # A policy already on record: only its link and, if imported, its reason may move.
        new_reason = reason if item.imported else item.floating_reason
        if isinstance(predecessor, Planned):  # a new predecessor always moves the link
            moves = predecessor.existing is None or item.renewed_from_id != predecessor.existing.pk
        else:
            moves = item.renewed_from_id != (predecessor.pk if predecessor is not None else None)
        if moves or new_reason != item.floating_reason:
            plan.relinks.append((item, predecessor, new_reason))


def _end(p: Planned | Policy) -> dt.date:
    return p.row.end_date if isinstance(p, Planned) else p.end_date


def _number(p: Planned | Policy) -> str:
    return p.row.number if isinstance(p, Planned) else p.number


# --- Writing ------------------------------------------------------------------------------------


def _assign_keys(plan: _Plan, first: dict) -> None:
    for offset, person in enumerate(plan.new_persons):
        person.pk = first[Person] + offset
    for offset, vehicle in enumerate(plan.new_vehicles):
        vehicle.pk = first[Vehicle] + offset
    new_policies = [p for p in plan.planned if p.existing is None]
    for offset, item in enumerate(new_policies):
        item.pk = first[Policy] + offset
    for item in plan.planned:
        if item.existing is not None:
            item.pk = item.existing.pk


def _count_changes(plan: _Plan, result: PolicyImportResult) -> list[Policy]:
    """Apply the file's values to the matching policies; return those that changed."""
    changed = []
    for item in plan.planned:
        if item.existing is None:
            continue
        values = item.values()
        if any(getattr(item.existing, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(item.existing, k, v)
            changed.append(item.existing)
    result.created = sum(item.existing is None for item in plan.planned)
    result.updated = len(changed)
    result.unchanged = len(plan.planned) - result.created - len(changed)
    return changed


@transaction.atomic
def _write(plan: _Plan, result: PolicyImportResult, *, progress: bool) -> None:
    now = timezone.now()
    without_statement_timeout()
    _assign_keys(plan, {model: reserve_ids(model) for model in (Person, Vehicle, Policy)})
    changed = _count_changes(plan, result)
    new_policies = [p for p in plan.planned if p.existing is None]

    # One-to-one links move in two steps so no two rows ever claim the same predecessor.
    moving = [p.pk for p in changed] + [p.pk for p, _, _ in plan.relinks]
    for chunk in _chunks(moving):
        Policy.objects.filter(pk__in=chunk).update(renewed_from=None)

    with BulkInserter(Person, PERSON_FIELDS) as writer:
        for p in plan.new_persons:
            writer.add((p.pk, p.name, p.id_number, p.phone, "", "", "", now, now))
    bulk_update_rows(Person, ["phone"], ((p.pk, p.phone) for p in plan.phone_updates.values()))
    with BulkInserter(Vehicle, VEHICLE_FIELDS) as writer:
        for v in plan.new_vehicles:
            r = v.row
            writer.add((v.pk, r.plate, r.vin, r.engine_number, "", "", r.category, None, None,
                        r.displacement, r.energy, r.registration_date, v.owner.pk, now))  # fmt: skip
    fields = [f for f in COMPARED if f != "renewed_from_id"]
    bulk_update_rows(Policy, fields, ((p.pk, *(getattr(p, f) for f in fields)) for p in changed))
    with BulkInserter(Policy, POLICY_FIELDS) as writer:
        for item in tqdm(new_policies, desc="写入", unit="单", disable=not progress, mininterval=1):
            v = item.values()
            writer.add((
                item.pk, item.row.number, v["vehicle_id"], v["policyholder_id"], v["insured_id"],
                v["branch_id"], SalesChannel.COUNTER, TermKind.ANNUAL, v["start_date"], v["end_date"],
                v["base_premium"], v["floating_plan"], v["floating_reason"], v["floating_rate"],
                v["premium"], v["vehicle_tax"], v["total"], v["at_fault_claims"], v["fatal_claims"],
                v["status"], v["cancelled_on"], "", None, v["renewed_from_id"], None, now, True,
            ))  # fmt: skip
    for policy, predecessor, reason in plan.relinks:
        policy.renewed_from_id = predecessor.pk if predecessor is not None else None
        policy.floating_reason = reason
    relinked = [p for p, _, _ in plan.relinks] + changed
    bulk_update_rows(
        Policy,
        ["renewed_from_id", "floating_reason"],
        ((p.pk, p.renewed_from_id, p.floating_reason) for p in relinked),
    )
    for model in (Person, Vehicle, Policy):
        release_ids(model)
    if len(new_policies) >= 10_000:
        analyze(Person, Vehicle, Policy)
