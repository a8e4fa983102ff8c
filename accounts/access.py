"""Who must prove a second factor, and what an account that has not yet may reach.

Supervisors (group 主管) and every account that can reach admin (is_staff, is_superuser)
sign in with a one-time code after the password; nobody else is asked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from policies.roles import SUPERVISOR

# Session key: whether the signed-in account needs the second factor, decided once at sign-in
# (so that no page pays a query for it).
TWO_FACTOR_REQUIRED_KEY = "jqx_two_factor_required"

# Paths that are no staff pages: no session is read or refreshed there, no second factor asked.
SESSIONLESS_PREFIXES = ("/api/v1/", "/status", "/healthz")


def two_factor_required(user: AbstractBaseUser, session=None) -> bool:
    """Whether `user` must verify a one-time code before anything else.

    With the session of a signed-in request, the group membership decided at sign-in is
    used; without one, it is looked up.
    """
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    if session is not None and TWO_FACTOR_REQUIRED_KEY in session:
        return bool(session[TWO_FACTOR_REQUIRED_KEY])
    return user.groups.filter(name=SUPERVISOR).exists()


def is_staff_page(path: str) -> bool:
    """Pages where a signed-in member of staff's session counts (not the API, the public
    status page, health checks or static files)."""
    return not path.startswith((*SESSIONLESS_PREFIXES, "/" + settings.STATIC_URL.lstrip("/")))
