"""The claims ledger: what the limits are and what has been taken from them.

One module owns every read of the money side of a claim and the glue to the payout
engine (`claims.payout`, which stays pure):

- the liability-limit table (docs/regulation.md §5, `LiabilityLimit` rows) as a `payout.LimitTable`,
  and the summary of it a policy prints (`liability_limits`);
- what the ledger (`LedgerEntry`, append-only) has taken from each sub-limit of a claim,
  and what advances paid to each victim (`ledger_sums`, or `sums_of` entries already read);
- the accident's limits for a finding of fault, refused when they fall below the ledger;
- the engine over a claim's losses and ledger (`claim_calculation`) and what is left of
  each limit.

Write services (`claims.services`) read through here; the entries themselves are
written by `claims.services.money`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Sum

from claims import payout
from claims.choices import LossCategory
from claims.models import Claim, LedgerEntry, LiabilityLimit, Loss
from claims.payout import yuan

ZERO = Decimal("0.00")

# --- The limit table ----------------------------------------------------------------------------


def limit_table() -> payout.LimitTable:
    """The liability-limit table (docs/regulation.md §5) as plain rows (one query)."""
    return payout.LimitTable(
        tuple(
            payout.LimitRow(r.at_fault, r.category, r.amount, r.valid_from, r.valid_to)
            for r in LiabilityLimit.objects.all()
        )
    )


@dataclass(frozen=True)
class LiabilityLimits:
    """The limits in force on one day, both rows, as printed on a policy."""

    death_disability: Decimal  # 死亡伤残赔偿限额, at fault
    medical: Decimal  # 医疗费用赔偿限额, at fault
    property: Decimal  # 财产损失赔偿限额, at fault
    no_fault_death_disability: Decimal
    no_fault_medical: Decimal
    no_fault_property: Decimal

    @property
    def at_fault_total(self) -> Decimal:
        return self.death_disability + self.medical + self.property

    @property
    def no_fault_total(self) -> Decimal:
        return self.no_fault_death_disability + self.no_fault_medical + self.no_fault_property


def liability_limits(day: dt.date) -> LiabilityLimits:
    """The limits in force on `day` (a policy prints those at the start of its cover),
    from the limit table (one query)."""
    table = limit_table()
    at_fault = table.limits(day=day, at_fault=True)
    no_fault = table.limits(day=day, at_fault=False)
    return LiabilityLimits(
        death_disability=at_fault[LossCategory.DEATH_DISABILITY],
        medical=at_fault[LossCategory.MEDICAL],
        property=at_fault[LossCategory.PROPERTY],
        no_fault_death_disability=no_fault[LossCategory.DEATH_DISABILITY],
        no_fault_medical=no_fault[LossCategory.MEDICAL],
        no_fault_property=no_fault[LossCategory.PROPERTY],
    )


# --- What the ledger has taken -----------------------------------------------------------------------


class LedgerSums(NamedTuple):
    """What the ledger has taken from each category (`used`), and what it has paid to each
    victim in each (party id, category) (`paid`: advances and earlier instalments alike,
    docs/regulation.md §5). Reversing entries count negative."""

    used: dict[str, Decimal]
    paid: dict[tuple[int, str], Decimal]

    @classmethod
    def empty(cls) -> LedgerSums:
        """The sums of a claim with no entries yet (a new report)."""
        return cls({}, {})

    def plus_advance(self, party_id: int, amount: Decimal) -> LedgerSums:
        """The sums once an advance of `amount` to `party_id` (medical) is entered."""
        category = LossCategory.MEDICAL
        used = dict(self.used)
        used[category] = used.get(category, ZERO) + amount
        paid = dict(self.paid)
        paid[(party_id, category)] = paid.get((party_id, category), ZERO) + amount
        return LedgerSums(used, paid)


def ledger_sums(claim: Claim) -> LedgerSums:
    """The claim's ledger summed by category and by (party, category): one grouped query."""
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    rows = (
        LedgerEntry.objects.filter(claim=claim)
        .values("party_id", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        used[row["category"]] += row["total"]
        paid[(row["party_id"], row["category"])] += row["total"]
    return LedgerSums(dict(used), dict(paid))


def sums_of(entries: Iterable[LedgerEntry]) -> LedgerSums:
    """The same sums as `ledger_sums`, over entries already read: no query, for a page
    that shows the entries anyway."""
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        used[entry.category] += entry.amount
        paid[(entry.party_id, entry.category)] += entry.amount
    return LedgerSums(dict(used), dict(paid))


def remaining_limits(claim: Claim, used: dict[str, Decimal]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(category label, limit, used, remaining) — remaining is always limit − ledger sum."""
    return [
        (LossCategory(c).label, limit, used.get(c, ZERO), limit - used.get(c, ZERO))
        for c, limit in claim.limits.items()
    ]


def limits_for_fault(claim: Claim, *, at_fault: bool, used: dict[str, Decimal]) -> dict[str, Decimal]:
    """The accident's limits under a (new) finding of fault, from the limit table; refused
    when what the ledger already took from a category would exceed its new limit."""
    limits = limit_table().limits(day=claim.accident_day, at_fault=at_fault)
    for category, limit in limits.items():
        if used.get(category, ZERO) > limit:
            raise ValidationError(
                "已垫付的%(category)s %(used)s 元超过%(fault)s限额 %(limit)s 元，不能改为%(fault)s。",
                code="limit_below_ledger",
                params={
                    "category": LossCategory(category).label,
                    "used": yuan(used[category]),
                    "limit": yuan(limit),
                    "fault": "有责" if at_fault else "无责",
                },
            )
    return limits


def advance_room(claim: Claim, used: dict[str, Decimal]) -> Decimal:
    """How much rescue cost may still be advanced on the claim (`payout.advance_room`)."""
    return payout.advance_room(limits=claim.limits, used=used)


# --- The engine over a claim ------------------------------------------------------------------------


def claim_losses(claim: Claim) -> list[Loss]:
    """The claim's losses with their party, in the engine's line order (one query)."""
    return list(Loss.objects.filter(claim=claim).select_related("party").order_by("party_id", "category"))


def loss_lines(
    losses: Sequence[Loss], paid: dict[tuple[int, str], Decimal], *, assessed: bool
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
                paid=paid.get((loss.party_id, loss.category), ZERO),
                label=loss.party.display_name,
            )
        )
    return lines


def claim_calculation(
    claim: Claim,
    *,
    losses: Sequence[Loss] | None = None,
    sums: LedgerSums | None = None,
    assessed: bool | None = None,
) -> payout.Calculation:
    """The payout engine over the claim's losses and ledger. Each input not given is
    read (one query each); give what the caller has already read. Before assessment it
    estimates from the reported amounts."""
    losses = claim_losses(claim) if losses is None else losses
    used, paid = ledger_sums(claim) if sums is None else sums
    if assessed is None:
        assessed = claim.assessed_total is not None
    return payout.calculate(
        limits=claim.limits,
        lines=loss_lines(losses, paid, assessed=assessed),
        at_fault=claim.at_fault,
        used=used,
        advance_case=bool(claim.advance_case),
    )
