"""Staff roles. Each role is a group with permissions, created by data migrations.

Views ask for permissions, never for group names; this module names the groups and
what each may do, so a data migration (of any app) can grant its own permissions with
`grant(apps, ROLE, [...])`.
"""

from __future__ import annotations

from core.grants import grant as grant  # data migrations import it from here

COUNTER_CLERK = "柜面人员"
HOTLINE_AGENT = "热线坐席"
SUPERVISOR = "主管"
CLAIMS_ADJUSTER = "理赔人员"
ROLES = (COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR, CLAIMS_ADJUSTER)

ROLE_SLUGS = {
    COUNTER_CLERK: "counter_clerk",
    HOTLINE_AGENT: "hotline_agent",
    SUPERVISOR: "supervisor",
    CLAIMS_ADJUSTER: "claims_adjuster",
}


def role_of(user) -> str | None:
    """The user's role name (the first of their role groups), or None."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_role_cache"):
        user._role_cache = role_from_group_names(g.name for g in user.groups.all())
    return user._role_cache


def role_from_group_names(names) -> str | None:
    """The role among a user's group names (the first role group in `ROLES` order), or None."""
    names = set(names)
    return next((r for r in ROLES if r in names), None)
