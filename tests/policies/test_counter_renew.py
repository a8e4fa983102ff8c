"""The renew button: one POST, one policy, exactly as quoted; stale quotes are shown again."""

import datetime as dt
import re
import threading
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.db import connections
from django.test import Client
from django.urls import reverse

from core.clock import today
from policies.choices import SalesChannel
from policies.models import Policy
from policies.roles import COUNTER_CLERK
from tests.factories import PersonFactory, UserFactory, VehicleFactory, policy_chain
from tests.grants import counter_lookup

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def due_policy(branch):
    """孙丽's car: three clean years, the last ending in about two months."""
    owner = PersonFactory(name="孙丽")
    car = VehicleFactory(owner=owner, plate="苏A30001")
    return policy_chain(car, first_start=today() - 1030 * DAY, years=3, branch=branch)[-1]


def shown_form(client, policy) -> dict:
    """The hidden fields of the renew form exactly as the page rendered them — the page the
    clerk reaches by looking the car up (plate + VIN), as at the counter."""
    page = counter_lookup(client, vehicle=policy.vehicle).content.decode()
    form = re.search(r'<form[^>]*data-testid="renew-form".*?</form>', page, re.S).group(0)
    shown = dict(re.findall(r'name="(from_policy|fingerprint|quoted_total)" value="([^"]*)"', form))
    return {**shown, "payment_method": "cash"}  # the customer pays cash


def post_renew(client, policy, data):
    return client.post(reverse("counter:renew", args=[policy.vehicle_id]), data)


def test_renew_issues_the_policy_and_opens_its_confirmation(clerk_client, due_policy, counter_clerk):
    response = post_renew(clerk_client, due_policy, shown_form(clerk_client, due_policy))

    policy = Policy.objects.get(renewed_from=due_policy)
    assert response.status_code == 302
    assert response["Location"] == reverse("counter:confirmation", args=[policy.pk])
    assert policy.start_date == due_policy.end_date + DAY
    assert (policy.channel, policy.branch, policy.issued_by) == (
        SalesChannel.COUNTER,
        counter_clerk.branch,
        counter_clerk,
    )
    assert (policy.floating_reason, policy.premium, policy.vehicle_tax, policy.total) == (
        "A3", D("665.00"), D("300.00"), D("965.00")
    )  # fmt: skip
    page = clerk_client.get(response["Location"]).content.decode()
    assert f"续保出单成功：保单号 {policy.number}" in page


def test_a_double_post_issues_one_policy_and_says_so(clerk_client, due_policy):
    data = shown_form(clerk_client, due_policy)
    first = post_renew(clerk_client, due_policy, data)
    second = post_renew(clerk_client, due_policy, data)

    assert Policy.objects.filter(renewed_from=due_policy).count() == 1
    assert first["Location"] == second["Location"]
    page = clerk_client.get(second["Location"]).content.decode()
    assert "未重复出单、未重复收费" in page


def test_a_stale_quote_is_requoted_and_shown_again_never_charged(clerk_client, due_policy):
    data = shown_form(clerk_client, due_policy)
    Policy.objects.filter(pk=due_policy.pk).update(at_fault_claims=2)  # two claims registered meanwhile

    response = post_renew(clerk_client, due_policy, data)

    assert not Policy.objects.filter(renewed_from=due_policy).exists()
    owner, car = due_policy.vehicle.owner_id, due_policy.vehicle_id
    assert (
        response["Location"]
        == reverse("counter:person", args=[owner]) + f"?vehicle={car}&requoted=1#vehicle-{car}"
    )
    page = clerk_client.get(response["Location"]).content.decode()
    assert "报价已变化" in page and "新报价合计 1345.00 元（原报价 965.00 元）" in page
    assert 'data-testid="requoted"' in page
    assert 'data-testid="quote-total">¥1,345.00' in page  # A5: 950 × 1.10 + 300
    # Renewing from the page now shown charges the new quote.
    post_renew(clerk_client, due_policy, shown_form(clerk_client, due_policy))
    assert Policy.objects.get(renewed_from=due_policy).total == D("1345.00")


def test_a_tampered_or_incomplete_post_changes_nothing(clerk_client, due_policy):
    counter_lookup(clerk_client, vehicle=due_policy.vehicle)  # the car is looked up, then the post is bad
    response = post_renew(clerk_client, due_policy, {"from_policy": "abc"})
    assert response.status_code == 302
    assert Policy.objects.count() == 3
    assert "续保请求不完整" in clerk_client.get(response["Location"]).content.decode()

    forged = post_renew(
        clerk_client, due_policy, {**shown_form(clerk_client, due_policy), "fingerprint": "0" * 24}
    )
    assert Policy.objects.count() == 3
    assert "报价已变化" in clerk_client.get(forged["Location"]).content.decode()


def test_renewing_an_in_force_vehicle_is_refused_in_chinese(clerk_client, branch):
    car = VehicleFactory()
    current = policy_chain(car, first_start=today() - 10 * DAY, years=1, branch=branch)[0]
    counter_lookup(clerk_client, vehicle=car)
    response = post_renew(
        clerk_client, current, {"from_policy": current.pk, "fingerprint": "x" * 24, "payment_method": "cash"}
    )
    assert "尚未进入续保期" in clerk_client.get(response["Location"]).content.decode()
    assert Policy.objects.count() == 1


def test_renew_is_post_only(clerk_client, due_policy):
    assert clerk_client.get(reverse("counter:renew", args=[due_policy.vehicle_id])).status_code == 405


def test_hotline_agents_cannot_renew(agent_client, due_policy):
    assert post_renew(agent_client, due_policy, {}).status_code == 403
    assert Policy.objects.count() == 3


def test_desk_users_without_the_renew_permission_cannot_renew(client, branch, due_policy):
    trainee = UserFactory(branch=branch)
    trainee.user_permissions.add(Permission.objects.get(codename="use_counter_desk"))
    client.force_login(trainee)
    page = counter_lookup(client, vehicle=due_policy.vehicle).content.decode()
    assert "您的岗位不能办理续保出单" in page
    assert (
        post_renew(client, due_policy, {"from_policy": due_policy.pk, "fingerprint": "x"}).status_code == 403
    )


def test_anonymous_renew_is_sent_to_login(client, due_policy):
    response = post_renew(client, due_policy, {})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db(transaction=True)
def test_two_clerks_pressing_renew_at_once_through_http_issue_one_policy(branch):
    owner = PersonFactory(name="周强")
    car = VehicleFactory(owner=owner)
    current = policy_chain(car, first_start=today() - 1030 * DAY, years=3, branch=branch)[-1]
    clients = []
    for name in ("clerk_a", "clerk_b"):
        c = Client()
        c.force_login(UserFactory(username=name, branch=branch, role=COUNTER_CLERK))
        clients.append(c)
    forms = [shown_form(c, current) for c in clients]
    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def press(i):
        try:
            barrier.wait()
            responses[i] = post_renew(clients[i], current, forms[i])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert [r.status_code for r in responses] == [302, 302]
    assert Policy.objects.filter(renewed_from=current).count() == 1
    policy = Policy.objects.get(renewed_from=current)
    assert {r["Location"] for r in responses} == {reverse("counter:confirmation", args=[policy.pk])}
