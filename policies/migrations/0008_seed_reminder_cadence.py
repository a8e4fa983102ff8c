"""The default reminder cadence (60, 30, 7 and 1 days before cover ends and the first day
of lapse, by SMS, email and app push; hotline calls 7 days before and on the first day of
lapse) and the reminder permissions of the roles."""

from django.db import migrations

from policies.roles import HOTLINE_AGENT, SUPERVISOR, grant

MESSAGE_STEPS = [60, 30, 7, 1, -1]
CALL_STEPS = [7, -1]


def seed(apps, schema_editor):
    CadenceStep = apps.get_model("policies", "CadenceStep")
    steps = [(channel, days) for channel in ("sms", "email", "push") for days in MESSAGE_STEPS]
    steps += [("call", days) for days in CALL_STEPS]
    for channel, days in steps:
        CadenceStep.objects.get_or_create(channel=channel, days_left=days)

    grant(apps, HOTLINE_AGENT, ["policies.work_renewal_calls", "policies.view_renewalcall"])
    grant(
        apps,
        SUPERVISOR,
        [
            "policies.manage_reminders", "policies.work_renewal_calls",
            "policies.view_reminder", "policies.view_reminderstop", "policies.view_renewalcallattempt",
            *[f"policies.{action}_{model}" for model in ("cadencestep", "reminderoptout", "renewalcall")
              for action in ("view", "add", "change", "delete")],
        ],
    )  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("policies", "CadenceStep").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0007_reminders_and_renewal_calls")]
    operations = [migrations.RunPython(seed, unseed)]
