"""The counter's customer page shows what the clerk is asked about: the claims behind the
floating rate (dates, amounts) — portal claims and the history imported with the policies — and
the open tickets, masked, in a constant number of queries."""

import datetime as dt

import pytest
from django.urls import reverse

from core.clock import SHANGHAI, today
from policies.models import Policy
from tests.factories import PersonFactory, TicketFactory, VehicleFactory, make_claim, policy_chain
from tests.grants import grant_customers

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def wang(branch):
    """王晓燕: last year three at-fault accidents came with the imported record; this year one
    claim was reported in the portal; one ticket is open, one closed."""
    person = PersonFactory(name="王晓燕", phone="13912345678")
    car = VehicleFactory(owner=person, plate="苏A52001")
    chain = policy_chain(car, first_start=today() - 700 * DAY, years=2, branch=branch, claims={0: (3, 0)})
    accident = dt.datetime.combine(today() - 20 * DAY, dt.time(9, 15), tzinfo=SHANGHAI)
    claim = make_claim(chain[-1], accident_at=accident)
    TicketFactory(
        subject="询问理赔进度",
        channel="walk_in",
        category="claim",
        customer=person,
        vehicle=car,
        branch=branch,
    )
    return person, chain, claim


def test_the_counter_lists_the_claims_behind_the_floating_rate_and_open_tickets(clerk_client, wang):
    person, chain, claim = wang
    grant_customers(clerk_client, person.pk)

    page = clerk_client.get(reverse("counter:person", args=[person.pk])).content.decode()

    assert 'data-testid="claims-record"' in page
    assert claim.number in page
    assert (today() - 20 * DAY).isoformat() in page  # the accident's date
    assert f'报损 <span data-testid="record-claim-amount">¥{claim.reported_total:,.2f}</span>' in page
    assert "3 次来自承保时导入的历史出险记录" in page
    assert f"{chain[0].start_date:%Y-%m-%d} 起保单年度：有责 3 次" in page
    assert "苏A***01" in page and "苏A52001</span> · 有责" not in page  # the plate masked in the list
    assert "询问理赔进度" in page and 'data-testid="open-ticket"' in page


def test_a_customer_with_no_claims_says_so(clerk_client, branch):
    person = PersonFactory()
    policy_chain(VehicleFactory(owner=person), first_start=today() - 300 * DAY, years=1, branch=branch)
    grant_customers(clerk_client, person.pk)
    page = clerk_client.get(reverse("counter:person", args=[person.pk])).content.decode()
    assert 'data-testid="record-none"' in page and "没有未结工单" in page


def test_the_record_costs_the_same_queries_for_one_claim_as_for_many(
    clerk_client, wang, branch, django_assert_max_num_queries
):
    person, chain, _ = wang
    grant_customers(clerk_client, person.pk)
    clerk_client.get(reverse("counter:person", args=[person.pk]))
    with django_assert_max_num_queries(30) as few:
        clerk_client.get(reverse("counter:person", args=[person.pk]))
    for hours in (30, 60, 90):
        make_claim(chain[-1], accident_at=dt.datetime.now(tz=SHANGHAI) - dt.timedelta(hours=hours))
        TicketFactory(
            subject=f"工单 {hours}", channel="walk_in", category="claim", customer=person, branch=branch
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = clerk_client.get(reverse("counter:person", args=[person.pk])).content.decode()
    assert page.count('data-testid="record-claim"') == 4
    assert Policy.objects.filter(vehicle__owner=person).count() == 2


def test_the_hotline_says_what_the_record_is_instead_of_contradicting_it(agent_client, branch):
    """No claim in the portal, yet "有责 3 次": the record came with the imported history."""
    person = PersonFactory(name="赵建平")
    car = VehicleFactory(owner=person, plate="苏A52002")
    policy_chain(car, first_start=today() - 300 * DAY, years=1, branch=branch, claims={0: (3, 0)})
    grant_customers(agent_client, person.pk)

    page = agent_client.get(reverse("hotline:customer", args=[person.pk])).content.decode()

    assert "没有理赔记录" not in page
    assert "本门户赔案 0 · 历史导入出险 3 次" in page
    assert "3 次来自承保时导入的历史出险记录（本门户无赔案明细）" in page
