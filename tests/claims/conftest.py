"""The people of the claims desk, and an insured vehicle with a claim to handle."""

import datetime as dt
from decimal import Decimal

import pytest

from claims.models import ApprovalAuthority
from core.clock import SHANGHAI
from tests import factories

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def claims_adjuster(branch):
    """理赔人员 of the Nanjing branch, approving up to 10,000 yuan."""
    user = factories.ClaimsAdjusterFactory(
        username="adjuster", last_name="周", first_name="敏", branch=branch
    )
    ApprovalAuthority.objects.create(user=user, max_amount=Decimal("10000"))
    return user


@pytest.fixture
def second_adjuster(branch):
    """Another adjuster of the branch (the four-eyes reviewer), approving up to 50,000 yuan."""
    user = factories.ClaimsAdjusterFactory(
        username="reviewer", last_name="吴", first_name="强", branch=branch
    )
    ApprovalAuthority.objects.create(user=user, max_amount=Decimal("50000"))
    return user


@pytest.fixture
def other_branch_adjuster(other_branch):
    return factories.ClaimsAdjusterFactory(username="adjuster_hk", branch=other_branch)


@pytest.fixture
def policy(branch):
    """An annual policy of the Nanjing branch covering 2026-03-01 to 2027-02-28."""
    return factories.PolicyFactory(branch=branch, start_date=dt.date(2026, 3, 1))


@pytest.fixture
def claim(policy, hotline_agent):
    """A claim reported by the hotline on 2026-11-20 10:00, three hours after the accident."""
    return factories.make_claim(policy, by=hotline_agent, now=NOW, accident_at=NOW - dt.timedelta(hours=3))


def walk(claim, to_state, *, adjuster, reviewer, now=NOW):
    """Take a claim along the main path to `to_state`, each step an hour after the last,
    the adjuster doing every step but the approval (the reviewer's)."""
    from claims import services
    from claims.choices import ClaimState as S

    claim.refresh_from_db()
    path = [S.REPORTED, S.REGISTERED, S.SURVEYED, S.ASSESSED, S.CALCULATED, S.APPROVED, S.PAID, S.CLOSED]
    clock = now
    for state in path[path.index(claim.state) + 1 : path.index(to_state) + 1]:
        clock += dt.timedelta(hours=1)
        match state:
            case S.REGISTERED:
                claim = services.claim_register(
                    claim=claim, by=adjuster, documents=services.required_documents(claim), now=clock
                )
                claim = services.claim_documents(
                    claim=claim, by=adjuster, received=claim.documents_required, now=clock
                )
            case S.SURVEYED:
                claim = services.claim_survey(
                    claim=claim, by=adjuster, at_fault=claim.at_fault, note="现场查勘", now=clock
                )
            case S.ASSESSED:
                amounts = {loss.pk: (loss.reported_amount, "") for loss in claim.losses.all()}
                claim = services.claim_assess(claim=claim, by=adjuster, amounts=amounts, now=clock)
            case S.CALCULATED:
                claim = services.claim_calculate(claim=claim, by=adjuster, now=clock)
            case S.APPROVED:
                services.claim_approve(claim=claim, by=reviewer, now=clock)
            case S.PAID:
                services.claim_pay(claim=claim, by=adjuster, reference="TXN0001", now=clock)
            case S.CLOSED:
                claim = services.claim_close(claim=claim, by=adjuster, now=clock)
        claim.refresh_from_db()
    return claim


@pytest.fixture
def walk_to(claims_adjuster, second_adjuster):
    def go(claim, state, **kwargs):
        return walk(claim, state, adjuster=claims_adjuster, reviewer=second_adjuster, **kwargs)

    return go
