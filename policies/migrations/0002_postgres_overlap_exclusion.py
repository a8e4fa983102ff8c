"""No two non-cancelled policies of one vehicle may overlap in time.

An exclusion constraint over (vehicle, daterange(start, end, '[]')); it needs btree_gist.
`check_no_overlap` in the services says the same in Chinese before a write reaches it.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE policies_policy ADD CONSTRAINT policy_no_overlap_per_vehicle
    EXCLUDE USING gist (vehicle_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
    WHERE (status <> 'cancelled');
"""
DROP = "ALTER TABLE policies_policy DROP CONSTRAINT IF EXISTS policy_no_overlap_per_vehicle;"


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [migrations.RunSQL(CREATE, DROP, elidable=False)]
