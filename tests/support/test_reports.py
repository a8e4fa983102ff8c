"""Compliance figures (share within SLA, response and resolution times) by queue, channel
and category, and satisfaction by agent, queue and channel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from support import reports, services
from support.choices import Category, Channel, Status
from support.models import Survey, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def opened(customer, queue, *, hours_ago, channel=Channel.HOTLINE, category=Category.PREMIUM):
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    return factories.TicketFactory(customer=customer, queue=queue, at=at, channel=channel, category=category)


def answered_after(ticket, hours):
    Ticket.objects.filter(pk=ticket.pk).update(
        first_responded_at=ticket.created_at + hours * HOUR, first_response_time=hours * HOUR
    )


@pytest.fixture
def desk(customer, branch_queue, hotline_queue):
    """Premium questions (4 h to answer, 48 h to resolve): two by phone answered in 1 h and 4 h
    (exactly at the target), one by app answered in 6 h, one by app still unanswered
    after 5 h; one merged duplicate that does not count."""
    a = opened(customer, branch_queue, hours_ago=10)
    b = opened(customer, branch_queue, hours_ago=10)
    c = opened(customer, hotline_queue, hours_ago=10, channel=Channel.APP)
    d = opened(customer, hotline_queue, hours_ago=5, channel=Channel.APP)
    dup = opened(customer, hotline_queue, hours_ago=5, channel=Channel.APP)
    answered_after(a, 1)
    answered_after(b, 4)
    answered_after(c, 6)
    return {"a": a, "b": b, "c": c, "d": d, "dup": dup}


def test_compliance_by_channel(desk, hotline_agent):
    services.ticket_merge(duplicate=desk["dup"], survivor=desk["d"], by=hotline_agent)
    rows = {r.key: r for r in reports.compliance("channel")}
    phone, app = rows[Channel.HOTLINE], rows[Channel.APP]
    assert (phone.tickets, phone.responded, phone.responded_within) == (2, 2, 2)
    assert phone.response_rate == Decimal("100.0")
    assert phone.avg_first_response == 2.5 * HOUR
    assert (app.tickets, app.responded, app.responded_within) == (2, 2, 0)  # one late, one overdue
    assert app.response_rate == Decimal("0.0")
    total = reports.total(list(rows.values()))
    assert (total.tickets, total.responded_within, total.responded) == (4, 2, 4)
    assert total.response_rate == Decimal("50.0")


def test_compliance_by_queue_and_category(desk, branch_queue):
    by_queue = {r.label: r for r in reports.compliance("queue")}
    assert by_queue[branch_queue.name].response_rate == Decimal("100.0")
    by_category = reports.compliance("category")
    assert [r.label for r in by_category] == ["保费咨询"]


def test_resolution_within_target_excludes_the_time_waiting_on_the_customer(
    customer, branch_queue, hotline_agent
):
    ticket = opened(customer, branch_queue, hours_ago=60)
    Ticket.objects.filter(pk=ticket.pk).update(paused_total=20 * HOUR)  # waited 20 h on the customer
    services.ticket_transition(ticket=Ticket.objects.get(pk=ticket.pk), to=Status.RESOLVED, by=hotline_agent)
    row = reports.compliance("channel")[0]
    assert (row.resolved, row.resolved_within) == (1, 1)
    assert abs(row.avg_resolution - 40 * HOUR) < dt.timedelta(seconds=5)


def test_satisfaction_by_agent_queue_and_channel(customer, branch_queue, hotline_agent, counter_clerk):
    for agent, score in ((hotline_agent, 5), (hotline_agent, 4), (counter_clerk, 2), (counter_clerk, None)):
        ticket = factories.TicketFactory(customer=customer, queue=branch_queue, assignee=agent)
        services.ticket_transition(ticket=ticket, to=Status.RESOLVED, by=agent)
        if score:
            Survey.objects.filter(ticket=ticket).update(answered_at=timezone.now(), score=score)
    by_agent = {r.label: r for r in reports.satisfaction("agent")}
    assert by_agent[str(hotline_agent)].average == Decimal("4.50")
    assert by_agent[str(hotline_agent)].satisfied_rate == Decimal("100.0")
    clerk = by_agent[str(counter_clerk)]
    assert (clerk.sent, clerk.answered, clerk.average, clerk.answer_rate) == (
        2,
        1,
        Decimal("2.00"),
        Decimal("50.0"),
    )
    assert list(by_agent) == [str(hotline_agent), str(counter_clerk)]  # best first
    assert reports.satisfaction("channel")[0].sent == 4
    assert reports.satisfaction("queue")[0].label == branch_queue.name


def test_the_supervisors_dashboard_shows_the_support_panel(desk, supervisor_client):
    page = supervisor_client.get("/dashboard/").content.decode()
    assert 'data-testid="panel-ticket-sla"' in page and "工单时效达标率" in page
