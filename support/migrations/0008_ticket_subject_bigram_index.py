"""Admin ticket search by subject: a GIN index over each subject's character bigrams (Chinese
has no word boundaries, and pg_trgm ignores CJK characters under a C locale), so "理赔" finds
every ticket whose subject contains it without reading the table."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION support_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(array_agg(DISTINCT substr(lower(value), i, 2)), '{}')
    FROM generate_series(1, char_length(value) - 1) AS i
$$
"""


class Migration(migrations.Migration):
    dependencies = [("support", "0007_partition_ticket_events_by_month")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS support_bigrams(text)"),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS ticket_subject_bigram_idx ON support_ticket USING gin (support_bigrams(subject))",
            "DROP INDEX IF EXISTS ticket_subject_bigram_idx",
        ),
    ]
