"""The dashboard's figures, summed from the monthly summaries (insights.models) for a `Scope`:
each function is one grouped query over a few thousand rows, whatever the size of the
policy, claim and ticket tables.

Definitions (docs/regulation.md §9): renewal rate = policies ended in the month (cancelled
excluded) renewed by a policy starting within 30 days of the end; lapse rate = the rest;
loss ratio (monthly trend) = claims paid in the month ÷ premium earned in the month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from claims.choices import ClaimState
from claims.figures import STEP_ORDER, StepTime
from insights.forms import Scope
from insights.models import ClaimMonth, ClaimStepMonth, PolicyMonth, ReminderMonth, TicketMonth
from policies.choices import SalesChannel
from reminders.conversion import StepConversion
from reminders.models import ReminderChannel
from support.choices import Channel as TicketChannel
from support.reports import Compliance

ONE_DECIMAL = Decimal("0.1")


def _rate(part, whole) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL) if whole else None


@dataclass
class Month:
    """One month of one series (all branches, or one branch when comparing)."""

    month: dt.date
    started: int = 0
    started_premium: Decimal = Decimal(0)
    ended: int = 0
    renewed: int = 0
    earned: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    paid_claims: int = 0
    cycle_seconds: int = 0
    reported: int = 0
    decision_breached: int = 0
    recovered: Decimal = Decimal(0)

    @property
    def lapsed(self) -> int:
        return self.ended - self.renewed

    @property
    def renewal_rate(self) -> Decimal | None:
        return _rate(self.renewed, self.ended)

    @property
    def lapse_rate(self) -> Decimal | None:
        return _rate(self.lapsed, self.ended)

    @property
    def loss_ratio(self) -> Decimal | None:
        return _rate(self.paid, self.earned) if self.earned > 0 else None

    @property
    def cycle_days(self) -> Decimal | None:
        if not self.paid_claims:
            return None
        return (Decimal(self.cycle_seconds) / self.paid_claims / 86400).quantize(ONE_DECIMAL)


@dataclass
class Series:
    key: int | None  # the branch id, None for the sum of the scope
    months: list[Month] = field(default_factory=list)

    def total(self) -> Month:
        total = Month(self.months[0].month if self.months else dt.date.min)
        for m in self.months:
            for name in ("started", "started_premium", "ended", "renewed", "earned", "paid",
                         "paid_claims", "cycle_seconds", "reported", "decision_breached", "recovered"):  # fmt: skip
                setattr(total, name, getattr(total, name) + getattr(m, name))
        return total


def _scoped(queryset: QuerySet, scope: Scope, *, segment: bool = True) -> QuerySet:
    queryset = queryset.filter(month__gte=scope.first, month__lte=scope.last)
    if scope.branch_ids is not None:
        queryset = queryset.filter(branch_id__in=scope.branch_ids)
    if segment and scope.channel:
        queryset = queryset.filter(channel=scope.channel)
    if segment and scope.category:
        queryset = queryset.filter(category=scope.category)
    return queryset


def monthly(scope: Scope) -> list[Series]:
    """Policy and claim figures per month: one series for the scope, or one per branch chosen
    when comparing branches (two grouped queries)."""
    keys = ["month", "branch_id"] if scope.compare else ["month"]
    policies = (
        _scoped(PolicyMonth.objects, scope)
        .values(*keys)
        .annotate(
            started=Sum("started"), started_premium=Sum("started_premium"), ended=Sum("ended"),
            renewed=Sum("renewed"), earned=Sum("earned"),
        )
        .order_by()
    )  # fmt: skip
    claims = (
        _scoped(ClaimMonth.objects, scope)
        .values(*keys)
        .annotate(
            paid=Sum("paid_amount"), paid_claims=Sum("paid_claims"), cycle_seconds=Sum("cycle_seconds"),
            reported=Sum("reported"), decision_breached=Sum("decision_breached"), recovered=Sum("recovered"),
        )
        .order_by()
    )  # fmt: skip
    series_keys = [b.pk for b in scope.branches] if scope.compare else [None]
    table = {(k, m): Month(m) for k in series_keys for m in scope.months}
    for row in [*policies, *claims]:
        month = table.get((row.get("branch_id"), row["month"]))
        if month is None:
            continue
        for name, value in row.items():
            if name not in ("month", "branch_id"):
                setattr(month, name, value or 0)
    return [Series(k, [table[(k, m)] for m in scope.months]) for k in series_keys]


def channel_mix(scope: Scope) -> dict[str, list[int]]:
    """Policies started per month by sales channel (one query): {channel: [count per month]}."""
    rows = (
        _scoped(PolicyMonth.objects, scope)
        .values("month", "channel")
        .annotate(started=Sum("started"))
        .filter(started__gt=0)
        .order_by()
    )
    index = {m: i for i, m in enumerate(scope.months)}
    mix: dict[str, list[int]] = {}
    for row in rows:
        mix.setdefault(row["channel"], [0] * len(index))[index[row["month"]]] = row["started"]
    return {c: mix[c] for c in SalesChannel.values if c in mix}


def step_times(scope: Scope) -> list[StepTime]:
    """Average time spent in each claim step left within the scope's months (one query)."""
    rows = {
        r["state"]: r
        for r in _scoped(ClaimStepMonth.objects, scope)
        .values("state")
        .annotate(steps=Sum("steps"), seconds=Sum("seconds"))
        .order_by()
    }
    return [
        StepTime(s, ClaimState(s).label, rows[s]["steps"], rows[s]["seconds"] // rows[s]["steps"])
        for s in STEP_ORDER
        if s in rows and rows[s]["steps"]
    ]


def ticket_sla(scope: Scope) -> list[Compliance]:
    """SLA compliance of the tickets opened in the scope's months, by ticket channel (one query).
    Sales channel and vehicle category do not apply to tickets; the branch is the queue's."""
    queryset = TicketMonth.objects.filter(month__gte=scope.first, month__lte=scope.last)
    if scope.branch_ids is not None:
        queryset = queryset.filter(Q(branch_id__in=scope.branch_ids))
    rows = (
        queryset.values("channel")
        .annotate(
            tickets=Sum("tickets"), responded=Sum("responded"), responded_within=Sum("responded_within"),
            resolved=Sum("resolved"), resolved_within=Sum("resolved_within"),
        )
        .order_by()
    )  # fmt: skip
    labels = dict(TicketChannel.choices)
    by_channel = {r["channel"]: r for r in rows}
    return [
        Compliance(
            key=c,
            label=labels[c],
            avg_first_response=None,
            avg_resolution=None,
            **{
                k: by_channel[c][k]
                for k in ("tickets", "responded", "responded_within", "resolved", "resolved_within")
            },
        )  # fmt: skip
        for c in TicketChannel.values
        if c in by_channel
    ]


def reminder_conversion(scope: Scope) -> list[StepConversion]:
    """Conversion of the reminders planned in the scope's months, by reminder channel and
    cadence step, for the reminded policies' branches, sales channel and category (one query)."""
    rows = (
        _scoped(ReminderMonth.objects, scope)
        .values("reminder_channel", "days_left")
        .annotate(planned=Sum("planned"), sent=Sum("sent"), renewed_after=Sum("renewed_after"))
        .order_by()
    )
    order = {c: i for i, c in enumerate(ReminderChannel.values)}
    steps = [
        StepConversion(r["reminder_channel"], r["days_left"], r["planned"], r["sent"], r["renewed_after"], 0)
        for r in rows
    ]
    return sorted(steps, key=lambda s: (order[s.channel], -s.days_left))
