"""Indexes in the full order of the hotline's lists — the sort columns, then the id — so a
page starts where the previous one stopped (`core.keyset`: `(end_date, id) > (…)` is an index
condition) instead of sorting a whole day's policies and skipping pages by OFFSET.

(end_date) → (end_date, id), (branch, end_date) → (branch, end_date, id), (channel, end_date)
→ (channel, end_date, id), (start_date) → (start_date, id), and the cancelled policies' partial
index likewise. Built CONCURRENTLY before the old ones are dropped, so a live table of
millions of policies keeps taking writes and no list is left without its index.
"""

from django.db import migrations, models

from core.online_indexes import AddIndexOnline, RemoveIndexOnline, concurrently

RAW = {  # indexes of migration 0010 (raw SQL): new name → (definition, the one it replaces)
    "policy_start_id_idx": ("ON policies_policy (start_date, id)", "policy_start_idx"),
    "policy_cancelled_end_id_idx": (
        "ON policies_policy (end_date, id) WHERE status = 'cancelled'",
        "policy_cancelled_end_idx",
    ),
}
OLD_RAW = {
    "policy_start_idx": "ON policies_policy (start_date)",
    "policy_cancelled_end_idx": "ON policies_policy (end_date) WHERE status = 'cancelled'",
}


def forwards(apps, schema_editor):
    how = concurrently(schema_editor)
    for name, (definition, old) in RAW.items():
        schema_editor.execute(f"CREATE INDEX {how} IF NOT EXISTS {name} {definition}")
        schema_editor.execute(f"DROP INDEX {how} IF EXISTS {old}")


def backwards(apps, schema_editor):
    how = concurrently(schema_editor)
    for name, (_, old) in RAW.items():
        schema_editor.execute(f"CREATE INDEX {how} IF NOT EXISTS {old} {OLD_RAW[old]}")
        schema_editor.execute(f"DROP INDEX {how} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("policies", "0018_policy_permissions_and_event_fields")]

    operations = [
        AddIndexOnline(
            model_name="policy", index=models.Index(fields=["end_date", "id"], name="policy_end_id_idx")
        ),
        AddIndexOnline(
            model_name="policy",
            index=models.Index(fields=["branch", "end_date", "id"], name="policy_branch_end_id_idx"),
        ),
        AddIndexOnline(
            model_name="policy",
            index=models.Index(fields=["channel", "end_date", "id"], name="policy_channel_end_id_idx"),
        ),
        RemoveIndexOnline(model_name="policy", name="policy_end_idx"),
        RemoveIndexOnline(model_name="policy", name="policy_branch_end_idx"),
        RemoveIndexOnline(model_name="policy", name="policy_channel_end_idx"),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
