"""Who may see and do what with people, vehicles and policies — decided here and nowhere else.

One shape throughout: predicates `can_<verb>_<object>(user, ...)` and getters
`get_<object>_for_user(user, pk, *, desk, queryset=None)` that refuse (403) a user without
the desk and answer 404 for an id that does not exist. A view calls one of them once.

Customer pages open only from a lookup (`grant_person`): serving any customer face to face is
right, browsing people by id is not. The portal grants a person to the session when it shows
them as the answer to a lookup or search, on a call of the agent's list or on a support ticket
(the portal issued the link); the customer-page getters take the session's grants
(`granted_people(request)`) and answer 404 — not 403, which would confirm that the id exists —
for any other id. The grants live here, not in the desks, because a domain app (support's
ticket page) issues them too and may not import the desks.

Staff accounts in admin (`can_manage_staff`, `staff_for_user`, `can_give_role`): superuser
status, the staff flag, raw permissions and groups are for superusers alone. A supervisor
manages the clerks, agents and adjusters of their own branch (a head-office supervisor without
a branch: of every branch), only through the portal's roles; supervisors are appointed and
managed by superusers.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from policies.models import AccessBurst, Branch, Person, PersonAccessLog, Policy, User, Vehicle
from policies.roles import ROLES, SUPERVISOR, role_of

COUNTER_DESK = "policies.use_counter_desk"
HOTLINE_DESK = "policies.use_hotline_desk"
RENEW_POLICY = "policies.renew_policy"
CANCEL_POLICY = "policies.cancel_policy"
VIEW_DASHBOARDS = "policies.view_dashboards"
CORRECT_POLICY = "policies.correct_policy"

# The desks that serve customers, and the permission each needs.
DESKS = {"counter": COUNTER_DESK, "hotline": HOTLINE_DESK}


def can_use_desk(user: User, desk: str) -> bool:
    return user.is_active and user.has_perm(DESKS[desk])


def can_renew_policy(user: User) -> bool:
    """Renewing takes the counter desk and the renewal permission."""
    return can_use_desk(user, "counter") and user.has_perm(RENEW_POLICY)


def can_cancel_policy(user: User) -> bool:
    """Cancelling (退保) takes the counter desk and the cancellation permission."""
    return can_use_desk(user, "counter") and user.has_perm(CANCEL_POLICY)


def can_view_dashboards(user: User) -> bool:
    return user.is_active and user.has_perm(VIEW_DASHBOARDS)


def can_correct_policy(user: User) -> bool:
    """Correcting a policy's money or dates (policies.services.policy_correct): supervisors."""
    return user.is_active and user.has_perm(CORRECT_POLICY)


def _require_desk(user: User, desk: str) -> None:
    if not can_use_desk(user, desk):
        raise PermissionDenied


# --- Customer pages open only from a lookup ----------------------------------------------------

PERSON_GRANTS = "person_grants"  # session key: {person id: when granted (epoch seconds)}
GRANTS_KEPT = 200  # the latest this many people found in the session
GRANT_SECONDS = 12 * 3600  # a working day; the session itself ends no later (SESSION_COOKIE_AGE)
NOT_FROM_A_LOOKUP = (
    "未找到该客户。请先在工作台查询客户（证件号、号牌 + 车辆识别代号或手机号），再从查询结果打开。"
)


def grant_person(request: HttpRequest, *person_ids: int | None) -> None:
    """Let this session open the customer pages of `person_ids`: the portal has just shown them
    as the answer to a lookup, a search, a call of the agent's list or a ticket. Bounded: the
    latest `GRANTS_KEPT`, each for `GRANT_SECONDS`. People already among the newest half are
    left where they are, so paging through results or reopening a customer writes no session."""
    ids = [str(pk) for pk in person_ids if pk]
    if not ids:
        return
    grants = dict(request.session.get(PERSON_GRANTS, {}))
    now = int(time.time())
    newest = list(grants)[-(GRANTS_KEPT // 2) :]
    if set(ids) <= set(newest) and all(grants[pk] >= now - GRANT_SECONDS for pk in ids):
        return
    for pk in ids:
        grants.pop(pk, None)  # re-granted: moves to the end, the newest
        grants[pk] = now
    request.session[PERSON_GRANTS] = dict(list(grants.items())[-GRANTS_KEPT:])


def granted_people(request: HttpRequest) -> frozenset[int]:
    """The people this session may open (found by a lookup in the last `GRANT_SECONDS`)."""
    since = time.time() - GRANT_SECONDS
    grants = request.session.get(PERSON_GRANTS, {})
    return frozenset(int(pk) for pk, when in grants.items() if when >= since)


def _require_grant(granted: Collection[int], *person_ids: int | None) -> None:
    """404 unless one of `person_ids` was found in this session: the same answer as for an id
    that does not exist, so ids cannot be enumerated."""
    if not any(pk in granted for pk in person_ids if pk):
        raise Http404(NOT_FROM_A_LOOKUP)


def get_person_for_user(
    user: User, pk: int, *, desk: str, granted: Collection[int], queryset: QuerySet | None = None
) -> Person:
    """A customer page's person: 403 without the desk, 404 unless found in this session."""
    _require_desk(user, desk)
    _require_grant(granted, pk)
    return get_object_or_404(Person.objects.all() if queryset is None else queryset, pk=pk)


def _vehicle_of_granted(vehicle: Vehicle, granted: Collection[int]) -> Vehicle:
    """The vehicle, if its owner — or a policyholder or insured of one of its policies (the
    customer page lists those vehicles too) — was found in this session; 404 otherwise."""
    if vehicle.owner_id in granted:
        return vehicle
    ids = [pk for pk in granted if pk]
    if ids and vehicle.policies.filter(Q(policyholder_id__in=ids) | Q(insured_id__in=ids)).exists():
        return vehicle
    raise Http404(NOT_FROM_A_LOOKUP)


def get_vehicle_for_user(
    user: User, pk: int, *, desk: str, granted: Collection[int], queryset: QuerySet | None = None
) -> Vehicle:
    _require_desk(user, desk)
    vehicle = get_object_or_404(
        Vehicle.objects.select_related("owner") if queryset is None else queryset, pk=pk
    )
    return _vehicle_of_granted(vehicle, granted)


def get_policy_for_user(
    user: User, pk: int, *, desk: str, granted: Collection[int], queryset: QuerySet | None = None
) -> Policy:
    """A policy of a person found in this session (its holder, insured or vehicle's owner)."""
    _require_desk(user, desk)
    policy = get_object_or_404(
        Policy.objects.select_related("vehicle") if queryset is None else queryset, pk=pk
    )
    _require_grant(granted, policy.policyholder_id, policy.insured_id, policy.vehicle.owner_id)
    return policy


def get_vehicle_to_renew(user: User, pk: int, *, granted: Collection[int]) -> Vehicle:
    """The vehicle a clerk is about to renew: 403 without the renewal permission, 404 unless
    its customer was found in this session."""
    if not can_renew_policy(user):
        raise PermissionDenied
    vehicle = get_object_or_404(Vehicle.objects.select_related("owner"), pk=pk)
    return _vehicle_of_granted(vehicle, granted)


def get_policy_to_cancel(
    user: User, pk: int, *, granted: Collection[int], queryset: QuerySet | None = None
) -> Policy:
    """The policy a clerk is about to cancel: 403 without the cancellation permission, 404
    unless its customer was found in this session."""
    if not can_cancel_policy(user):
        raise PermissionDenied
    return get_policy_for_user(user, pk, desk="counter", granted=granted, queryset=queryset)


# --- Staff accounts in admin ---------------------------------------------------------------------

MANAGE_STAFF = "policies.change_user"
# The roles a supervisor may give; 主管 is given by superusers only.
SUPERVISOR_GIVES = tuple(r for r in ROLES if r != SUPERVISOR)


def _is_supervisor(user: User) -> bool:
    return user.is_active and user.is_staff and role_of(user) == SUPERVISOR and user.has_perm(MANAGE_STAFF)


def can_manage_staff(user: User, target: User | None = None) -> bool:
    """May `user` edit `target`'s account (or, with no target, manage staff at all)?

    Superusers: everyone. Supervisors: non-superuser, non-staff accounts that are not
    supervisors, of their own branch (a head-office supervisor, with no branch: of every
    branch, and staff without a branch) — never their own account."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not _is_supervisor(user):
        return False
    if target is None:
        return True
    if target.pk == user.pk or target.is_superuser or target.is_staff or role_of(target) == SUPERVISOR:
        return False
    return user.branch_id is None or target.branch_id == user.branch_id


def staff_for_user(user: User) -> QuerySet[User]:
    """The staff accounts `user` may see and edit in admin (the same rule as `can_manage_staff`)."""
    if user.is_active and user.is_superuser:
        return User.objects.all()
    if not can_manage_staff(user):
        return User.objects.none()
    accounts = (
        User.objects.filter(is_superuser=False, is_staff=False)
        .exclude(groups__name=SUPERVISOR)
        .exclude(pk=user.pk)
    )
    return accounts if user.branch_id is None else accounts.filter(branch_id=user.branch_id)


def roles_for_user(user: User) -> tuple[str, ...]:
    """The roles `user` may give: every role for a superuser; 主管 excepted for a supervisor."""
    if user.is_active and user.is_superuser:
        return ROLES
    return SUPERVISOR_GIVES if can_manage_staff(user) else ()


def branches_for_user(user: User) -> QuerySet[Branch]:
    """The branches `user` may put staff in: their own, or every one for head office."""
    if user.is_active and (user.is_superuser or (can_manage_staff(user) and user.branch_id is None)):
        return Branch.objects.all()
    if can_manage_staff(user):
        return Branch.objects.filter(pk=user.branch_id)
    return Branch.objects.none()


def can_give_role(user: User, role: str, branch: Branch | None) -> bool:
    """May `user` give `role` at `branch` (the role and branch a staff account is saved with)?"""
    if role not in roles_for_user(user):
        return False
    if user.is_superuser:
        return True
    return branch is not None and (user.branch_id is None or branch.pk == user.branch_id)


# --- The access log of personal data -------------------------------------------------------

VIEW_ACCESS_LOG = "policies.view_personaccesslog"


def can_view_access_log(user: User) -> bool:
    """Supervisors read who saw which customer (the log of full views)."""
    return user.is_active and user.has_perm(VIEW_ACCESS_LOG) and user.has_perm(VIEW_DASHBOARDS)


def access_log_for_user(user: User) -> QuerySet[PersonAccessLog]:
    """The log rows `user` may read: a branch supervisor those of their branch's staff, head
    office (no branch) and superusers every row."""
    return _of_staff_seen_by(user, PersonAccessLog.objects.all())


def access_bursts_for_user(user: User) -> QuerySet[AccessBurst]:
    """The unusual-access bursts `user` may read: those of the accounts whose log they read."""
    return _of_staff_seen_by(user, AccessBurst.objects.all())


def _of_staff_seen_by(user: User, rows: QuerySet) -> QuerySet:
    """`rows` (each of one member of staff, `user`) that `user` may read: a branch supervisor
    those of their branch's staff, head office (no branch) and superusers every row."""
    if not can_view_access_log(user):
        return rows.none()
    if user.is_superuser or user.branch_id is None:
        return rows
    return rows.filter(user__branch_id=user.branch_id)
