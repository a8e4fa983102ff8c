"""Support on the three roles: hotline agents and counter clerks work tickets (agents
also the hotline centre's queues); supervisors see every queue and the reports, and
manage queues, SLA targets and the knowledge base in admin."""

from django.db import migrations

from policies.roles import COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR, grant

READ_ARTICLES = "support.view_article"


def grant_permissions(apps, schema_editor):
    grant(apps, COUNTER_CLERK, ["support.work_tickets", READ_ARTICLES])
    grant(apps, HOTLINE_AGENT, ["support.work_tickets", "support.view_hotline_queues", READ_ARTICLES])
    grant(
        apps,
        SUPERVISOR,
        [
            "support.work_tickets", "support.view_hotline_queues", "support.view_all_tickets",
            "support.view_support_reports",
            *[f"support.{action}_{model}" for model in ("queue", "slatarget", "article") for action in ("view", "add", "change")],
            "support.view_ticket", "support.view_ticketevent", "support.view_survey",
        ],
    )  # fmt: skip


def revoke_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    perms = Permission.objects.filter(content_type__app_label="support")
    for group in Group.objects.filter(name__in=[COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0003_seed_sla_targets_queues_knowledge_base"),
        ("policies", "0004_create_roles"),
    ]
    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
