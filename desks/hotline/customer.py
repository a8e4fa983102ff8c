"""The customer page (客户视图): the person, every vehicle with its status and renewal quote
(the counter's `vehicle_desk`), claims, tickets and the messages sent — a fixed number of
queries whatever the customer owns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from claims.access import claims_for_user
from claims.models import Claim
from claims.selectors import claims_of_vehicles
from core.clock import today
from core.masking import mask_recipient
from desks.counter.view_models import (
    ClaimsRecord,
    LicenceRow,
    VehicleDesk,
    claims_record,
    licence_rows,
    vehicle_desk,
)
from desks.hotline.calls import step_label
from desks.reminders.tables import PURPOSE_LABELS
from outbox.models import OutboundMessage
from policies.models import Branch, DrivingLicence, Person, Policy, User, Vehicle
from policies.tariffs import tariff_book
from reminders.models import Reminder, ReminderChannel, RenewalCall
from support.access import tickets_for_user
from support.models import Ticket

SHOWN = 8  # claims, tickets and messages: the latest few, with a count of the rest


def hotline_person_queryset() -> QuerySet[Person]:
    """The person with their licences, as the hotline's customer page shows them."""
    licences = Prefetch("licences", queryset=DrivingLicence.objects.order_by("-valid_from", "pk"))
    return Person.objects.prefetch_related(licences)


def customer_vehicles(person: Person) -> list[Vehicle]:
    """The vehicles the person owns, or holds or is insured on a policy of — each with all its
    policies (oldest first) and their branches. Three queries."""
    held = list(
        Policy.objects.filter(Q(policyholder=person) | Q(insured=person))
        .values_list("vehicle_id", flat=True)
        .distinct()
    )
    policies = Policy.objects.select_related("branch", "issued_by").order_by("start_date", "pk")
    return list(
        Vehicle.objects.filter(Q(owner=person) | Q(pk__in=held))
        .select_related("owner")
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


def _latest(queryset, limit: int = SHOWN) -> tuple[list, bool]:
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def customer_picture(user: User, person: Person, *, focus: int | None = None, day: dt.date | None = None):
    """Everything the customer page shows, for `user` (tickets and claims as far as they may
    see them). The vehicle looked up (`focus`) comes first. Ten queries."""
    day = day or today()
    book = tariff_book()
    vehicles = sorted(customer_vehicles(person), key=lambda v: v.pk != focus)
    desks = []
    for vehicle in vehicles:
        policies = list(vehicle.policies.all())
        branch = issuing_branch(policies, day=day) or user.branch
        desks.append(vehicle_desk(vehicle, policies, branch=branch, day=day, book=book))
    ids = [v.pk for v in vehicles]
    claims, claims_more = _latest(claims_for_user(user, claims_of_vehicles(ids))) if ids else ([], False)
    tickets, tickets_more = _latest(
        tickets_for_user(user)
        .filter(customer=person)
        .select_related("vehicle", "assignee")
        .order_by("-created_at", "-pk")
    )
    messages, messages_more = _latest(
        OutboundMessage.objects.filter(person=person).order_by("-created_at", "-pk")
    )
    messages = [MessageRow(m) for m in messages]
    policy_ids = [p.pk for d in desks for p in d.policies]
    reminders, reminders_more = (
        _latest(
            Reminder.objects.filter(policy_id__in=policy_ids)
            .select_related("message", "call", "policy__vehicle")
            .order_by("-planned_for", "-pk")
        )
        if policy_ids
        else ([], False)
    )
    open_calls = (
        list(RenewalCall.objects.filter(vehicle_id__in=ids).open().select_related("assigned_to", "vehicle"))
        if ids
        else []
    )
    return CustomerPicture(
        person=person,
        licences=licence_rows(person.licences.all(), day=day),
        desks=desks,
        claims=claims,
        claims_more=claims_more,
        tickets=tickets,
        tickets_more=tickets_more,
        messages=messages,
        messages_more=messages_more,
        reminders=[ReminderRow(r) for r in reminders],
        reminders_more=reminders_more,
        open_calls=open_calls,
    )
