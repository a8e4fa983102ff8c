"""The renewal status of docs/regulation.md §4 in SQL, for lists with one row per vehicle.

A vehicle's row is its latest policy: latest start, then latest end, then highest id —
the order in which `policies.renewal.renewal_state` reads a vehicle's terms. Live policies
of one vehicle never overlap (the exclusion constraint of migration 0002, and
`services.check_no_overlap`), so on that row `renewal_state` reduces to the row's dates:

- cancelled: the latest policy is cancelled;
- upcoming: it starts after the day and the vehicle has no policy that started by then;
- renewed: it starts after the day (the successor is already issued);
- lapsed: it ended before the day;
- in_force / due: it covers the day with at least / fewer than its branch province's
  advance-renewal days left.

`tests/policies/test_hotline_status.py` proves both the annotation and the filters equal to
`renewal_state` over every status and edge.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from policies.choices import PolicyStatus, Province, RenewalStatus
from policies.models import Policy
from policies.pricing import TariffBook
from policies.tariffs import tariff_book


def latest_of_each_vehicle() -> Exists:
    """True for the policy no other policy of its vehicle comes after (one row per vehicle)."""
    later = Policy.objects.filter(vehicle_id=OuterRef("vehicle_id")).filter(
        Q(start_date__gt=OuterRef("start_date"))
        | Q(start_date=OuterRef("start_date"), end_date__gt=OuterRef("end_date"))
        | Q(start_date=OuterRef("start_date"), end_date=OuterRef("end_date"), pk__gt=OuterRef("pk"))
    )
    return ~Exists(later)


@dataclass(frozen=True)
class AdvanceWindows:
    """How many days before the end date renewal opens, by the province of the branch that
    issued the policy (docs/regulation.md §4: 90 unless a province rule says otherwise)."""

    default: int
    special: dict[int, tuple[str, ...]]  # days → the provinces whose rule differs from the default

    def groups(self) -> list[tuple[Q, int]]:
        """(which rows, their advance days) — every row falls in exactly one group."""
        named = [p for provinces in self.special.values() for p in provinces]
        groups = [(Q(branch__province__in=ps), days) for days, ps in sorted(self.special.items())]
        groups.append((~Q(branch__province__in=named) if named else Q(), self.default))
        return groups

    @property
    def shortest(self) -> int:
        return min([self.default, *self.special])

    @property
    def longest(self) -> int:
        return max([self.default, *self.special])


def advance_windows(day: dt.date, *, book: TariffBook | None = None) -> AdvanceWindows:
    """The advance-renewal windows in force on `day`, from the tariff book's province rules."""
    book = book or tariff_book()
    default = book.province_settings("", day).advance_renewal_days
    special: dict[int, list[str]] = defaultdict(list)
    for province in Province.values:
        days = book.province_settings(province, day).advance_renewal_days
        if days != default:
            special[days].append(province)
    return AdvanceWindows(default, {days: tuple(ps) for days, ps in special.items()})


def started_before(day: dt.date) -> Exists:
    """The row's vehicle has a policy (any) whose cover started on or before `day`."""
    return Exists(Policy.objects.filter(vehicle_id=OuterRef("vehicle_id"), start_date__lte=day))


def renewal_status(day: dt.date, windows: AdvanceWindows) -> Case:
    """The vehicle's renewal status on `day`, read from its latest policy's row."""
    whens = [
        When(status=PolicyStatus.CANCELLED, then=Value(RenewalStatus.CANCELLED.value)),
        When(Q(start_date__gt=day) & ~started_before(day), then=Value(RenewalStatus.UPCOMING.value)),
        When(start_date__gt=day, then=Value(RenewalStatus.RENEWED.value)),
        When(end_date__lt=day, then=Value(RenewalStatus.LAPSED.value)),
    ]
    for rows, days in windows.groups():
        whens.append(
            When(
                rows & Q(end_date__gte=day + dt.timedelta(days=days)),
                then=Value(RenewalStatus.IN_FORCE.value),
            )
        )
    return Case(*whens, default=Value(RenewalStatus.DUE.value), output_field=CharField())


def status_condition(status: str, day: dt.date, windows: AdvanceWindows) -> Q:
    """Latest-policy rows whose vehicle has `status` on `day`, as conditions on the row's
    own columns — each with a range an index on start or end date can serve."""
    live = Q(status=PolicyStatus.IN_FORCE)
    covering = live & Q(start_date__lte=day, end_date__gte=day)
    if status == RenewalStatus.CANCELLED:
        return Q(status=PolicyStatus.CANCELLED)
    if status == RenewalStatus.RENEWED:
        return live & Q(start_date__gt=day, end_date__gt=day) & started_before(day)
    if status == RenewalStatus.UPCOMING:
        return live & Q(start_date__gt=day, end_date__gt=day) & ~started_before(day)
    if status == RenewalStatus.LAPSED:
        return live & Q(end_date__lt=day)
    if status == RenewalStatus.IN_FORCE:
        exact = Q()
        for rows, days in windows.groups():
            exact |= rows & Q(end_date__gte=day + dt.timedelta(days=days))
        return covering & Q(end_date__gte=day + dt.timedelta(days=windows.shortest)) & exact
    if status == RenewalStatus.DUE:
        exact = Q()
        for rows, days in windows.groups():
            exact |= rows & Q(end_date__lt=day + dt.timedelta(days=days))
        return covering & Q(end_date__lt=day + dt.timedelta(days=windows.longest)) & exact
    raise ValueError(f"unknown renewal status {status!r}")
