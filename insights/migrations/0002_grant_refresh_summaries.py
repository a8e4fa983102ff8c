"""Supervisors may recompute the dashboard's figures on demand (the 立即刷新 button)."""

from django.db import migrations

from policies.roles import SUPERVISOR, grant

PERMISSIONS = ["insights.refresh_summaries", "insights.view_summaryrun"]


def grant_permissions(apps, schema_editor):
    grant(apps, SUPERVISOR, PERMISSIONS)


def revoke_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=SUPERVISOR):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="insights", codename__in=[p.split(".")[1] for p in PERMISSIONS]
            )
        )


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_monthly_summaries"), ("policies", "0004_create_roles")]
    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
