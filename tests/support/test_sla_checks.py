"""The scheduled SLA check: a warning before a breach and an escalation to the queue's
supervisor after one, each once, never for a clock that stands still."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from support import services
from support.choices import EventKind, Status
from support.models import Ticket, TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def supervised_queue(branch_queue, supervisor):
    branch_queue.supervisor = supervisor
    branch_queue.save()
    return branch_queue


def aged(customer, queue, hours, **kwargs):
    """A premium question (first response 4 h, resolution 48 h) opened `hours` ago."""
    at = timezone.now() - dt.timedelta(hours=hours)
    return factories.TicketFactory(customer=customer, queue=queue, at=at, **kwargs)


def events(kind):
    return TicketEvent.objects.filter(kind=kind)


def test_warning_once_80_percent_of_the_target_has_gone(customer, supervised_queue):
    young = aged(customer, supervised_queue, 3)  # 75 % of 4 h
    old = aged(customer, supervised_queue, 3.5)  # 87.5 %
    result = services.sla_check()
    assert result.response_warnings == 1 and result.response_escalations == 0
    warning = events(EventKind.SLA_WARNING).get()
    assert warning.ticket == old and "首次响应时限将于" in warning.body
    assert Ticket.objects.get(pk=young.pk).response_warned_at is None


def test_escalation_after_the_breach_goes_to_the_queues_supervisor(customer, supervised_queue, supervisor):
    late = aged(customer, supervised_queue, 5)
    result = services.sla_check()
    assert (result.response_warnings, result.response_escalations) == (0, 1)  # no late warning
    late.refresh_from_db()
    assert late.escalated_to == supervisor
    assert late.response_escalated_at is not None and late.response_warned_at is not None
    body = events(EventKind.SLA_ESCALATED).get(ticket=late).body
    assert "首次响应已超时 1 小时" in body and str(supervisor) in body


def test_running_the_check_again_changes_nothing(customer, supervised_queue):
    aged(customer, supervised_queue, 3.5)
    aged(customer, supervised_queue, 5)
    assert services.sla_check().total == 2
    assert services.sla_check().total == 0
    assert events(EventKind.SLA_WARNING).count() == 1
    assert events(EventKind.SLA_ESCALATED).count() == 1


def test_exactly_at_the_due_time_is_not_yet_a_breach(customer, supervised_queue):
    ticket = aged(customer, supervised_queue, 1)
    assert services.sla_check(now=ticket.first_response_due).response_escalations == 0
    assert (
        services.sla_check(now=ticket.first_response_due + dt.timedelta(microseconds=1)).response_escalations
        == 1
    )


def test_a_ticket_waiting_on_the_customer_never_warns_or_escalates(customer, supervised_queue, hotline_agent):
    ticket = aged(customer, supervised_queue, 60)
    services.ticket_transition(ticket=ticket, to=Status.WAITING, by=hotline_agent)
    assert services.sla_check().total == 0


def test_resolution_is_checked_after_the_first_response(
    customer, supervised_queue, hotline_agent, supervisor
):
    ticket = aged(customer, supervised_queue, 50)
    Ticket.objects.filter(pk=ticket.pk).update(
        response_escalated_at=timezone.now(), response_warned_at=timezone.now()
    )
    services.ticket_reply(ticket=ticket, by=hotline_agent, body="正在处理")
    result = services.sla_check()
    assert (result.response_escalations, result.resolution_escalations) == (0, 1)
    assert Ticket.objects.get(pk=ticket.pk).escalated_to == supervisor


def test_dry_run_counts_and_changes_nothing(customer, supervised_queue):
    aged(customer, supervised_queue, 5)
    out = StringIO()
    call_command("check_ticket_slas", "--dry-run", stdout=out)
    assert "首次响应超时升级 1" in out.getvalue()
    assert not events(EventKind.SLA_ESCALATED).exists()
    call_command("check_ticket_slas", stdout=out)
    assert events(EventKind.SLA_ESCALATED).count() == 1


def test_a_queue_without_supervisor_still_records_the_escalation(customer, branch_queue):
    ticket = aged(customer, branch_queue, 5)
    services.sla_check()
    ticket.refresh_from_db()
    assert ticket.response_escalated_at is not None and ticket.escalated_to is None


def test_the_check_runs_a_fixed_number_of_queries(customer, supervised_queue, django_assert_max_num_queries):
    for hours in (3.5, 5, 5, 6, 7):
        aged(customer, supervised_queue, hours)
    with django_assert_max_num_queries(4 * 5):
        assert services.sla_check().total == 5


def test_resolved_tickets_close_after_a_week(customer, supervised_queue, hotline_agent):
    ticket = aged(customer, supervised_queue, 1)
    services.ticket_transition(ticket=ticket, to=Status.RESOLVED, by=hotline_agent)
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - dt.timedelta(days=8))
    out = StringIO()
    call_command("close_resolved_tickets", stdout=out)
    assert "关闭已解决工单 1 张" in out.getvalue()
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert services.tickets_close_resolved() == 0


def test_dry_run_counts_a_breached_ticket_once(customer, supervised_queue):
    aged(customer, supervised_queue, 5)
    result = services.sla_check(dry_run=True)
    assert (result.response_warnings, result.response_escalations) == (0, 1)
