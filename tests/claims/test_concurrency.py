"""Real concurrency on PostgreSQL: payments of one accident taken at the same moment by
different people, each in its own thread and database connection, cannot pay past a
category's limit — the claim's row lock makes the second see what the first took."""

import datetime as dt
import threading
import time
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from claims import ledger, services
from claims.choices import ClaimState as S
from claims.choices import PaymentKind
from claims.models import Claim, LedgerEntry, Payment
from policies.models import User
from tests.claims.conftest import NOW

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_ledger_reads(monkeypatch):
    """Hold every reader for a moment after it reads the ledger, so that without the row
    lock two payments would both see the same remaining limit."""
    original = ledger.ledger_sums

    def read_then_wait(claim):
        result = original(claim)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(ledger, "ledger_sums", read_then_wait)


def run_together(*calls):
    """Run each call in its own thread at the same moment; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except ValidationError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def medical_used(claim):
    return LedgerEntry.objects.filter(claim=claim, category="medical").aggregate(s=Sum("amount"))["s"] or D(0)


def test_two_advances_at_once_cannot_pass_the_medical_limit(
    claim, walk_to, supervisor, claims_adjuster, slow_ledger_reads
):
    claim = walk_to(claim, S.REGISTERED)
    party_id = claim.parties.get(kind="person").pk

    def advance(user_id, amount):
        def call():
            user = User.objects.get(pk=user_id)
            fresh = Claim.objects.get(pk=claim.pk)
            return services.claim_advance(
                claim=fresh, by=user, party=fresh.parties.get(pk=party_id), amount=amount
            )

        return call

    results = run_together(advance(supervisor.pk, D("10000")), advance(supervisor.pk, D("9000")))

    paid = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(paid) == 1 and len(refused) == 1
    assert "剩余额度" in refused[0].messages[0]
    assert medical_used(claim) == paid[0].amount <= D("18000")


def test_two_reviewers_approving_at_once_pay_once(
    claim, walk_to, supervisor, second_adjuster, slow_ledger_reads
):
    claim = walk_to(claim, S.CALCULATED)

    def approve(user_id):
        return lambda: services.claim_approve(
            claim=Claim.objects.get(pk=claim.pk), by=User.objects.get(pk=user_id)
        )

    results = run_together(approve(supervisor.pk), approve(second_adjuster.pk))

    assert sum(isinstance(r, Payment) for r in results) == 1
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "不能执行“核赔通过”" in refused.messages[0]
    assert Payment.objects.filter(claim=claim, kind=PaymentKind.SETTLEMENT).count() == 1
    assert medical_used(claim) == D("3000.00")


def test_an_approval_and_an_advance_at_once_never_exceed_the_limit(
    claim, walk_to, supervisor, second_adjuster, slow_ledger_reads
):
    claim.losses.filter(category="medical").update(reported_amount=D("18000"))
    claim = walk_to(claim, S.CALCULATED)  # calculated: medical 18,000 — the whole limit
    party_id = claim.parties.get(kind="person").pk

    def approve():
        return services.claim_approve(
            claim=Claim.objects.get(pk=claim.pk), by=User.objects.get(pk=second_adjuster.pk)
        )

    def advance():
        fresh = Claim.objects.get(pk=claim.pk)
        return services.claim_advance(
            claim=fresh,
            by=User.objects.get(pk=supervisor.pk),
            party=fresh.parties.get(pk=party_id),
            amount=D("2000"),
        )

    results = run_together(approve, advance)

    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert medical_used(claim) <= D("18000")
    assert medical_used(claim) in (D("18000.00"), D("2000.00"))


def test_two_retries_of_one_report_at_once_land_once(policy):
    from claims.choices import ClaimChannel
    from claims.services import claim_report
    from tests import factories

    def retry():
        return claim_report(
            vehicle=policy.vehicle.vin, accident_at=NOW - dt.timedelta(hours=2), place="南京市鼓楼区",
            description="剐蹭", at_fault=False, parties=[factories.third_party_vehicle()],
            channel=ClaimChannel.APP, idempotency_key="app-7f3c", now=NOW,
        )  # fmt: skip

    results = run_together(retry, retry, retry)

    assert all(isinstance(r, Claim) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False, True, True]
    assert Claim.objects.filter(idempotency_key="app-7f3c").count() == 1
