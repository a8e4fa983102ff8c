"""The access log of full views of personal data, partitioned by month on `accessed_at`
(core.partitions; docs/scaling.md, "Partitioned tables"). Existing rows, ids and the id
sequence are kept. In the database the primary key becomes (id, accessed_at); Django keeps
`id` as the model's primary key (nothing references this table by foreign key)."""

from django.db import migrations

from core import partitions

TABLE, COLUMN = "policies_personaccesslog", "accessed_at"


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitions.partition_by_month(cursor, TABLE, COLUMN, unique={})


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitions.unpartition(cursor, TABLE, COLUMN, unique={})


class Migration(migrations.Migration):
    dependencies = [("policies", "0013_access_log_other_branch")]
    operations = [migrations.RunPython(forward, backward)]
