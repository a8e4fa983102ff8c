"""The supervisors' reminder pages: who may see them, what they show, the resend button,
and a fixed number of queries whatever the data size."""

import datetime as dt

import pytest
from django.urls import reverse

from core.clock import today
from outbox.models import OutboundMessage
from reminders.conversion import conversion_refresh
from reminders.planning import plan_reminders
from tests.factories import OutboundMessageFactory, policy_ending

pytestmark = pytest.mark.django_db

PAGES = ["reminders:overview", "reminders:failed", "reminders:conversion"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_clerks_and_agents_are_refused(clerk_client, name):
    assert clerk_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_hotline_agents_are_refused(agent_client, name):
    assert agent_client.get(reverse(name)).status_code == 403


def test_resend_is_refused_to_anonymous_and_to_other_roles(client, counter_clerk, hotline_agent):
    message = OutboundMessageFactory(status="failed")
    url = reverse("reminders:resend", args=[message.pk])
    assert client.post(url).status_code == 302
    for user in (counter_clerk, hotline_agent):
        client.force_login(user)
        assert client.post(url).status_code == 403
    message.refresh_from_db()
    assert message.status == "failed"


def _some_data(n: int):
    day = today()
    for i in range(n):
        policy_ending(day + dt.timedelta(days=30))
        OutboundMessageFactory(status="failed", last_error=f"HTTP 400: 号码无效 {i}", attempts=1)
    plan_reminders(day=day)


def test_the_overview_shows_cadence_campaign_and_outbox_health(
    supervisor_client, django_assert_max_num_queries
):
    _some_data(3)
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(reverse("reminders:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "提醒节奏" in html and "到期前 60 天" in html and "脱保第 1 天" in html
    assert 'data-testid="campaign"' in html and "今天" in html
    assert response.context["health"].failed == 3
    [today_row] = [d for d in response.context["campaign"] if d.day == today()]
    assert today_row.row[0] == {"planned": 3, "sent": 0, "failed": 0, "waiting": 3}


def test_the_overview_runs_the_same_queries_for_more_data(supervisor_client, django_assert_max_num_queries):
    _some_data(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        supervisor_client.get(reverse("reminders:overview"))
    _some_data(10)
    with django_assert_max_num_queries(len(small)):
        supervisor_client.get(reverse("reminders:overview"))


def test_the_failed_list_masks_recipients_and_offers_resend(supervisor_client, django_assert_max_num_queries):
    _some_data(5)
    OutboundMessageFactory(status="sent")
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(reverse("reminders:failed"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="resend-') == 5
    failed = OutboundMessage.objects.filter(status="failed").first()
    assert failed.recipient not in html  # masked
    assert failed.recipient[:3] + "****" + failed.recipient[-4:] in html
    assert "号码无效" in html


def test_the_failed_list_filters_by_channel_and_purpose(supervisor_client):
    OutboundMessageFactory(status="failed", channel="email", recipient="wang@example.cn")
    OutboundMessageFactory(status="failed", channel="sms", purpose="ticket_reply")
    response = supervisor_client.get(reverse("reminders:failed"), {"channel": "email"})
    assert response.content.decode().count('data-testid="resend-') == 1
    assert "w***@example.cn" in response.content.decode()
    response = supervisor_client.get(reverse("reminders:failed"), {"purpose": "ticket_reply"})
    assert response.content.decode().count('data-testid="resend-') == 1


def test_a_supervisor_resends_a_failed_message_once(supervisor_client):
    message = OutboundMessageFactory(status="failed", attempts=6)
    url = reverse("reminders:resend", args=[message.pk])

    first = supervisor_client.post(url, follow=True)
    second = supervisor_client.post(url, follow=True)

    assert "已重新排队" in first.content.decode()
    assert "未重复发送" in second.content.decode()
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 0


def test_resend_needs_post(supervisor_client):
    message = OutboundMessageFactory(status="failed")
    assert supervisor_client.get(reverse("reminders:resend", args=[message.pk])).status_code == 405


def test_resend_of_an_unknown_message_changes_nothing(supervisor_client):
    response = supervisor_client.post(reverse("reminders:resend", args=[999999]), follow=True)
    assert response.status_code == 200 and "未重复发送" in response.content.decode()


def test_the_conversion_page_shows_figures_for_a_period(supervisor_client, django_assert_max_num_queries):
    _some_data(2)
    conversion_refresh(last=today())
    with django_assert_max_num_queries(9):  # the figures' one query, the filter's branches
        response = supervisor_client.get(reverse("reminders:conversion"))
    assert response.status_code == 200
    steps = response.context["figures"].steps
    assert {(s.channel, s.days_left, s.planned) for s in steps} == {
        ("sms", 30, 2),
        ("email", 30, 2),
        ("push", 30, 2),
    }
    assert "转化率" in response.content.decode()


def test_a_supervisor_recounts_the_figures_on_request(client, supervisor, counter_clerk):
    _some_data(1)
    url = reverse("reminders:refresh_conversion")
    client.force_login(counter_clerk)
    assert client.post(url).status_code == 403
    client.force_login(supervisor)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "已重新统计" in response.content.decode()
    assert response.context["figures"].policies_reminded == 0  # nothing sent yet
    assert {s.planned for s in response.context["figures"].steps} == {1}
    assert "统计于" in response.content.decode()


def test_a_bad_period_is_explained_in_chinese(supervisor_client):
    response = supervisor_client.get(
        reverse("reminders:conversion"), {"first": "2026-12-01", "last": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期" in response.content.decode()
    response = supervisor_client.get(reverse("reminders:conversion"), {"first": "not-a-date", "last": ""})
    assert response.status_code == 200


def test_the_dashboard_shows_the_conversion_panel(supervisor_client, django_assert_max_num_queries):
    _some_data(2)
    response = supervisor_client.get(reverse("dashboard"))
    html = response.content.decode()
    assert 'data-testid="panel-reminders"' in html
    assert "2 条消息发送失败" in html


def test_the_navigation_offers_reminders_to_supervisors_only(client, supervisor, counter_clerk):
    client.force_login(supervisor)
    assert "续保提醒" in client.get(reverse("dashboard")).content.decode()
    client.force_login(counter_clerk)
    assert "续保提醒" not in client.get(reverse("counter:home")).content.decode()
