"""Rules the hotline desk adds over the reminders' call list: sharing a branch's unassigned
calls among its agents, and an agent taking calls for themselves. Both assign through
`reminders.services.call_list_assign`, which checks who may assign what to whom."""

from __future__ import annotations

import heapq

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from desks.hotline.calls import MANAGE_CALLS, branch_agents
from policies.models import Branch, User
from reminders.models import RenewalCall
from reminders.services import call_list_assign

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
    if not by.has_perm(MANAGE_CALLS):
        raise ValidationError("只有主管可以分配全网点的续保外呼。", code="forbidden")
    agents = list(branch_agents(branch))
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
        raise ValidationError("您的账号未设置所属网点，无法领取外呼。请联系主管。", code="no_branch")
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
    if agent is not None and not branch_agents(branch).filter(Q(pk=agent.pk)).exists():
        raise ValidationError("%(agent)s 不是该网点的热线坐席。", code="agent", params={"agent": agent})
    return call_list_assign(calls=calls, agent=agent, by=by)
