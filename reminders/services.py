"""Rules that write reminder data: customers' opt-outs, and the hotline's renewal call list
(assigning calls to agents, recording each call's outcome and feeding it back).

Outcomes and what they change:
- renewed (the customer says so) and refused: the call closes; no further reminder of
  this policy through any channel;
- will renew: the call closes; no further call (messages go on as planned);
- wrong number: the call closes; no further SMS or call to that number for this policy;
- call back: the call stays open, to be made again at the agreed time;
- unreachable: the call stays open and is retried later, until `MAX_CALL_ATTEMPTS`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from policies.models import Branch, Person, User
from policies.refusals import NO_BRANCH_FOR_CALLS
from reminders import access
from reminders.models import (
    CallOutcome,
    CallStatus,
    ReminderChannel,
    ReminderOptOut,
    ReminderStop,
    RenewalCall,
    RenewalCallAttempt,
    StopReason,
)

MAX_CALL_ATTEMPTS = 3
UNREACHABLE_RETRY = dt.timedelta(hours=4)

ALL_CHANNELS = tuple(ReminderChannel.values)
# Which channels each closing outcome stops for the policy.
STOPS: dict[str, tuple[tuple[str, ...], str]] = {
    CallOutcome.RENEWED: (ALL_CHANNELS, StopReason.RENEWED_ELSEWHERE),
    CallOutcome.REFUSED: (ALL_CHANNELS, StopReason.REFUSED),
    CallOutcome.WILL_RENEW: ((ReminderChannel.CALL,), StopReason.WILL_RENEW),
    CallOutcome.WRONG_NUMBER: ((ReminderChannel.SMS, ReminderChannel.CALL), StopReason.WRONG_NUMBER),
}


def _check_channel(channel: str) -> None:
    if channel not in ReminderChannel.values:
        raise ValidationError("提醒渠道无效。", code="channel")


@transaction.atomic
def reminder_opt_out(
    *, person: Person, channel: str, reason: str = "", by: User | None = None
) -> ReminderOptOut:
    """Record that `person` wants no renewal reminders through `channel` (idempotent)."""
    _check_channel(channel)
    opt_out, _ = ReminderOptOut.objects.get_or_create(
        person=person, channel=channel, defaults={"reason": reason[:200], "created_by": by}
    )
    return opt_out


@transaction.atomic
def reminder_opt_in(*, person: Person, channel: str) -> bool:
    """Withdraw an opt-out; True if there was one."""
    _check_channel(channel)
    deleted, _ = ReminderOptOut.objects.filter(person=person, channel=channel).delete()
    return bool(deleted)


@transaction.atomic
def call_list_assign(*, calls: Iterable[RenewalCall], agent: User | None, by: User) -> int:
    """Assign open calls to `agent` (a hotline agent of the calls' branch), or unassign them
    with `agent=None`. Supervisors assign any branch's calls; an agent only their own branch's.
    Returns how many calls changed; closed calls are refused."""
    if not access.can_work_calls(by):
        raise ValidationError("您无权分配续保外呼。", code="forbidden")
    ids = [c.pk for c in calls]
    rows = list(
        RenewalCall.objects.select_for_update().filter(pk__in=ids).values("pk", "status", "branch_id")
    )
    if len(rows) != len(set(ids)):
        raise ValidationError("部分外呼记录不存在。", code="missing")
    if any(r["status"] != CallStatus.OPEN for r in rows):
        raise ValidationError("已结束的外呼不能再分配。", code="closed")
    branches = {r["branch_id"] for r in rows}
    if not access.can_assign_calls_of(by, branches):
        raise ValidationError("只能分配本网点的续保外呼。", code="other_branch")
    if agent is not None:
        if not access.can_work_calls(agent):
            raise ValidationError(f"{agent} 不是热线坐席，不能分配外呼。", code="not_agent")
        if branches - {agent.branch_id}:
            raise ValidationError(f"{agent} 不属于这些外呼的承保网点。", code="agent_branch")
    return RenewalCall.objects.filter(pk__in=ids).update(assigned_to=agent)


@transaction.atomic
def call_record_outcome(
    *,
    call: RenewalCall,
    agent: User,
    outcome: str,
    note: str = "",
    call_back_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> RenewalCall:
    """Record one attempt at `call` by `agent` and feed the outcome back (see the module
    docstring). `call_back_at` is required for, and only for, a call-back in the future."""
    now = now or timezone.now()
    call = RenewalCall.objects.select_for_update().get(pk=call.pk)
    if outcome not in CallOutcome.values:
        raise ValidationError("外呼结果无效。", code="outcome")
    if call.status != CallStatus.OPEN:
        raise ValidationError("该外呼已结束，不能再登记结果。", code="closed")
    if not access.can_work_calls(agent):
        raise ValidationError("您无权登记续保外呼结果。", code="forbidden")
    if not access.can_record_call(agent, call):
        raise ValidationError("只能登记本网点的续保外呼。", code="other_branch")
    if outcome == CallOutcome.CALL_BACK:
        if call_back_at is None or call_back_at <= now:
            raise ValidationError("约定回电须填写一个将来的时间。", code="call_back_at")
    elif call_back_at is not None:
        raise ValidationError("只有“约定回电”需要填写回电时间。", code="call_back_at")

    RenewalCallAttempt.objects.create(
        call=call, agent=agent, outcome=outcome, note=note[:500], call_back_at=call_back_at, created_at=now
    )
    call.attempts += 1  # the row is locked: no lost update
    call.first_attempt_at = call.first_attempt_at or now
    call.last_attempt_at = now
    call.outcome = outcome
    call.outcome_note = note[:500]
    if call.assigned_to_id is None:
        call.assigned_to = agent

    if outcome == CallOutcome.CALL_BACK:
        call.call_after = call_back_at
    elif outcome == CallOutcome.UNREACHABLE and call.attempts < MAX_CALL_ATTEMPTS:
        call.call_after = now + UNREACHABLE_RETRY
    else:
        call.status = CallStatus.CLOSED
        call.closed_at = now
        call.call_after = None
        channels, reason = STOPS.get(outcome, ((), ""))
        ReminderStop.objects.bulk_create(
            [ReminderStop(policy_id=call.policy_id, channel=ch, reason=reason, call=call) for ch in channels],
            ignore_conflicts=True,
        )
    call.save()
    return call


# --- Sharing out a branch's call list ------------------------------------------------------------

SPREAD_LIMIT = 2000  # calls shared out per click; the rest wait for the next
TAKE_COUNT = 10


def _unassigned(branch: Branch, limit: int) -> list[RenewalCall]:
    """The branch's open, unassigned calls, soonest to end first, locked for this transaction;
    calls another transaction is assigning right now are left to it."""
    return list(
        RenewalCall.objects.for_branch(branch)
        .open()
        .unassigned()
        .select_for_update(skip_locked=True)
        .order_by("days_left", "due_date", "pk")[:limit]
    )


@transaction.atomic
def call_list_spread(*, branch: Branch, by: User, limit: int = SPREAD_LIMIT) -> dict[User, int]:
    """Share `branch`'s open, unassigned calls among its hotline agents so their open calls
    even out: each call, soonest-ending first, goes to the agent with the fewest. Returns how
    many calls each agent received."""
    if not access.can_manage_reminders(by):
        raise ValidationError("只有主管可以分配全网点的续保外呼。", code="forbidden")
    agents = list(access.branch_agents(branch))
    if not agents:
        raise ValidationError(
            "%(branch)s 没有可分配外呼的热线坐席。", code="no_agents", params={"branch": branch.name}
        )
    calls = _unassigned(branch, limit)
    if not calls:
        return {}
    load = dict(
        RenewalCall.objects.for_branch(branch)
        .open()
        .filter(assigned_to__in=agents)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
        .order_by()
    )
    queue = [(load.get(a.pk, 0), a.username, a.pk) for a in agents]
    heapq.heapify(queue)
    shares: dict[int, list[RenewalCall]] = {}
    for call in calls:
        count, username, agent_id = heapq.heappop(queue)
        shares.setdefault(agent_id, []).append(call)
        heapq.heappush(queue, (count + 1, username, agent_id))
    by_id = {a.pk: a for a in agents}
    for agent_id, share in shares.items():
        call_list_assign(calls=share, agent=by_id[agent_id], by=by)
    return {by_id[agent_id]: len(share) for agent_id, share in shares.items()}


@transaction.atomic
def call_list_take(*, agent: User, count: int = TAKE_COUNT) -> int:
    """The agent takes up to `count` of their branch's unassigned calls, soonest-ending first.
    Returns how many they took (none left: 0)."""
    if agent.branch is None:
        raise ValidationError(NO_BRANCH_FOR_CALLS, code="no_branch")
    calls = _unassigned(agent.branch, count)
    if not calls:
        return 0
    return call_list_assign(calls=calls, agent=agent, by=agent)


@transaction.atomic
def call_list_reassign(*, call_ids: list[int], agent: User | None, by: User, branch: Branch) -> int:
    """A supervisor moves some of a branch's open calls to another of its agents (or back to
    nobody). Calls of other branches among `call_ids` are refused."""
    calls = list(RenewalCall.objects.filter(pk__in=call_ids))
    if len(calls) != len(set(call_ids)) or any(c.branch_id != branch.pk for c in calls):
        raise ValidationError("所选外呼不属于该网点，请刷新后重试。", code="branch")
    if not calls:
        raise ValidationError("请先勾选要分配的外呼。", code="empty")
    if agent is not None and not access.branch_agents(branch).filter(Q(pk=agent.pk)).exists():
        raise ValidationError("%(agent)s 不是该网点的热线坐席。", code="agent", params={"agent": agent})
    return call_list_assign(calls=calls, agent=agent, by=by)
