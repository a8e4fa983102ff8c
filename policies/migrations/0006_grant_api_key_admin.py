"""Supervisors issue and revoke API client keys and read their usage in admin."""

from django.db import migrations

from policies.roles import SUPERVISOR, grant


def grant_api_admin(apps, schema_editor):
    grant(
        apps,
        SUPERVISOR,
        ["policies.view_apikey", "policies.add_apikey", "policies.change_apikey", "policies.view_apiusage"],
    )


class Migration(migrations.Migration):
    dependencies = [("policies", "0005_api_keys_and_usage"), ("policies", "0004_create_roles")]
    operations = [migrations.RunPython(grant_api_admin, migrations.RunPython.noop)]
