"""The hotline reads renewal status (docs/regulation.md §4) in SQL from each vehicle's latest policy. These
tests prove that SQL equal to `policies.renewal.renewal_state` — the annotation shown in the
results and the filter on it — over every status, every edge of the advance window, ties,
cancellations and a province with its own window, and over generated vehicle histories."""

import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest

from core.clock import today
from desks.hotline.customer import issuing_branch
from desks.hotline.status import advance_windows, latest_of_each_vehicle, renewal_status, status_condition
from policies.choices import PolicyStatus, RenewalStatus, TermKind
from policies.models import Policy, ProvinceRule
from policies.quotes import vehicle_renewal_state
from policies.renewal import one_year_end
from tests.factories import PersonFactory, VehicleFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
HAINAN_WINDOW = 60  # 海南's own advance-renewal window in these tests (default 90)
_numbers = itertools.count(1)


def add(vehicle, branch, start, end, *, cancelled=False, term_kind=TermKind.ANNUAL):
    return Policy.objects.create(
        number=f"JQXS{next(_numbers):012d}", vehicle=vehicle, policyholder=vehicle.owner, insured=vehicle.owner,
        branch=branch, channel="counter", term_kind=term_kind, start_date=start, end_date=end,
        base_premium=Decimal("950.00"), premium=Decimal("950.00"), vehicle_tax=Decimal("0.00"),
        total=Decimal("950.00"), status=PolicyStatus.CANCELLED if cancelled else PolicyStatus.IN_FORCE,
        cancelled_on=end if cancelled else None, cancel_reason="laid_up" if cancelled else "",
    )  # fmt: skip


def ending(days_left: int, day: dt.date) -> tuple[dt.date, dt.date]:
    """An annual term with `days_left` days left on `day`."""
    end = day + days_left * DAY
    start = end - 364 * DAY
    while one_year_end(start) != end:
        start -= DAY
    return start, end


def edge_cases(day, branch, other_branch):
    """(label, vehicle) for every status and edge."""
    owner = PersonFactory()
    cases = []

    def vehicle(label, *terms, where=branch):
        car = VehicleFactory(owner=owner)
        for start, end, cancelled in terms:
            add(car, where, start, end, cancelled=cancelled)
        cases.append((label, car))

    for left in (400, 364, 91, 90, 89, 88, 61, 60, 59, 1, 0, -1, -2, -400):
        start, end = ending(left, day)
        if start <= day or left > 364:
            vehicle(f"annual, {left} days left", (start, end, False))
            vehicle(f"annual in 海南, {left} days left", (start, end, False), where=other_branch)
    vehicle("starts today", (day, one_year_end(day), False))
    vehicle("first policy starts tomorrow", (day + DAY, one_year_end(day + DAY), False))
    s, e = ending(30, day)
    vehicle(
        "renewed: successor from the day after the end",
        (s, e, False),
        (e + DAY, one_year_end(e + DAY), False),
    )
    vehicle("renewed in 海南", (s, e, False), (e + DAY, one_year_end(e + DAY), False), where=other_branch)
    s, e = ending(-40, day)
    vehicle("lapsed then renewed later", (s, e, False), (day + 5 * DAY, one_year_end(day + 5 * DAY), False))
    vehicle("lapsed with history", (s - 365 * DAY, s - DAY, False), (s, e, False))
    vehicle("cancelled, latest", (s, day - 10 * DAY, True))
    vehicle("cancelled today", (day - 100 * DAY, day, True))
    vehicle(
        "cancelled earlier, insured again", (s - 200 * DAY, s - 100 * DAY, True), ending(200, day) + (False,)
    )
    vehicle(
        "renewal issued then cancelled", ending(20, day) + (False,), (day + 21 * DAY, day + 21 * DAY, True)
    )
    s, e = ending(10, day)
    vehicle("same start: cancelled short, live longer", (s, s + 30 * DAY, True), (s, e, False))
    vehicle("identical dates: cancelled first, live second", (s, e, True), (s, e, False))
    vehicle("identical dates: live first, cancelled second", (s, e, False), (s, e, True))
    car = VehicleFactory(owner=owner)
    add(car, branch, day - 20 * DAY, day + 9 * DAY, term_kind=TermKind.TEMPORARY_ROAD)
    cases.append(("short-term cover", car))
    return cases


def random_cases(day, branches, *, count=150, seed=20260301):
    """Generated histories: up to four terms each, annual or short, some cancelled, with and
    without gaps, ending anywhere from years ago to a year ahead."""
    rng = random.Random(seed)
    owner = PersonFactory()
    cases = []
    for i in range(count):
        car = VehicleFactory(owner=owner)
        branch = rng.choice(branches)
        start = day - rng.randint(-30, 1500) * DAY
        for _ in range(rng.randint(1, 4)):
            end = one_year_end(start) if rng.random() < 0.8 else start + rng.randint(5, 200) * DAY
            cancelled = rng.random() < 0.15
            if cancelled:
                end = start + rng.randint(0, (end - start).days) * DAY
            add(car, branch, start, end, cancelled=cancelled)
            start = end + (1 + rng.choice([0, 0, 0, rng.randint(1, 300)])) * DAY
        cases.append((f"generated #{i}", car))
    return cases


def expected(car, day):
    """`renewal_state`, as the customer page computes it (policies oldest first, the window of
    the branch that issued the current policy)."""
    policies = list(car.policies.select_related("branch").order_by("start_date", "pk"))
    branch = issuing_branch(policies, day=day)
    return vehicle_renewal_state(policies, day=day, province=branch.province).status


@pytest.fixture(params=["default window", "海南 has its own window"])
def windows_rule(request, db):
    if request.param == "海南 has its own window":
        ProvinceRule.objects.create(
            province="海南", advance_renewal_days=HAINAN_WINDOW, valid_from=dt.date(2000, 1, 1)
        )
    return request.param


def test_the_sql_status_of_each_vehicles_latest_policy_equals_renewal_state(
    branch, other_branch, windows_rule
):
    day = today()
    cases = edge_cases(day, branch, other_branch) + random_cases(day, [branch, other_branch])
    windows = advance_windows(day)
    rows = dict(
        Policy.objects.filter(latest_of_each_vehicle())
        .annotate(renewal=renewal_status(day, windows))
        .values_list("vehicle_id", "renewal")
    )
    assert len(rows) == len(cases)  # exactly one row per vehicle
    mismatches = [
        (label, rows[car.pk], expected(car, day))
        for label, car in cases
        if rows[car.pk] != expected(car, day)
    ]
    assert mismatches == []
    # The cases reach every status, and 海南's window matters when it has one.
    assert set(rows.values()) == set(RenewalStatus.values)
    if windows_rule != "default window":
        sixty = next(car for label, car in cases if label == "annual in 海南, 60 days left")
        assert rows[sixty.pk] == RenewalStatus.IN_FORCE
        fifty_nine = next(car for label, car in cases if label == "annual in 海南, 59 days left")
        assert rows[fifty_nine.pk] == RenewalStatus.DUE


def test_each_status_filter_selects_exactly_the_vehicles_in_that_status(branch, other_branch, windows_rule):
    day = today()
    cases = edge_cases(day, branch, other_branch) + random_cases(
        day, [branch, other_branch], count=80, seed=7
    )
    windows = advance_windows(day)
    by_status = {}
    for _, car in cases:
        by_status.setdefault(expected(car, day), set()).add(car.pk)
    latest = Policy.objects.filter(latest_of_each_vehicle())
    for status in RenewalStatus.values:
        found = set(
            latest.filter(status_condition(status, day, windows)).values_list("vehicle_id", flat=True)
        )
        assert found == by_status.get(status, set()), status


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        status_condition("expired", today(), advance_windows(today()))
