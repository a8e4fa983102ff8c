"""Opening, answering and moving tickets: the SLA columns follow the clock, every change
is in the history, and bad requests are refused in Chinese without a trace."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from support import services
from support.choices import Category, Channel, EventKind, Priority, Status
from support.models import Queue, SlaTarget, Ticket, TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def kinds(ticket):
    return list(ticket.events.order_by("created_at", "pk").values_list("kind", flat=True))


def test_a_new_ticket_takes_its_targets_from_category_and_priority(ticket):
    target = SlaTarget.objects.get(category=Category.PREMIUM, priority=Priority.NORMAL)
    assert ticket.status == Status.NEW
    assert ticket.number.startswith("T") and len(ticket.number) == 14
    assert ticket.first_response_target == target.first_response
    assert ticket.first_response_due == ticket.created_at + target.first_response
    assert ticket.resolution_due == ticket.created_at + target.resolution
    assert ticket.sla_due == ticket.first_response_due
    assert ticket.vehicle == ticket.policy.vehicle
    assert ticket.contact_phone == "13912345678"
    assert kinds(ticket) == [EventKind.CREATED]


def test_tickets_are_routed_to_the_branch_queue_of_their_category(branch, customer):
    general = factories.QueueFactory(branch=branch, name="综合")
    complaints = factories.QueueFactory(branch=branch, category=Category.COMPLAINT, name="投诉")
    assert services.queue_for(branch=branch, category=Category.COMPLAINT) == complaints
    assert services.queue_for(branch=branch, category=Category.PREMIUM) == general
    hotline_claims = Queue.objects.get(branch=None, category=Category.CLAIM)
    assert services.queue_for(branch=None, category=Category.CLAIM) == hotline_claims
    assert services.queue_for(branch=None, category=Category.PREMIUM).name == "热线中心 · 综合"


def test_a_branch_without_queues_gets_its_general_queue_on_first_use(other_branch):
    queue = services.queue_for(branch=other_branch, category=Category.OTHER)
    assert (queue.branch, queue.category, queue.name) == (other_branch, "", "海口龙华营业部 · 综合")
    assert services.queue_for(branch=other_branch, category=Category.PREMIUM) == queue


def test_a_call_answered_on_the_spot_is_logged_resolved_in_the_same_step(hotline_agent, customer, policy):
    ticket = services.ticket_log_call(agent=hotline_agent, customer=customer, policy=policy)
    assert ticket.status == Status.RESOLVED
    assert ticket.resolved_at is not None and ticket.first_response_time == dt.timedelta(0)
    kinds = list(ticket.events.order_by("pk").values_list("kind", "to_value"))
    assert (EventKind.STATUS, Status.RESOLVED) in kinds  # in the append-only history


def test_logging_a_call_to_follow_up_makes_an_open_ticket_of_the_agent_in_the_hotline_queue(
    hotline_agent, customer, policy
):
    ticket = services.ticket_log_call(
        agent=hotline_agent,
        customer=customer,
        policy=policy,
        category=Category.RENEWAL_STATUS,
        follow_up=True,
    )
    assert ticket.channel == Channel.HOTLINE
    assert ticket.queue.is_hotline
    assert ticket.assignee == hotline_agent
    assert ticket.status == Status.OPEN
    assert ticket.subject == "来电咨询：续保状态"
    assert ticket.first_response_time == dt.timedelta(0)  # the call is the answer
    assert ticket.first_response_due is None
    assert ticket.sla_due == ticket.resolution_due


def test_a_counter_clerk_logging_a_call_keeps_it_in_the_branch(counter_clerk, customer, branch):
    ticket = services.ticket_log_call(agent=counter_clerk, customer=customer)
    assert ticket.queue.branch == branch


def test_reply_stops_the_first_response_clock_and_opens_the_ticket(ticket, hotline_agent):
    event = services.ticket_reply(ticket=ticket, by=hotline_agent, body="您好，已为您查询。")
    ticket.refresh_from_db()
    assert event.kind == EventKind.PUBLIC_REPLY and event.is_public
    assert ticket.status == Status.OPEN
    assert ticket.assignee == hotline_agent  # the one who answers takes it
    assert ticket.first_responded_at == event.created_at
    assert ticket.first_response_due is None
    assert ticket.sla_due == ticket.resolution_due
    assert kinds(ticket) == [EventKind.CREATED, EventKind.PUBLIC_REPLY, EventKind.ASSIGNED, EventKind.STATUS]


def test_waiting_on_the_customer_pauses_the_clock_and_their_answer_resumes_it(
    ticket, hotline_agent, hours_ago
):
    services.ticket_reply(
        ticket=ticket, by=hotline_agent, body="请补充行驶证照片。", then_status=Status.WAITING
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING
    assert ticket.paused_since is not None
    assert ticket.resolution_due is None and ticket.sla_due is None
    # The customer answers three hours later.
    Ticket.objects.filter(pk=ticket.pk).update(paused_since=hours_ago(3))
    ticket = services.ticket_customer_reply(ticket=ticket, body="照片已上传。")
    assert ticket.status == Status.OPEN
    assert ticket.paused_since is None
    assert abs(ticket.paused_total - 3 * HOUR) < dt.timedelta(seconds=5)
    assert ticket.resolution_due == ticket.created_at + ticket.paused_total + ticket.resolution_target


def test_resolving_records_the_resolution_time_without_the_pauses(
    hotline_agent, customer, branch_queue, hours_ago
):
    ticket = factories.TicketFactory(
        customer=customer, queue=branch_queue, at=hours_ago(10), assignee=hotline_agent
    )
    Ticket.objects.filter(pk=ticket.pk).update(paused_total=4 * HOUR)
    ticket.refresh_from_db()
    ticket = services.ticket_transition(ticket=ticket, to=Status.RESOLVED, by=hotline_agent)
    assert ticket.status == Status.RESOLVED
    assert abs(ticket.resolution_time - 6 * HOUR) < dt.timedelta(seconds=5)
    assert ticket.first_response_time is not None  # resolving answers too
    assert ticket.sla_due is None


def test_forbidden_transition_is_refused_in_chinese_and_changes_nothing(ticket, hotline_agent):
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, by=hotline_agent)
    with pytest.raises(ValidationError, match="不能从“已关闭”改为“重新打开”"):
        services.ticket_transition(ticket=ticket, to=Status.REOPENED, by=hotline_agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert kinds(ticket) == [EventKind.CREATED, EventKind.STATUS]


def test_an_empty_reply_is_refused(ticket, hotline_agent):
    with pytest.raises(ValidationError, match="回复内容不能为空"):
        services.ticket_reply(ticket=ticket, by=hotline_agent, body="   ")
    assert kinds(ticket) == [EventKind.CREATED]


def test_a_failed_resolution_rolls_back_the_reply_and_its_message(ticket, hotline_agent):
    services.ticket_transition(ticket=ticket, to=Status.WAITING, by=hotline_agent)
    with pytest.raises(ValidationError):
        services.ticket_reply(ticket=ticket, by=hotline_agent, body="好的", then_status=Status.REOPENED)
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.PUBLIC_REPLY).exists()
    assert not ticket.customer.messages.exists()


def test_assigning_to_someone_who_cannot_see_the_queue_is_refused(
    ticket, other_branch_clerk, counter_clerk, hotline_agent
):
    with pytest.raises(ValidationError, match="无权处理"):
        services.ticket_assign(ticket=ticket, to=other_branch_clerk, by=hotline_agent)
    services.ticket_assign(ticket=ticket, to=counter_clerk, by=hotline_agent)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (counter_clerk, Status.OPEN)


def test_raising_the_priority_brings_the_running_deadlines_forward(ticket, hotline_agent):
    ticket = services.ticket_reclassify(ticket=ticket, by=hotline_agent, priority=Priority.URGENT)
    urgent = SlaTarget.objects.get(category=Category.PREMIUM, priority=Priority.URGENT)
    assert ticket.first_response_due == ticket.created_at + urgent.first_response
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.CLASSIFIED).to_value == "保费咨询 · 紧急"


def test_moving_to_a_queue_the_assignee_cannot_see_returns_the_ticket_to_it(
    ticket, counter_clerk, supervisor, other_branch_queue
):
    services.ticket_assign(ticket=ticket, to=counter_clerk, by=supervisor)
    ticket = services.ticket_reclassify(ticket=ticket, by=supervisor, queue=other_branch_queue)
    assert ticket.queue == other_branch_queue
    assert ticket.assignee is None


def test_a_ticket_needs_a_subject_and_a_known_category(customer):
    with pytest.raises(ValidationError, match="请填写工单主题"):
        services.ticket_create(subject=" ", channel=Channel.APP, category=Category.OTHER, customer=customer)
    with pytest.raises(ValidationError, match="工单类别无效"):
        services.ticket_create(subject="咨询", channel=Channel.APP, category="weather", customer=customer)
    assert not Ticket.objects.exists()


def test_a_missing_sla_target_is_named_for_the_supervisor(customer):
    SlaTarget.objects.filter(category=Category.OTHER, priority=Priority.LOW).delete()
    with pytest.raises(ValidationError, match="尚未配置"):
        services.ticket_create(
            subject="咨询",
            channel=Channel.APP,
            category=Category.OTHER,
            priority=Priority.LOW,
            customer=customer,
        )


def test_history_is_append_only(ticket):
    event = ticket.events.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_the_database_refuses_to_rewrite_history(ticket):
    with pytest.raises(Exception, match="只能新增"), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).update(body="改写")
    with pytest.raises(Exception, match="只能新增"), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).delete()


def test_a_merged_ticket_must_be_closed(ticket, customer, branch_queue):
    other = factories.TicketFactory(customer=customer, queue=branch_queue)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=other.pk).update(merged_into=ticket)
