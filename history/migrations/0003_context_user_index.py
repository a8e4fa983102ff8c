"""The history search by 操作人 (`history.timeline.search`, who made the changes) filters the
change contexts on `metadata -> 'user'`: without this index every search read every context.
django-pghistory owns the table, so the index is raw SQL; built CONCURRENTLY, so a live table
keeps taking writes."""

from django.db import migrations

from core.online_indexes import concurrently

INDEX = "history_context_user_idx ON pghistory_context ((metadata -> 'user'))"


def forwards(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX {concurrently(schema_editor)} IF NOT EXISTS {INDEX}")


def backwards(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {concurrently(schema_editor)} IF EXISTS history_context_user_idx")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [
        ("history", "0002_policy_event_cancellation_payment_fields"),
        ("pghistory", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
