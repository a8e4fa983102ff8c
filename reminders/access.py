"""Who may work and manage renewal reminders and the outbound call list — decided here only.

Predicates `can_<verb>_<object>(user, ...)`; `calls_for_user(user)` the calls a user may see
(supervisors every branch's, hotline agents their own branch's); `get_call_for_user(user, pk)`
one of them, 404 outside the user's scope.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from policies.models import Branch, User
from reminders.models import RenewalCall

WORK_CALLS = "reminders.work_renewal_calls"
MANAGE_REMINDERS = "reminders.manage_reminders"


def can_work_calls(user: User) -> bool:
    return user.is_active and user.has_perm(WORK_CALLS)


def can_manage_reminders(user: User) -> bool:
    return user.is_active and user.has_perm(MANAGE_REMINDERS)


def can_assign_calls_of(user: User, branch_ids: set[int]) -> bool:
    """Supervisors assign any branch's calls; an agent only their own branch's."""
    return can_work_calls(user) and (can_manage_reminders(user) or not branch_ids - {user.branch_id})


def can_record_call(user: User, call: RenewalCall) -> bool:
    return can_work_calls(user) and (can_manage_reminders(user) or user.branch_id == call.branch_id)


def calls_for_user(user: User) -> QuerySet[RenewalCall]:
    """Supervisors see every call; hotline agents the calls of their own branch."""
    if can_manage_reminders(user):
        return RenewalCall.objects.all()
    if can_work_calls(user) and user.branch_id:
        return RenewalCall.objects.filter(branch_id=user.branch_id)
    return RenewalCall.objects.none()


def get_call_for_user(user: User, pk: int) -> RenewalCall:
    """The call, if the user may work it (their branch's, or any for supervisors); 404 otherwise."""
    calls = calls_for_user(user).select_related("person", "vehicle", "policy", "assigned_to")
    return get_object_or_404(calls, pk=pk)


def _holding(codename: str) -> Q:
    """Users holding the reminders permission `codename`, through a group or directly."""
    groups = Group.objects.filter(
        user=OuterRef("pk"), permissions__codename=codename, permissions__content_type__app_label="reminders"
    )
    direct = Permission.objects.filter(
        user=OuterRef("pk"), codename=codename, content_type__app_label="reminders"
    )
    return Q(Exists(groups)) | Q(Exists(direct))


def branch_agents(branch: Branch) -> QuerySet[User]:
    """The branch's hotline agents: active staff who work renewal calls and do not manage them."""
    return (
        User.objects.filter(is_active=True, is_superuser=False, branch=branch)
        .filter(_holding("work_renewal_calls"))
        .exclude(_holding("manage_reminders"))
        .order_by("last_name", "first_name", "username")
    )
