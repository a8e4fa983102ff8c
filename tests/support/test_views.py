"""Every support page: anonymous to the login page, no role refused, another branch's
ticket not found, the allowed user served — in a fixed number of queries."""

import pytest
from django.urls import reverse

from policies.models import PersonAccessLog
from support import services
from support.choices import EventKind, Status
from support.models import Ticket, TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db

TICKET_GETS = ["support:ticket", "support:ticket_customer"]
TICKET_POSTS = {
    "support:ticket_reply": {"body": "您好", "key": "6f1c7b5e-2d7a-4c55-9f0e-1b2c3d4e5f60"},
    "support:ticket_note": {"body": "内部", "key": "6f1c7b5e-2d7a-4c55-9f0e-1b2c3d4e5f61"},
    "support:ticket_assign": {"assignee": ""},
    "support:ticket_take": {},
    "support:ticket_transition": {"to": "waiting"},
    "support:ticket_reclassify": {"category": "premium", "priority": "high"},
    "support:ticket_merge": {},
}
PAGES = ["support:mine", "support:queue", "support:ticket_new", "support:kb_search"]


@pytest.fixture
def no_role_client(client, branch):
    client.force_login(factories.UserFactory(branch=branch))
    return client


@pytest.fixture
def other_branch_client(client, other_branch_clerk):
    client.force_login(other_branch_clerk)
    return client


@pytest.mark.parametrize("name", PAGES + ["support:reports"])
def test_anonymous_pages_send_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", TICKET_GETS + list(TICKET_POSTS))
def test_anonymous_ticket_actions_send_to_login(client, ticket, name):
    response = (
        client.post(reverse(name, args=[ticket.pk]))
        if name in TICKET_POSTS
        else client.get(reverse(name, args=[ticket.pk]))
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_anonymous_log_call_sends_to_login(client):
    assert client.post(reverse("support:log_call"))["Location"].startswith(reverse("login"))


def test_staff_without_a_support_role_cannot_log_a_call(no_role_client, customer):
    response = no_role_client.post(reverse("support:log_call"), {"person": customer.pk, "category": "other"})
    assert response.status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("name", PAGES + ["support:reports"])
def test_staff_without_a_support_role_are_refused(no_role_client, name):
    assert no_role_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", TICKET_GETS + list(TICKET_POSTS))
def test_staff_without_a_support_role_cannot_touch_a_ticket(no_role_client, ticket, name):
    method = no_role_client.post if name in TICKET_POSTS else no_role_client.get
    assert method(reverse(name, args=[ticket.pk]), TICKET_POSTS.get(name, {})).status_code == 403
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]


@pytest.mark.parametrize("name", TICKET_GETS + list(TICKET_POSTS))
def test_another_branchs_ticket_is_not_found(other_branch_client, ticket, name):
    method = other_branch_client.post if name in TICKET_POSTS else other_branch_client.get
    assert method(reverse(name, args=[ticket.pk]), TICKET_POSTS.get(name, {})).status_code == 404
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_only_supervisors_see_the_reports(agent_client, client, supervisor):
    assert agent_client.get(reverse("support:reports")).status_code == 403
    client.force_login(supervisor)
    page = client.get(reverse("support:reports"))
    assert page.status_code == 200 and "时限达标 · 按队列" in page.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_agents_reach_the_support_pages(agent_client, name):
    assert agent_client.get(reverse(name)).status_code == 200


def test_writes_need_post(agent_client, ticket):
    assert agent_client.get(reverse("support:ticket_reply", args=[ticket.pk])).status_code == 405


def test_agent_replies_and_resolves_through_the_page(agent_client, ticket, hotline_agent):
    url = reverse("support:ticket_reply", args=[ticket.pk])
    response = agent_client.post(
        url,
        {
            "body": "已为您查询，续保成功。",
            "then_status": "resolved",
            "key": "6f1c7b5e-2d7a-4c55-9f0e-1b2c3d4e5f70",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.RESOLVED, hotline_agent)


def test_an_empty_reply_keeps_the_page_with_the_error(agent_client, ticket):
    response = agent_client.post(
        reverse("support:ticket_reply", args=[ticket.pk]),
        {"body": "", "key": "6f1c7b5e-2d7a-4c55-9f0e-1b2c3d4e5f71"},
    )
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()


def test_a_refused_transition_becomes_a_message(agent_client, ticket, hotline_agent):
    services.ticket_transition(ticket=ticket, to=Status.RESOLVED, by=hotline_agent)
    response = agent_client.post(
        reverse("support:ticket_transition", args=[ticket.pk]), {"to": "open"}, follow=True
    )
    assert "不能改为所选状态" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_take_and_merge_through_the_page(agent_client, ticket, customer, branch_queue, hotline_agent):
    agent_client.post(reverse("support:ticket_take", args=[ticket.pk]))
    assert Ticket.objects.get(pk=ticket.pk).assignee == hotline_agent
    duplicate = factories.TicketFactory(customer=customer, queue=branch_queue)
    response = agent_client.post(
        reverse("support:ticket_merge", args=[duplicate.pk]), {"survivor": ticket.pk}
    )
    assert response["Location"] == reverse("support:ticket", args=[ticket.pk])
    assert Ticket.objects.get(pk=duplicate.pk).merged_into == ticket


def test_merging_into_another_customers_ticket_is_refused(agent_client, ticket, branch_queue):
    stranger = factories.TicketFactory(customer=factories.PersonFactory(), queue=branch_queue)
    agent_client.post(reverse("support:ticket_merge", args=[stranger.pk]), {"survivor": ticket.pk})
    assert Ticket.objects.get(pk=stranger.pk).merged_into is None


def test_full_customer_details_are_shown_on_request_and_logged(agent_client, ticket, hotline_agent):
    page = agent_client.get(reverse("support:ticket", args=[ticket.pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    assert not PersonAccessLog.objects.exists()
    full = agent_client.get(reverse("support:ticket_customer", args=[ticket.pk])).content.decode()
    assert "13912345678" in full and ticket.customer.id_number in full
    log = PersonAccessLog.objects.get()
    assert (log.user, log.person, log.page) == (hotline_agent, ticket.customer, "support_ticket")


def test_lists_mask_names_and_plates(agent_client, ticket, hotline_agent):
    services.ticket_assign(ticket=ticket, to=hotline_agent, by=hotline_agent)
    for name in ("support:mine", "support:queue"):
        page = agent_client.get(reverse(name)).content.decode()
        assert "王*" in page and "苏A***45" in page
        assert "王芳" not in page and "苏A12345" not in page


def test_queue_filters_by_sla_state_and_search(agent_client, customer, branch_queue, hours_ago):
    late = factories.TicketFactory(customer=customer, queue=branch_queue, at=hours_ago(6), subject="超时的")
    factories.TicketFactory(customer=customer, queue=branch_queue, subject="正常的")
    page = agent_client.get(reverse("support:queue"), {"sla": "breached"}).content.decode()
    assert "超时的" in page and "正常的" not in page
    page = agent_client.post(reverse("support:queue"), {"q": late.number}, follow=True).content.decode()
    assert "超时的" in page and "正常的" not in page
    response = agent_client.post(reverse("support:queue"), {"q": "13912345678", "sla": ""}, follow=True)
    assert "超时的" in response.content.decode() and "正常的" in response.content.decode()
    [(url, _)] = response.redirect_chain
    assert "13912345678" not in url and "s=" in url  # the phone stays in the session, not the URL


def test_the_posted_queue_filter_keeps_every_chosen_branch(
    supervisor_client, customer, branch_queue, other_branch_queue
):
    third = factories.QueueFactory(branch=factories.BranchFactory(name="西安雁塔营业部"))
    for queue, subject in ((branch_queue, "南京的"), (other_branch_queue, "海口的"), (third, "西安的")):
        factories.TicketFactory(customer=customer, queue=queue, subject=subject)
    chosen = [branch_queue.branch_id, other_branch_queue.branch_id]
    response = supervisor_client.post(reverse("support:queue"), {"branch": chosen, "status": ""}, follow=True)
    [(url, _)] = response.redirect_chain
    assert url.count("branch=") == 2
    page = response.content.decode()
    assert "南京的" in page and "海口的" in page and "西安的" not in page


def test_a_search_term_typed_into_the_queue_url_is_not_searched(agent_client, customer, branch_queue):
    factories.TicketFactory(customer=customer, queue=branch_queue, subject="某工单")
    page = agent_client.get(reverse("support:queue"), {"q": "T000000"}).content.decode()
    assert "某工单" in page  # the whole queue: search terms are posted, never read from a URL


def test_new_ticket_from_the_counter_for_a_customer_found_by_plate(
    clerk_client, car, policy, counter_clerk, branch
):
    response = clerk_client.post(
        reverse("support:ticket_new"),
        {
            "customer": "苏a 12345",
            "channel": "walk_in",
            "category": "policy_change",
            "priority": "normal",
            "subject": "变更联系电话",
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("support:ticket", args=[ticket.pk])
    assert (ticket.customer, ticket.vehicle, ticket.queue.branch, ticket.assignee) == (
        car.owner,
        car,
        branch,
        counter_clerk,
    )


def test_new_ticket_for_an_unknown_customer_needs_a_contact(clerk_client):
    response = clerk_client.post(
        reverse("support:ticket_new"),
        {
            "customer": "苏A99999",
            "channel": "walk_in",
            "category": "other",
            "priority": "normal",
            "subject": "咨询",
        },
    )
    assert "未找到客户" in response.content.decode()
    response = clerk_client.post(
        reverse("support:ticket_new"),
        {"channel": "walk_in", "category": "other", "priority": "normal", "subject": "咨询"},
    )
    assert "请留下联系电话或邮箱" in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_hotline_logs_a_call_in_one_post(agent_client, customer, car, policy, hotline_agent):
    response = agent_client.post(
        reverse("support:log_call"),
        {"person": customer.pk, "policy": policy.pk, "category": "renewal_status", "note": "问续保",
         "next": "/hotline/"},
    )  # fmt: skip
    ticket = Ticket.objects.get()
    assert response["Location"] == "/hotline/"  # answered on the spot: back where the call was taken
    assert (ticket.assignee, ticket.policy, ticket.description) == (hotline_agent, policy, "问续保")
    assert ticket.status == "resolved"


def test_a_call_kept_open_for_follow_up_opens_its_ticket(agent_client, customer, policy):
    response = agent_client.post(
        reverse("support:log_call"),
        {
            "person": customer.pk,
            "policy": policy.pk,
            "category": "claim",
            "follow_up": "1",
            "next": "/hotline/",
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("support:ticket", args=[ticket.pk])
    assert ticket.status == "open" and ticket.resolution_due is not None


def test_logging_a_call_about_someone_elses_policy_is_refused(agent_client, policy):
    stranger = factories.PersonFactory()
    agent_client.post(
        reverse("support:log_call"), {"person": stranger.pk, "policy": policy.pk, "category": "other"}
    )
    assert not Ticket.objects.exists()


def test_knowledge_base_search_fragment(agent_client):
    page = agent_client.get(reverse("support:kb_search"), {"q": "脱保"}).content.decode()
    assert "交强险到期没有及时续保（脱保）会有什么后果？" in page and "data-kb-insert" in page
    fallback = agent_client.get(
        reverse("support:kb_search"), {"q": "换城市投保", "category": "premium"}
    ).content.decode()
    assert "本类别常用答案" in fallback


def make_tickets(n, customer, queue, agent):
    for i in range(n):
        ticket = factories.TicketFactory(customer=customer, queue=queue, assignee=agent, subject=f"第{i}张")
        services.ticket_reply(ticket=ticket, by=agent, body="您好")


@pytest.mark.parametrize("name", ["support:mine", "support:queue"])
def test_lists_run_a_fixed_number_of_queries(
    agent_client, customer, branch_queue, hotline_agent, name, django_assert_max_num_queries
):
    make_tickets(2, customer, branch_queue, hotline_agent)
    agent_client.get(reverse(name))
    with django_assert_max_num_queries(12) as few:
        agent_client.get(reverse(name))
    make_tickets(12, factories.PersonFactory(), branch_queue, hotline_agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = agent_client.get(reverse(name)).content.decode()
    assert "第11张" in page


def test_ticket_page_runs_a_fixed_number_of_queries(
    agent_client, ticket, customer, branch_queue, hotline_agent, django_assert_max_num_queries
):
    url = reverse("support:ticket", args=[ticket.pk])
    agent_client.get(url)
    with django_assert_max_num_queries(25) as few:
        agent_client.get(url)
    for i in range(5):
        services.ticket_reply(ticket=ticket, by=hotline_agent, body=f"回复{i}")
        services.ticket_add_note(ticket=ticket, by=hotline_agent, body=f"备注{i}")
        factories.PolicyFactory(vehicle=factories.VehicleFactory(owner=customer), branch=ticket.policy.branch)
        factories.TicketFactory(customer=customer, queue=branch_queue)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = agent_client.get(url).content.decode()
    assert "回复4" in page and page.count('data-kind="internal_note"') == 5
    assert TicketEvent.objects.filter(ticket=ticket).count() > 10


@pytest.mark.parametrize("model", ["queue", "slatarget", "article", "ticket", "survey"])
def test_supervisors_manage_support_in_admin_and_clerks_do_not(client, supervisor, counter_clerk, model):
    url = f"/admin/support/{model}/"
    client.force_login(counter_clerk)
    assert client.get(url).status_code == 302
    client.force_login(supervisor)
    assert client.get(url).status_code == 200


def test_a_supervisor_writes_an_article_in_admin_and_agents_find_it(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        "/admin/support/article/add/",
        {
            "title": "电子保单怎么下载？",
            "category": "other",
            "keywords": "电子保单 下载 打印",
            "body": "登录 APP 后在“我的保单”中下载。",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    from support.selectors import kb_search

    hit = kb_search("电子保单下载")[0].article
    assert (hit.title, hit.updated_by) == ("电子保单怎么下载？", supervisor)


def test_sla_targets_are_edited_in_admin(client, supervisor):
    from support.models import SlaTarget

    client.force_login(supervisor)
    target = SlaTarget.objects.get(category="complaint", priority="urgent")
    response = client.post(
        f"/admin/support/slatarget/{target.pk}/change/",
        {
            "category": "complaint",
            "priority": "urgent",
            "first_response_minutes": 20,
            "resolution_minutes": 10,
            "warning_percent": 80,
        },
    )
    assert response.status_code == 200
    assert "解决时限不能短于首次响应时限" in response.content.decode()
    target.refresh_from_db()
    assert target.resolution_minutes == 480


def test_the_ticket_links_to_its_customers_page_and_that_link_opens(agent_client, ticket):
    """A link the portal issued: the ticket's customer opens on the hotline without a search."""
    page = agent_client.get(reverse("support:ticket", args=[ticket.pk])).content.decode()
    url = reverse("hotline:customer", args=[ticket.customer_id])
    assert f'href="{url}"' in page
    assert agent_client.get(url).status_code == 200
