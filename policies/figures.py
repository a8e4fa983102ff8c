"""The figures supervisors run the business on (docs/regulation.md §9), as aggregate queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from core.clock import today
from policies.choices import SalesChannel
from policies.models import Policy
from policies.pricing import add_months

RENEWAL_GRACE = dt.timedelta(days=30)  # docs/regulation.md §9: a successor within 30 days of the end


def renewed_within_grace() -> Exists:
    """True for a policy renewed by a successor starting within `RENEWAL_GRACE` of its end —
    the renewal of the monthly renewal rate (docs/regulation.md §9); the others ended lapsed,
    also when the vehicle was insured again later. One probe of the unique renewed_from index."""
    deadline = ExpressionWrapper(OuterRef("end_date") + RENEWAL_GRACE, output_field=DateField())
    return Exists(Policy.objects.filter(renewed_from=OuterRef("pk"), start_date__lte=deadline))


@dataclass(frozen=True)
class MonthRenewal:
    month: dt.date
    ended: int
    renewed: int
    complete: bool  # every policy of the month is 30 days past its end

    @property
    def renewal_rate(self) -> Decimal | None:
        return Decimal(self.renewed * 100 / self.ended).quantize(Decimal("0.1")) if self.ended else None

    @property
    def lapse_rate(self) -> Decimal | None:
        return Decimal(100 - self.renewed * 100 / self.ended).quantize(Decimal("0.1")) if self.ended else None


@dataclass(frozen=True)
class ChannelShare:
    channel: str
    label: str
    policies: int
    premium: Decimal
    share: Decimal


def renewal_by_month(*, months: int = 6, day: dt.date | None = None) -> list[MonthRenewal]:
    """Renewal and lapse rate of the policies whose cover ended in each of the last
    `months` calendar months (cancelled excluded), in one grouped query."""
    day = day or today()
    first = add_months(day.replace(day=1), -(months - 1))
    deadline = ExpressionWrapper(F("end_date") + RENEWAL_GRACE, output_field=DateField())
    rows = (
        Policy.objects.not_cancelled()
        .filter(end_date__gte=first, end_date__lte=day)
        .annotate(month=TruncMonth("end_date"))
        .values("month")
        .annotate(
            ended=Count("id"),
            renewed=Count("id", filter=Q(successor__start_date__lte=deadline)),
        )
        .order_by("month")
    )
    by_month = {r["month"]: r for r in rows}
    result = []
    for i in range(months):
        month = add_months(first, i)
        row = by_month.get(month, {"ended": 0, "renewed": 0})
        complete = add_months(month, 1) + RENEWAL_GRACE <= day
        result.append(MonthRenewal(month, row["ended"], row["renewed"], complete))
    return result


def channel_mix(*, months: int = 12, day: dt.date | None = None) -> list[ChannelShare]:
    """Policies started in the last `months` months by sales channel, in one grouped query."""
    day = day or today()
    rows = (
        Policy.objects.not_cancelled()
        .filter(start_date__gt=add_months(day, -months), start_date__lte=day)
        .values("channel")
        .annotate(policies=Count("id"), premium=Sum("premium"))
    )
    total = sum(r["policies"] for r in rows) or 1
    labels = dict(SalesChannel.choices)
    return sorted(
        (
            ChannelShare(
                r["channel"],
                labels.get(r["channel"], r["channel"]),
                r["policies"],
                r["premium"] or Decimal(0),
                Decimal(r["policies"] * 100 / total).quantize(Decimal("0.1")),
            )
            for r in rows
        ),
        key=lambda c: -c.policies,
    )
