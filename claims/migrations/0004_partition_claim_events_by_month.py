"""Claim events, partitioned by month on `at` (core.partitions; docs/scaling.md, "Partitioned
tables"). Existing rows, ids, the id sequence, the checks and both triggers (append-only, the
event chain) are kept; the triggers sit on the partitioned table and every partition inherits
them. Claim events are never dropped (settings.PARTITIONED_TABLES: keep_months None).

PostgreSQL requires the partition key in every unique key, so `claim_event_seq_unique` becomes
(claim, seq, at) and the database primary key (id, at); Django keeps `id` (nothing references
this table by foreign key). That (claim, seq) stays unique is now the chain trigger's work: it
takes the claim's row lock before reading the claim's last event, so two events of one claim
are written one after the other and the second must follow the first (seq + 1)."""

from django.db import migrations, models

from core import partitions

TABLE, COLUMN = "claims_claimevent", "at"

CHAIN = r"""
CREATE OR REPLACE FUNCTION claims_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prev_to varchar; prev_seq integer;
BEGIN
  %s
  SELECT to_state, seq INTO prev_to, prev_seq FROM claims_claimevent
    WHERE claim_id = NEW.claim_id ORDER BY seq DESC LIMIT 1;
  IF prev_seq IS NULL THEN
    IF NEW.seq <> 1 OR NEW.from_state <> '' THEN
      RAISE EXCEPTION 'claim %%: the first event must be the report', NEW.claim_id USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NEW.seq <> prev_seq + 1 OR NEW.from_state <> prev_to THEN
    RAISE EXCEPTION 'claim %%: event %% does not follow event %% (state %%)', NEW.claim_id, NEW.seq, prev_seq, prev_to
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
"""
# One writer per claim: a concurrent event of the same claim waits here, then sees this one.
LOCK = "PERFORM 1 FROM claims_claim WHERE id = NEW.claim_id FOR NO KEY UPDATE;"


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitions.partition_by_month(
            cursor, TABLE, COLUMN, unique={"claim_event_seq_unique": ["claim_id", "seq", "at"]}
        )


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitions.unpartition(cursor, TABLE, COLUMN, unique={"claim_event_seq_unique": ["claim_id", "seq"]})


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_sources_cite_the_repository")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.RemoveConstraint(model_name="claimevent", name="claim_event_seq_unique"),
                migrations.AddConstraint(
                    model_name="claimevent",
                    constraint=models.UniqueConstraint(
                        fields=("claim", "seq", "at"), name="claim_event_seq_unique"
                    ),
                ),
            ],
        ),
        migrations.RunSQL(CHAIN % LOCK, CHAIN % ""),
    ]
