"""Granting permissions to a role (a group) from a data migration, for every app."""


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
