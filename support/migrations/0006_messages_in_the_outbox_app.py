"""Surveys and ticket events point at the outbox's model in its new app (same table, no database change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_outbox_from_policies"),
        ("support", "0005_ticket_claim_link"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="survey",
                    name="message",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="surveys",
                        to="outbox.outboundmessage",
                        verbose_name="通知",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="message",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ticket_events",
                        to="outbox.outboundmessage",
                        verbose_name="通知",
                    ),
                ),
            ],
        ),
    ]
