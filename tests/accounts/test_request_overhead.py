"""What every signed-in request costs before its page does any work: with a cache shared by
every process (production's Redis; here the test process's memory, one process), one query —
the user, with their branch. The session is read from the cache, permissions and role come
from the cache until a change to the user's groups or permissions drops them, and a page that
only reads writes no session."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY, REFRESH_EVERY_SECONDS
from policies.roles import COUNTER_CLERK, HOTLINE_AGENT
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def shared_cache(settings):
    """Production's set-up with a shared cache (jqx_portal.settings: SHARED_CACHE)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PERMISSION_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def tables(captured) -> list[str]:
    """The first table each query names, in order ("INSERT …" and "UPDATE …" kept whole)."""
    names = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith(("INSERT", "UPDATE", "DELETE")):
            names.append(sql.split('"')[0].strip() + " " + sql.split('"')[1])
        else:
            names.append(sql.split(" FROM ")[1].split('"')[1] if " FROM " in sql else sql.split()[0])
    return names


def test_a_signed_in_page_costs_one_query_the_user_with_the_branch(client, counter_clerk):
    client.force_login(counter_clerk)
    client.get("/counter/")  # the first page fills the cache

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/counter/").content.decode()

    assert tables(captured) == ["policies_user"]
    assert "policies_branch" in captured.captured_queries[0]["sql"]  # joined, not a query of its own
    assert counter_clerk.branch.name in page and COUNTER_CLERK in page  # the navigation bar's


def test_a_page_that_only_reads_writes_no_session(client, counter_clerk):
    client.force_login(counter_clerk)
    client.get("/counter/")
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/counter/").status_code == 200
        assert not [t for t in tables(captured) if t.startswith(("UPDATE", "INSERT", "DELETE"))]


def test_activity_is_recorded_once_a_minute(client, counter_clerk):
    client.force_login(counter_clerk)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - REFRESH_EVERY_SECONDS + 5
    session.save()
    client.get("/counter/")
    assert client.session[LAST_SEEN_KEY] < time.time() - REFRESH_EVERY_SECONDS + 10  # not yet

    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - REFRESH_EVERY_SECONDS
    session.save()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/counter/")
    assert "UPDATE django_session" in tables(captured)
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5
    assert 1800 - 5 <= int(response["X-Session-Expires-In"]) <= 1800


@pytest.mark.parametrize(
    ("idle_for", "signed_in"),
    [(1799, True), (1800, False)],
)
def test_the_idle_half_hour_runs_from_the_recorded_activity_to_the_second(
    client, counter_clerk, idle_for, signed_in
):
    client.force_login(counter_clerk)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - idle_for
    session.save()

    response = client.get("/counter/")

    assert (response.status_code == 200) is signed_in
    assert ("_auth_user_id" in client.session) is signed_in


def test_a_session_ended_in_one_place_is_ended_everywhere(client, counter_clerk):
    """Signing out deletes the cached copy with the row: the cookie opens nothing more."""
    client.force_login(counter_clerk)
    cookie = client.cookies["sessionid"].value
    client.get("/counter/")
    client.post(reverse("logout"))

    client.cookies["sessionid"] = cookie
    response = client.get("/counter/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_permission_taken_from_a_group_is_refused_at_the_next_request(client, hotline_agent):
    client.force_login(hotline_agent)
    assert client.get("/hotline/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/hotline/").status_code == 200
    assert "auth_permission" not in tables(captured)  # cached

    group = Group.objects.get(name=HOTLINE_AGENT)
    group.permissions.remove(Permission.objects.get(codename="use_hotline_desk"))
    assert client.get("/hotline/").status_code == 403

    group.permissions.add(Permission.objects.get(codename="use_hotline_desk"))
    assert client.get("/hotline/").status_code == 200


def test_leaving_a_group_or_losing_a_role_is_seen_at_the_next_request(client, hotline_agent):
    client.force_login(hotline_agent)
    assert client.get("/hotline/").status_code == 200

    hotline_agent.groups.clear()
    assert client.get("/hotline/").status_code == 403

    Group.objects.get(name=HOTLINE_AGENT).user_set.add(hotline_agent)  # from the group's side
    page = client.get("/hotline/")
    assert page.status_code == 200 and HOTLINE_AGENT in page.content.decode()

    Group.objects.get(name=HOTLINE_AGENT).user_set.remove(hotline_agent)
    assert client.get("/hotline/").status_code == 403


def test_a_permission_given_to_the_user_directly_counts_at_once(client, branch):
    nobody = factories.UserFactory(username="trainee", branch=branch)
    client.force_login(nobody)
    assert client.get("/counter/").status_code == 403

    nobody.user_permissions.add(Permission.objects.get(codename="use_counter_desk"))
    assert client.get("/counter/").status_code == 200

    Permission.objects.get(codename="use_counter_desk").user_set.remove(nobody)
    assert client.get("/counter/").status_code == 403


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, counter_clerk):
    client.force_login(counter_clerk)
    assert client.get("/counter/").status_code == 200

    counter_clerk.is_active = False
    counter_clerk.save()
    response = client.get("/counter/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_without_a_shared_cache_permissions_are_read_per_request(client, counter_clerk, settings):
    """Several processes with only their own memory: nothing kept across requests."""
    settings.PERMISSION_CACHE_SECONDS = 0
    client.force_login(counter_clerk)
    client.get("/counter/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/counter/").status_code == 200
    assert tables(captured).count("auth_permission") == 2


def test_representative_pages_cost_their_own_queries_and_one_more(
    client, counter_clerk, hotline_agent, branch
):
    """The issue's goal: detail pages at most 5 queries beyond the one that identifies the user,
    lists at most 10. The counter's customer page: the person (with licences and open tickets),
    vehicles, policies (with their ledgers), claims and the access-log row; the hotline's: the
    person (with licences, tickets, messages and the vehicles they hold), vehicles (with claims,
    reminders and open calls), policies and the access-log row (core.nested)."""
    from core.clock import today
    from tests.grants import grant_customers, hotline_search, results_url
    from tests.policies.test_counter_person import person_with_fleet

    person = person_with_fleet(vehicles=2, years=2, branch=branch, today=today(), licences=1)
    client.force_login(counter_clerk)
    grant_customers(client, person.pk)
    page = reverse("counter:person", args=[person.pk])
    client.get(page)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page).status_code == 200
    assert tables(captured)[0] == "policies_user" and len(captured) <= 1 + 5

    client.force_login(hotline_agent)
    client.post(reverse("hotline:home"), {"q": person.name})  # the caches, as for the pages above
    for term in (person.id_number, person.name):  # an ID number is also tried as a policy number
        with CaptureQueriesContext(connection) as captured:
            assert client.post(reverse("hotline:home"), {"q": term}).status_code == 200  # answered at once
        assert len(captured) <= 10, term
    results = results_url(hotline_search(client, person.vehicles.first().plate))
    client.get(results)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(results).status_code == 200
    assert len(captured) <= 10

    customer = reverse("hotline:customer", args=[person.pk])
    client.get(customer)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(customer).status_code == 200
    assert len(captured) <= 1 + 4
