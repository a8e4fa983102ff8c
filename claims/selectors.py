"""Reads for the claims pages (the claim's page, a customer's claims), each in a fixed
number of queries. The money side comes from `claims.ledger`, the signals from
`claims.screening`; who may see which claim is `claims.access`'s business."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from claims import ledger, screening
from claims.choices import ClaimState, DocumentKind, PaymentStatus
from claims.deadlines import claim_deadlines
from claims.models import Claim, ClaimEvent, LedgerEntry, Party, Recovery
from claims.workflow import UNDECIDED_STATES

ZERO = Decimal("0.00")


def claim_for_detail():
    """Claims with everything their page shows, in a fixed number of queries."""
    return Claim.objects.select_related(
        "policy__insured", "policy__branch", "vehicle", "branch", "reported_by"
    ).prefetch_related(
        Prefetch("parties", queryset=Party.objects.order_by("pk")),
        Prefetch("events", queryset=ClaimEvent.objects.select_related("by").order_by("seq")),
    )


def claim_ledger(claim: Claim) -> list[LedgerEntry]:
    """The claim's ledger entries, oldest first, with their payment (one query)."""
    return list(
        LedgerEntry.objects.filter(claim=claim).select_related("payment", "party", "by").order_by("pk")
    )


def claim_page(claim: Claim, *, now: dt.datetime) -> dict:
    """What a claim's page shows (a claim from `claim_for_detail`): its parties and losses
    (each with the engine's estimate while one is worth showing), history, deadlines,
    signals, ledger and what is left of each limit. The ledger is read once: its sums
    come from the entries the page lists."""
    parties = list(claim.parties.all())
    losses = ledger.claim_losses(claim)
    entries = claim_ledger(claim)
    sums = ledger.sums_of(entries)
    # An estimate only while the claim is undecided: not once approved, paid or ended.
    show_calculation = claim.state in UNDECIDED_STATES
    calculation = ledger.claim_calculation(claim, losses=losses, sums=sums) if show_calculation else None
    estimates = calculation.payable() if calculation else {}
    for loss in losses:
        loss.estimate = estimates.get(loss.pk)
        # What the victim was already paid in this category (advances, earlier rounds).
        loss.paid = sums.paid.get((loss.party_id, loss.category), ZERO)
    payments = {e.payment_id: e.payment for e in entries}
    recoverable = sum(
        (p.amount for p in payments.values() if p.recoverable and p.status == PaymentStatus.PAID), ZERO
    )
    recoveries = (
        list(Recovery.objects.filter(claim=claim).select_related("by").order_by("pk"))
        if claim.advance_case
        else []
    )
    return {
        "claim": claim,
        "parties": parties,
        "losses": losses,
        "events": list(claim.events.all()),
        "deadlines": claim_deadlines(claim, now=now),
        "signals": screening.claim_signals(claim, parties=parties, losses=losses),
        "limits": ledger.remaining_limits(claim, sums.used),
        "ledger": entries,
        "calculation": calculation,
        "party_rows": [(p, [loss for loss in losses if loss.party_id == p.pk]) for p in parties],
        "documents": [(d, DocumentKind(d).label) for d in claim.documents_required],
        "recoverable": recoverable,
        "recoveries": recoveries,
        "to_recover": max(recoverable - claim.recovered_total, ZERO),
    }


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


def calculated_claims() -> QuerySet[Claim]:
    """Claims waiting for approval (理算 done), the longest waiting first, each with who
    calculated it (`calculated_by_id`, `calculator_last_name`, `calculator_first_name`,
    `calculator_username`) from its last calculation event: one query for the page."""
    last = ClaimEvent.objects.filter(claim=OuterRef("pk"), action="calculate").order_by("-seq")
    return (
        Claim.objects.filter(state=ClaimState.CALCULATED)
        .select_related("vehicle", "branch")
        .annotate(
            calculated_by_id=Subquery(last.values("by_id")[:1]),
            calculator_last_name=Subquery(last.values("by__last_name")[:1]),
            calculator_first_name=Subquery(last.values("by__first_name")[:1]),
            calculator_username=Subquery(last.values("by__username")[:1]),
        )
        .order_by("state_entered_at", "pk")
    )
