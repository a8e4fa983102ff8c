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
from django.db import connection
from django.db.models import QuerySet

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


# Sliding windows: a window may start at any view. `scoped` is the reader's rows since the start
# of the period; a view is an anchor when it and the views after it within the window are
# enough rows (a window count over the user's views newest first — the order of the (user, time
# DESC) index, so nothing is sorted: "PRECEDING" is later in time); only anchors count their
# distinct people, through the same index. Overlapping qualifying windows of one account are
# one burst (gaps and islands), shown by its window with the most people.
_UNUSUAL = """
WITH scoped AS ({scoped}),
anchors AS (
    SELECT id, user_id, accessed_at FROM (
        SELECT id, user_id, accessed_at,
               count(*) OVER (PARTITION BY user_id ORDER BY accessed_at DESC
                              RANGE BETWEEN %(span)s PRECEDING AND CURRENT ROW) AS ahead
        FROM scoped
    ) w
    WHERE ahead >= %(people)s
),
windows AS (
    SELECT a.user_id, a.accessed_at AS start, count(DISTINCT b.person_id) AS people,
           count(*) AS views, count(*) FILTER (WHERE b.other_branch) AS other
    FROM anchors a
    JOIN {log} b ON b.user_id = a.user_id
         AND b.accessed_at >= a.accessed_at AND b.accessed_at < a.accessed_at + %(span)s
    GROUP BY a.id, a.user_id, a.accessed_at
    HAVING count(DISTINCT b.person_id) >= %(people)s
),
islands AS (
    SELECT *, sum(new) OVER (PARTITION BY user_id ORDER BY start) AS burst
    FROM (
        SELECT *, CASE WHEN start < lag(start) OVER (PARTITION BY user_id ORDER BY start) + %(span)s
                       THEN 0 ELSE 1 END AS new
        FROM windows
    ) x
),
best AS (
    SELECT DISTINCT ON (user_id, burst) user_id, start, people, views, other
    FROM islands ORDER BY user_id, burst, people DESC, start
)
SELECT best.user_id, u.username, u.last_name, u.first_name, best.start, best.people, best.views,
       best.other
FROM best JOIN {users} u ON u.id = best.user_id
ORDER BY best.people DESC, best.start DESC
LIMIT %(limit)s
"""


def unusual_access(
    rows: QuerySet[PersonAccessLog],
    *,
    now: dt.datetime,
    people: int | None = None,
    minutes: int | None = None,
    days: int | None = None,
    limit: int = 20,
) -> list[Burst]:
    """Accounts that viewed at least `people` different customers within any `minutes` (a
    sliding window, not clock hours), over the last `days`: one burst per run of such windows,
    the most people first. One query. `rows` is scoped by the viewing account (the reader's
    branch), so every view of an account in it is the reader's to count."""
    spec = settings.ACCESS_LOG_UNUSUAL
    people = people or spec["people"]
    minutes = minutes or spec["minutes"]
    days = days or spec["days"]
    since = now - dt.timedelta(days=days)
    scoped_sql, scoped_params = (
        rows.filter(accessed_at__gte=since)
        .order_by()
        .values("id", "user_id", "accessed_at")
        .query.sql_with_params()
    )
    log, users = PersonAccessLog._meta.db_table, User._meta.db_table
    # %-placeholders of the scoped query become named ones, so the whole statement binds by name
    names = {f"s{n}": value for n, value in enumerate(scoped_params)}
    scoped_sql = scoped_sql % tuple(f"%({name})s" for name in names)
    sql = _UNUSUAL.format(
        scoped=scoped_sql, log=connection.ops.quote_name(log), users=connection.ops.quote_name(users)
    )
    params = names | {"span": dt.timedelta(minutes=minutes), "people": people, "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [
        Burst(
            user_id=user_id,
            username=username,
            name=f"{last_name}{first_name}",
            window_start=start,
            window_end=start + dt.timedelta(minutes=minutes),
            people=count,
            views=views,
            other_branch=other,
        )
        for user_id, username, last_name, first_name, start, count, views, other in found
    ]


def thresholds() -> dict:
    return dict(settings.ACCESS_LOG_UNUSUAL)
