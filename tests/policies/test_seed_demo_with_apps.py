"""seed_demo with the claims and support apps' own demo data: seeded, and reset cleanly
although their history tables are append-only."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from claims.models import Claim, ClaimEvent, LedgerEntry
from policies.models import Policy
from support.models import Ticket, TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def seed(*args, policies=400):
    out = StringIO()
    call_command(
        "seed_demo", "--policies", str(policies), "--seed", "5", "--today", TODAY.isoformat(),
        "--no-progress", *args, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_the_demo_has_claims_and_tickets_and_a_reset_replaces_them(branch):
    seed()
    own_agent = factories.UserFactory(username="own_agent", branch=branch, role="热线坐席")
    assert Claim.objects.exists() and ClaimEvent.objects.exists()
    assert Ticket.objects.exists() and TicketEvent.objects.exists()
    own_ticket = factories.TicketFactory(customer=factories.PersonFactory(), created_by=own_agent)

    out = seed("--reset", policies=200)

    assert Policy.objects.filter(branch__code__startswith="DEMO-").count() == 200
    assert "已删除演示赔案" in out and "已删除演示工单" in out
    assert Ticket.objects.filter(pk=own_ticket.pk).exists()  # data outside the demo stays
    assert not Claim.objects.exclude(policy__branch__code__startswith="DEMO-").exists()


def test_history_stays_append_only_after_a_reset():
    seed()
    seed("--reset", policies=200)
    event = TicketEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        TicketEvent.objects.filter(pk=event.pk).delete()
    if LedgerEntry.objects.exists():
        with pytest.raises(DatabaseError), transaction.atomic():
            LedgerEntry.objects.filter(pk=LedgerEntry.objects.first().pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        ClaimEvent.objects.filter(pk=ClaimEvent.objects.first().pk).delete()
