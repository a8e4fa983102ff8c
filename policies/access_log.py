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
from django.db import connection, transaction
from django.db.models import QuerySet

from core.clock import start_of_day
from policies.models import AccessBurst, AccessBurstScan, PersonAccessLog, User


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
    """One account that viewed `people` different customers within one window (the busiest of
    the burst's overlapping windows, from `window_start`); the burst's windows start from
    `first_start` to `last_start`."""

    user_id: int
    username: str
    name: str
    window_start: dt.datetime
    window_end: dt.datetime
    people: int
    views: int
    other_branch: int
    first_start: dt.datetime
    last_start: dt.datetime


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
    JOIN {log} b ON b.user_id = a.user_id AND b.accessed_at >= %(since)s
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
    SELECT DISTINCT ON (user_id, burst) user_id, start, people, views, other,
           min(start) OVER (PARTITION BY user_id, burst) AS first,
           max(start) OVER (PARTITION BY user_id, burst) AS last
    FROM islands ORDER BY user_id, burst, people DESC, start
)
SELECT best.user_id, u.username, u.last_name, u.first_name, best.start, best.people, best.views,
       best.other, best.first, best.last
FROM best JOIN {users} u ON u.id = best.user_id
ORDER BY best.people DESC, best.start DESC
LIMIT %(limit)s
"""


def _find_bursts(
    rows: QuerySet[PersonAccessLog], *, since: dt.datetime, people: int, minutes: int, limit: int | None
) -> list[Burst]:
    """The bursts among `rows` whose windows start at `since` or later: one statement."""
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
    span = dt.timedelta(minutes=minutes)
    params = names | {"span": span, "people": people, "limit": limit, "since": since}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [
        Burst(
            user_id=user_id,
            username=username,
            name=f"{last_name}{first_name}",
            window_start=start,
            window_end=start + span,
            people=count,
            views=views,
            other_branch=other,
            first_start=first,
            last_start=last,
        )
        for user_id, username, last_name, first_name, start, count, views, other, first, last in found
    ]


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
    the most people first. One query over the whole period: the dashboard reads the bursts
    `detect_bursts` keeps instead. `rows` is scoped by the viewing account (the reader's
    branch), so every view of an account in it is the reader's to count."""
    spec = settings.ACCESS_LOG_UNUSUAL
    return _find_bursts(
        rows, since=now - dt.timedelta(days=days or spec["days"]), people=people or spec["people"],
        minutes=minutes or spec["minutes"], limit=limit,
    )  # fmt: skip


@dataclass(frozen=True)
class ScanReport:
    """What one incremental scan did: the views it read started at `since`."""

    since: dt.datetime
    scanned_to: dt.datetime
    found: int
    created: int
    extended: int


def _merge(
    continued: list[AccessBurst], found: Burst, *, span: dt.timedelta, now: dt.datetime
) -> AccessBurst:
    """`found` as one burst with the kept bursts of its account that it continues: from the
    earliest start to the latest end, its busiest window the one with the most people (the
    earlier on a tie). The earliest kept burst's row is the one updated."""
    first = min(continued, key=lambda b: b.window_start, default=None)
    merged = AccessBurst(
        pk=first.pk if first else None, user_id=found.user_id,
        window_start=min([found.first_start, *(b.window_start for b in continued)]),
        window_end=max([found.last_start + span, *(b.window_end for b in continued)]),
        peak_start=found.window_start, people=found.people, views=found.views,
        other_branch=found.other_branch, detected_at=first.detected_at if first else now,
    )  # fmt: skip
    for old in continued:
        if (old.people, merged.peak_start) > (merged.people, old.peak_start):
            merged.peak_start, merged.people = old.peak_start, old.people
            merged.views, merged.other_branch = old.views, old.other_branch
    return merged


_KEPT = ("window_start", "window_end", "peak_start", "people", "views", "other_branch")


def detect_bursts(
    *,
    now: dt.datetime,
    since: dt.datetime | None = None,
    every: dt.timedelta | None = None,
    timeout_ms: int | None = None,
) -> ScanReport | None:
    """Find the bursts among the views since the last scan and keep them (AccessBurst): reads the
    views from the last scan's moment minus one window (a window that started before it may
    have gone on; a view written late is caught too), the last `days` on the first scan, or
    from `since` when given (a rescan, which finds the bursts from then on afresh); a burst that
    goes on from one scan to the next is extended, not written twice. Returns None when another
    worker is scanning (its row lock is skipped, never waited for) or, with `every`, when the
    last scan is more recent than that.
    `timeout_ms`: the scan's statement timeout (the first scan reads the whole period)."""
    spec = settings.ACCESS_LOG_UNUSUAL
    span = dt.timedelta(minutes=spec["minutes"])
    with transaction.atomic():
        scan = _take_scan()
        if scan is None:
            return None
        last = scan.scanned_to
        if every is not None and since is None and last is not None and last > now - every:
            return None
        if timeout_ms is not None:
            with connection.cursor() as cursor:  # this transaction only: fine behind PgBouncer
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
        oldest = now - dt.timedelta(days=spec["days"])
        start = since or (max(last - span, oldest) if last else oldest)
        found = _find_bursts(
            PersonAccessLog.objects.all(), since=start, people=spec["people"], minutes=spec["minutes"],
            limit=None,
        )  # fmt: skip
        if since is not None:  # a rescan rebuilds its period (under raised thresholds, say)
            AccessBurst.objects.filter(window_start__gte=since).delete()
        stored = list(
            AccessBurst.objects.filter(user_id__in={b.user_id for b in found}, window_end__gt=start)
        )
        created = extended = 0
        for burst in found:
            continued = [
                old for old in stored
                if old.user_id == burst.user_id and old.window_end > burst.first_start
                and old.window_start < burst.last_start + span
            ]  # fmt: skip
            merged = _merge(continued, burst, span=span, now=now)
            stored = [old for old in stored if old not in continued] + [merged]
            others = [old.pk for old in continued if old.pk != merged.pk]
            if others:  # a late view joined two bursts into one
                AccessBurst.objects.filter(pk__in=others).delete()
            before = next((old for old in continued if old.pk == merged.pk), None)
            if before is None:
                merged.save(force_insert=True)
                created += 1
            elif others or any(getattr(before, f) != getattr(merged, f) for f in _KEPT):
                merged.save(update_fields=_KEPT)
                extended += 1
        scan.scanned_to = max(last, now) if last else now
        scan.save()
    return ScanReport(
        since=start, scanned_to=scan.scanned_to, found=len(found), created=created, extended=extended
    )


def _take_scan() -> AccessBurstScan | None:
    """The scan row, locked; None when another worker holds it (skipped, not waited for)."""
    for _ in range(2):
        scan = AccessBurstScan.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if scan is not None:
            return scan
        if AccessBurstScan.objects.filter(pk=1).exists():
            return None
        AccessBurstScan.objects.bulk_create([AccessBurstScan(pk=1)], ignore_conflicts=True)
    return None


def last_scan() -> dt.datetime | None:
    """When the access log was last scanned for bursts."""
    return AccessBurstScan.objects.filter(pk=1).values_list("scanned_to", flat=True).first()


def thresholds() -> dict:
    return dict(settings.ACCESS_LOG_UNUSUAL)
