"""Reads of the policies app in domain language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from core.clock import today
from policies.choices import NON_FLOATING_TERMS, FloatingReason, PolicyStatus, RenewalStatus, TermKind
from policies.identifiers import is_trailer_plate
from policies.models import Branch, DrivingLicence, Person, Policy, Vehicle
from policies.pricing import PolicyYear, PreviousPremium, Quote, TariffBook, lapse_fine, quote
from policies.renewal import (
    RenewalState,
    Term,
    next_start_date,
    one_year_end,
    renewal_state,
    renewal_window_opens,
)
from policies.tariffs import tariff_book

SHORT_TERMS = (TermKind.TEMPORARY_ENTRY, TermKind.TEMPORARY_ROAD, TermKind.NEAR_SCRAP)


def policy_terms(policies: Sequence[Policy]) -> list[Term]:
    return [
        Term(start=p.start_date, end=p.end_date, cancelled=p.status == PolicyStatus.CANCELLED, policy_id=p.pk)
        for p in policies
    ]


def vehicle_renewal_state(
    policies: Sequence[Policy], *, day: dt.date, book: TariffBook | None = None, province: str = ""
) -> RenewalState:
    """The renewal state of one vehicle from its policies (already loaded; no query)."""
    advance = (book or tariff_book()).province_settings(province, day).advance_renewal_days
    return renewal_state(policy_terms(policies), day, advance_days=advance)


def claims_history(policies: Sequence[Policy], *, before: dt.date) -> list[PolicyYear]:
    """The vehicle's previous policy years, most recent first, for the floating rate.

    A policy year is an annual, non-cancelled policy that started before `before`
    (short-term and cancelled covers are not policy years). Its record is the at-fault
    accidents of that year.
    """
    years = [
        p
        for p in policies
        if p.status != PolicyStatus.CANCELLED and p.term_kind == TermKind.ANNUAL and p.start_date < before
    ]
    years.sort(key=lambda p: p.start_date, reverse=True)
    return [PolicyYear(at_fault=p.at_fault_claims, fatal=p.fatal_claims) for p in years]


def renewal_quote(
    *,
    vehicle: Vehicle,
    policies: Sequence[Policy],
    branch: Branch,
    day: dt.date | None = None,
    book: TariffBook | None = None,
) -> Quote:
    """The renewal quote for `vehicle`, priced for `branch` (whose province picks the
    floating plan), from its policies (loaded by the caller; this runs no query beyond
    the cached tariff book). The one function the counter, hotline and API all call."""
    day = day or today()
    book = book or tariff_book()
    state = vehicle_renewal_state(policies, day=day, book=book, province=branch.province)
    start = next_start_date(state)
    end = one_year_end(start)
    history = claims_history(policies, before=start)
    last = max(
        (p for p in policies if p.status != PolicyStatus.CANCELLED and p.start_date < start),
        key=lambda p: p.start_date,
        default=None,
    )
    previous = (
        PreviousPremium(
            premium=last.premium, floating_reason=last.floating_reason, floating_rate=last.floating_rate
        )
        if last is not None and last.term_kind == TermKind.ANNUAL
        else None
    )
    plan, region = book.plan_for(province=branch.province, city=branch.city, day=start)
    return quote(
        book,
        category=vehicle.premium_category,
        plan=plan,
        region=region,
        history=history,
        start=start,
        end=end,
        tax_province=branch.province,
        energy=vehicle.energy_type,
        displacement=vehicle.displacement_l,
        registration_date=vehicle.registration_date,
        previous=previous,
    )


# --- Counter desk -------------------------------------------------------------------------------

COUNTER_DESK = "policies.use_counter_desk"
TRAILER_REFUSAL = "挂车自 2013 年 3 月 1 日起不再投保交强险（条例第四十二条），不予报价。"


def person_by_licence_number(number: str) -> Person | None:
    """The person with this ID number, driving-licence number (for residents, the same
    number) or 12-digit licence file number (档案编号). At most two indexed queries."""
    if len(number) == 12 and number.isdigit():
        licence = DrivingLicence.objects.select_related("holder").filter(file_number=number).first()
        return licence.holder if licence else None
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        licence = DrivingLicence.objects.select_related("holder").filter(number=number).first()
        person = licence.holder if licence else None
    return person


def vehicle_by_plate_and_vin(*, plate: str, vin: str) -> Vehicle | None:
    """The vehicle whose 行驶证 shows both this plate and this VIN — never a vehicle that
    matches only one of them (a mistyped pair must not show someone else's car)."""
    return Vehicle.objects.filter(vin=vin, plate=plate).first()


def get_person_for_counter(user, pk: int) -> Person:
    """A person's full record for the counter desk, in four queries whatever they own:
    the person, their licences, their vehicles, and every policy of those vehicles."""
    if not user.has_perm(COUNTER_DESK):
        raise PermissionDenied
    policies = Policy.objects.select_related("branch", "issued_by").order_by("start_date", "pk")
    queryset = Person.objects.prefetch_related(
        Prefetch("licences", queryset=DrivingLicence.objects.order_by("-valid_from", "pk")),
        Prefetch(
            "vehicles",
            queryset=Vehicle.objects.order_by("plate", "pk").prefetch_related(
                Prefetch("policies", queryset=policies)
            ),
        ),
    )
    return get_object_or_404(queryset, pk=pk)


def get_vehicle_for_counter(user, pk: int) -> Vehicle:
    if not user.has_perm(COUNTER_DESK):
        raise PermissionDenied
    return get_object_or_404(Vehicle.objects.select_related("owner"), pk=pk)


def get_policy_for_counter(user, pk: int) -> Policy:
    """A policy with everything its printed confirmation shows, in one query."""
    if not user.has_perm(COUNTER_DESK):
        raise PermissionDenied
    queryset = Policy.objects.select_related(
        "vehicle", "insured", "policyholder", "branch", "issued_by", "renewed_from"
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class LicenceRow:
    licence: DrivingLicence
    expired: bool
    expires_soon: bool  # within 90 days: remind the customer to renew the licence


def licence_rows(licences: Sequence[DrivingLicence], *, day: dt.date) -> list[LicenceRow]:
    return [
        LicenceRow(
            licence=lic,
            expired=lic.valid_to is not None and lic.valid_to < day,
            expires_soon=lic.valid_to is not None and day <= lic.valid_to < day + dt.timedelta(days=90),
        )
        for lic in licences
    ]


@dataclass(frozen=True)
class HistoryRow:
    """One line of a vehicle's policy history: a policy, or the lapse before it."""

    policy: Policy | None = None
    gap_days: int = 0
    gap_from: dt.date | None = None
    gap_to: dt.date | None = None
    is_current: bool = False


@dataclass(frozen=True)
class VehicleDesk:
    """Everything the counter shows for one vehicle, computed from rows already loaded."""

    vehicle: Vehicle
    state: RenewalState
    policies: tuple[Policy, ...]  # oldest first
    current: Policy | None  # the policy the status is counted from
    successor: Policy | None  # the policy that starts later, when renewed
    latest: Policy | None
    quote: Quote | None
    quote_error: str
    lapse_fine: Decimal | None
    renew_from: Policy | None  # set when a renewal may be issued now
    window_opens: dt.date | None  # in force: the first day a renewal may be bought
    history: tuple[HistoryRow, ...]  # newest first

    @property
    def is_trailer(self) -> bool:
        return is_trailer_plate(self.vehicle.plate)

    @property
    def never_insured(self) -> bool:
        return self.state.status is None


def policy_history(policies: Sequence[Policy], *, current: Policy | None) -> tuple[HistoryRow, ...]:
    """The vehicle's policies newest first, with the days without cover between them."""
    rows: list[HistoryRow] = []
    previous: Policy | None = None
    for policy in policies:
        if previous is not None:
            gap = (policy.start_date - previous.end_date).days - 1
            if gap > 0:
                rows.append(
                    HistoryRow(
                        gap_days=gap,
                        gap_from=previous.end_date + dt.timedelta(days=1),
                        gap_to=policy.start_date - dt.timedelta(days=1),
                    )
                )
        rows.append(HistoryRow(policy=policy, is_current=current is not None and policy.pk == current.pk))
        if previous is None or policy.end_date > previous.end_date:
            previous = policy
    return tuple(reversed(rows))


def vehicle_desk(
    vehicle: Vehicle,
    policies: Sequence[Policy],
    *,
    branch: Branch | None,
    day: dt.date,
    book: TariffBook,
) -> VehicleDesk:
    """Status, history, lapse exposure and renewal quote of one vehicle (no query)."""
    policies = sorted(policies, key=lambda p: (p.start_date, p.pk))
    province = branch.province if branch else ""
    state = vehicle_renewal_state(policies, day=day, book=book, province=province)
    by_pk = {p.pk: p for p in policies}
    current = by_pk.get(state.current.policy_id) if state.current else None
    successor = None
    if state.status == RenewalStatus.RENEWED:
        successor = next((p for p in policies if not p.is_cancelled and p.start_date > day), None)

    quote_, error = None, ""
    if is_trailer_plate(vehicle.plate):
        error = TRAILER_REFUSAL
    elif state.status in (RenewalStatus.RENEWED, RenewalStatus.CANCELLED):
        pass  # nothing to quote: cover continues, or the vehicle left the road
    elif branch is None:
        error = "您的账号未设置所属网点，无法按网点所在地报价。请联系主管。"
    else:
        try:
            quote_ = renewal_quote(vehicle=vehicle, policies=policies, branch=branch, day=day, book=book)
        except ValidationError as exc:
            error = " ".join(exc.messages)

    fine = None
    if state.status == RenewalStatus.LAPSED:
        try:
            fine = lapse_fine(book.base_premium(vehicle.premium_category, day))
        except ValidationError:
            fine = None
    window_opens = None
    if state.status == RenewalStatus.IN_FORCE and state.cover_end:
        advance = book.province_settings(province, day).advance_renewal_days
        window_opens = renewal_window_opens(state.cover_end, advance_days=advance)

    return VehicleDesk(
        vehicle=vehicle,
        state=state,
        policies=tuple(policies),
        current=current,
        successor=successor,
        latest=policies[-1] if policies else None,
        quote=quote_,
        quote_error=error,
        lapse_fine=fine,
        renew_from=current if quote_ is not None and current is not None and state.is_renewable else None,
        window_opens=window_opens,
        history=policy_history(policies, current=current),
    )


def counter_vehicle_desks(
    person: Person, *, branch: Branch | None, day: dt.date | None = None, focus: int | None = None
) -> list[VehicleDesk]:
    """One `VehicleDesk` per vehicle the person owns (from `get_person_for_counter`'s
    prefetched rows), the vehicle looked up (`focus`) first."""
    day = day or today()
    book = tariff_book()
    vehicles = sorted(person.vehicles.all(), key=lambda v: v.pk != focus)
    return [vehicle_desk(v, v.policies.all(), branch=branch, day=day, book=book) for v in vehicles]


def short_term_quote(
    *,
    term_kind: str,
    start: dt.date,
    end: dt.date,
    branch: Branch,
    category: str,
    energy: str,
    displacement: Decimal | None,
    registration_date: dt.date,
    policies: Sequence[Policy] = (),
    book: TariffBook | None = None,
) -> Quote:
    """Price short-term cover (DOMAIN §3) for one of the three cases the law allows, for
    `branch`. `policies` are the vehicle's own (near-scrap cover floats on its record and
    may not overlap its other cover)."""
    if term_kind not in SHORT_TERMS:
        raise ValidationError("短期保险仅限境外机动车临时入境、临时上道路行驶、距报废期限不足一年三种情形。")
    if end < start:
        raise ValidationError("保险止期不能早于起期。", code="period")
    if end >= one_year_end(start):
        raise ValidationError(
            "短期保险的期间须短于一年（%(start)s 起一年期至 %(end)s）；满一年请按一年期投保。",
            code="period",
            params={"start": start.isoformat(), "end": one_year_end(start).isoformat()},
        )
    clash = next(
        (p for p in policies if not p.is_cancelled and p.start_date <= end and p.end_date >= start), None
    )
    if clash is not None:
        raise ValidationError(
            "该车 %(start)s 至 %(end)s 已有保单 %(number)s，短期保险期间不能与之重叠。",
            code="overlap",
            params={"start": clash.start_date, "end": clash.end_date, "number": clash.number},
        )
    book = book or tariff_book()
    plan, region = book.plan_for(province=branch.province, city=branch.city, day=start)
    return quote(
        book,
        category=category,
        plan=plan,
        region=region,
        history=claims_history(policies, before=start),
        start=start,
        end=end,
        term_kind=term_kind,
        tax_province=branch.province,
        energy=energy,
        displacement=displacement,
        registration_date=registration_date,
    )


def short_term_start(policies: Sequence[Policy], *, day: dt.date) -> dt.date:
    """The earliest start of new cover for a vehicle: tomorrow, or the day after its
    last live policy ends, whichever is later."""
    ends = [p.end_date for p in policies if not p.is_cancelled]
    return max([day + dt.timedelta(days=1), *(end + dt.timedelta(days=1) for end in ends)])


@dataclass(frozen=True)
class FloatingExplanation:
    reason: str
    reason_label: str
    rate_words: str
    formula: str


def policy_floating_explanation(policy: Policy) -> FloatingExplanation:
    """Why the policy's premium floated, from the parts it was charged (for the printout)."""
    reason = FloatingReason(policy.floating_reason)
    rate = policy.floating_rate
    if rate < 0:
        words = f"下浮 {abs(rate) * 100:.0f}%"
    elif rate > 0:
        words = f"上浮 {rate * 100:.0f}%"
    else:
        words = "不浮动"
    if policy.term_kind in NON_FLOATING_TERMS:
        formula = f"{TermKind(policy.term_kind).label}短期保险不实行费率浮动，保费 {policy.premium} 元。"
    elif policy.term_kind != TermKind.ANNUAL:
        formula = f"短期保险按年保费比例计收：保费 {policy.premium} 元。"
    else:
        sign = "−" if rate < 0 else "+"
        formula = (
            f"交强险保费 = {policy.base_premium} × (1 {sign} {abs(rate) * 100:.0f}%) = {policy.premium} 元。"
        )
    return FloatingExplanation(
        reason=reason.value, reason_label=reason.label, rate_words=words, formula=formula
    )
