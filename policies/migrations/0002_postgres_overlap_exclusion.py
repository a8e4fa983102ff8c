"""On PostgreSQL, no two non-cancelled policies of one vehicle may overlap in time.

An exclusion constraint over (vehicle, daterange(start, end, '[]')); it needs btree_gist.
Other databases rely on `policies.services.check_no_overlap`, which runs everywhere.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE policies_policy ADD CONSTRAINT policy_no_overlap_per_vehicle
    EXCLUDE USING gist (vehicle_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
    WHERE (status <> 'cancelled');
"""
DROP = "ALTER TABLE policies_policy DROP CONSTRAINT IF EXISTS policy_no_overlap_per_vehicle;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
