"""Cancelling a policy is the counter clerk's and the supervisor's; supervisors keep the
drink-driving records in admin and read the premium ledger there."""

from django.db import migrations

from policies.roles import COUNTER_CLERK, SUPERVISOR, grant


def grant_permissions(apps, schema_editor):
    grant(apps, COUNTER_CLERK, ["policies.cancel_policy"])
    grant(
        apps,
        SUPERVISOR,
        [
            "policies.cancel_policy", "policies.view_premiumentry",
            "policies.view_drinkdrivingrecord", "policies.add_drinkdrivingrecord",
            "policies.change_drinkdrivingrecord",
        ],
    )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("policies", "0015_policy_cancellation_payments_immediate_cover")]
    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
