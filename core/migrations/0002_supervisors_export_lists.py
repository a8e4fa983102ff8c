"""Supervisors export the lists they see (masked) and read the export log in admin. Exporting
personal data in full is a permission of its own, given to no role: a superuser grants it."""

from django.db import migrations

from core.grants import grant

SUPERVISOR = "主管"  # the supervisors' role (policies.roles.SUPERVISOR)

PERMISSIONS = ["core.export_lists", "core.view_exportlog"]


def grant_permissions(apps, schema_editor):
    grant(apps, SUPERVISOR, PERMISSIONS)


def revoke_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name=SUPERVISOR):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="core", codename__in=["export_lists", "view_exportlog"]
            )
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_export_log"), ("policies", "0004_create_roles")]
    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
