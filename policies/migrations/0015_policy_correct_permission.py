"""Correcting a policy's money and dates is a permission of its own (policies.services.policy_correct),
given to supervisors; admin no longer edits those fields."""

from django.db import migrations

from policies.roles import SUPERVISOR, grant


def grant_correction(apps, schema_editor):
    grant(apps, SUPERVISOR, ["policies.correct_policy"])


class Migration(migrations.Migration):
    dependencies = [("policies", "0014_partition_access_log_by_month")]

    operations = [
        migrations.AlterModelOptions(
            name="policy",
            options={
                "permissions": [
                    ("renew_policy", "可办理续保"),
                    ("correct_policy", "可更正保单的保费、车船税与保险期间（须说明原因）"),
                ],
                "verbose_name": "保单",
                "verbose_name_plural": "保单",
            },
        ),
        migrations.RunPython(grant_correction, migrations.RunPython.noop),
    ]
