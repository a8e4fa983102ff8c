"""Reads of the outbound renewal-call list (续保外呼) for the hotline desk: an agent's own
calls, a branch's calls and each agent's load — over the reminders' `RenewalCall` rows,
each with its vehicle's renewal status today (a customer may have renewed since the call
was planned). Each runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from desks.hotline.status import AdvanceWindows, advance_windows, renewal_status
from policies.models import Branch, Policy, User
from reminders.access import branch_agents, calls_for_user
from reminders.models import CallOutcome, CallStatus, RenewalCall, RenewalCallAttempt

# What each outcome changes afterwards (the reminders' services do it), in the agent's words.
FEEDBACK = {
    CallOutcome.RENEWED: "该保单不再发送任何续保提醒。",
    CallOutcome.WILL_RENEW: "不再外呼；短信、邮件和 APP 提醒照常发送。",
    CallOutcome.CALL_BACK: "外呼保留，到约定时间排到外呼列表前面。",
    CallOutcome.UNREACHABLE: "4 小时后重拨，最多 3 次；短信等提醒照常发送。",
    CallOutcome.REFUSED: "该保单不再发送任何续保提醒。",
    CallOutcome.WRONG_NUMBER: "不再向该号码发短信或外呼；邮件和 APP 提醒照常发送。",
}


def step_label(days_left: int) -> str:
    """When a reminder or call is planned, counted from the end of cover (docs/regulation.md §4)."""
    if days_left > 0:
        return f"到期前 {days_left} 天"
    return "到期当天" if days_left == 0 else f"脱保第 {-days_left} 天"


def ready_first(now: dt.datetime) -> Case:
    """0 for calls that may be made now, 1 for call-backs and retries still to come."""
    return Case(
        When(Q(call_after__isnull=True) | Q(call_after__lte=now), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def vehicle_status(day: dt.date, windows: AdvanceWindows) -> Subquery:
    """The renewal status today of the call's vehicle, read from its latest policy."""
    latest = (
        Policy.objects.filter(vehicle_id=OuterRef("vehicle_id"))
        .order_by("-start_date", "-end_date", "-pk")
        .annotate(renewal=renewal_status(day, windows))
        .values("renewal")[:1]
    )
    return Subquery(latest)


def with_details(calls: QuerySet[RenewalCall], *, now: dt.datetime, day: dt.date) -> QuerySet[RenewalCall]:
    return calls.select_related("person", "vehicle", "policy", "assigned_to").annotate(
        ready=ready_first(now), renewal=vehicle_status(day, advance_windows(day))
    )


def my_calls(user: User, *, now: dt.datetime, day: dt.date) -> QuerySet[RenewalCall]:
    """The agent's open calls: those that may be made now (soonest end first), then
    call-backs and retries in the order they come due."""
    calls = calls_for_user(user).assigned_to(user).open()
    return with_details(calls, now=now, day=day).order_by(
        "ready", "call_after", "days_left", "due_date", "pk"
    )


def branch_calls(branch: Branch, *, now: dt.datetime, day: dt.date) -> QuerySet[RenewalCall]:
    """A branch's open calls, unassigned first, then by agent and the order they are made in."""
    calls = RenewalCall.objects.for_branch(branch).open()
    return with_details(calls, now=now, day=day).order_by(
        F("assigned_to").asc(nulls_first=True), "ready", "days_left", "due_date", "pk"
    )


def next_call(user: User, *, now: dt.datetime, day: dt.date) -> RenewalCall | None:
    """The agent's next call that may be made now."""
    return my_calls(user, now=now, day=day).filter(ready=0).first()


def call_attempts(call: RenewalCall) -> list[RenewalCallAttempt]:
    return list(call.attempt_log.select_related("agent").order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class AgentLoad:
    agent: User
    open: int
    ready: int


@dataclass(frozen=True)
class BranchLoad:
    agents: list[AgentLoad]
    unassigned: int
    unassigned_ready: int

    @property
    def total(self) -> int:
        return self.unassigned + sum(a.open for a in self.agents)


def branch_load(branch: Branch, *, now: dt.datetime) -> BranchLoad:
    """Each agent's open and callable-now calls, and the unassigned ones (two queries)."""
    counts = {
        row["assigned_to"]: row
        for row in RenewalCall.objects.for_branch(branch)
        .open()
        .values("assigned_to")
        .annotate(
            open=Count("pk"), ready=Count("pk", filter=Q(call_after__isnull=True) | Q(call_after__lte=now))
        )
        .order_by()
    }
    agents = [
        AgentLoad(a, counts.get(a.pk, {}).get("open", 0), counts.get(a.pk, {}).get("ready", 0))
        for a in branch_agents(branch)
    ]
    unassigned = counts.get(None, {})
    return BranchLoad(agents, unassigned.get("open", 0), unassigned.get("ready", 0))


@dataclass(frozen=True)
class MyCounts:
    ready: int
    later: int
    done_today: int
    unassigned: int  # the branch's open calls nobody has taken


def my_counts(user: User, *, now: dt.datetime, day_start: dt.datetime) -> MyCounts:
    """The numbers on top of the agent's list: the branch's open calls by whose they are and
    whether they may be made now, and the agent's calls finished today (two queries, over
    the open calls and the agent's own closed ones by an index)."""
    mine = Q(assigned_to=user)
    ready = Q(call_after__isnull=True) | Q(call_after__lte=now)
    counts = (
        calls_for_user(user)
        .filter(branch_id=user.branch_id)
        .open()
        .aggregate(
            ready=Count("pk", filter=mine & ready),
            later=Count("pk", filter=mine & ~ready),
            unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
        )
    )
    done = RenewalCall.objects.filter(
        assigned_to=user, status=CallStatus.CLOSED, closed_at__gte=day_start
    ).count()
    return MyCounts(done_today=done, **counts)
