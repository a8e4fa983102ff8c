"""The outbox owns the quiet hours as a flag its callers set; reminders already waiting get it."""

from django.db import migrations, models


def _flag_waiting_reminders(apps, schema_editor):
    OutboundMessage = apps.get_model("outbox", "OutboundMessage")
    OutboundMessage.objects.filter(purpose="renewal_reminder", channel__in=["sms", "push"]).update(
        quiet_hours=True
    )


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_outbox_from_policies")]
    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="quiet_hours",
            field=models.BooleanField(default=False, verbose_name="避开夜间"),
        ),
        migrations.RunPython(_flag_waiting_reminders, migrations.RunPython.noop),
    ]
