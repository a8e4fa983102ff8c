"""API usage, partitioned by month on `day` (core.partitions; docs/scaling.md, "Partitioned
tables"). The upsert's key (key, day, endpoint) already holds the day, so `ON CONFLICT` is
unchanged. In the database the primary key becomes (id, day); Django keeps `id`."""

from django.db import migrations

from core import partitions

TABLE, COLUMN = "policies_apiusage", "day"
UNIQUE = {"apiusage_key_day_endpoint_uniq": ["key_id", "day", "endpoint"]}


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitions.partition_by_month(cursor, TABLE, COLUMN, unique=UNIQUE)


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitions.unpartition(cursor, TABLE, COLUMN, unique=UNIQUE)


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_api_keys_from_policies")]
    operations = [migrations.RunPython(forward, backward)]
