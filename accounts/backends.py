"""The lockout check in front of Django's password check, and the staff backend that loads a
signed-in user's branch with the user and their permissions and role from the cache."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.cache import cache

from policies.models import User
from policies.roles import role_from_group_names

AUTHZ_KEY = "jqx:authz:{pk}"  # a user's permissions and role names, in the cache


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check (first in AUTHENTICATION_BACKENDS; Django's ModelBackend
    then checks the password).

    Every sign-in over HTTP passes its request, and is checked. A call without one has no
    client to lock out — code that checks a password itself (a management command, the test
    client's `login()`) — and passes on to the password check, where axes would refuse it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def authz_key(user_id: int) -> str:
    return AUTHZ_KEY.format(pk=user_id)


def forget_authz(user_ids) -> None:
    """Drop the cached permissions and roles of `user_ids` (their groups or permissions changed)."""
    keys = [authz_key(pk) for pk in set(user_ids) if pk]
    if keys:
        cache.delete_many(keys)


class StaffBackend(ModelBackend):
    """Django's password and permission backend, with the fixed cost of a signed-in request
    cut to the one query that identifies the user: the user's branch comes in the same query,
    and the user's permissions (own and through groups) and role are read from the cache
    (`PERMISSION_CACHE_SECONDS`; the signals in accounts.signals drop an entry whenever a
    user's groups, a group's permissions or the user change). With 0 — no cache shared by
    every process — they are read per request as Django does."""

    def get_user(self, user_id):
        user = User._default_manager.select_related("branch").filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        if settings.PERMISSION_CACHE_SECONDS > 0 and not user.is_superuser:
            self._load_authz(user)
        return user

    def _load_authz(self, user: User) -> None:
        """Fill the per-request caches ModelBackend and policies.roles read from the shared
        cache; on a miss, read them (three queries) and keep them."""
        key = authz_key(user.pk)
        entry = cache.get(key)
        if entry is None:
            user_perms = self._permission_names(Permission.objects.filter(user=user))
            group_perms = self._permission_names(Permission.objects.filter(group__user=user))
            groups = sorted(user.groups.values_list("name", flat=True))
            entry = {"user": user_perms, "group": group_perms, "groups": groups}
            cache.set(key, entry, settings.PERMISSION_CACHE_SECONDS)
        user._user_perm_cache = set(entry["user"])
        user._group_perm_cache = set(entry["group"])
        user._perm_cache = {*entry["user"], *entry["group"]}
        user._role_cache = role_from_group_names(entry["groups"])

    @staticmethod
    def _permission_names(queryset) -> list[str]:
        rows = queryset.values_list("content_type__app_label", "codename").order_by()
        return sorted({f"{app_label}.{codename}" for app_label, codename in rows})
