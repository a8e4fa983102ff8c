"""Every counter view: anonymous → login; hotline agents → 403; clerks and supervisors allowed —
a customer's pages only for a customer found by a lookup of the same session (else 404)."""

import datetime as dt

import pytest
from django.urls import reverse

from core.clock import today
from tests.factories import PersonFactory, PolicyFactory, VehicleFactory
from tests.grants import grant_customers

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


def customer_views(records):
    """(method, url) of every counter view that opens the customer: only when found in this session."""
    return [
        ("get", reverse("counter:person", args=[records["person"]])),
        ("post", reverse("counter:reveal", args=[records["person"]])),
        ("post", reverse("counter:renew", args=[records["vehicle"]])),
        ("get", reverse("counter:confirmation", args=[records["policy"]])),
        ("get", f"{reverse('counter:short_term')}?vehicle={records['vehicle']}"),
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
    for method, url in customer_views(records):  # not looked up in this session: as if no such id
        assert getattr(client, method)(url).status_code == 404, url

    grant_customers(client, records["person"])  # found by a lookup (tests.grants)
    for method, url in views(records) + customer_views(records):
        assert getattr(client, method)(url).status_code in (200, 302), url


def test_staff_without_a_role_get_403(client, branch, records):
    from tests.factories import UserFactory

    client.force_login(UserFactory(branch=branch))
    for method, url in views(records):
        assert getattr(client, method)(url).status_code == 403, url
