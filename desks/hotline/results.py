"""The hotline's results page: the search, the filters and the rows they leave — one query
for the rows whatever their number, and a count that stops at `COUNT_CAP`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from desks.hotline.filters import VehicleFilter
from desks.hotline.search import SearchResult, search, uninsured
from desks.hotline.status import AdvanceWindows, advance_windows, latest_of_each_vehicle, renewal_status
from policies.choices import RenewalStatus
from policies.models import Policy, Vehicle

COUNT_CAP = 500  # past this the page says "more than 500": no count over the whole table
ORDERINGS = {
    "end_date": ("end_date", "pk"),
    "-end_date": ("-end_date", "-pk"),
    "renewal": ("start_date", "pk"),
}


def vehicle_rows(day: dt.date, windows: AdvanceWindows) -> QuerySet[Policy]:
    """One row per vehicle — its latest policy — with the vehicle's renewal status on `day`."""
    return (
        Policy.objects.filter(latest_of_each_vehicle())
        .select_related("vehicle__owner", "branch")
        .annotate(renewal=renewal_status(day, windows))
    )


@dataclass
class Results:
    day: dt.date
    filter: VehicleFilter
    search: SearchResult | None = None
    rows: QuerySet[Policy] | None = None  # None: nothing asked yet (or the filters are invalid)
    count: int = 0
    uninsured: list[Vehicle] = field(default_factory=list)
    sort: str = "-end_date"

    @property
    def renewed(self) -> bool:
        return self.sort == "renewal"

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown_count(self) -> int:
        return min(self.count, COUNT_CAP)


def hotline_results(*, term: str, data, day: dt.date) -> Results:
    """What the desk shows for a search term and/or filters (`data`, the page's GET)."""
    windows = advance_windows(day)
    filters = VehicleFilter(data or None, queryset=vehicle_rows(day, windows), day=day, windows=windows)
    results = Results(day=day, filter=filters)
    status = data.get("renewal")
    if status == RenewalStatus.RENEWED:
        results.sort = "renewal"  # by the new cover's start; see tables.RenewedVehicleTable
    elif status in (RenewalStatus.DUE, RenewalStatus.IN_FORCE, RenewalStatus.CANCELLED):
        results.sort = "end_date"  # the soonest to end first
    else:
        # Lapsed, or any status: the latest cover first — the lapses still worth a call,
        # and no walk through years of renewed policies before the first row.
        results.sort = "-end_date"
    if term:
        results.search = search(term, day=day)
        if not results.search.found:
            return results
        found = results.search.vehicle_ids
        results.uninsured = uninsured(found)
        base = filters.qs.filter(vehicle_id__in=found) if filters.is_valid() else None
    elif filters.active and filters.is_valid():
        base = filters.qs
    else:
        return results
    if base is None:
        return results
    results.rows = base.order_by(*ORDERINGS[results.sort])
    results.count = base.order_by().values("pk")[: COUNT_CAP + 1].count()
    return results
