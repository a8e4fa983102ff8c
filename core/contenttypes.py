"""Moving models between apps in migrations without losing who may do what with them."""

from __future__ import annotations


def move_content_types(apps, *, old_label: str, new_label: str, models: list[str]) -> None:
    """Relabel the content types of `models` (lower-case names) from `old_label` to `new_label`,
    so their permissions — and every group holding them — follow the models to their new app.

    Where both labels already have a content type (a fresh database on which permissions were
    created for both), the old permissions' holders are moved to the new ones and the old
    content type is removed."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in models:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        for perm in Permission.objects.filter(content_type=old):
            target, _ = Permission.objects.get_or_create(
                content_type=new, codename=perm.codename, defaults={"name": perm.name}
            )
            for group in perm.group_set.all():
                group.permissions.add(target)
            for user in perm.user_set.all():
                user.user_permissions.add(target)
        old.delete()
