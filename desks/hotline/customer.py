"""The customer page (客户视图): the person, every vehicle with its status and renewal quote
(the counter's `vehicle_desk`), claims, tickets and the messages sent — a fixed number of
queries whatever the customer owns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch, Q, QuerySet

from claims.access import claims_for_user
from claims.models import Claim
from core.clock import today
from core.masking import mask_recipient
from core.nested import instances, nested_rows
from desks.counter.view_models import (
    TICKET_FIELDS,
    ClaimsRecord,
    LicenceRow,
    VehicleDesk,
    claims_record,
    licence_rows,
    licences_of,
    person_licences,
    vehicle_desk,
)
from desks.hotline.calls import step_label
from desks.reminders.tables import PURPOSE_LABELS
from outbox.models import OutboundMessage
from policies.models import Branch, Person, Policy, User, Vehicle
from policies.tariffs import tariff_book
from reminders.models import Reminder, ReminderChannel, RenewalCall
from support.access import tickets_for_user
from support.models import Ticket

SHOWN = 8  # claims, tickets and messages: the latest few, with a count of the rest


MESSAGE_FIELDS = ("id", "purpose", "channel", "recipient", "status", "created_at", "sent_at")
CLAIM_FIELDS = (
    "id", "number", "policy", "vehicle__id", "vehicle__plate", "accident_at", "accident_place", "at_fault",
    "state", "record_counted", "branch__id", "branch__name",
)  # fmt: skip
REMINDER_FIELDS = (
    "id", "channel", "days_left", "planned_for", "policy__id", "policy__vehicle__id", "policy__vehicle__plate",
    "message__id", "message__status", "call__id", "call__status", "call__outcome",
)  # fmt: skip
CALL_FIELDS = (
    "id", "attempts", "outcome", "status", "vehicle__id", "vehicle__plate",
    "assigned_to__id", "assigned_to__username", "assigned_to__last_name", "assigned_to__first_name",
)  # fmt: skip


def hotline_person_queryset(user: User) -> QuerySet[Person]:
    """The person as the hotline's customer page shows them, in one query: with their licences,
    the latest tickets `user` may see, the latest messages sent to them, and the vehicles they
    hold or are insured on a policy of (core.nested: lists in the person's row)."""
    tickets = tickets_for_user(user).filter(customer=OuterRef("pk")).order_by("-created_at", "-pk")
    messages = OutboundMessage.objects.filter(person=OuterRef("pk")).order_by("-created_at", "-pk")
    held = Policy.objects.filter(Q(policyholder=OuterRef("pk")) | Q(insured=OuterRef("pk")))
    return Person.objects.annotate(
        licence_rows=person_licences(),
        ticket_rows=nested_rows(tickets[: SHOWN + 1], *TICKET_FIELDS),
        message_rows=nested_rows(messages[: SHOWN + 1], *MESSAGE_FIELDS),
        held_vehicles=ArraySubquery(held.values("vehicle_id").distinct()),
    )


def customer_vehicles(user: User, person: Person) -> list[Vehicle]:
    """The vehicles the person owns, or holds or is insured on a policy of (`held_vehicles`, read
    with the person) — each with all its policies (oldest first) and their branches, and the
    latest claims `user` may see, renewal reminders and open renewal calls of each. Two queries."""
    claims = claims_for_user(user, Claim.objects.filter(vehicle=OuterRef("pk")))
    reminders = Reminder.objects.filter(policy__vehicle=OuterRef("pk")).order_by("-planned_for", "-pk")
    calls = RenewalCall.objects.filter(vehicle=OuterRef("pk")).open().order_by("pk")
    policies = Policy.objects.select_related("branch", "issued_by").order_by("start_date", "pk")
    return list(
        Vehicle.objects.filter(Q(owner=person) | Q(pk__in=person.held_vehicles or []))
        .select_related("owner")
        .annotate(
            claim_rows=nested_rows(claims.order_by("-accident_at", "-pk")[: SHOWN + 1], *CLAIM_FIELDS),
            reminder_rows=nested_rows(reminders[: SHOWN + 1], *REMINDER_FIELDS),
            call_rows=nested_rows(calls, *CALL_FIELDS),
        )
        .prefetch_related(Prefetch("policies", queryset=policies))
        .order_by("plate", "pk")
    )


def issuing_branch(policies: Sequence[Policy], *, day: dt.date) -> Branch | None:
    """The branch a vehicle's quote is priced for and its renewal window read from: the one
    that issued its current policy — the latest started by `day`, else the first."""
    if not policies:
        return None
    started = [p for p in policies if p.start_date <= day]
    if started:
        return max(started, key=lambda p: (p.start_date, p.pk)).branch
    return min(policies, key=lambda p: (p.start_date, p.pk)).branch


@dataclass(frozen=True)
class MessageRow:
    message: OutboundMessage

    @property
    def purpose(self) -> str:
        return PURPOSE_LABELS.get(self.message.purpose, self.message.purpose)

    @property
    def recipient(self) -> str:
        return mask_recipient(self.message.channel, self.message.recipient)


@dataclass(frozen=True)
class ReminderRow:
    """One planned renewal reminder and what became of it."""

    reminder: Reminder

    @property
    def when(self) -> str:
        return step_label(self.reminder.days_left)

    @property
    def outcome(self) -> str:
        r = self.reminder
        if r.channel == ReminderChannel.CALL:
            call = getattr(r, "call", None)
            if call is None:
                return "未列入外呼"
            if call.outcome:
                return f"{call.get_status_display()} · {call.get_outcome_display()}"
            return call.get_status_display()
        return r.message.get_status_display() if r.message else "未生成消息"


@dataclass(frozen=True)
class CustomerPicture:
    person: Person
    licences: list[LicenceRow]
    desks: list[VehicleDesk]
    claims: list[Claim]
    claims_more: bool
    tickets: list[Ticket]
    tickets_more: bool
    messages: list[MessageRow]
    messages_more: bool
    reminders: list[ReminderRow]
    reminders_more: bool
    open_calls: list[RenewalCall]

    @property
    def vehicles(self) -> list[Vehicle]:
        return [d.vehicle for d in self.desks]

    @property
    def record(self) -> ClaimsRecord:
        """The claims shown beside the policy years' records: what of "有责 N 次" came with
        the imported history rather than as a claim in this portal (no query)."""
        return claims_record([p for d in self.desks for p in d.policies], self.claims, more=self.claims_more)


def _latest(rows: list, *, key=None, limit: int = SHOWN) -> tuple[list, bool]:
    """The first `limit` of `rows` (newest first by `key` when given), and whether there are more."""
    if key is not None:
        rows = sorted(rows, key=key, reverse=True)
    return rows[:limit], len(rows) > limit


def customer_picture(user: User, person: Person, *, focus: int | None = None, day: dt.date | None = None):
    """Everything the customer page shows, for `user` (tickets and claims as far as they may
    see them), from the person read by `hotline_person_queryset` and two queries more. The
    vehicle looked up (`focus`) comes first."""
    day = day or today()
    book = tariff_book()
    vehicles = sorted(customer_vehicles(user, person), key=lambda v: v.pk != focus)
    desks = []
    for vehicle in vehicles:
        policies = list(vehicle.policies.all())
        branch = issuing_branch(policies, day=day) or user.branch
        desks.append(vehicle_desk(vehicle, policies, branch=branch, day=day, book=book))
    # each vehicle brought its latest few: the person's latest few are among them
    claims, claims_more = _latest(
        [c for v in vehicles for c in instances(Claim, v.claim_rows)], key=lambda c: (c.accident_at, c.pk)
    )
    reminders, reminders_more = _latest(
        [r for v in vehicles for r in instances(Reminder, v.reminder_rows)],
        key=lambda r: (r.planned_for, r.pk),
    )
    open_calls = [c for v in vehicles for c in instances(RenewalCall, v.call_rows)]
    tickets, tickets_more = _latest(instances(Ticket, person.ticket_rows))
    messages, messages_more = _latest(instances(OutboundMessage, person.message_rows))
    return CustomerPicture(
        person=person,
        licences=licence_rows(licences_of(person), day=day),
        desks=desks,
        claims=claims,
        claims_more=claims_more,
        tickets=tickets,
        tickets_more=tickets_more,
        messages=[MessageRow(m) for m in messages],
        messages_more=messages_more,
        reminders=[ReminderRow(r) for r in reminders],
        reminders_more=reminders_more,
        open_calls=open_calls,
    )
