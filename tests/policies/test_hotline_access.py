"""Every hotline view: anonymous → login; counter clerks, claims adjusters and staff without a
role → 403; hotline agents and supervisors allowed."""

import pytest
from django.urls import reverse

from tests.factories import ClaimsAdjusterFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return PersonFactory()


def views(person):
    """(method, url, data) of every hotline view."""
    return [
        ("get", reverse("hotline:home"), {}),
        ("post", reverse("hotline:home"), {"q": "苏A12345"}),
        ("get", reverse("hotline:customer", args=[person.pk]), {}),
        ("post", reverse("hotline:reveal", args=[person.pk]), {}),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, person):
    for method, url, data in views(person):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["counter_clerk", "claims_adjuster", "no_role"])
def test_other_roles_get_403_everywhere(client, request, branch, person, persona):
    if persona == "claims_adjuster":
        user = ClaimsAdjusterFactory(branch=branch)
    elif persona == "no_role":
        user = UserFactory(branch=branch)
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)
    for method, url, data in views(person):
        assert getattr(client, method)(url, data).status_code == 403, url


@pytest.mark.parametrize("persona", ["hotline_agent", "supervisor"])
def test_agents_and_supervisors_are_allowed(client, request, person, persona):
    client.force_login(request.getfixturevalue(persona))
    for method, url, data in views(person):
        assert getattr(client, method)(url, data).status_code in (200, 302), url


def test_a_customer_who_does_not_exist_is_404(agent_client):
    assert agent_client.get(reverse("hotline:customer", args=[999999])).status_code == 404


def test_reveal_is_post_only(agent_client, person):
    assert agent_client.get(reverse("hotline:reveal", args=[person.pk])).status_code == 405
