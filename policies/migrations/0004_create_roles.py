"""The three staff roles as groups with their permissions (see `policies.roles`)."""

from django.db import migrations

from policies.roles import COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR, grant

VIEW_CUSTOMERS = [
    "policies.view_person", "policies.view_vehicle", "policies.view_policy", "policies.view_drivinglicence",
]  # fmt: skip
ADMIN_MODELS = [
    "branch", "user", "person", "drivinglicence", "vehicle", "policy", "outboundmessage",
    "basepremiumrate", "floatingplanregion", "floatingrate", "shorttermrate", "vehicletaxrate", "provincerule",
]  # fmt: skip


def create_roles(apps, schema_editor):
    grant(apps, COUNTER_CLERK, ["policies.use_counter_desk", "policies.renew_policy", *VIEW_CUSTOMERS])
    grant(apps, HOTLINE_AGENT, ["policies.use_hotline_desk", *VIEW_CUSTOMERS])
    grant(
        apps,
        SUPERVISOR,
        [
            "policies.view_dashboards", "policies.use_counter_desk", "policies.use_hotline_desk",
            "policies.renew_policy", "policies.view_personaccesslog", "policies.view_numbersequence",
            "auth.view_group",
            *[f"policies.{action}_{model}" for model in ADMIN_MODELS for action in ("view", "add", "change")],
        ],
    )  # fmt: skip


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_seed_tariffs"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
