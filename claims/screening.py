"""The fraud and quality signals of one claim: the facts `claims.risk` looks at, read from
the database, and the thresholds it compares them with (the `RiskThreshold` table)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from claims import risk
from claims.choices import ClaimState, PartyKind
from claims.cover import cover_end
from claims.models import Claim, Loss, Party, RiskThreshold
from core.masking import mask_id_number, mask_name

ZERO = Decimal("0.00")


def risk_thresholds() -> risk.Thresholds:
    """The signals' thresholds (one query); codes missing from the table keep their default."""
    return risk.Thresholds.from_values(dict(RiskThreshold.objects.values_list("code", "value")))


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
    """The claim's signals (two queries, three without `thresholds`)."""
    return risk.signals(claim_facts(claim, parties=parties, losses=losses), thresholds or risk_thresholds())
