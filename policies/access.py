"""Who may see and do what with people, vehicles and policies — decided here and nowhere else.

One shape throughout: predicates `can_<verb>_<object>(user, ...)` and getters
`get_<object>_for_user(user, pk, *, desk, queryset=None)` that refuse (403) a user without
the desk and answer 404 for an id that does not exist. A view calls one of them once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from policies.models import Person, Policy, User, Vehicle

COUNTER_DESK = "policies.use_counter_desk"
HOTLINE_DESK = "policies.use_hotline_desk"
RENEW_POLICY = "policies.renew_policy"
VIEW_DASHBOARDS = "policies.view_dashboards"

# The desks that serve customers, and the permission each needs.
DESKS = {"counter": COUNTER_DESK, "hotline": HOTLINE_DESK}


def can_use_desk(user: User, desk: str) -> bool:
    return user.is_active and user.has_perm(DESKS[desk])


def can_renew_policy(user: User) -> bool:
    """Renewing takes the counter desk and the renewal permission."""
    return can_use_desk(user, "counter") and user.has_perm(RENEW_POLICY)


def can_view_dashboards(user: User) -> bool:
    return user.is_active and user.has_perm(VIEW_DASHBOARDS)


def _require_desk(user: User, desk: str) -> None:
    if not can_use_desk(user, desk):
        raise PermissionDenied


def get_person_for_user(user: User, pk: int, *, desk: str, queryset: QuerySet | None = None) -> Person:
    _require_desk(user, desk)
    return get_object_or_404(Person.objects.all() if queryset is None else queryset, pk=pk)


def get_vehicle_for_user(user: User, pk: int, *, desk: str, queryset: QuerySet | None = None) -> Vehicle:
    _require_desk(user, desk)
    return get_object_or_404(Vehicle.objects.select_related("owner") if queryset is None else queryset, pk=pk)


def get_policy_for_user(user: User, pk: int, *, desk: str, queryset: QuerySet | None = None) -> Policy:
    _require_desk(user, desk)
    return get_object_or_404(Policy.objects.all() if queryset is None else queryset, pk=pk)


def get_vehicle_to_renew(user: User, pk: int) -> Vehicle:
    """The vehicle a clerk is about to renew: 403 without the renewal permission."""
    if not can_renew_policy(user):
        raise PermissionDenied
    return get_object_or_404(Vehicle.objects.select_related("owner"), pk=pk)
