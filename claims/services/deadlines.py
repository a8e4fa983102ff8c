"""Deadline breaches flagged in bulk (the scheduled `check_claim_deadlines` command)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from claims.models import Claim
from claims.workflow import OPEN_STATES


def claims_flag_breaches(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    """Flag the open claims whose deadline passed with the step undone: three UPDATEs
    (one per deadline) in one transaction; counts by deadline. The flags stay set."""
    open_claims = Claim.objects.filter(state__in=OPEN_STATES)
    pending = {
        "documents": (
            open_claims.filter(
                documents_listed_at__isnull=True, documents_due_at__lte=now, documents_breached=False
            ),
            "documents_breached",
        ),
        "decision": (
            open_claims.filter(decided_at__isnull=True, decision_due_at__lte=now, decision_breached=False),
            "decision_breached",
        ),
        "payment": (
            open_claims.filter(paid_at__isnull=True, payment_due_at__lte=now, payment_breached=False),
            "payment_breached",
        ),
    }
    counts = {}
    with transaction.atomic():
        for clock, (queryset, flag) in pending.items():
            counts[clock] = queryset.count() if dry_run else queryset.update(**{flag: True})
    return counts
