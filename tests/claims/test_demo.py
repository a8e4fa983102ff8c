"""Demo claims: a realistic spread over the demo policies, consistent with their records."""

import datetime as dt
import random
from decimal import Decimal as D
from io import StringIO

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum

from claims import demo
from claims.choices import ClaimState
from claims.models import Claim, ClaimEvent, LedgerEntry
from policies.models import Policy
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def demo_policies(branch, claims_adjuster):
    policies = []
    for n in range(120):
        start = dt.date(2025, 12, 1) + dt.timedelta(days=n * 2)
        record = {"at_fault_claims": 1, "fatal_claims": int(n % 30 == 0)} if n % 10 == 0 else {}
        policies.append(factories.PolicyFactory(branch=branch, start_date=start, **record))
    return policies


def test_seeding_spreads_claims_over_the_policies_consistently_with_their_records(demo_policies):
    out = StringIO()
    count = demo.seed(rng=random.Random(7), today=TODAY, stdout=out, scale=5.0)

    assert count == Claim.objects.count() > 10
    assert "claims:" in out.getvalue()
    states = set(Claim.objects.values_list("state", flat=True))
    assert {ClaimState.CLOSED, ClaimState.REPORTED} <= states and len(states) >= 5
    # Every claim counted in a record belongs to a policy whose record says so, never more.
    counted = dict(
        Claim.objects.filter(record_counted=True).values_list("policy").annotate(n=Count("id")).order_by()
    )
    for policy in Policy.objects.filter(pk__in=counted):
        assert counted[policy.pk] <= policy.at_fault_claims
    fatal = Claim.objects.filter(record_fatal=True).values_list("policy__fatal_claims", flat=True)
    assert all(n >= 1 for n in fatal)
    # Histories start with the report and end in the claim's state; the ledger keeps within limits.
    for claim in Claim.objects.prefetch_related("events"):
        events = list(claim.events.all())
        assert events[0].action == "report" and events[-1].to_state == claim.state
        assert claim.policy.start_date <= claim.accident_day and claim.accident_at <= claim.reported_at
    assert (
        not LedgerEntry.objects.values("claim", "category")
        .annotate(s=Sum("amount"))
        .filter(Q(category="property", s__gt=2000) | Q(category="medical", s__gt=18000))
        .exists()
    )
    # Open claims carry their next deadline for the queue.
    assert not Claim.objects.filter(state=ClaimState.REPORTED, next_due_at__isnull=True).exists()
    assert ClaimEvent.objects.filter(step_seconds__isnull=False).exists()


def test_the_same_seed_gives_the_same_claims(demo_policies):
    def run():
        with transaction.atomic():
            point = transaction.savepoint()
            demo.seed(rng=random.Random(3), today=TODAY, stdout=StringIO(), scale=3.0)
            rows = list(
                Claim.objects.order_by("number").values_list("number", "policy_id", "state", "accident_at")
            )
            transaction.savepoint_rollback(point)
        return rows

    first = run()
    assert first and run() == first


def test_seeding_with_no_policies_does_nothing():
    out = StringIO()
    assert demo.seed(rng=random.Random(1), today=TODAY, stdout=out, scale=1.0) == 0
    assert "no policies" in out.getvalue()


def test_the_demo_shows_a_claims_life_after_its_first_payment(demo_policies, supervisor, hotline_agent):
    demo.seed(rng=random.Random(7), today=TODAY, stdout=StringIO(), scale=5.0)
    drunk = Claim.objects.get(advance_case="drunk")
    assert drunk.recovered_total == D("2500.00") and drunk.paid_total == D("6000.00")
    assert list(drunk.events.values_list("action", flat=True)) == ["report", "register", "advance", "recover"]
    later = Claim.objects.get(events__action="supplement")
    assert later.state == ClaimState.SURVEYED and later.paid_total == D("18000.00")
    # docs/regulation.md §5: the first round paid each victim their share of the medical limit.
    paid = sorted(LedgerEntry.objects.filter(claim=later).values_list("amount", flat=True))
    assert paid == [D("8181.82"), D("9818.18")]
    assert later.losses.filter(category="death_disability", reported_amount=D("36000")).exists()
