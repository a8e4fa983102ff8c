"""The support figures supervisors run the desk on: SLA compliance (docs/regulation.md §9: the share
of tickets within target) and satisfaction, grouped by queue, channel, category or agent.
Each breakdown is one grouped query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from support.choices import Category, Channel, Status
from support.models import Survey, Ticket

PERIODS = {7: "近 7 天", 30: "近 30 天", 90: "近 90 天"}


def _share(part: int, whole: int) -> Decimal | None:
    return Decimal(part * 100 / whole).quantize(Decimal("0.1")) if whole else None


def _hours(delta: dt.timedelta | None) -> Decimal | None:
    return Decimal(delta.total_seconds() / 3600).quantize(Decimal("0.1")) if delta is not None else None


@dataclass(frozen=True)
class Compliance:
    key: str | int | None
    label: str
    tickets: int
    responded: int  # first responses measured: given, or overdue and still missing
    responded_within: int
    resolved: int  # resolutions measured: done, or overdue and still open
    resolved_within: int
    avg_first_response: dt.timedelta | None
    avg_resolution: dt.timedelta | None

    @property
    def response_rate(self) -> Decimal | None:
        return _share(self.responded_within, self.responded)

    @property
    def resolution_rate(self) -> Decimal | None:
        return _share(self.resolved_within, self.resolved)

    @property
    def avg_first_response_hours(self) -> Decimal | None:
        return _hours(self.avg_first_response)

    @property
    def avg_resolution_hours(self) -> Decimal | None:
        return _hours(self.avg_resolution)


def _period(days: int, now: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    now = now or timezone.now()
    return now - dt.timedelta(days=days), now


def _measured(now: dt.datetime) -> tuple[Q, Q, Q, Q]:
    """(responded, overdue response, resolved, overdue resolution): what `compliance` measures."""
    return (
        Q(first_responded_at__isnull=False),
        Q(first_responded_at__isnull=True, first_response_due__lt=now),
        Q(resolution_time__isnull=False, status__in=[Status.RESOLVED, Status.CLOSED]),
        Q(resolved_at__isnull=True, resolution_due__lt=now),
    )


def response_missed(now: dt.datetime) -> Q:
    """The tickets whose first response `compliance` counts as measured and not within target:
    given late (or with no time recorded), or overdue and still missing; merged ones left out."""
    responded, overdue_response, _, _ = _measured(now)
    late = Q(first_response_time__isnull=True) | Q(first_response_time__gt=F("first_response_target"))
    return ((responded & late) | overdue_response) & Q(merged_into__isnull=True)


def resolution_missed(now: dt.datetime) -> Q:
    """Likewise for the resolution: done late, or overdue and still open."""
    _, _, resolved, overdue_resolution = _measured(now)
    late = resolved & Q(resolution_time__gt=F("resolution_target"))
    return (late | (overdue_resolution & ~resolved)) & Q(merged_into__isnull=True)


def compliance(by: str, *, days: int = 30, now: dt.datetime | None = None) -> list[Compliance]:
    """SLA compliance of the tickets opened in the last `days` days, grouped by `by`
    ("queue", "channel" or "category"). Merged duplicates are left out. A first response
    counts as within target when its time (pauses excluded) is at most the target; one
    still missing after its due time counts as a breach — likewise for resolution."""
    since, now = _period(days, now)
    field = {"queue": "queue_id", "channel": "channel", "category": "category"}[by]
    responded, overdue_response, resolved, overdue_resolution = _measured(now)
    rows = (
        Ticket.objects.filter(created_at__gte=since, created_at__lte=now, merged_into__isnull=True)
        .values(field)
        .annotate(
            tickets=Count("id"),
            responded=Count("id", filter=responded | overdue_response),
            responded_within=Count(
                "id", filter=responded & Q(first_response_time__lte=F("first_response_target"))
            ),
            resolved=Count("id", filter=resolved | overdue_resolution),
            resolved_within=Count("id", filter=resolved & Q(resolution_time__lte=F("resolution_target"))),
            avg_first_response=Avg("first_response_time"),
            avg_resolution=Avg("resolution_time", filter=resolved),
        )
        .order_by(field)
    )
    labels = _labels(by, [r[field] for r in rows])
    return [
        Compliance(
            key=r[field],
            label=labels.get(r[field], "—"),
            **{k: r[k] for k in ("tickets", "responded", "responded_within", "resolved", "resolved_within")},
            avg_first_response=r["avg_first_response"],
            avg_resolution=r["avg_resolution"],
        )
        for r in rows
    ]


def total(rows: list[Compliance]) -> Compliance:
    """The sum of a breakdown (averages weighted by their counts)."""

    def weighted(attr: str, count: str) -> dt.timedelta | None:
        pairs = [(getattr(r, attr), getattr(r, count)) for r in rows if getattr(r, attr) is not None]
        weight = sum(n for _, n in pairs)
        return sum((a * n for a, n in pairs), dt.timedelta(0)) / weight if weight else None

    return Compliance(
        key=None,
        label="合计",
        tickets=sum(r.tickets for r in rows),
        responded=sum(r.responded for r in rows),
        responded_within=sum(r.responded_within for r in rows),
        resolved=sum(r.resolved for r in rows),
        resolved_within=sum(r.resolved_within for r in rows),
        avg_first_response=weighted("avg_first_response", "responded"),
        avg_resolution=weighted("avg_resolution", "resolved"),
    )


@dataclass(frozen=True)
class Satisfaction:
    key: str | int | None
    label: str
    sent: int
    answered: int
    average: Decimal | None
    satisfied: int  # 4 or 5

    @property
    def answer_rate(self) -> Decimal | None:
        return _share(self.answered, self.sent)

    @property
    def satisfied_rate(self) -> Decimal | None:
        return _share(self.satisfied, self.answered)


def satisfaction(by: str, *, days: int = 30, now: dt.datetime | None = None) -> list[Satisfaction]:
    """Survey results of the surveys sent in the last `days` days, grouped by `by`
    ("agent", "queue" or "channel")."""
    since, now = _period(days, now)
    field = {"agent": "agent_id", "queue": "queue_id", "channel": "channel"}[by]
    rows = (
        Survey.objects.filter(sent_at__gte=since, sent_at__lte=now)
        .values(field)
        .annotate(
            sent=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            average=Avg("score"),
            satisfied=Count("id", filter=Q(score__gte=4)),
        )
        .order_by(field)
    )
    labels = _labels(by, [r[field] for r in rows])
    return sorted(
        (
            Satisfaction(
                key=r[field],
                label=labels.get(r[field], "（未分派）"),
                sent=r["sent"],
                answered=r["answered"],
                average=Decimal(r["average"]).quantize(Decimal("0.01")) if r["average"] is not None else None,
                satisfied=r["satisfied"],
            )
            for r in rows
        ),
        key=lambda s: (s.average is None, -(s.average or 0), s.label),
    )


def _labels(by: str, keys: list) -> dict:
    """Display names of the group keys (one query for queues and agents, none otherwise)."""
    if by == "channel":
        return dict(Channel.choices)
    if by == "category":
        return dict(Category.choices)
    if by == "queue":
        from support.models import Queue

        return {q.pk: q.name for q in Queue.objects.filter(pk__in=[k for k in keys if k])}
    from policies.models import User

    return {u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in keys if k])}
