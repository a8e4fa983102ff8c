"""Every counter view: anonymous → login; hotline agents → 403; clerks and supervisors allowed."""

import datetime as dt

import pytest
from django.urls import reverse

from core.clock import today
from tests.factories import PersonFactory, PolicyFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(branch):
    owner = PersonFactory()
    car = VehicleFactory(owner=owner)
    policy = PolicyFactory(vehicle=car, branch=branch, start_date=today() - dt.timedelta(days=300))
    return {"person": owner.pk, "vehicle": car.pk, "policy": policy.pk}


def views(records):
    """(method, url) of every counter view."""
    return [
        ("get", reverse("counter:home")),
        ("post", reverse("counter:home")),
        ("get", reverse("counter:person", args=[records["person"]])),
        ("post", reverse("counter:reveal", args=[records["person"]])),
        ("post", reverse("counter:renew", args=[records["vehicle"]])),
        ("get", reverse("counter:confirmation", args=[records["policy"]])),
        ("get", reverse("counter:short_term")),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, records):
    for method, url in views(records):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_hotline_agents_get_403_everywhere(agent_client, records):
    for method, url in views(records):
        assert getattr(agent_client, method)(url).status_code == 403, url


@pytest.mark.parametrize("persona", ["counter_clerk", "supervisor"])
def test_clerks_and_supervisors_are_allowed(client, request, records, persona):
    client.force_login(request.getfixturevalue(persona))
    for method, url in views(records):
        assert getattr(client, method)(url).status_code in (200, 302), url


def test_staff_without_a_role_get_403(client, branch, records):
    from tests.factories import UserFactory

    client.force_login(UserFactory(branch=branch))
    for method, url in views(records):
        assert getattr(client, method)(url).status_code == 403, url
