"""The advanced filters (branch, renewal status, cover-end range, sales channel, vehicle
category), sorting, and pages without a count of the whole table."""

import datetime as dt
import html
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.clock import today
from desks.hotline import results
from policies.choices import RenewalStatus
from policies.models import Policy
from tests.factories import PolicyFactory, VehicleFactory, policy_chain, policy_ending
from tests.grants import results_url
from tests.policies.hotline_callers import WANG_FANG_PHONE, fleet_owner, make_wang_fang

pytestmark = pytest.mark.django_db

HOME = reverse("hotline:home")
DAY = dt.timedelta(days=1)


@pytest.fixture
def wang_fang(branch, other_branch):
    return make_wang_fang(branch, other_branch)


def listed(client, **params) -> list[tuple[str, str]]:
    """(vehicle id, status) of each row, in order."""
    page = client.get(HOME, params).content.decode()
    return re.findall(r'<tr[^>]*data-vehicle="(\d+)"[^>]*data-status="(\w+)"', page)


def plate_ids(person, *plates) -> set[str]:
    return {str(person.vehicles.get(plate=p).pk) for p in plates}


@pytest.mark.parametrize(
    ("status", "plate"),
    [
        (RenewalStatus.DUE, "苏A20001"),
        (RenewalStatus.IN_FORCE, "苏A20002"),
        (RenewalStatus.LAPSED, "苏A20003"),
        (RenewalStatus.RENEWED, "苏A20004"),
        (RenewalStatus.CANCELLED, "苏A20005"),
    ],
)
def test_the_renewal_status_filter_lists_exactly_the_vehicles_in_it(agent_client, wang_fang, status, plate):
    assert listed(agent_client, renewal=status) == [(str(wang_fang.vehicles.get(plate=plate).pk), status)]


def test_branch_filter(agent_client, wang_fang, other_branch):
    assert {v for v, _ in listed(agent_client, branch=other_branch.pk)} == plate_ids(wang_fang, "苏A20003")


def test_channel_filter(agent_client, wang_fang):
    assert {v for v, _ in listed(agent_client, channel="app")} == plate_ids(wang_fang, "苏A20001")


def test_vehicle_category_filter(agent_client, wang_fang):
    assert {v for v, _ in listed(agent_client, category="TRUCK_2_5")} == plate_ids(wang_fang, "苏A20003")


def test_cover_end_range(agent_client, wang_fang):
    t = today()
    rows = listed(agent_client, end_from=(t - 60 * DAY).isoformat(), end_to=(t + 30 * DAY).isoformat())
    assert {v for v, _ in rows} == plate_ids(wang_fang, "苏A20001", "苏A20003", "苏A20005")


def test_filters_combine_with_a_search(agent_client, wang_fang):
    response = agent_client.post(HOME, {"q": WANG_FANG_PHONE, "renewal": "lapsed"})
    assert "renewal=lapsed" in results_url(response)
    assert re.findall(r'data-vehicle="(\d+)"', response.content.decode()) == list(
        plate_ids(wang_fang, "苏A20003")
    )
    page = agent_client.get(results_url(response)).content.decode()
    assert re.findall(r'data-vehicle="(\d+)"', page) == list(plate_ids(wang_fang, "苏A20003"))


def test_a_range_backwards_is_refused_in_chinese(agent_client, wang_fang):
    page = agent_client.get(HOME, {"end_from": "2026-06-01", "end_to": "2026-05-01"}).content.decode()
    assert "起始日期晚于结束日期" in page and 'data-testid="results"' not in page


def test_a_date_that_is_no_date_is_refused_in_chinese(agent_client, wang_fang):
    page = agent_client.get(HOME, {"end_from": "2026-13-01"}).content.decode()
    assert "输入一个有效的日期" in page


def test_without_a_term_or_a_filter_nothing_is_listed(agent_client, wang_fang):
    page = agent_client.get(HOME).content.decode()
    assert 'data-testid="empty"' in page and 'data-testid="results"' not in page


# --- Sorting and pages ---------------------------------------------------------------------------


@pytest.fixture
def due_fleet(branch):
    """45 vehicles due for renewal, ending on different days."""
    t = today()
    cars = []
    for i in range(45):
        car = VehicleFactory()
        PolicyFactory(vehicle=car, branch=branch, start_date=t - (300 + i) * DAY)
        cars.append(car)
    return cars


def test_due_vehicles_come_soonest_first_and_can_be_sorted_the_other_way(agent_client, due_fleet):
    soonest = [v for v, _ in listed(agent_client, renewal="due")]
    assert soonest[0] == str(due_fleet[-1].pk)  # started earliest, ends soonest
    latest = [v for v, _ in listed(agent_client, renewal="due", sort="-end_date")]
    assert latest[0] == str(due_fleet[0].pk)


def test_renewed_vehicles_are_listed_by_the_start_of_their_new_cover(agent_client, branch):
    t = today()
    later, sooner = VehicleFactory(), VehicleFactory()
    policy_chain(later, first_start=t - 300 * DAY, years=2, branch=branch)
    policy_chain(sooner, first_start=t - 350 * DAY, years=2, branch=branch)
    assert [v for v, _ in listed(agent_client, renewal="renewed")] == [str(sooner.pk), str(later.pk)]
    assert [v for v, _ in listed(agent_client, renewal="renewed", sort="-renewal")] == [
        str(later.pk),
        str(sooner.pk),
    ]
    # End-date order is not offered for them (it would read every current policy first).
    assert [v for v, _ in listed(agent_client, renewal="renewed", sort="-end_date")] == [
        str(sooner.pk),
        str(later.pk),
    ]


def test_lapsed_vehicles_come_most_recent_lapse_first(agent_client, branch):
    t = today()
    old, recent = VehicleFactory(), VehicleFactory()
    PolicyFactory(vehicle=old, branch=branch, start_date=t - 900 * DAY)
    PolicyFactory(vehicle=recent, branch=branch, start_date=t - 400 * DAY)
    assert [v for v, _ in listed(agent_client, renewal="lapsed")] == [str(recent.pk), str(old.pk)]


def link(page: str, testid: str) -> str:
    return html.unescape(re.search(rf'href="([^"]+)" data-testid="{testid}"', page).group(1))


def test_a_list_that_fits_on_its_first_page_is_counted_from_its_rows(agent_client, branch):
    for days in (5, 6, 7):
        policy_ending(today() + dt.timedelta(days=days), branch=branch)
    with CaptureQueriesContext(connection) as queries:
        page = agent_client.get(HOME, {"branch": branch.pk}).content.decode()
    assert len(re.findall(r'data-testid="result-row"', page)) == 3 and "共 <strong>3</strong> 辆车" in page
    assert not policy_counts(queries)


def policy_counts(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and '"policies_policy"' in q["sql"]]


def test_a_filtered_list_longer_than_a_page_is_counted_when_asked_and_no_further_than_the_cap(
    agent_client, due_fleet
):
    first = agent_client.get(HOME, {"renewal": "due"}).content.decode()
    asked = link(first, "count-results")
    assert asked == "?renewal=due&count=1"
    with CaptureQueriesContext(connection) as queries:
        counted = agent_client.get(HOME + asked).content.decode()
    assert "共 <strong>45</strong> 辆车" in counted
    counts = policy_counts(queries)
    assert counts and all(f"LIMIT {results.COUNT_CAP + 1}" in sql for sql in counts)
    assert re.findall(r'data-vehicle="(\d+)"', counted) == re.findall(r'data-vehicle="(\d+)"', first)


def test_pages_go_on_with_next_and_previous_and_no_count_of_the_table(agent_client, due_fleet):
    with CaptureQueriesContext(connection) as queries:
        first = agent_client.get(HOME, {"renewal": "due"}).content.decode()
    assert len(re.findall(r'data-testid="result-row"', first)) == 20
    assert 'data-testid="next-page"' in first and 'data-testid="previous-page"' not in first
    assert "不止一页" in first and not policy_counts(queries)  # counted only when asked
    assert not any(" OFFSET " in q["sql"] for q in queries)
    second = agent_client.get(HOME + link(first, "next-page")).content.decode()
    third = agent_client.get(HOME + link(second, "next-page")).content.decode()
    assert len(re.findall(r'data-testid="result-row"', third)) == 5
    assert 'data-testid="next-page"' not in third and 'data-testid="previous-page"' in third
    back = agent_client.get(HOME + link(third, "previous-page")).content.decode()
    assert re.findall(r'data-vehicle="(\d+)"', back) == re.findall(r'data-vehicle="(\d+)"', second)
    to_first = agent_client.get(HOME + link(back, "previous-page")).content.decode()
    assert re.findall(r'data-vehicle="(\d+)"', to_first) == re.findall(r'data-vehicle="(\d+)"', first)
    assert 'data-testid="previous-page"' not in to_first


@pytest.mark.parametrize("sort", ["end_date", "-end_date"])
def test_the_pages_list_every_vehicle_once_in_order(agent_client, due_fleet, sort):
    """Two policies ending on the same day are told apart by their id: none is skipped or shown
    twice at a page's edge."""
    for car in due_fleet[:6]:  # a crowd on one day, across the first page's edge
        car.policies.update(start_date=today() - 330 * DAY, end_date=today() + 34 * DAY)
    seen, url = [], HOME + "?" + urlencode({"renewal": "due", "sort": sort})
    while url:
        page = agent_client.get(url).content.decode()
        seen += re.findall(r'data-vehicle="(\d+)"', page)
        url = HOME + link(page, "next-page") if 'data-testid="next-page"' in page else ""
    policies = Policy.objects.filter(vehicle__in=due_fleet).order_by("end_date", "pk")
    expected = [str(p.vehicle_id) for p in policies]
    assert seen == (expected if sort == "end_date" else expected[::-1])


@pytest.mark.parametrize(
    "cursor", ["", "x", "2026-13-01~1", "2026-05-01", "2026-05-01~-1", "2026-05-01~" + "9" * 30, "~" * 500]
)
def test_a_cursor_that_names_no_row_shows_the_first_page(agent_client, due_fleet, cursor):
    first = agent_client.get(HOME, {"renewal": "due"}).content.decode()
    for name in ("after", "before"):
        response = agent_client.get(HOME, {"renewal": "due", name: cursor})
        assert response.status_code == 200
        rows = re.findall(r'data-vehicle="(\d+)"', response.content.decode())
        assert rows == re.findall(r'data-vehicle="(\d+)"', first)


def test_sorting_starts_again_from_the_first_page(agent_client, due_fleet):
    first = agent_client.get(HOME, {"renewal": "due"}).content.decode()
    page = agent_client.get(HOME + link(first, "next-page")).content.decode()
    links = re.findall(r'class="sort-link[^"]*" href="([^"]+)"', page)
    assert links and all("after=" not in link and "before=" not in link for link in links)


def test_past_the_cap_the_count_says_more_than(agent_client, due_fleet, monkeypatch):
    monkeypatch.setattr(results, "COUNT_CAP", 10)
    page = agent_client.get(HOME, {"renewal": "due", "count": "1"}).content.decode()
    assert "超过 <strong>10</strong> 辆车" in page


def test_the_results_run_the_same_queries_for_one_car_and_for_forty(
    agent_client, branch, django_assert_max_num_queries
):
    fleet_owner(vehicles=1, branch=branch, phone="13600000001")
    fleet_owner(vehicles=40, branch=branch, phone="13600000002", name="钱多")
    agent_client.get(HOME)  # the session and the tariff book, once
    one = results_url(agent_client.post(HOME, {"q": "13600000001"}))
    forty = results_url(agent_client.post(HOME, {"q": "13600000002"}))
    with CaptureQueriesContext(connection) as for_one:
        agent_client.get(one)
    with django_assert_max_num_queries(len(for_one) + 1):  # and the capped count: forty fill more than a page
        page = agent_client.get(forty).content.decode()
    assert len(re.findall(r'data-testid="result-row"', page)) == 20
