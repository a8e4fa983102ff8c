"""Reading the access log of personal data (PersonAccessLog, partitioned by month): search by
member of staff, by customer and by time, and the unusual patterns the dashboard shows — one
account viewing many people in a short time (thresholds in settings.ACCESS_LOG_UNUSUAL).

Every read is bounded in time, so PostgreSQL reads only the months' partitions it needs, and
goes through an index: (user, time), (person, time) or (time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, DateTimeField, F, Func, IntegerField, QuerySet, Sum
from django.db.models.functions import Cast

from core.clock import start_of_day
from policies.models import PersonAccessLog, User


def search_access_log(
    rows: QuerySet[PersonAccessLog],
    *,
    staff: User | None = None,
    people: Collection[int] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[PersonAccessLog]:
    """The rows (already scoped to the reader) of one member of staff and/or about some
    people, between two Beijing days (both included), newest first."""
    if staff is not None:
        rows = rows.filter(user=staff)
    if people is not None:
        rows = rows.filter(person_id__in=list(people))
    if since is not None:
        rows = rows.filter(accessed_at__gte=start_of_day(since))
    if until is not None:
        rows = rows.filter(accessed_at__lt=start_of_day(until + dt.timedelta(days=1)))
    return rows.select_related("user", "person").order_by("-accessed_at", "-pk")


@dataclass(frozen=True)
class Burst:
    """One account that viewed `people` different customers within one window."""

    user_id: int
    username: str
    name: str
    window_start: dt.datetime
    window_end: dt.datetime
    people: int
    views: int
    other_branch: int


def unusual_access(
    rows: QuerySet[PersonAccessLog],
    *,
    now: dt.datetime,
    people: int | None = None,
    minutes: int | None = None,
    days: int | None = None,
    limit: int = 20,
) -> list[Burst]:
    """Accounts that viewed at least `people` different customers within `minutes` (windows
    aligned to the clock), over the last `days`: the most people first. One query."""
    spec = settings.ACCESS_LOG_UNUSUAL
    people = people or spec["people"]
    minutes = minutes or spec["minutes"]
    days = days or spec["days"]
    seconds = minutes * 60
    # The window's start: the time rounded down to a multiple of `minutes` (an int from settings).
    window = Func(
        F("accessed_at"),
        template=f"to_timestamp(floor(extract(epoch FROM %(expressions)s) / {int(seconds)}) * {int(seconds)})",
        output_field=DateTimeField(),
    )
    found = (
        rows.filter(accessed_at__gte=now - dt.timedelta(days=days))
        .annotate(window=window)
        .values("user_id", "user__username", "user__last_name", "user__first_name", "window")
        .annotate(
            people=Count("person_id", distinct=True),
            views=Count("pk"),
            other=Sum(Cast("other_branch", IntegerField())),
        )
        .filter(people__gte=people)
        .order_by("-people", "-window")[:limit]
    )
    return [
        Burst(
            user_id=row["user_id"],
            username=row["user__username"],
            name=f"{row['user__last_name']}{row['user__first_name']}",
            window_start=row["window"],
            window_end=row["window"] + dt.timedelta(minutes=minutes),
            people=row["people"],
            views=row["views"],
            other_branch=row["other"] or 0,
        )
        for row in found
    ]


def thresholds() -> dict:
    return dict(settings.ACCESS_LOG_UNUSUAL)
