"""Staff roles. Each role is a group with permissions, created by data migrations.

Views ask for permissions, never for group names; this module names the groups and
what each may do, so a data migration (of any app) can grant its own permissions with
`grant(apps, ROLE, [...])`.
"""

from __future__ import annotations

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


def grant(apps, role: str, permissions: list[str]) -> None:
    """Give `role` the permissions named "app_label.codename" (for use in data migrations).

    Permissions are normally created after migrations run; create them first so a data
    migration can grant them on a fresh database.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=role)
    for name in permissions:
        app_label, codename = name.split(".")
        perm = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        group.permissions.add(perm)


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
