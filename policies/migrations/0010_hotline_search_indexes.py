"""Indexes for the hotline's search box and filters .

- person names in code-point order with the id: prefix search ("张伟…") in name order;
- person names as trigrams (pg_trgm, GIN): names alike when none begins with the term;
- vehicle category: the category filter, starting from the vehicles of a rare category;
- policy start date: "renewed" (a policy starting after today) and sorting by start;
- cancelled policies by end date (a partial index): the "cancelled" filter;
- renewal calls an agent closed, by when: "done today" on the agent's call list.

Built CONCURRENTLY, so a live table of millions of policies keeps taking writes.
"""

from django.db import migrations

INDEXES = {
    "person_name_code_order_idx": 'ON policies_person ((name COLLATE "C"), id)',
    "person_name_trgm_idx": "ON policies_person USING gin (name gin_trgm_ops)",
    "vehicle_category_idx": "ON policies_vehicle (premium_category)",
    "policy_start_idx": "ON policies_policy (start_date)",
    "policy_cancelled_end_idx": "ON policies_policy (end_date) WHERE status = 'cancelled'",
    "renewal_call_agent_closed_idx": "ON policies_renewalcall (assigned_to_id, closed_at) WHERE status = 'closed'",
}


def forwards(apps, schema_editor):
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}")


def backwards(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("policies", "0009_index_short_term_policies")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
