"""Reads of the claims app in domain language. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from claims import payout, risk
from claims.choices import ClaimState, LossCategory, PartyKind, PaymentKind
from claims.deadlines import Clock, Deadline, deadline
from claims.models import Claim, ClaimEvent, LedgerEntry, LiabilityLimit, Loss, Party, RiskThreshold
from core.masking import mask_id_number, mask_name
from policies.choices import PolicyStatus
from policies.models import Policy

ZERO = Decimal("0.00")


def limit_table() -> payout.LimitTable:
    """The liability-limit table (DOMAIN §5) as plain rows (one query)."""
    return payout.LimitTable(
        tuple(
            payout.LimitRow(r.at_fault, r.category, r.amount, r.valid_from, r.valid_to)
            for r in LiabilityLimit.objects.all()
        )
    )


def risk_thresholds() -> risk.Thresholds:
    return risk.Thresholds.from_values(dict(RiskThreshold.objects.values_list("code", "value")))


# --- Cover -------------------------------------------------------------------------------------


def cover_end(policy: Policy) -> dt.date:
    """The last day of a policy's cover: its end date, or the cancellation date."""
    if policy.status == PolicyStatus.CANCELLED and policy.cancelled_on is not None:
        return min(policy.end_date, policy.cancelled_on)
    return policy.end_date


def covering_policy(policies: Iterable[Policy], day: dt.date) -> Policy | None:
    """The policy whose cover (00:00 of start to 24:00 of its last day) includes `day`."""
    return next((p for p in policies if p.start_date <= day <= cover_end(p)), None)


# --- Ledger and calculation ------------------------------------------------------------------------


def ledger_sums(claim: Claim) -> tuple[dict[str, Decimal], dict[tuple[int, str], Decimal]]:
    """What the ledger has taken from each category, and what advances have paid on each
    (party, category) — one grouped query."""
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    advanced: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    rows = (
        LedgerEntry.objects.filter(claim=claim)
        .values("party_id", "category", "payment__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        used[row["category"]] += row["total"]
        if row["payment__kind"] == PaymentKind.ADVANCE:
            advanced[(row["party_id"], row["category"])] += row["total"]
    return dict(used), dict(advanced)


def loss_lines(
    losses: Sequence[Loss], advanced: dict[tuple[int, str], Decimal], *, assessed: bool
) -> list[payout.LossLine]:
    """The engine's view of the losses: assessed amounts (or, for an estimate, reported)."""
    lines = []
    for loss in losses:
        amount = loss.amount if not assessed else (loss.assessed_amount or ZERO)
        lines.append(
            payout.LossLine(
                key=loss.pk,
                party=loss.party_id,
                category=loss.category,
                amount=amount,
                third_party=loss.party.is_third_party,
                exclusion=loss.exclusion,
                rescue=loss.rescue,
                advanced=advanced.get((loss.party_id, loss.category), ZERO),
                label=loss.party.display_name,
            )
        )
    return lines


def claim_losses(claim: Claim) -> list[Loss]:
    return list(Loss.objects.filter(claim=claim).select_related("party").order_by("party_id", "category"))


def claim_calculation(
    claim: Claim, *, losses: Sequence[Loss] | None = None, assessed: bool | None = None
) -> payout.Calculation:
    """The payout engine over the claim's losses and ledger (two queries, or one when the
    losses are given). Before assessment it estimates from the reported amounts."""
    losses = claim_losses(claim) if losses is None else losses
    used, advanced = ledger_sums(claim)
    if assessed is None:
        assessed = claim.assessed_total is not None
    return payout.calculate(
        limits=claim.limits,
        lines=loss_lines(losses, advanced, assessed=assessed),
        at_fault=claim.at_fault,
        used=used,
        advance_case=bool(claim.advance_case),
    )


def remaining_limits(claim: Claim, used: dict[str, Decimal]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(category label, limit, used, remaining) — remaining is always limit − ledger sum."""
    return [
        (LossCategory(c).label, limit, used.get(c, ZERO), limit - used.get(c, ZERO))
        for c, limit in claim.limits.items()
    ]


# --- Deadlines ----------------------------------------------------------------------------------------


def claim_deadlines(claim: Claim, *, now: dt.datetime) -> list[Deadline]:
    """The three legal deadlines of a claim at `now` (no query)."""
    ended = claim.closed_at if claim.state in (ClaimState.REJECTED, ClaimState.WITHDRAWN) else None
    withdrawn = claim.closed_at if claim.state == ClaimState.WITHDRAWN else None
    return [
        deadline(
            Clock.DOCUMENTS,
            started_at=claim.reported_at,
            done_at=claim.documents_listed_at,
            now=now,
            ended_at=ended,
        ),
        deadline(
            Clock.DECISION,
            started_at=claim.documents_complete_at,
            done_at=claim.decided_at,
            now=now,
            ended_at=withdrawn,
        ),
        deadline(
            Clock.PAYMENT, started_at=claim.agreed_at, done_at=claim.paid_at, now=now, ended_at=withdrawn
        ),
    ]


# --- Signals -----------------------------------------------------------------------------------------


def claim_facts(claim: Claim, *, parties: Sequence[Party], losses: Sequence[Loss]) -> risk.Facts:
    """What the signals look at: the claim, its cover, the vehicle's other claims and the
    injured people's other claims (two queries)."""
    others = [
        risk.OtherClaim(number, accident_at)
        for number, accident_at in Claim.objects.filter(vehicle_id=claim.vehicle_id)
        .exclude(pk=claim.pk)
        .exclude(state=ClaimState.WITHDRAWN)
        .order_by("-accident_at")
        .values_list("number", "accident_at")[:20]
    ]
    id_numbers = {p.id_number for p in parties if p.kind == PartyKind.PERSON and p.id_number}
    seen: dict[str, list[str]] = defaultdict(list)
    if id_numbers:
        for id_number, number in (
            Party.objects.filter(id_number__in=id_numbers)
            .exclude(claim_id=claim.pk)
            .exclude(claim__state=ClaimState.WITHDRAWN)
            .order_by("-claim__accident_at")
            .values_list("id_number", "claim__number")[:50]
        ):
            seen[id_number].append(number)
    repeated = [
        risk.RepeatedPerson(mask_name(p.name), mask_id_number(p.id_number), tuple(seen[p.id_number]))
        for p in parties
        if p.id_number in seen
    ]
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for loss in losses:
        if loss.party.is_third_party:
            amounts[loss.category] += loss.amount
    return risk.Facts(
        accident_at=claim.accident_at,
        reported_at=claim.reported_at,
        cover_start=claim.policy.start_date,
        cover_end=cover_end(claim.policy),
        other_vehicle_claims=others,
        repeated_people=repeated,
        amounts=dict(amounts),
        limits=claim.limits,
    )


def claim_signals(
    claim: Claim,
    *,
    parties: Sequence[Party],
    losses: Sequence[Loss],
    thresholds: risk.Thresholds | None = None,
) -> list[risk.Signal]:
    return risk.signals(claim_facts(claim, parties=parties, losses=losses), thresholds or risk_thresholds())


# --- Pages ----------------------------------------------------------------------------------------


def claim_for_detail():
    """Claims with everything their page shows, in a fixed number of queries."""
    return Claim.objects.select_related(
        "policy__insured", "policy__branch", "vehicle", "branch", "reported_by"
    ).prefetch_related(
        Prefetch("parties", queryset=Party.objects.order_by("pk")),
        Prefetch("events", queryset=ClaimEvent.objects.select_related("by").order_by("seq")),
    )


def claim_ledger(claim: Claim) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(claim=claim).select_related("payment", "party", "by").order_by("pk")
    )


def claims_of_vehicles(vehicle_ids: Iterable[int] | QuerySet):
    """Claims of some vehicles (ids, or a subquery of them), newest accident first (for a
    customer's whole picture)."""
    if not isinstance(vehicle_ids, QuerySet):
        vehicle_ids = list(vehicle_ids)
    return (
        Claim.objects.filter(vehicle_id__in=vehicle_ids)
        .select_related("vehicle", "branch")
        .order_by("-accident_at")
    )
