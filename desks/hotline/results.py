"""The hotline's results page: the search, the filters and the rows they leave — one query
for a page of rows whatever their number (keyset pages on the index's full order,
`core.keyset`: page 500 costs what page 1 costs), and a count that stops at `COUNT_CAP`: none
when the whole list fits on its first page, and for filters alone only when asked (`COUNT_PARAM`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery

from core.keyset import Keyset, KeysetPage, keyset_page
from desks.hotline.filters import VehicleFilter
from desks.hotline.search import SearchResult, search, uninsured
from desks.hotline.status import AdvanceWindows, advance_windows, latest_of_each_vehicle, renewal_status
from policies.choices import RenewalStatus
from policies.models import Policy, Vehicle

COUNT_CAP = 500  # past this the page says "more than 500": no count over the whole table
COUNT_PARAM = "count"  # a filtered list longer than a page is counted when this asks for it
PER_PAGE = 20
# Each sort is an index's full order — (end_date, id) and (start_date, id), also behind the
# branch and channel filters — so a page starts where the previous one stopped.
ORDERINGS = {
    "end_date": Keyset(("end_date", "pk")),
    "-end_date": Keyset(("end_date", "pk"), descending=True),
    "renewal": Keyset(("start_date", "pk")),
    "-renewal": Keyset(("start_date", "pk"), descending=True),
}
RENEWED_SORTS = ("renewal", "-renewal")  # renewed vehicles: by the new cover's start only


def vehicle_rows(
    day: dt.date, windows: AdvanceWindows, *, vehicle_ids: list[int] | None = None
) -> QuerySet[Policy]:
    """One row per vehicle — its latest policy — with the vehicle's renewal status on `day`;
    for a search's vehicles (`vehicle_ids`), theirs only."""
    latest = latest_of_each_vehicle() if vehicle_ids is None else latest_policy_of(vehicle_ids)
    return (
        Policy.objects.filter(latest)
        .select_related("vehicle__owner", "branch")
        .annotate(renewal=renewal_status(day, windows))
    )


def latest_policy_of(vehicle_ids: list[int]) -> Q:
    """The latest policy of each of a search's vehicles (at most `MAX_VEHICLES`), one probe of
    the (vehicle, start) index each: the planner sees a few hundred rows, not every policy of
    every vehicle filtered by a later one — no sort of them, no parallel workers started."""
    latest = (
        Policy.objects.filter(vehicle_id=OuterRef("pk"))
        .order_by("-start_date", "-end_date", "-pk")
        .values("pk")[:1]
    )
    return Q(pk__in=Vehicle.objects.filter(pk__in=vehicle_ids).values(latest=Subquery(latest)))


@dataclass
class Results:
    day: dt.date
    filter: VehicleFilter
    search: SearchResult | None = None
    rows: QuerySet[Policy] | None = None  # None: nothing asked yet (or the filters are invalid)
    page: KeysetPage | None = None  # the rows shown
    count: int | None = 0  # None: not counted (a filtered list longer than a page, until asked)
    uninsured: list[Vehicle] = field(default_factory=list)
    sort: str = "-end_date"

    @property
    def renewed(self) -> bool:
        return self.sort in RENEWED_SORTS

    @property
    def capped(self) -> bool:
        return self.count is not None and self.count > COUNT_CAP

    @property
    def shown_count(self) -> int:
        return min(self.count or 0, COUNT_CAP)


def chosen_sort(status: str | None, asked: str | None) -> str:
    """The sort the list is shown in: the one asked for among those its table offers, else the
    status's own."""
    if status == RenewalStatus.RENEWED:
        return asked if asked in RENEWED_SORTS else "renewal"  # by the new cover's start
    if asked in ("end_date", "-end_date"):
        return asked
    if status in (RenewalStatus.DUE, RenewalStatus.IN_FORCE, RenewalStatus.CANCELLED):
        return "end_date"  # the soonest to end first
    # Lapsed, or any status: the latest cover first — the lapses still worth a call, and no
    # walk through years of renewed policies before the first row.
    return "-end_date"


def hotline_results(*, term: str, data, day: dt.date, per_page: int = PER_PAGE) -> Results:
    """What the desk shows for a search term and/or filters (`data`, the page's GET: also the
    sort and the page's cursor, `after` or `before`)."""
    windows = advance_windows(day)
    found = None
    search_result = None
    if term:
        search_result = search(term, day=day)
        found = search_result.vehicle_ids
    rows = vehicle_rows(day, windows, vehicle_ids=found)
    filters = VehicleFilter(data or None, queryset=rows, day=day, windows=windows)
    results = Results(day=day, filter=filters, search=search_result)
    results.sort = chosen_sort(data.get("renewal"), data.get("sort"))
    if search_result is not None:
        if not search_result.found:
            return results
        results.uninsured = uninsured(found)
        base = filters.qs if filters.is_valid() else None
    elif filters.active and filters.is_valid():
        base = filters.qs
    else:
        return results
    if base is None:
        return results
    results.rows = base
    results.page = keyset_page(
        base, ORDERINGS[results.sort], per_page=per_page, after=data.get("after"), before=data.get("before")
    )
    if results.page.number == 1 and not results.page.has_next:
        results.count = len(results.page.rows)  # the whole list is on its first page: nothing to count
    elif search_result is not None or data.get(COUNT_PARAM):
        results.count = base.order_by().values("pk")[: COUNT_CAP + 1].count()
    else:
        # A filtered list longer than a page is counted when asked: its capped count reads up
        # to 501 rows through the status's conditions, more than the page of 20 shown.
        results.count = None
    return results
