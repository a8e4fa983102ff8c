"""The claim queue pages by keyset on an index's full order (`core.keyset`): its deadline
(none sorts last) then the id, and the report time then the id — no OFFSET, no sort of every
claim. Built CONCURRENTLY; the report-time index it widens is dropped after."""

import datetime

from django.db import migrations, models
from django.db.models.functions import Coalesce

from core.online_indexes import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("claims", "0008_claim_approvals_index")]

    operations = [
        AddIndexOnline(
            model_name="claim",
            index=models.Index(
                Coalesce(
                    models.F("next_due_at"),
                    models.Value(datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)),
                ),
                models.F("id"),
                name="claim_queue_due_idx",
            ),
        ),
        AddIndexOnline(
            model_name="claim", index=models.Index(fields=["reported_at", "id"], name="claim_reported_id_idx")
        ),
        RemoveIndexOnline(model_name="claim", name="claim_reported_at_idx"),
    ]
