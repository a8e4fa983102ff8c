"""The customer page (客户视图): the person masked and the view logged; every vehicle with its
status and the counter's quote priced for the branch that issued its current policy; claims,
tickets the agent may see, messages sent — and the call logged from it in two clicks."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.clock import today
from outbox.services import enqueue_message
from policies.choices import FloatingPlan, RenewalStatus
from policies.models import PersonAccessLog
from policies.quotes import renewal_quote_on
from support.choices import Channel
from support.models import Ticket
from tests.factories import QueueFactory, TicketFactory, make_claim
from tests.grants import grant_customers
from tests.policies.hotline_callers import WANG_FANG_ID, WANG_FANG_PHONE, fleet_owner, make_wang_fang

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang_fang(branch, other_branch):
    return make_wang_fang(branch, other_branch)


def open_page(client, person, **params):
    """The customer's page, as opened from a search that found them (tests.grants)."""
    grant_customers(client, person.pk)
    return client.get(reverse("hotline:customer", args=[person.pk]), params)


def card(page: str, plate: str) -> str:
    match = re.search(rf'<article[^>]*data-plate="{plate}".*?</article>', page, re.S)
    assert match, f"no card for {plate}"
    return match.group(0)


def test_the_person_is_masked_and_the_full_view_is_logged(agent_client, hotline_agent, wang_fang):
    page = open_page(agent_client, wang_fang).content.decode()
    assert "王芳" in page
    assert wang_fang.masked_id_number in page and WANG_FANG_ID not in page
    assert wang_fang.masked_phone in page and WANG_FANG_PHONE not in page
    log = PersonAccessLog.objects.get()
    assert (log.user, log.person, log.page) == (hotline_agent, wang_fang, "hotline_customer")


def test_revealing_the_numbers_shows_them_and_is_logged_again(agent_client, wang_fang):
    grant_customers(agent_client, wang_fang.pk)
    url = reverse("hotline:reveal", args=[wang_fang.pk])
    page = agent_client.post(url).content.decode()
    assert WANG_FANG_ID in page and WANG_FANG_PHONE in page
    fragment = agent_client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert WANG_FANG_ID in fragment and "<html" not in fragment
    assert list(PersonAccessLog.objects.values_list("page", flat=True)) == [
        "hotline_reveal",
        "hotline_reveal",
    ]


def test_every_vehicle_shows_its_status(agent_client, wang_fang):
    page = open_page(agent_client, wang_fang).content.decode()
    statuses = dict(re.findall(r'data-plate="(苏A2000\d)" data-status="(\w+)"', page))
    assert statuses == {
        "苏A20001": RenewalStatus.DUE,
        "苏A20002": RenewalStatus.IN_FORCE,
        "苏A20003": RenewalStatus.LAPSED,
        "苏A20004": RenewalStatus.RENEWED,
        "苏A20005": RenewalStatus.CANCELLED,
        "苏A20006": "none",
    }


def test_the_quote_is_the_counters_priced_for_the_branch_that_issued_the_current_policy(
    agent_client, wang_fang, other_branch
):
    page = open_page(agent_client, wang_fang).content.decode()
    lapsed = wang_fang.vehicles.get(plate="苏A20003")  # issued in 海口: plan A, whatever the agent's branch
    policies = list(lapsed.policies.select_related("branch").order_by("start_date", "pk"))
    expected = renewal_quote_on(today(), vehicle=lapsed, policies=policies, branch=other_branch)
    assert expected.floating_plan == FloatingPlan.A
    html = card(page, "苏A20003")
    assert f"¥{expected.total:,.2f}" in html and "方案A" in html
    due = card(page, "苏A20001")
    assert "方案E" in due and 'data-testid="quote-total"' in due


def test_the_hotline_cannot_issue_and_says_where_the_customer_can_renew(agent_client, wang_fang):
    page = open_page(agent_client, wang_fang).content.decode()
    assert 'data-testid="renew-form"' not in page
    assert "热线不出单" in page
    assert reverse("counter:short_term") not in page


def test_claims_of_the_customers_vehicles_are_listed(agent_client, wang_fang, hotline_agent):
    policy = wang_fang.vehicles.get(plate="苏A20001").policies.order_by("-start_date").first()
    claim = make_claim(policy, by=hotline_agent)
    page = open_page(agent_client, wang_fang).content.decode()
    section = re.search(r'data-testid="claims".*?</section>', page, re.S).group(0)
    assert claim.number in section and reverse("claims:detail", args=[claim.pk]) in section


def test_only_tickets_the_agent_may_see_are_listed(agent_client, wang_fang, hotline_agent, other_branch):
    mine = TicketFactory(customer=wang_fang, subject="询问续保保费", created_by=hotline_agent)
    hidden = TicketFactory(
        customer=wang_fang, subject="海口网点的工单", queue=QueueFactory(branch=other_branch)
    )
    page = open_page(agent_client, wang_fang).content.decode()
    assert mine.number in page and "询问续保保费" in page
    assert hidden.number not in page


def test_messages_sent_to_the_customer_are_listed_with_the_recipient_masked(agent_client, wang_fang):
    enqueue_message(
        channel="sms", recipient=WANG_FANG_PHONE, text="您的车辆交强险即将到期", purpose="renewal_reminder",
        dedupe_key="t-1", person=wang_fang,
    )  # fmt: skip
    enqueue_message(
        channel="email", recipient="wangfang@example.cn", text="…", purpose="ticket_reply", dedupe_key="t-2",
        person=wang_fang,
    )  # fmt: skip
    section = re.search(
        r'data-testid="messages".*?</section>', open_page(agent_client, wang_fang).content.decode(), re.S
    )
    html = section.group(0)
    assert "续保提醒" in html and "139****0001" in html and WANG_FANG_PHONE not in html
    assert "工单回复" in html and "w***@example.cn" in html


def test_the_page_runs_the_same_queries_for_one_car_and_for_a_fleet(
    agent_client, branch, django_assert_max_num_queries
):
    small = fleet_owner(vehicles=1, years=1, branch=branch, phone="13600000001")
    large = fleet_owner(vehicles=12, years=5, branch=branch, phone="13600000002", name="钱多")
    for i, car in enumerate(large.vehicles.all()[:3]):
        make_claim(car.policies.order_by("-start_date").first())
        TicketFactory(customer=large, vehicle=car)
        enqueue_message(channel="sms", recipient=large.phone, text="提醒", purpose="renewal_reminder",
                        dedupe_key=f"fleet-{i}", person=large)  # fmt: skip
    grant_customers(agent_client, small.pk, large.pk)  # outside the counts: the session is the test's
    url = {p: reverse("hotline:customer", args=[p.pk]) for p in (small, large)}
    agent_client.get(url[small])  # warm the tariff book and the session
    with CaptureQueriesContext(connection) as one_car:
        assert agent_client.get(url[small]).status_code == 200
    with django_assert_max_num_queries(len(one_car)):
        page = agent_client.get(url[large]).content.decode()
    assert page.count('data-testid="vehicle"') == 12


def test_the_latest_claims_of_all_the_vehicles_come_first_and_the_rest_are_counted_as_more(
    agent_client, branch
):
    """Each vehicle brings its latest few claims with it: the customer's latest eight are among them."""
    owner = fleet_owner(vehicles=3, years=1, branch=branch, phone="13600000003")
    reported = []
    for hours, car in enumerate(list(owner.vehicles.order_by("pk")) * 4):
        policy = car.policies.order_by("-start_date").first()
        accident = timezone.now() - dt.timedelta(hours=3 + 5 * hours)
        reported.append(make_claim(policy, accident_at=accident).number)

    page = open_page(agent_client, owner).content.decode()

    shown = re.findall(r'<tr data-testid="claim">\s*<td class="mono">(?:<a[^>]*>)?(LP\w+)', page)
    assert shown == reported[:8]  # the newest accident first, whichever vehicle it was
    assert "本门户赔案 8+" in page


# --- Log the call -------------------------------------------------------------------------------


def log_call_form(page: str, plate: str) -> dict[str, str]:
    """The hidden and chosen fields of the log-call form shown for `plate`."""
    block = re.search(
        rf'id="log-call-(\d+)"[^>]*>\s*<div[^>]*>关于 <span class="mono">{plate}</span>.*?</form>', page, re.S
    )
    assert block, f"no log-call form for {plate}"
    form = block.group(0)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields["category"] = "renewal_status"  # the select's first option, as a click leaves it
    fields["note"] = ""
    return fields


def test_a_call_is_logged_from_the_customer_page_prefilled_with_customer_and_vehicle(
    agent_client, wang_fang, hotline_agent
):
    page = open_page(agent_client, wang_fang).content.decode()
    fields = log_call_form(page, "苏A20001")
    car = wang_fang.vehicles.get(plate="苏A20001")
    assert fields["person"] == str(wang_fang.pk) and fields["vehicle"] == str(car.pk)
    response = agent_client.post(reverse("support:log_call"), fields)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == fields["next"]  # back on the customer
    assert ticket.status == "resolved"
    assert (ticket.customer, ticket.vehicle, ticket.channel) == (wang_fang, car, Channel.HOTLINE)
    assert ticket.policy == car.policies.order_by("-start_date").first()
    assert ticket.assignee == hotline_agent
    # The new ticket is on the customer's page next time.
    assert ticket.number in open_page(agent_client, wang_fang).content.decode()
