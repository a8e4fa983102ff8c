"""The outbox, reminder and API-key models left for their own apps (state only: the tables stay)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0010_hotline_search_indexes"),
        ("reminders", "0001_reminder_models_from_policies"),
        ("channels", "0001_api_keys_from_policies"),
        ("support", "0006_messages_in_the_outbox_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="apikey",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="apikey",
                    name="revoked_by",
                ),
                migrations.RemoveField(
                    model_name="apiusage",
                    name="key",
                ),
                migrations.RemoveField(
                    model_name="reminder",
                    name="step",
                ),
                migrations.RemoveField(
                    model_name="outboundmessage",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="reminder",
                    name="message",
                ),
                migrations.RemoveField(
                    model_name="reminder",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="reminder",
                    name="policy",
                ),
                migrations.RemoveField(
                    model_name="renewalcall",
                    name="reminder",
                ),
                migrations.DeleteModel(
                    name="ReminderConversionDay",
                ),
                migrations.RemoveField(
                    model_name="reminderoptout",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="reminderoptout",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="reminderstop",
                    name="call",
                ),
                migrations.RemoveField(
                    model_name="reminderstop",
                    name="policy",
                ),
                migrations.RemoveField(
                    model_name="renewalcall",
                    name="assigned_to",
                ),
                migrations.RemoveField(
                    model_name="renewalcall",
                    name="branch",
                ),
                migrations.RemoveField(
                    model_name="renewalcall",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="renewalcall",
                    name="policy",
                ),
                migrations.RemoveField(
                    model_name="renewalcall",
                    name="vehicle",
                ),
                migrations.RemoveField(
                    model_name="renewalcallattempt",
                    name="call",
                ),
                migrations.RemoveField(
                    model_name="renewalcallattempt",
                    name="agent",
                ),
                migrations.DeleteModel(
                    name="ApiKey",
                ),
                migrations.DeleteModel(
                    name="ApiUsage",
                ),
                migrations.DeleteModel(
                    name="CadenceStep",
                ),
                migrations.DeleteModel(
                    name="OutboundMessage",
                ),
                migrations.DeleteModel(
                    name="Reminder",
                ),
                migrations.DeleteModel(
                    name="ReminderOptOut",
                ),
                migrations.DeleteModel(
                    name="ReminderStop",
                ),
                migrations.DeleteModel(
                    name="RenewalCall",
                ),
                migrations.DeleteModel(
                    name="RenewalCallAttempt",
                ),
            ],
        ),
    ]
