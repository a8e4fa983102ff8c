"""Customer notifications go to the outbox in the transaction of the change that causes
them, once per event."""

import uuid

import pytest
from django.db import transaction

from outbox.models import OutboundMessage
from outbox.services import MessageChannel, MessageStatus
from support import notifications, services
from support.choices import Channel, EventKind, Status
from support.models import TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_public_reply_writes_one_message_linked_to_its_event(ticket, hotline_agent):
    event = services.ticket_reply(ticket=ticket, by=hotline_agent, body="您好，您的续保已成功。")
    message = event.message
    assert message.dedupe_key == f"support:reply:{event.key}"
    assert (message.channel, message.recipient, message.status) == (
        MessageChannel.SMS,
        "13912345678",
        MessageStatus.PENDING,
    )
    assert "您的续保已成功" in message.text and ticket.number in message.text
    assert message.person == ticket.customer


def test_submitting_the_same_reply_twice_sends_it_once(ticket, hotline_agent):
    key = uuid.uuid4()
    first = services.ticket_reply(ticket=ticket, by=hotline_agent, body="已处理", key=key)
    second = services.ticket_reply(ticket=ticket, by=hotline_agent, body="已处理", key=key)
    assert first == second
    assert OutboundMessage.objects.filter(purpose="ticket_reply").count() == 1
    assert TicketEvent.objects.filter(kind=EventKind.PUBLIC_REPLY).count() == 1


def test_internal_notes_never_reach_the_customer(ticket, hotline_agent):
    event = services.ticket_add_note(ticket=ticket, by=hotline_agent, body="客户情绪激动，注意安抚")
    assert event.message is None and not event.is_public
    assert not OutboundMessage.objects.exists()


def test_when_the_change_rolls_back_so_does_its_message(ticket, hotline_agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_reply(ticket=ticket, by=hotline_agent, body="您好", then_status=Status.RESOLVED)
        assert OutboundMessage.objects.count() == 2  # the reply and the survey, inside the transaction
        raise RuntimeError("the request failed after the service")
    assert not OutboundMessage.objects.exists()
    assert not TicketEvent.objects.filter(kind=EventKind.PUBLIC_REPLY).exists()


def test_each_ticket_channel_has_its_way_back():
    reach = {"phone": "13912345678", "email": "a@example.cn", "app_account": "app-1"}
    assert notifications.route_for(channel=Channel.APP, **reach) == notifications.Route(
        MessageChannel.PUSH, "app-1"
    )
    assert notifications.route_for(channel=Channel.EMAIL, **reach).channel == MessageChannel.EMAIL
    assert notifications.route_for(channel=Channel.WEBSITE, phone="13912345678").channel == MessageChannel.SMS
    assert notifications.route_for(channel=Channel.HOTLINE, **reach).channel == MessageChannel.SMS
    assert notifications.route_for(channel=Channel.HOTLINE, email="a@example.cn") is None


def test_a_reply_without_a_way_back_is_recorded_without_a_message(branch_queue, hotline_agent):
    ticket = factories.TicketFactory(
        queue=branch_queue, contact_email="only@example.cn", channel=Channel.WALK_IN
    )
    event = services.ticket_reply(ticket=ticket, by=hotline_agent, body="请到柜面领取。")
    assert event.message is None
    assert not OutboundMessage.objects.exists()


def test_the_ticket_page_shows_each_notifications_outbox_status(ticket, hotline_agent, agent_client):
    event = services.ticket_reply(ticket=ticket, by=hotline_agent, body="您好")
    OutboundMessage.objects.filter(pk=event.message_id).update(
        status=MessageStatus.FAILED, last_error="网关超时"
    )
    page = agent_client.get(f"/support/tickets/{ticket.pk}/").content.decode()
    assert 'data-message-status="failed"' in page
    assert "发送失败" in page and "网关超时" in page


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_reply_send_it_once(ticket, hotline_agent):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    key = uuid.uuid4()

    def submit():
        try:
            return services.ticket_reply(ticket=ticket, by=hotline_agent, body="已处理", key=key).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: submit(), range(2)))
    assert results[0] == results[1]
    assert OutboundMessage.objects.filter(purpose="ticket_reply").count() == 1


def test_the_agent_sees_where_a_reply_will_go_masked(ticket, agent_client):
    page = agent_client.get(f"/support/tickets/{ticket.pk}/").content.decode()
    assert "将以短信发送至 139****5678" in page


def test_where_a_reply_goes_is_described_without_the_full_address():
    sms = notifications.Route(MessageChannel.SMS, "13912345678")
    email = notifications.Route(MessageChannel.EMAIL, "wangfang@example.cn")
    assert notifications.describe(sms) == "将以短信发送至 139****5678"
    assert notifications.describe(email) == "将以电子邮件发送至 w***@example.cn"
    assert "不会发出" in notifications.describe(None)
