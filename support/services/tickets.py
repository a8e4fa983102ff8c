from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.models import Claim
from policies.models import Branch, NumberSequence, Person, Policy, User, Vehicle
from support import access, notifications, sla
from support.choices import Category, Channel, EventKind, Priority, Status
from support.models import Queue, Ticket, TicketEvent

from . import clock as ticket_clock
from .surveys import survey_send


def reserve_ticket_numbers(day: dt.date, count: int) -> list[str]:
    """`count` new ticket numbers of `day`: T + date + a five-digit daily serial."""
    return reserve_ticket_number_blocks({day: count})[day]


def reserve_ticket_number_blocks(counts: dict[dt.date, int]) -> dict[dt.date, list[str]]:
    """Blocks of new ticket numbers for several days at once (bulk loads): one statement
    per day plus two."""
    names = {day: f"ticket-{day:%Y%m%d}" for day in counts}
    with transaction.atomic():
        NumberSequence.objects.bulk_create(
            [NumberSequence(name=name) for name in names.values()], ignore_conflicts=True
        )
        for day, count in counts.items():
            NumberSequence.objects.filter(name=names[day]).update(last_value=F("last_value") + count)
        last = dict(NumberSequence.objects.filter(name__in=names.values()).values_list("name", "last_value"))
    return {
        day: [f"T{day:%Y%m%d}{n:05d}" for n in range(last[names[day]] - count + 1, last[names[day]] + 1)]
        for day, count in counts.items()
    }


def queue_for(*, branch: Branch | None, category: str) -> Queue:
    """The queue a new ticket goes to: `branch`'s queue for the category, else its general
    queue — created on first use, so every ticket has a queue its branch can see. With no
    branch, the hotline centre's queues, chosen the same way."""
    queues = list(Queue.objects.filter(is_active=True, branch=branch, category__in=[category, ""]))
    for wanted in (category, ""):
        if match := [q for q in queues if q.category == wanted]:
            return match[0]
    queue, _ = Queue.objects.get_or_create(
        branch=branch,
        category="",
        is_active=True,
        defaults={"name": f"{branch.name} · 综合" if branch else "热线中心 · 综合"},
    )
    return queue


def _check_choices(*, channel: str, category: str, priority: str) -> None:
    if channel not in Channel.values:
        raise ValidationError("受理渠道无效。", code="channel")
    if category not in Category.values:
        raise ValidationError("工单类别无效。", code="category")
    if priority not in Priority.values:
        raise ValidationError("优先级无效。", code="priority")


def _event(ticket: Ticket, kind: str, *, actor=None, at=None, **fields) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, created_at=at or timezone.now(), **fields
    )


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",)).select_related("customer", "queue").get(pk=ticket.pk)
    )


@transaction.atomic
def ticket_create(
    *,
    subject: str,
    channel: str,
    category: str,
    priority: str = Priority.NORMAL,
    description: str = "",
    customer: Person | None = None,
    vehicle: Vehicle | None = None,
    policy: Policy | None = None,
    claim: Claim | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    branch: Branch | None = None,
    queue: Queue | None = None,
    created_by: User | None = None,
    assignee: User | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Open a ticket from any channel. It goes to `queue`, or to the queue `queue_for`
    picks for `branch` (none: the hotline centre) and the category; its SLA targets come
    from the category and priority. Contact details default to the customer's."""
    at = at or timezone.now()
    subject = subject.strip()
    if not subject:
        raise ValidationError("请填写工单主题。", code="subject")
    _check_choices(channel=channel, category=category, priority=priority)
    if claim is not None:
        # A claim inquiry names the claim; its policy and vehicle follow from it.
        if policy is not None and policy.pk != claim.policy_id:
            raise ValidationError("所选保单与赔案不符。", code="claim_policy")
        policy = policy or claim.policy
        vehicle = vehicle or claim.vehicle
    if policy is not None and vehicle is not None and policy.vehicle_id != vehicle.pk:
        raise ValidationError("所选保单不属于该车辆。", code="policy_vehicle")
    if policy is not None and vehicle is None:
        vehicle = policy.vehicle
    queue = queue or queue_for(branch=branch, category=category)
    if assignee is not None and not access.can_work_queue(assignee, queue):
        raise ValidationError("处理人无权处理“%(queue)s”的工单。", code="assignee", params={"queue": queue})
    ticket = Ticket(
        number=reserve_ticket_numbers(timezone.localdate(at), 1)[0],
        subject=subject[:120],
        description=description.strip(),
        customer=customer,
        vehicle=vehicle,
        policy=policy,
        claim=claim,
        contact_name=contact_name or (customer.name if customer else ""),
        contact_phone=contact_phone or (customer.phone if customer else ""),
        contact_email=contact_email or (customer.email if customer else ""),
        channel=channel,
        category=category,
        priority=priority,
        queue=queue,
        assignee=assignee,
        status=Status.OPEN if assignee else Status.NEW,
        created_by=created_by,
        created_at=at,
    )
    ticket_clock.apply_targets(ticket, ticket_clock.sla_target(category, priority))
    ticket_clock.sync(ticket, sla.Clock(at))
    ticket.full_clean(exclude=["queue", "customer", "vehicle", "policy", "claim", "assignee", "created_by"])
    ticket.save()
    _event(ticket, EventKind.CREATED, actor=created_by, at=at, body=ticket.description, to_value=queue.name)
    if assignee is not None:
        _event(ticket, EventKind.ASSIGNED, actor=created_by, at=at, to_value=str(assignee))
    return ticket


@transaction.atomic
def ticket_log_call(
    *,
    agent: User,
    customer: Person,
    vehicle: Vehicle | None = None,
    policy: Policy | None = None,
    category: str = Category.OTHER,
    subject: str = "",
    note: str = "",
    priority: str = Priority.NORMAL,
    follow_up: bool = False,
) -> Ticket:
    """Log a hotline call about `customer` (and their vehicle or policy): a ticket of the
    hotline channel, in the hotline centre's queue (the agent's branch for staff who do
    not work the centre's queues), assigned to the agent. The call itself is the first
    response. A call answered on the spot is resolved in the same step (the survey goes out);
    with `follow_up` the ticket stays open, its SLA clock running."""
    at = timezone.now()
    branch = access.ticket_branch_for(agent, Channel.HOTLINE)
    ticket = ticket_create(
        subject=subject or f"来电咨询：{Category(category).label}",
        channel=Channel.HOTLINE,
        category=category,
        priority=priority,
        description=note,
        customer=customer,
        vehicle=vehicle,
        policy=policy,
        branch=branch,
        created_by=agent,
        assignee=agent,
        at=at,
    )
    ticket_clock.record_first_response(ticket, at)
    if not follow_up:  # created open (assigned to the agent); answered on the spot: resolved
        _status(ticket, Status.RESOLVED, by=agent, at=at, note="来电已当场解答。")
    ticket.save()
    return ticket


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    by: User,
    body: str,
    key: uuid.UUID | None = None,
    then_status: str = "",
) -> TicketEvent:
    """Answer the customer: the reply is recorded and written to the outbox for the
    channel the ticket came in by, in this transaction, once per `key` (a form's second
    submission returns the first reply). The first reply stops the first-response clock;
    `then_status` (waiting or resolved) moves the ticket on in the same step."""
    body = body.strip()
    if not body:
        raise ValidationError("回复内容不能为空。", code="empty")
    ticket = _locked(ticket)  # a second submission waits here, then finds the first reply
    if key is not None and (done := TicketEvent.objects.filter(ticket=ticket, key=key).first()) is not None:
        return done
    if ticket.status == Status.CLOSED:
        raise ValidationError("工单已关闭，不能再回复客户。", code="closed")
    at = timezone.now()
    key = key or uuid.uuid4()
    message = notifications.enqueue_reply(ticket=ticket, body=body, dedupe_key=f"support:reply:{key}")
    event = _event(ticket, EventKind.PUBLIC_REPLY, actor=by, at=at, body=body, message=message, key=key)
    ticket_clock.record_first_response(ticket, at)
    if ticket.assignee_id is None and access.can_work_queue(by, ticket.queue):
        ticket.assignee = by
        _event(ticket, EventKind.ASSIGNED, actor=by, at=at, to_value=str(by))
    if ticket.status in (Status.NEW, Status.REOPENED):
        _status(ticket, Status.OPEN, by=by, at=at)
    if then_status and then_status != ticket.status:
        _status(ticket, then_status, by=by, at=at)
    ticket.save()
    return event


def _status(ticket: Ticket, to: str, *, by: User | None, at: dt.datetime, note: str = "") -> None:
    before = ticket_clock.move(ticket, to, at)
    _event(ticket, EventKind.STATUS, actor=by, at=at, from_value=before, to_value=to, body=note)
    if to == Status.RESOLVED:
        ticket.save()
        survey_send(ticket=ticket, at=at)


@transaction.atomic
def ticket_add_note(*, ticket: Ticket, by: User, body: str, key: uuid.UUID | None = None) -> TicketEvent:
    """An internal note: staff see it, the customer never does; no message goes out."""
    body = body.strip()
    if not body:
        raise ValidationError("备注内容不能为空。", code="empty")
    ticket = _locked(ticket)
    if key is not None and (done := TicketEvent.objects.filter(ticket=ticket, key=key).first()) is not None:
        return done
    return _event(ticket, EventKind.INTERNAL_NOTE, actor=by, body=body, key=key or uuid.uuid4())


@transaction.atomic
def ticket_assign(*, ticket: Ticket, to: User | None, by: User) -> Ticket:
    """Give the ticket to `to` (None: back to the queue). A new ticket becomes open."""
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED:
        raise ValidationError("工单已关闭，不能再分派。", code="closed")
    if to is not None and not access.can_work_queue(to, ticket.queue):
        raise ValidationError(
            "%(user)s 无权处理“%(queue)s”的工单。",
            code="assignee",
            params={"user": to, "queue": ticket.queue},
        )
    if to is not None and to.pk == ticket.assignee_id:
        return ticket
    at = timezone.now()
    before = str(ticket.assignee) if ticket.assignee_id else ""
    ticket.assignee = to
    _event(ticket, EventKind.ASSIGNED, actor=by, at=at, from_value=before, to_value=str(to) if to else "")
    if to is not None and ticket.status == Status.NEW:
        _status(ticket, Status.OPEN, by=by, at=at)
    ticket.save()
    return ticket


@transaction.atomic
def ticket_transition(*, ticket: Ticket, to: str, by: User | None, note: str = "") -> Ticket:
    """Move the ticket to status `to` if `support.workflow` allows it. Waiting on the
    customer pauses the SLA clock; resolving stops it and sends the satisfaction survey."""
    ticket = _locked(ticket)
    if to not in Status.values:
        raise ValidationError("状态无效。", code="status")
    if ticket.is_merged:
        raise ValidationError("工单已合并，请在合并后的工单上处理。", code="merged")
    _status(ticket, to, by=by, at=timezone.now(), note=note.strip())
    ticket.save()
    return ticket


@transaction.atomic
def ticket_reclassify(
    *, ticket: Ticket, by: User, queue: Queue | None = None, category: str = "", priority: str = ""
) -> Ticket:
    """Move the ticket to another queue and/or change its category or priority. New
    targets apply to the clocks still running; an assignee who cannot see the new queue
    gives the ticket back to it."""
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED:
        raise ValidationError("工单已关闭，不能再调整。", code="closed")
    category = category or ticket.category
    priority = priority or ticket.priority
    _check_choices(channel=ticket.channel, category=category, priority=priority)
    at = timezone.now()
    if queue is not None and queue.pk != ticket.queue_id:
        if not queue.is_active:
            raise ValidationError("队列“%(queue)s”已停用。", code="queue", params={"queue": queue})
        _event(ticket, EventKind.QUEUE, actor=by, at=at, from_value=ticket.queue.name, to_value=queue.name)
        ticket.queue = queue
        if ticket.assignee_id and not access.can_work_queue(ticket.assignee, queue):
            _event(ticket, EventKind.ASSIGNED, actor=by, at=at, from_value=str(ticket.assignee))
            ticket.assignee = None
    if (category, priority) != (ticket.category, ticket.priority):
        before = f"{ticket.get_category_display()} · {ticket.get_priority_display()}"
        ticket.category, ticket.priority = category, priority
        ticket_clock.apply_targets(ticket, ticket_clock.sla_target(category, priority))
        ticket_clock.sync(ticket, ticket.clock)
        after = f"{ticket.get_category_display()} · {ticket.get_priority_display()}"
        _event(ticket, EventKind.CLASSIFIED, actor=by, at=at, from_value=before, to_value=after)
    ticket.save()
    return ticket


@transaction.atomic
def ticket_merge(*, duplicate: Ticket, survivor: Ticket, by: User) -> Ticket:
    """Merge `duplicate` into `survivor`, two tickets of one customer: the duplicate is
    closed and points to the survivor, tickets merged into it before now point to the
    survivor too, and both histories stay whole (the survivor's page shows them all)."""
    if duplicate.pk == survivor.pk:
        raise ValidationError("不能把工单合并到它自己。", code="same")
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[duplicate.pk, survivor.pk])}
    duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
    if duplicate.customer_id is None or duplicate.customer_id != survivor.customer_id:
        raise ValidationError("只能合并同一客户的工单。", code="customer")
    if duplicate.status == Status.CLOSED or survivor.status == Status.CLOSED:
        raise ValidationError("已关闭的工单不能合并。", code="closed")
    at = timezone.now()
    Ticket.objects.filter(merged_into=duplicate).update(merged_into=survivor)
    duplicate.status = Status.CLOSED
    duplicate.closed_at = at
    duplicate.merged_into = survivor
    ticket_clock.sync(duplicate, sla.pause(duplicate.clock, at))
    duplicate.save()
    _event(duplicate, EventKind.MERGED_INTO, actor=by, at=at, to_value=survivor.number)
    _event(
        survivor, EventKind.MERGED_FROM, actor=by, at=at, from_value=duplicate.number, body=duplicate.subject
    )
    return survivor


def _event_key(external_id: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"support:customer-reply:{external_id}")


@transaction.atomic
def ticket_customer_reply(
    *, ticket: Ticket, body: str, message_id: str = "", at: dt.datetime | None = None
) -> Ticket:
    """A customer wrote back (SMS, email, app, mini program — the channels call this).

    A merged ticket passes the reply to its survivor. A resolved ticket is reopened and a
    ticket waiting on the customer goes back to work; a closed one stays closed and the
    reply opens a follow-up ticket. `message_id`, the channel's id of the message, makes
    a redelivered message a no-op. Returns the ticket that took the reply."""
    body = body.strip()
    if not body:
        raise ValidationError("回复内容不能为空。", code="empty")
    key = _event_key(message_id) if message_id else uuid.uuid4()
    if (done := TicketEvent.objects.filter(key=key).select_related("ticket").first()) is not None:
        return done.ticket
    at = at or timezone.now()
    ticket = _locked(ticket)
    if ticket.merged_into_id:
        survivor = ticket.merged_into
        while survivor.merged_into_id:
            survivor = survivor.merged_into
        ticket = _locked(survivor)
    if ticket.status == Status.CLOSED:
        follow_up = ticket_create(
            subject=f"续：{ticket.subject}"[:120],
            channel=ticket.channel,
            category=ticket.category,
            priority=ticket.priority,
            description=f"客户在已关闭的工单 {ticket.number} 上回复。",
            customer=ticket.customer,
            vehicle=ticket.vehicle,
            policy=ticket.policy,
            contact_name=ticket.contact_name,
            contact_phone=ticket.contact_phone,
            contact_email=ticket.contact_email,
            queue=ticket.queue if ticket.queue.is_active else None,
            branch=ticket.queue.branch,
            at=at,
        )
        _event(follow_up, EventKind.CUSTOMER_REPLY, at=at, body=body, key=key)
        return follow_up
    _event(ticket, EventKind.CUSTOMER_REPLY, at=at, body=body, key=key)
    if ticket.status == Status.RESOLVED:
        _status(ticket, Status.REOPENED, by=None, at=at, note="客户回复，工单自动重新打开。")
    elif ticket.status == Status.WAITING:
        _status(ticket, Status.OPEN, by=None, at=at, note="客户已回复。")
    ticket.save()
    return ticket
