"""Approved at-fault claims make the vehicle's claims record, so the counter's next quote
changes; no-fault claims never do (条例 Art. 8, docs/regulation.md §2)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from claims import services
from claims.choices import ClaimState as S
from policies.models import Policy
from policies.quotes import renewal_quote_on
from tests import factories

pytestmark = pytest.mark.django_db

QUOTE_DAY = dt.date(2026, 12, 15)  # 75 days before the end of the 2026 policy year


@pytest.fixture
def previous_year(policy):
    """A clean policy year before the current one: the renewal would be A2 (−20% in 江苏)."""
    return factories.PolicyFactory(
        vehicle=policy.vehicle, branch=policy.branch, start_date=dt.date(2025, 3, 1)
    )


def quote_for(policy):
    policies = list(Policy.objects.filter(vehicle=policy.vehicle))
    return renewal_quote_on(QUOTE_DAY, vehicle=policy.vehicle, policies=policies, branch=policy.branch)


def test_an_approved_at_fault_claim_raises_the_next_quote(claim, policy, previous_year, walk_to):
    before = quote_for(policy)
    assert (before.floating_reason, before.premium) == ("A2", D("760.00"))
    walk_to(claim, S.CALCULATED)
    assert quote_for(policy).premium == D("760.00")  # nothing counts until approval

    walk_to(claim, S.APPROVED)

    policy.refresh_from_db()
    assert (policy.at_fault_claims, policy.fatal_claims) == (1, 0)
    after = quote_for(policy)
    assert (after.floating_reason, after.premium) == ("A4", D("950.00"))
    assert "有责任" in after.explanation_text


def test_the_record_counts_once_and_follows_payment_and_close(claim, policy, previous_year, walk_to):
    walk_to(claim, S.CLOSED)
    policy.refresh_from_db()
    assert policy.at_fault_claims == 1


def test_a_fatal_at_fault_claim_gives_a6(policy, previous_year, hotline_agent, walk_to):
    died = factories.third_party_person(outcome="died", death_disability="40000", medical="0")
    claim = factories.make_claim(policy, parties=[died], by=hotline_agent)
    walk_to(claim, S.APPROVED, now=claim.reported_at)
    policy.refresh_from_db()
    assert (policy.at_fault_claims, policy.fatal_claims) == (1, 1)
    assert (quote_for(policy).floating_reason, quote_for(policy).premium) == ("A6", D("1235.00"))


def test_a_no_fault_claim_changes_nothing(policy, previous_year, hotline_agent, walk_to):
    claim = factories.make_claim(policy, at_fault=False, by=hotline_agent)
    walk_to(claim, S.CLOSED, now=claim.reported_at)
    policy.refresh_from_db()
    assert (policy.at_fault_claims, policy.fatal_claims) == (0, 0)
    assert quote_for(policy).premium == D("760.00")


def test_revoking_or_withdrawing_an_approval_restores_the_record(
    claim, policy, previous_year, walk_to, supervisor
):
    walk_to(claim, S.APPROVED)
    services.claim_revoke(claim=claim, by=supervisor, note="撤销")
    policy.refresh_from_db()
    assert policy.at_fault_claims == 0 and quote_for(policy).premium == D("760.00")
    walk_to(claim, S.APPROVED)
    services.claim_withdraw(claim=claim, by=supervisor, note="受害人放弃")
    policy.refresh_from_db()
    assert policy.at_fault_claims == 0 and quote_for(policy).floating_reason == "A2"


def test_two_at_fault_claims_in_one_year_give_a5(claim, policy, previous_year, hotline_agent, walk_to):
    walk_to(claim, S.APPROVED)
    second = factories.make_claim(policy, by=hotline_agent)
    walk_to(second, S.APPROVED, now=second.reported_at)
    policy.refresh_from_db()
    assert policy.at_fault_claims == 2
    assert (quote_for(policy).floating_reason, quote_for(policy).premium) == ("A5", D("1045.00"))


def test_the_claim_counts_in_the_policy_year_it_happened_in(policy, previous_year, hotline_agent, walk_to):
    from core.clock import SHANGHAI

    claim = factories.make_claim(
        policy, by=hotline_agent, accident_at=dt.datetime(2025, 12, 1, 9, tzinfo=SHANGHAI),
        now=dt.datetime(2026, 11, 20, 10, tzinfo=SHANGHAI),
    )  # fmt: skip
    assert claim.policy == previous_year
    walk_to(claim, S.APPROVED)
    previous_year.refresh_from_db()
    policy.refresh_from_db()
    assert (previous_year.at_fault_claims, policy.at_fault_claims) == (1, 0)
