"""What the counter (and the hotline's customer view) shows for a person and each vehicle,
computed from rows already loaded: licences, policy history with its gaps, renewal status,
lapse exposure, the renewal quote, and the claims and open tickets the customer asks about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, QuerySet

from claims.models import Claim
from claims.selectors import claims_of_vehicles
from core.clock import today
from core.nested import instances, nested_rows
from core.text import rate_factor, rate_words
from policies.choices import NON_FLOATING_TERMS, FloatingReason, PremiumEntryKind, RenewalStatus, TermKind
from policies.identifiers import is_trailer_plate
from policies.models import Branch, DrivingLicence, Person, Policy, PremiumEntry, User, Vehicle
from policies.pricing import Quote, TariffBook, cancellation_refund, lapse_fine
from policies.quotes import renewal_quote, vehicle_renewal_state
from policies.refusals import NO_BRANCH_FOR_QUOTE, TRAILER_REFUSAL
from policies.renewal import RenewalState, renewal_window_opens
from policies.tariffs import tariff_book
from support.access import tickets_for_user
from support.models import Ticket


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
    advance_days: int = 90  # the branch province's advance-renewal window
    cancel_from: Policy | None = None  # the policy covering today, which may be cancelled
    cancel_refund: Decimal | None = None  # its refund if cancelled today (docs/regulation.md §3)

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
    if state.status in (RenewalStatus.RENEWED, RenewalStatus.UPCOMING):
        successor = next((p for p in policies if not p.is_cancelled and p.start_date > day), None)

    quote_, error = None, ""
    if is_trailer_plate(vehicle.plate):
        error = TRAILER_REFUSAL
    elif state.status in (RenewalStatus.RENEWED, RenewalStatus.UPCOMING) or (
        state.status == RenewalStatus.CANCELLED and not state.is_resuming
    ):
        pass  # nothing to quote: cover continues, or the vehicle left the road for good
    elif branch is None:
        error = NO_BRANCH_FOR_QUOTE
    else:
        try:
            quote_ = renewal_quote(vehicle=vehicle, policies=policies, branch=branch, state=state, book=book)
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
        window_opens = renewal_window_opens(state.cover_end, advance_days=state.advance_days)
    cancel_from = next(
        (p for p in policies if not p.is_cancelled and p.start_date <= day <= p.end_date), None
    )
    refund = (
        cancellation_refund(
            cancel_from.premium, start=cancel_from.start_date, end=cancel_from.end_date, cancelled_on=day
        )
        if cancel_from is not None
        else None
    )

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
        advance_days=state.advance_days,
        cancel_from=cancel_from,
        cancel_refund=refund,
    )


def counter_vehicle_desks(
    person: Person, *, branch: Branch | None, day: dt.date | None = None, focus: int | None = None
) -> list[VehicleDesk]:
    """One `VehicleDesk` per vehicle the person owns (from `counter_person_queryset`'s
    prefetched rows), the vehicle looked up (`focus`) first."""
    day = day or today()
    book = tariff_book()
    vehicles = sorted(person.vehicles.all(), key=lambda v: v.pk != focus)
    for vehicle in vehicles:
        for policy in vehicle.policies.all():
            policy.ledger = instances(PremiumEntry, policy.ledger_rows)
    return [vehicle_desk(v, v.policies.all(), branch=branch, day=day, book=book) for v in vehicles]


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
    words = rate_words(rate)
    if policy.term_kind in NON_FLOATING_TERMS:
        formula = f"{TermKind(policy.term_kind).label}短期保险不实行费率浮动，保费 {policy.premium} 元。"
    elif policy.term_kind != TermKind.ANNUAL:
        formula = f"短期保险按年保费比例计收：保费 {policy.premium} 元。"
    else:
        drink = policy.drink_driving_rate
        surcharge = f" × {rate_factor(drink)}（酒驾上浮）" if drink else ""
        formula = (
            f"交强险保费 = {policy.base_premium} × {rate_factor(rate)}{surcharge} = {policy.premium} 元。"
        )
    return FloatingExplanation(
        reason=reason.value, reason_label=reason.label, rate_words=words, formula=formula
    )


LICENCE_FIELDS = ("id", "number", "file_number", "classes", "first_issued", "valid_from", "valid_to")
LEDGER_FIELDS = (
    "id", "kind", "amount", "method", "reference", "at", "by__id", "by__username", "by__last_name", "by__first_name",
)  # fmt: skip
TICKET_FIELDS = (
    "id", "number", "subject", "status", "channel", "created_at", "vehicle__id", "vehicle__plate",
    "assignee__id", "assignee__username", "assignee__last_name", "assignee__first_name",
)  # fmt: skip


def person_licences() -> ArraySubquery:
    """The person's licences, latest first, in the person's row (core.nested)."""
    rows = DrivingLicence.objects.filter(holder=OuterRef("pk")).order_by("-valid_from", "pk")
    return nested_rows(rows, *LICENCE_FIELDS)


def licences_of(person: Person) -> list[DrivingLicence]:
    """The licences read with the person (`counter_person_queryset`, `hotline_person_queryset`)."""
    return instances(DrivingLicence, person.licence_rows)


def counter_person_queryset(user: User) -> QuerySet[Person]:
    """A person's full record for the counter, in three queries whatever they own: the person
    with their licences and the open tickets `user` may see, their vehicles, and every policy
    of those vehicles with its premium ledger (the short lists in their parent's row: core.nested)."""
    entries = PremiumEntry.objects.filter(policy=OuterRef("pk")).order_by("at", "pk")
    policies = (
        Policy.objects.select_related("branch", "issued_by")
        .annotate(ledger_rows=nested_rows(entries, *LEDGER_FIELDS))
        .order_by("start_date", "pk")
    )
    tickets = (
        tickets_for_user(user)
        .filter(customer=OuterRef("pk"))
        .unfinished()
        .order_by("-created_at", "-pk")[:CLAIMS_SHOWN]
    )
    return Person.objects.annotate(
        licence_rows=person_licences(), ticket_rows=nested_rows(tickets, *TICKET_FIELDS)
    ).prefetch_related(
        Prefetch(
            "vehicles",
            queryset=Vehicle.objects.order_by("plate", "pk").prefetch_related(
                Prefetch("policies", queryset=policies)
            ),
        ),
    )


def confirmation_queryset() -> QuerySet[Policy]:
    """A policy with everything its printed confirmation shows, in two queries."""
    return Policy.objects.select_related(
        "vehicle", "insured", "policyholder", "branch", "issued_by", "renewed_from", "cancelled_by"
    ).prefetch_related(Prefetch("premium_entries", queryset=PremiumEntry.objects.select_related("by")))


def premium_entries(policy: Policy) -> list[PremiumEntry]:
    """The policy's premium ledger (prefetched): the charge, then a refund."""
    return sorted(policy.premium_entries.all(), key=lambda e: (e.at, e.pk))


@dataclass(frozen=True)
class RefundNote:
    term_days: int
    unexpired_days: int
    unexpired_from: dt.date
    formula: str
    entry: PremiumEntry | None


def refund_note(policy: Policy) -> RefundNote:
    """The arithmetic of a cancelled policy's refund (docs/regulation.md §3): premium ×
    unexpired days ÷ days of the term, to the fen."""
    end = policy.term_end
    term_days = (end - policy.start_date).days + 1
    unexpired = max((end - policy.cancelled_on).days, 0)
    refund = policy.refund if policy.refund is not None else Decimal("0.00")
    entry = next((e for e in policy.premium_entries.all() if e.kind == PremiumEntryKind.REFUND), None)
    if policy.original_end_date is None:  # imported or legacy: the issued end date was not kept
        return RefundNote(
            term_days=term_days,
            unexpired_days=0,
            unexpired_from=policy.cancelled_on + dt.timedelta(days=1),
            formula=f"原保险止期未记录（历史数据），退费以原记录为准：{refund} 元",
            entry=entry,
        )
    return RefundNote(
        term_days=term_days,
        unexpired_days=unexpired,
        unexpired_from=policy.cancelled_on + dt.timedelta(days=1),
        formula=f"{policy.premium} × {unexpired} ÷ {term_days} = {refund} 元",
        entry=entry,
    )


# --- What the clerk is asked about: the claims behind the floating rate, open tickets ------------

CLAIMS_SHOWN = 10


@dataclass(frozen=True)
class ClaimRow:
    claim: Claim

    @property
    def amount(self) -> Decimal | None:
        """The most settled figure: paid, else calculated, assessed, reported."""
        c = self.claim
        for value in (c.paid_total or None, c.calculated_total, c.assessed_total, c.reported_total or None):
            if value is not None:
                return value
        return None

    @property
    def amount_label(self) -> str:
        c = self.claim
        if c.paid_total:
            return "已付"
        if c.calculated_total is not None:
            return "理算"
        if c.assessed_total is not None:
            return "核定"
        return "报损"


@dataclass(frozen=True)
class RecordYear:
    """A policy year whose claims record (at-fault claims, fatal ones) feeds the next premium,
    with how many of them are claims handled in this portal; the rest came with imported history."""

    policy: Policy
    at_fault: int
    fatal: int
    in_portal: int

    @property
    def imported(self) -> int:
        return max(self.at_fault - self.in_portal, 0)


@dataclass(frozen=True)
class ClaimsRecord:
    rows: tuple[ClaimRow, ...]
    more: bool
    years: tuple[RecordYear, ...]  # newest first, only years with at-fault claims
    tickets: tuple[Ticket, ...]

    @property
    def imported_total(self) -> int:
        return sum(y.imported for y in self.years)


def claims_record(
    policies: Sequence[Policy], claims: Sequence[Claim], *, more: bool = False, tickets: Sequence[Ticket] = ()
) -> ClaimsRecord:
    """Claims in the portal beside the policy years' claims records (no query): a year's
    "有责 3 次" with no claim rows is history imported with the policy (docs/regulation.md §2)."""
    counted: dict[int, int] = {}
    for claim in claims:
        if claim.record_counted:
            counted[claim.policy_id] = counted.get(claim.policy_id, 0) + 1
    years = tuple(
        RecordYear(policy=p, at_fault=p.at_fault_claims, fatal=p.fatal_claims, in_portal=counted.get(p.pk, 0))
        for p in sorted(policies, key=lambda p: (p.start_date, p.pk), reverse=True)
        if p.at_fault_claims
    )
    return ClaimsRecord(
        rows=tuple(ClaimRow(c) for c in claims), more=more, years=years, tickets=tuple(tickets)
    )


def person_claims_record(person: Person, desks: Sequence[VehicleDesk]) -> ClaimsRecord:
    """The person's claims (every claim of their vehicles: part of the record the clerk may open)
    and the open tickets read with the person (`counter_person_queryset`) — one query."""
    vehicle_ids = [d.vehicle.pk for d in desks]
    rows = list(claims_of_vehicles(vehicle_ids)[: CLAIMS_SHOWN + 1]) if vehicle_ids else []
    return claims_record(
        [p for d in desks for p in d.policies],
        rows[:CLAIMS_SHOWN],
        more=len(rows) > CLAIMS_SHOWN,
        tickets=instances(Ticket, person.ticket_rows),
    )
