"""Duplicates of one customer merge keeping both histories; a customer's reply reopens a
resolved ticket, goes to the survivor of a merged one, and opens a follow-up on a closed
one."""

import pytest
from django.core.exceptions import ValidationError

from support import selectors, services
from support.choices import EventKind, Status
from support.models import Ticket, TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicate(customer, branch_queue):
    return factories.TicketFactory(
        customer=customer, queue=branch_queue, channel="app", subject="保费为什么涨了"
    )


def test_merge_closes_the_duplicate_pointing_to_the_survivor(ticket, duplicate, hotline_agent):
    services.ticket_add_note(ticket=duplicate, by=hotline_agent, body="客户在 APP 上又问了一次")
    services.ticket_merge(duplicate=duplicate, survivor=ticket, by=hotline_agent)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into == ticket
    assert duplicate.sla_due is None
    history = selectors.ticket_history(ticket)
    assert {e.ticket_id for e in history} == {ticket.pk, duplicate.pk}
    assert [e.kind for e in history if e.ticket_id == duplicate.pk] == [
        EventKind.CREATED, EventKind.INTERNAL_NOTE, EventKind.MERGED_INTO,
    ]  # fmt: skip
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.MERGED_FROM).from_value == duplicate.number


def test_merging_twice_keeps_every_history_on_the_last_survivor(
    ticket, duplicate, customer, branch_queue, hotline_agent
):
    third = factories.TicketFactory(customer=customer, queue=branch_queue, subject="第三次来电")
    services.ticket_merge(duplicate=duplicate, survivor=third, by=hotline_agent)
    services.ticket_merge(duplicate=third, survivor=ticket, by=hotline_agent)
    assert {e.ticket_id for e in selectors.ticket_history(ticket)} == {ticket.pk, duplicate.pk, third.pk}
    assert Ticket.objects.get(pk=duplicate.pk).merged_into == ticket


def test_only_tickets_of_one_customer_merge(ticket, branch_queue, hotline_agent):
    stranger = factories.TicketFactory(customer=factories.PersonFactory(), queue=branch_queue)
    with pytest.raises(ValidationError, match="同一客户"):
        services.ticket_merge(duplicate=stranger, survivor=ticket, by=hotline_agent)
    with pytest.raises(ValidationError, match="它自己"):
        services.ticket_merge(duplicate=ticket, survivor=ticket, by=hotline_agent)
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 0


def test_a_closed_ticket_cannot_be_merged(ticket, duplicate, hotline_agent):
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, by=hotline_agent)
    with pytest.raises(ValidationError, match="已关闭"):
        services.ticket_merge(duplicate=duplicate, survivor=ticket, by=hotline_agent)


def test_customer_reply_reopens_a_resolved_ticket(ticket, hotline_agent):
    services.ticket_reply(ticket=ticket, by=hotline_agent, body="已为您处理。", then_status=Status.RESOLVED)
    ticket = services.ticket_customer_reply(ticket=ticket, body="还是不对，请再看看。")
    assert ticket.status == Status.REOPENED
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None and ticket.resolution_time is None
    assert ticket.resolution_due is not None  # the clock runs again
    reply = ticket.events.get(kind=EventKind.CUSTOMER_REPLY)
    assert reply.actor is None and reply.is_public


def test_a_redelivered_customer_message_is_recorded_once(ticket):
    services.ticket_customer_reply(ticket=ticket, body="补充材料", message_id="sms-778899")
    services.ticket_customer_reply(ticket=ticket, body="补充材料", message_id="sms-778899")
    assert ticket.events.filter(kind=EventKind.CUSTOMER_REPLY).count() == 1


def test_a_reply_to_a_merged_ticket_goes_to_the_survivor(ticket, duplicate, hotline_agent):
    services.ticket_merge(duplicate=duplicate, survivor=ticket, by=hotline_agent)
    assert services.ticket_customer_reply(ticket=duplicate, body="在吗？") == ticket
    assert ticket.events.filter(kind=EventKind.CUSTOMER_REPLY).exists()


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(ticket, hotline_agent):
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, by=hotline_agent)
    follow_up = services.ticket_customer_reply(ticket=ticket, body="我还有个问题")
    assert follow_up.pk != ticket.pk
    assert follow_up.subject == f"续：{ticket.subject}"
    assert (follow_up.customer, follow_up.queue, follow_up.status) == (
        ticket.customer,
        ticket.queue,
        Status.NEW,
    )
    assert ticket.number in follow_up.description
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
