"""Seed the liability limits of DOMAIN §5, the signal thresholds, and who may do which
step of a claim (the 理赔人员 role and the claims permissions of the other roles)."""

import datetime as dt
from decimal import Decimal as D

from django.db import migrations

from policies.roles import CLAIMS_ADJUSTER, COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR, grant

TABLE_2008 = dt.date(2008, 2, 1)
BEFORE_REFORM = dt.date(2020, 9, 18)
REFORM_2020 = dt.date(2020, 9, 19)

LIMITS = {  # DOMAIN §5: (at fault, category) → (2008-02-01 → 2020-09-18, from 2020-09-19)
    (True, "death_disability"): ("110000", "180000"),
    (True, "medical"): ("10000", "18000"),
    (True, "property"): ("2000", "2000"),
    (False, "death_disability"): ("11000", "18000"),
    (False, "medical"): ("1000", "1800"),
    (False, "property"): ("100", "100"),
}

THRESHOLDS = {  # claims.risk.Thresholds defaults
    "early_days": "7",
    "late_days": "7",
    "late_report_hours": "48",
    "vehicle_claims": "2",
    "vehicle_window_days": "365",
    "person_claims": "2",
    "near_limit_percent": "95",
}

VIEW = ["claims.view_claim"]
REPORT = ["claims.report_claim"]
HANDLE = [
    "claims.register_claim", "claims.survey_claim", "claims.assess_claim", "claims.calculate_claim",
    "claims.approve_claim", "claims.advance_claim", "claims.pay_claim", "claims.close_claim",
    "claims.reject_claim", "claims.withdraw_claim",
]  # fmt: skip
SUPERVISE = ["claims.view_all_claims", "claims.approve_any_amount", "claims.revoke_approval"]
ADMIN = [
    "claims.view_claim", "claims.view_claimevent", "claims.view_party", "claims.view_loss",
    "claims.view_payment", "claims.view_ledgerentry",
    "claims.view_liabilitylimit", "claims.add_liabilitylimit", "claims.change_liabilitylimit",
    "claims.view_riskthreshold", "claims.change_riskthreshold",
    "claims.view_approvalauthority", "claims.add_approvalauthority", "claims.change_approvalauthority",
    "claims.delete_approvalauthority",
]  # fmt: skip


def seed(apps, schema_editor):
    LiabilityLimit = apps.get_model("claims", "LiabilityLimit")
    RiskThreshold = apps.get_model("claims", "RiskThreshold")
    rows = []
    for (at_fault, category), (old, new) in LIMITS.items():
        rows.append(
            LiabilityLimit(
                at_fault=at_fault, category=category, amount=D(old), valid_from=TABLE_2008,
                valid_to=BEFORE_REFORM, source="DOMAIN §5，2008 年责任限额",
            )
        )  # fmt: skip
        rows.append(
            LiabilityLimit(
                at_fault=at_fault, category=category, amount=D(new), valid_from=REFORM_2020,
                source="DOMAIN §5，2020 年车险综合改革",
            )
        )  # fmt: skip
    LiabilityLimit.objects.bulk_create(rows)
    RiskThreshold.objects.bulk_create(RiskThreshold(code=c, value=D(v)) for c, v in THRESHOLDS.items())

    # Hotline agents take reports around the clock and see every branch's claims; they
    # withdraw a report at the caller's request. Counter clerks take reports at the branch.
    grant(apps, HOTLINE_AGENT, [*VIEW, *REPORT, "claims.view_all_claims", "claims.withdraw_claim"])
    grant(apps, COUNTER_CLERK, [*VIEW, *REPORT, "claims.withdraw_claim"])
    grant(apps, CLAIMS_ADJUSTER, [*VIEW, *REPORT, *HANDLE])
    grant(apps, SUPERVISOR, [*VIEW, *REPORT, *HANDLE, *SUPERVISE, *ADMIN])


def unseed(apps, schema_editor):
    apps.get_model("claims", "LiabilityLimit").objects.all().delete()
    apps.get_model("claims", "RiskThreshold").objects.all().delete()
    apps.get_model("auth", "Group").objects.filter(name=CLAIMS_ADJUSTER).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_claims_workflow_ledger_and_limits"), ("policies", "0004_create_roles")]
    operations = [migrations.RunPython(seed, unseed)]
