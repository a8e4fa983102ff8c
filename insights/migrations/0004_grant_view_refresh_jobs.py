"""Supervisors see the refresh jobs (admin → 看板刷新任务), a failed one's message included."""

from django.db import migrations

from policies.roles import SUPERVISOR, grant


def grant_permission(apps, schema_editor):
    grant(apps, SUPERVISOR, ["insights.view_refreshjob"])


def revoke_permission(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=SUPERVISOR):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="insights", codename="view_refreshjob")
        )


class Migration(migrations.Migration):
    dependencies = [("insights", "0003_refresh_jobs")]
    operations = [migrations.RunPython(grant_permission, revoke_permission)]
