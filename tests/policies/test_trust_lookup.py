"""Customer pages open only from a lookup of this session: ids cannot be enumerated, a person
found opens, another branch's customer is served but logged as such."""

import datetime as dt
import re
import time
from types import SimpleNamespace

import pytest
from django.urls import reverse

from policies import access
from policies.models import PersonAccessLog
from tests.factories import (
    DrivingLicenceFactory,
    PersonFactory,
    PolicyFactory,
    RenewalCallFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db

WANG_FANG_ID = "360426199101010071"  # docs/regulation.md §7, a valid ID number


@pytest.fixture
def customers(branch, other_branch):
    """王芳, insured at the clerk's branch (南京), and 40 people insured at 海口."""
    wang = PersonFactory(name="王芳", id_number=WANG_FANG_ID, phone="13912345678")
    DrivingLicenceFactory(holder=wang)
    PolicyFactory(vehicle=VehicleFactory(owner=wang), branch=branch, start_date=dt.date(2026, 3, 1))
    others = [PolicyFactory(branch=other_branch, start_date=dt.date(2026, 3, 1)) for _ in range(40)]
    return SimpleNamespace(wang=wang, others=others)


def lookup(client, number):
    return client.post(
        reverse("counter:home"), {"number": number, "plate": "", "vin": "", "engine_number": ""}
    )


def grant(client, *person_ids):
    """What a page that shows a customer does for the session (e.g. support's ticket page)."""
    session = client.session
    access.grant_person(SimpleNamespace(session=session), *person_ids)
    session.save()


def test_a_clerk_cannot_open_customers_by_id(clerk_client, customers):
    for policy in customers.others:
        person = policy.policyholder_id
        assert clerk_client.get(reverse("counter:person", args=[person])).status_code == 404
        assert clerk_client.post(reverse("counter:reveal", args=[person])).status_code == 404
    policy = customers.others[0]
    assert clerk_client.get(reverse("counter:confirmation", args=[policy.pk])).status_code == 404
    assert clerk_client.post(reverse("counter:renew", args=[policy.vehicle_id]), {}).status_code == 404
    short_term = reverse("counter:short_term") + f"?vehicle={policy.vehicle_id}"
    assert clerk_client.get(short_term).status_code == 404
    assert not PersonAccessLog.objects.exists()


def test_the_refusal_is_the_same_chinese_page_as_for_an_id_that_does_not_exist(clerk_client, customers):
    existing = clerk_client.get(reverse("counter:person", args=[customers.others[0].policyholder_id]))
    missing = clerk_client.get(reverse("counter:person", args=[999_999]))
    assert existing.status_code == missing.status_code == 404
    assert "页面不存在" in existing.content.decode()
    main = re.compile(r"<main.*</main>", re.DOTALL)  # the page's own text, not the session's
    assert main.search(existing.content.decode())[0] == main.search(missing.content.decode())[0]


def test_a_customer_found_by_the_lookup_opens_with_reveal_and_confirmation(clerk_client, customers):
    wang = customers.wang
    response = lookup(clerk_client, WANG_FANG_ID)
    assert response.status_code == 302 and response["Location"] == reverse("counter:person", args=[wang.pk])
    page = clerk_client.get(response["Location"])
    assert page.status_code == 200 and "王芳" in page.content.decode()
    revealed = clerk_client.post(reverse("counter:reveal", args=[wang.pk])).content.decode()
    assert WANG_FANG_ID in revealed
    policy = wang.vehicles.get().policies.get()
    assert clerk_client.get(reverse("counter:confirmation", args=[policy.pk])).status_code == 200
    # … and finding 王芳 opens nobody else.
    other = customers.others[0].policyholder_id
    assert clerk_client.get(reverse("counter:person", args=[other])).status_code == 404


def test_the_grant_belongs_to_the_session_that_looked_up(client, counter_clerk, customers):
    client.force_login(counter_clerk)
    lookup(client, WANG_FANG_ID)
    client.logout()
    client.force_login(counter_clerk)  # a new session: nothing found in it yet
    assert client.get(reverse("counter:person", args=[customers.wang.pk])).status_code == 404


def test_another_branchs_customer_is_served_and_the_log_says_so(
    client, other_branch_clerk, counter_clerk, customers
):
    client.force_login(other_branch_clerk)  # 海口's clerk serves 南京's 王芳 face to face
    lookup(client, WANG_FANG_ID)
    assert client.get(reverse("counter:person", args=[customers.wang.pk])).status_code == 200
    entry = PersonAccessLog.objects.get(page="counter_person")
    assert (entry.user, entry.person, entry.other_branch) == (other_branch_clerk, customers.wang, True)

    client.force_login(counter_clerk)  # 南京's own clerk: not another branch's customer
    lookup(client, WANG_FANG_ID)
    client.get(reverse("counter:person", args=[customers.wang.pk]))
    entry = PersonAccessLog.objects.filter(user=counter_clerk).get()
    assert entry.other_branch is False


def test_a_hotline_search_grants_the_people_it_shows_and_no_others(agent_client, customers):
    wang = customers.wang
    customer = reverse("hotline:customer", args=[wang.pk])
    assert agent_client.get(customer).status_code == 404
    found = agent_client.post(reverse("hotline:home"), {"q": "13912345678"}, follow=True)
    assert customer in found.content.decode()
    assert agent_client.get(customer).status_code == 200
    assert agent_client.post(reverse("hotline:reveal", args=[wang.pk])).status_code == 200
    other = customers.others[0].policyholder_id
    assert agent_client.get(reverse("hotline:customer", args=[other])).status_code == 404


def test_a_call_on_the_agents_list_opens_its_customer(agent_client, hotline_agent, branch):
    call = RenewalCallFactory(assigned_to=hotline_agent, branch=branch)
    assert agent_client.get(reverse("hotline:customer", args=[call.person_id])).status_code == 404
    assert agent_client.get(reverse("hotline:call", args=[call.pk])).status_code == 200
    assert agent_client.get(reverse("hotline:customer", args=[call.person_id])).status_code == 200


def test_a_ticket_link_granted_by_the_page_that_shows_it_opens_the_customer(agent_client, customers):
    """Support's ticket page grants its customer where it renders the customer-page link."""
    customer = reverse("hotline:customer", args=[customers.wang.pk])
    assert agent_client.get(customer).status_code == 404
    grant(agent_client, customers.wang.pk)
    assert agent_client.get(customer).status_code == 200


def test_grants_are_bounded_in_number_and_time(clerk_client, customers):
    people = [p.policyholder_id for p in customers.others]
    grant(clerk_client, *range(10_000, 10_000 + access.GRANTS_KEPT), people[0])
    grants = clerk_client.session[access.PERSON_GRANTS]
    assert len(grants) == access.GRANTS_KEPT and str(people[0]) in grants and "10000" not in grants
    assert clerk_client.get(reverse("counter:person", args=[people[0]])).status_code == 200

    session = clerk_client.session
    session[access.PERSON_GRANTS] = {str(people[1]): int(time.time()) - access.GRANT_SECONDS - 1}
    session.save()
    assert clerk_client.get(reverse("counter:person", args=[people[1]])).status_code == 404
