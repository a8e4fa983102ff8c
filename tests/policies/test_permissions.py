"""Every view requires login and denies by default; each role lands on its own home page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DESKS = ["counter:home", "hotline:home", "dashboard"]


@pytest.mark.parametrize("url_name", DESKS + ["home"])
def test_anonymous_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "home", "allowed", "denied"),
    [
        ("counter_clerk", "counter:home", ["counter:home"], ["hotline:home", "dashboard"]),
        ("hotline_agent", "hotline:home", ["hotline:home"], ["counter:home", "dashboard"]),
        ("supervisor", "dashboard", DESKS, []),
    ],
)
def test_each_role_reaches_only_its_pages(client, request, persona, home, allowed, denied):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("home"))["Location"] == reverse(home)
    for name in allowed:
        assert client.get(reverse(name)).status_code == 200, name
    for name in denied:
        assert client.get(reverse(name)).status_code == 403, name


def test_staff_without_role_is_told_so(client, branch):
    from tests.factories import UserFactory

    client.force_login(UserFactory(branch=branch))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "尚未分配岗位" in response.content.decode()


def test_only_supervisors_reach_admin(client, counter_clerk, supervisor):
    client.force_login(counter_clerk)
    assert client.get("/admin/").status_code == 302
    client.force_login(supervisor)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/policies/policy/").status_code == 200
