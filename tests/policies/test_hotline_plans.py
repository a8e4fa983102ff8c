"""Every search path, filter and sort of the hotline, and the call list, is served by an index:
each query the page runs is EXPLAINed on PostgreSQL, and no plan reads the policy, vehicle,
person or renewal-call table from end to end. `enable_seqscan = off` makes the planner use an index wherever one can
serve, so on these small tables a sequential scan left in a plan means no index could."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.clock import today
from policies.models import Policy
from tests.factories import (
    PersonFactory,
    PolicyFactory,
    RenewalCallFactory,
    VehicleFactory,
    make_vin,
    policy_ending,
)
from tests.grants import grant_customers
from tests.policies.hotline_callers import WANG_FANG_ID, WANG_FANG_PHONE, make_wang_fang
from tests.sql import statement

pytestmark = pytest.mark.django_db

HOME = reverse("hotline:home")
BIG_TABLES = re.compile(
    r"Seq Scan on (policies_policy|policies_vehicle|policies_person|policies_renewalcall)\b"
)


@pytest.fixture
def wang_fang(branch, other_branch):
    person = make_wang_fang(branch, other_branch)
    PolicyFactory(vehicle=VehicleFactory(owner=PersonFactory(name="阿依古丽·买买提")), branch=branch)
    PolicyFactory(vehicle=VehicleFactory(owner=PersonFactory(name="李建平"), plate="苏A36912"), branch=branch)
    return person


def plans(queries) -> list[tuple[str, str]]:
    """(sql, plan) of each SELECT that reads the policy, vehicle or person table."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for query in queries:
                sql = statement(query["sql"])
                if not sql.lstrip("(").startswith("SELECT") or not re.search(
                    r"policies_(policy|vehicle|person|renewalcall)\b", sql
                ):
                    continue
                cursor.execute(f"EXPLAIN (COSTS true) {sql}")  # options first: a UNION may begin with "("
                found.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
        finally:
            cursor.execute("RESET enable_seqscan")
    return found


def assert_indexed(client, url, params=None, *, method="get", at_least=1):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, params or {}, follow=method == "post")
    assert response.status_code == 200
    checked = plans(queries)
    assert len(checked) >= at_least, "the page read none of the tables"
    for sql, plan in checked:
        assert not BIG_TABLES.search(plan), f"{sql}\n{plan}"
    return checked


@pytest.mark.parametrize(
    "term",
    [
        pytest.param(WANG_FANG_PHONE, id="phone"),
        pytest.param(WANG_FANG_ID, id="id number, also read as a policy number"),
        pytest.param("苏A20001", id="plate"),
        pytest.param(make_vin(90002), id="vin"),
        pytest.param("王芳", id="name prefix"),
        pytest.param("建平", id="given name"),
        pytest.param("建平 A369", id="given name and part of a plate"),
        pytest.param("王芳 苏A2000", id="name and part of a plate"),
        pytest.param("阿依古丽买买提", id="name alike (trigrams)"),
        pytest.param("买买提阿依古丽", id="name found by no reading"),
    ],
)
def test_each_search_path_is_served_by_indexes(agent_client, wang_fang, term):
    assert_indexed(agent_client, HOME, {"q": term}, method="post", at_least=2)


def test_a_policy_number_search_is_served_by_indexes(agent_client, wang_fang):
    number = wang_fang.vehicles.get(plate="苏A20004").policies.order_by("start_date").first().number
    assert_indexed(agent_client, HOME, {"q": number}, method="post", at_least=2)


@pytest.mark.parametrize(
    "params",
    [
        {"renewal": "due"},
        {"renewal": "in_force"},
        {"renewal": "lapsed"},
        {"renewal": "renewed"},
        {"renewal": "cancelled"},
        {"renewal": "due", "sort": "-end_date"},
        {"renewal": "lapsed", "sort": "end_date"},
        {"renewal": "renewed", "sort": "-renewal"},
        {"channel": "app"},
        {"category": "TRUCK_2_5"},
        {"end_from": "2026-01-01", "end_to": "2026-12-31"},
        {"end_from": "2026-01-01", "page": 2},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
def test_each_filter_and_sort_is_served_by_indexes(agent_client, wang_fang, params):
    assert_indexed(agent_client, HOME, params, at_least=2)


def test_the_branch_filter_is_served_by_indexes(agent_client, wang_fang, branch):
    assert_indexed(agent_client, HOME, {"branch": branch.pk, "renewal": "due"}, at_least=2)


def test_the_customer_page_is_served_by_indexes(agent_client, wang_fang):
    grant_customers(agent_client, wang_fang.pk)  # found by a search (tests.grants)
    # the person (with the vehicles they hold), their vehicles (with claims, reminders and calls), policies
    assert_indexed(agent_client, reverse("hotline:customer", args=[wang_fang.pk]), {"vehicle": 1}, at_least=3)


def test_a_plan_with_a_scan_of_a_big_table_is_caught(agent_client, wang_fang):
    """The check itself: a look-up by an unindexed column is reported."""
    with CaptureQueriesContext(connection) as queries:
        list(Policy.objects.filter(total__gt=0))
    (sql, plan), *_ = plans(queries)
    assert BIG_TABLES.search(plan)


@pytest.fixture
def calls(branch, hotline_agent):
    made = []
    for days in (1, 5, 9):
        policy = policy_ending(today() + dt.timedelta(days=days), branch=branch)
        made.append(
            RenewalCallFactory(policy=policy, due_date=today(), days_left=days, assigned_to=hotline_agent)
        )
    RenewalCallFactory(policy=policy_ending(today() + dt.timedelta(days=3), branch=branch), due_date=today())
    return made


def test_the_agents_call_list_is_served_by_indexes(agent_client, calls):
    assert_indexed(agent_client, reverse("hotline:calls"), at_least=2)


def test_working_a_call_is_served_by_indexes(agent_client, calls):
    assert_indexed(agent_client, reverse("hotline:call", args=[calls[0].pk]), at_least=4)


def test_the_supervisors_branch_page_is_served_by_indexes(supervisor_client, calls):
    assert_indexed(supervisor_client, reverse("hotline:team"), at_least=2)


# --- Keyset pages: the index's full order, no Sort and no OFFSET --------------------------------

KEYSET_INDEXES = re.compile(r"policy_(end_id|branch_end_id|channel_end_id|start_id|cancelled_end_id)_idx")


def rows_plan(queries, *, sort: bool = False) -> tuple[str, str]:
    """(sql, plan) of the query that reads a page of rows: the one ordered and limited to a
    page and one more. Sorting is disabled as well as sequential scans (unless `sort`), so a
    Sort node left in the plan means no index gives the order."""
    [sql] = [
        statement(q["sql"])
        for q in queries
        if q["sql"].startswith("SELECT")
        and 'FROM "policies_policy"' in q["sql"]
        and " ORDER BY " in q["sql"]
        and q["sql"].rstrip().endswith("LIMIT 21")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"SET enable_sort = {'on' if sort else 'off'}")
        try:
            cursor.execute(f"EXPLAIN (COSTS true) {sql}")  # options first: a UNION may begin with "("
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    return sql, plan


@pytest.fixture
def crowd(branch, other_branch):
    """Vehicles in every renewal status, a few ending on the same day."""
    t = today()
    for i in range(30):
        start = t - dt.timedelta(days=330 if i % 3 else 300 + i)
        PolicyFactory(vehicle=VehicleFactory(), branch=branch if i % 2 else other_branch, start_date=start)
    for i in range(6):
        PolicyFactory(vehicle=VehicleFactory(), branch=branch, start_date=t - dt.timedelta(days=400 + i))
        renewed = VehicleFactory()
        PolicyFactory(vehicle=renewed, branch=branch, start_date=t - dt.timedelta(days=340 + i))
        PolicyFactory(vehicle=renewed, branch=branch, start_date=t + dt.timedelta(days=25 - i))


@pytest.mark.parametrize(
    "params",
    [
        {"renewal": "due"},
        {"renewal": "due", "sort": "-end_date"},
        {"renewal": "lapsed"},
        {"renewal": "renewed"},
        {"renewal": "renewed", "sort": "-renewal"},
        {"renewal": "in_force"},
        {"renewal": "cancelled"},
        {"channel": "app"},
        {"renewal": "due", "channel": "counter"},
        {"end_from": "2026-01-01"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
@pytest.mark.parametrize("deep", [False, True], ids=["first page", "deep page"])
def test_status_lists_page_in_index_order_without_sort_or_offset(agent_client, crowd, params, deep):
    if deep:  # a page after a cursor in the middle of the list
        row = Policy.objects.order_by("end_date", "pk")[10]
        key = row.start_date if params.get("renewal") == "renewed" else row.end_date
        params = {**params, "after": f"{key.isoformat()}~{row.pk}"}
    with CaptureQueriesContext(connection) as queries:
        assert agent_client.get(HOME, params).status_code == 200
    sql, plan = rows_plan(queries)
    assert " OFFSET " not in sql
    assert "Sort" not in plan, f"{sql}\n{plan}"
    assert KEYSET_INDEXES.search(plan), plan
    if deep:  # the page starts at the cursor inside the index, not by filtering rows read before it
        assert re.search(r"Index Cond: .*ROW\((end_date|start_date), id\) [<>]", plan), plan


def test_the_branch_list_pages_on_the_branch_index(agent_client, crowd, branch):
    row = Policy.objects.filter(branch=branch).order_by("end_date", "pk")[5]
    params = {"branch": branch.pk, "renewal": "due", "after": f"{row.end_date.isoformat()}~{row.pk}"}
    with CaptureQueriesContext(connection) as queries:
        assert agent_client.get(HOME, params).status_code == 200
    sql, plan = rows_plan(queries)
    assert "Sort" not in plan and "policy_branch_end_id_idx" in plan, plan
    assert re.search(r"Index Cond: \(\(branch_id = \d+\) AND .*ROW\(end_date, id\) > ROW\(", plan), plan


def test_a_given_name_is_a_range_on_its_own_index(agent_client, wang_fang):
    """`SUBSTRING(name, 2) COLLATE "C" LIKE '建平%'` must match the expression index of
    migration 0020 exactly, or the planner would read every person."""
    with CaptureQueriesContext(connection) as queries:
        agent_client.post(HOME, {"q": "建平"})
    [(sql, plan)] = [(sql, plan) for sql, plan in plans(queries) if " UNION " in sql and "SUBSTRING(" in sql]
    assert "person_given_name_idx" in plan and "person_name_code_order_idx" in plan, sql + plan


def test_a_searchs_rows_are_its_vehicles_latest_policies_one_probe_each(agent_client, wang_fang):
    """No anti-join over every policy of every vehicle found (at 10,000,000 policies the planner
    ran it on parallel workers for a few hundred rows): the latest policy of each vehicle
    found, one probe of the (vehicle, start) index each, then a few hundred rows to sort."""
    with CaptureQueriesContext(connection) as queries:
        agent_client.post(HOME, {"q": WANG_FANG_PHONE})
    sql, plan = rows_plan(queries, sort=True)
    where = sql.split(' FROM "policies_policy" INNER JOIN ', 1)[1]  # (the status's CASE has its own)
    assert "NOT EXISTS" not in where and re.search(r'"policies_policy"\."id" IN \(SELECT \(SELECT', sql), sql
    assert re.search(
        r"policy_vehicle_start_idx on policies_policy u\w+ .*\n\s+Index Cond: \(vehicle_id = v0\.id\)", plan
    ), plan
