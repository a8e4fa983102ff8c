"""Every hotline view: anonymous → login; counter clerks, claims adjusters and staff without a
role → 403; hotline agents and supervisors allowed — a customer's page only for a customer a
search of the same session found (else 404); sharing out a branch's calls for supervisors only."""

import datetime as dt

import pytest
from django.urls import reverse

from core.clock import today
from tests.factories import (
    ClaimsAdjusterFactory,
    PersonFactory,
    RenewalCallFactory,
    UserFactory,
    policy_ending,
)
from tests.grants import grant_customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return PersonFactory()


@pytest.fixture
def call(branch):
    return RenewalCallFactory(
        policy=policy_ending(today() + dt.timedelta(days=7), branch=branch), due_date=today()
    )


def views(person, call=None):
    """(method, url, data) of every hotline view an agent uses."""
    found = [
        ("get", reverse("hotline:home"), {}),
        ("post", reverse("hotline:home"), {"q": "苏A12345"}),
        ("get", reverse("hotline:customer", args=[person.pk]), {}),
        ("post", reverse("hotline:reveal", args=[person.pk]), {}),
        ("get", reverse("hotline:calls"), {}),
        ("post", reverse("hotline:calls_take"), {}),
    ]
    if call is not None:
        found += [
            ("get", reverse("hotline:call", args=[call.pk]), {}),
            ("post", reverse("hotline:call_outcome", args=[call.pk]), {"outcome": "will_renew"}),
        ]
    return found


def supervisor_views(branch):
    return [
        ("get", reverse("hotline:team"), {}),
        ("post", reverse("hotline:team_spread"), {"branch": branch.pk}),
        ("post", reverse("hotline:team_assign"), {"branch": branch.pk}),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, person, call, branch):
    for method, url, data in views(person, call) + supervisor_views(branch):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["counter_clerk", "claims_adjuster", "no_role"])
def test_other_roles_get_403_everywhere(client, request, branch, person, call, persona):
    if persona == "claims_adjuster":
        user = ClaimsAdjusterFactory(branch=branch)
    elif persona == "no_role":
        user = UserFactory(branch=branch)
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)
    for method, url, data in views(person, call) + supervisor_views(branch):
        assert getattr(client, method)(url, data).status_code == 403, url


@pytest.mark.parametrize("persona", ["hotline_agent", "supervisor"])
def test_agents_and_supervisors_are_allowed(client, request, person, call, persona):
    client.force_login(request.getfixturevalue(persona))
    customer = [("get", "hotline:customer"), ("post", "hotline:reveal")]
    for method, name in customer:  # not found in this session: as if no such id
        url = reverse(name, args=[person.pk])
        assert getattr(client, method)(url).status_code == 404, url

    grant_customers(client, person.pk)  # found by a search (tests.grants)
    for method, url, data in views(person, call):
        assert getattr(client, method)(url, data).status_code in (200, 302), url


@pytest.mark.parametrize(("persona", "allowed"), [("hotline_agent", False), ("supervisor", True)])
def test_only_supervisors_share_out_a_branchs_calls(client, request, branch, call, persona, allowed):
    client.force_login(request.getfixturevalue(persona))
    for method, url, data in supervisor_views(branch):
        status = getattr(client, method)(url, data).status_code
        assert status in ((200, 302) if allowed else (403,)), url


def test_a_customer_who_does_not_exist_is_404(agent_client):
    grant_customers(agent_client, 999999)  # even granted, an id that does not exist is 404
    assert agent_client.get(reverse("hotline:customer", args=[999999])).status_code == 404


def test_reveal_is_post_only(agent_client, person):
    assert agent_client.get(reverse("hotline:reveal", args=[person.pk])).status_code == 405
