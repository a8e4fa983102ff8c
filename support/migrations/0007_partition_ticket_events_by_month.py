"""Ticket events, partitioned by month on `created_at` (core.partitions; docs/scaling.md,
"Partitioned tables"). Existing rows, ids, the id sequence and the append-only trigger are kept
(the trigger sits on the partitioned table; every partition inherits it). Ticket events are
never dropped (settings.PARTITIONED_TABLES: keep_months None).

PostgreSQL requires the partition key in every unique key, so the event key's uniqueness
becomes the constraint (key, created_at) and the database primary key (id, created_at); Django
keeps `id` (nothing references this table by foreign key). The key alone stays unique — it is
what makes a resubmitted reply or a redelivered customer message a no-op — through a trigger
that takes the ticket's row lock and refuses a key any partition already holds, with the same
error (unique_violation) the old index raised."""

import uuid

from django.db import migrations, models

from core import partitions

TABLE, COLUMN = "support_ticketevent", "created_at"

KEY_ONCE = r"""
CREATE OR REPLACE FUNCTION support_ticketevent_key_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- One writer per ticket (the services lock it already): a concurrent event waits, then sees this one.
  PERFORM 1 FROM support_ticket WHERE id = NEW.ticket_id FOR NO KEY UPDATE;
  IF EXISTS (SELECT 1 FROM support_ticketevent WHERE key = NEW.key) THEN
    RAISE EXCEPTION 'duplicate key value violates unique constraint "ticket_event_key_uniq"'
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'ticket_event_key_uniq',
            DETAIL = format('Key (key)=(%s) already exists.', NEW.key);
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER support_ticketevent_key_once BEFORE INSERT ON support_ticketevent
  FOR EACH ROW EXECUTE FUNCTION support_ticketevent_key_once();
"""
KEY_ONCE_DROP = """
DROP TRIGGER IF EXISTS support_ticketevent_key_once ON support_ticketevent;
DROP FUNCTION IF EXISTS support_ticketevent_key_once();
"""


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitions.partition_by_month(
            cursor, TABLE, COLUMN, unique={"ticket_event_key_uniq": ["key", "created_at"]}
        )


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partitions.unpartition(cursor, TABLE, COLUMN, unique={"support_ticketevent_key_key": ["key"]})


class Migration(migrations.Migration):
    dependencies = [("support", "0006_messages_in_the_outbox_app")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name="ticketevent",
                    name="key",
                    field=models.UUIDField(default=uuid.uuid4, editable=False, verbose_name="事件键"),
                ),
                migrations.AddConstraint(
                    model_name="ticketevent",
                    constraint=models.UniqueConstraint(
                        fields=("key", "created_at"), name="ticket_event_key_uniq"
                    ),
                ),
            ],
        ),
        migrations.RunSQL(KEY_ONCE, KEY_ONCE_DROP),
    ]
