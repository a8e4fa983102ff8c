"""The claims figures supervisors run the business on (docs/regulation.md §9), as grouped queries.

- Loss ratio (赔付率) = claims paid in the period − recoveries (追偿) received in the
  period + reserves on open claims ÷ premium earned in the period. A policy earns its premium pro rata by days of cover
  (a cancelled policy only up to its cancellation date).
- Claim cycle time: report → payment, and the time spent in each step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, Sum

from claims.choices import ClaimState, PaymentStatus, RejectReason
from claims.models import Claim, ClaimEvent, Payment, Recovery
from claims.workflow import OPEN_STATES
from core.clock import start_of_day
from policies.choices import PolicyStatus
from policies.models import Policy

ZERO = Decimal("0.00")
STEP_ORDER = [ClaimState.REPORTED, ClaimState.REGISTERED, ClaimState.SURVEYED, ClaimState.ASSESSED,
              ClaimState.CALCULATED, ClaimState.APPROVED, ClaimState.PAID]  # fmt: skip


def earned_premium(*, start: dt.date, end: dt.date) -> Decimal:
    """Premium earned from `start` to `end` inclusive: each policy's premium × its days of
    cover inside the period ÷ its days of cover. A policy cancelled with a refund
    (docs/regulation.md §3) earns the premium less the refund over the days it covered. One
    grouped query (policies sharing their dates are summed in the database)."""
    rows = (
        Policy.objects.filter(start_date__lte=end, end_date__gte=start)
        .values("start_date", "end_date", "status", "cancelled_on")
        .annotate(
            full=Sum("premium", filter=Q(refund__isnull=True)),
            kept=Sum(F("premium") - F("refund"), filter=Q(refund__isnull=False)),
        )
        .order_by()
    )
    total = Decimal(0)
    for row in rows:
        last = row["end_date"]
        if row["status"] == PolicyStatus.CANCELLED and row["cancelled_on"] is not None:
            last = min(last, row["cancelled_on"])
        days_in = (min(last, end) - max(row["start_date"], start)).days + 1
        if days_in > 0:
            total += (row["full"] or ZERO) * days_in / ((row["end_date"] - row["start_date"]).days + 1)
            total += (row["kept"] or ZERO) * days_in / ((last - row["start_date"]).days + 1)
    return total.quantize(ZERO)


@dataclass(frozen=True)
class LossRatio:
    start: dt.date
    end: dt.date
    paid: Decimal
    reserves: Decimal
    earned: Decimal
    recovered: Decimal = ZERO  # recoveries (追偿) of advances received in the period

    @property
    def incurred(self) -> Decimal:
        return self.paid - self.recovered + self.reserves

    @property
    def ratio(self) -> Decimal | None:
        return (self.incurred * 100 / self.earned).quantize(Decimal("0.1")) if self.earned else None


def loss_ratio(*, start: dt.date, end: dt.date, reserves: Decimal | None = None) -> LossRatio:
    """Paid in the period, less recoveries received in it, + reserves now on open claims,
    over premium earned in the period."""
    paid = (
        Payment.objects.filter(
            status=PaymentStatus.PAID,
            paid_at__gte=start_of_day(start),
            paid_at__lt=start_of_day(end + dt.timedelta(days=1)),
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    if reserves is None:
        reserves = open_reserves()
    recoveries = recovered(start=start, end=end)
    return LossRatio(start, end, paid, reserves, earned_premium(start=start, end=end), recoveries)


def recovered(*, start: dt.date, end: dt.date, branch_ids: list[int] | None = None) -> Decimal:
    """Recoveries (追偿) of advances received from `start` to `end` inclusive, of the claims of
    `branch_ids` (None: every branch). One query over the recoveries' date index."""
    since, until = start_of_day(start), start_of_day(end + dt.timedelta(days=1))
    rows = Recovery.objects.filter(at__gte=since, at__lt=until)
    if branch_ids is not None:
        rows = rows.filter(claim__branch_id__in=branch_ids)
    return rows.aggregate(s=Sum("amount"))["s"] or ZERO


def open_reserves() -> Decimal:
    return Claim.objects.filter(state__in=OPEN_STATES).aggregate(s=Sum("reserve"))["s"] or ZERO


@dataclass(frozen=True)
class StepTime:
    state: str
    label: str
    claims: int
    average_seconds: int


def cycle_times(*, start: dt.date, end: dt.date) -> tuple[dt.timedelta | None, int, list[StepTime]]:
    """Average report → payment of the claims paid in the period (and how many), and the
    average time spent in each step left during the period (two grouped queries)."""
    since, until = start_of_day(start), start_of_day(end + dt.timedelta(days=1))
    paid = Claim.objects.filter(paid_at__gte=since, paid_at__lt=until).aggregate(
        n=Count("id"), avg=Avg(F("paid_at") - F("reported_at"))
    )
    steps = {
        row["from_state"]: row
        for row in ClaimEvent.objects.filter(at__gte=since, at__lt=until, step_seconds__isnull=False)
        .values("from_state")
        .annotate(n=Count("id"), avg=Avg("step_seconds"))
        .order_by()
    }
    per_step = [
        StepTime(s, ClaimState(s).label, steps[s]["n"], int(steps[s]["avg"]))
        for s in STEP_ORDER
        if s in steps
    ]
    return paid["avg"], paid["n"], per_step


def rejections(*, start: dt.date, end: dt.date) -> list[tuple[str, str, int]]:
    """Refusals decided in the period by coded reason: (code, reason, count)."""
    rows = dict(
        Claim.objects.filter(
            state=ClaimState.REJECTED,
            decided_at__gte=start_of_day(start),
            decided_at__lt=start_of_day(end + dt.timedelta(days=1)),
        )
        .values_list("reject_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(code, label, rows[code]) for code, label in RejectReason.choices if code in rows]
