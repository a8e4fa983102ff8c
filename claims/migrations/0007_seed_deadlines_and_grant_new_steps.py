"""Seed the claim deadlines of docs/regulation.md §6 as data, grant the new steps of a claim's
life after its first payment, and keep recoveries append-only like the ledger."""

import datetime as dt

from django.db import migrations

from policies.roles import CLAIMS_ADJUSTER, SUPERVISOR, grant

SINCE = dt.date(2006, 7, 1)  # 条例 in force
DEADLINES = {  # docs/regulation.md §6: clock → (days, source)
    "documents": (1, "docs/regulation.md §6，条例第二十七条：收到赔偿申请后 1 日内书面告知需提供的单证"),
    "decision": (5, "docs/regulation.md §6，条例第二十八条：单证齐全后 5 日内作出核定"),
    "payment": (10, "docs/regulation.md §6，条例第二十八条：达成赔偿协议后 10 日内赔付"),
}

APPEND_ONLY = """
CREATE TRIGGER claims_recovery_append_only BEFORE UPDATE OR DELETE ON claims_recovery
  FOR EACH ROW EXECUTE FUNCTION claims_append_only();
"""
DROP_APPEND_ONLY = "DROP TRIGGER IF EXISTS claims_recovery_append_only ON claims_recovery;"


def seed(apps, schema_editor):
    ClaimDeadline = apps.get_model("claims", "ClaimDeadline")
    ClaimDeadline.objects.bulk_create(
        ClaimDeadline(clock=clock, days=days, valid_from=SINCE, source=source)
        for clock, (days, source) in DEADLINES.items()
    )
    grant(apps, CLAIMS_ADJUSTER, ["claims.recover_claim"])
    grant(
        apps,
        SUPERVISOR,
        [
            "claims.recover_claim", "claims.reopen_claim", "claims.pay_without_documents",
            "claims.view_claimdeadline", "claims.add_claimdeadline", "claims.change_claimdeadline",
            "claims.view_recovery",
        ],
    )  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("claims", "ClaimDeadline").objects.filter(valid_from=SINCE).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_claim_life_after_payment_deadline_table_recoveries")]
    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
    ]
