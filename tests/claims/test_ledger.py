"""The ledger of what each payment takes from each sub-limit: append-only, reversed by
reversing entries, remaining limit always the ledger's sum; advances of rescue costs."""

from collections import Counter
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from claims import ledger, screening, services
from claims.choices import ClaimState as S
from claims.choices import PaymentKind, PaymentStatus
from claims.ledger import ledger_sums, sums_of
from claims.models import LedgerEntry, Payment
from claims.selectors import claim_ledger
from tests import factories

pytestmark = pytest.mark.django_db


def ledger_total(claim, category):
    return LedgerEntry.objects.filter(claim=claim, category=category).aggregate(s=Sum("amount"))["s"] or D(0)


def test_approval_writes_one_entry_per_victim_and_category(claim, walk_to):
    claim = walk_to(claim, S.APPROVED)
    entries = list(LedgerEntry.objects.filter(claim=claim).order_by("category"))
    assert [(e.category, e.amount) for e in entries] == [
        ("medical", D("3000.00")),
        ("property", D("1500.00")),
    ]
    payment = Payment.objects.get(claim=claim)
    assert (payment.kind, payment.status, payment.amount) == (
        PaymentKind.SETTLEMENT,
        PaymentStatus.APPROVED,
        D("4500.00"),
    )
    assert claim.reserve == D("4500.00")


def test_revoking_an_approval_reverses_every_entry_and_restores_the_limits(claim, walk_to, supervisor):
    claim = walk_to(claim, S.APPROVED)
    services.claim_revoke(claim=claim, by=supervisor, note="账户信息有误")
    claim.refresh_from_db()
    assert claim.state == S.CALCULATED
    originals = LedgerEntry.objects.filter(claim=claim, reverses__isnull=True)
    reversals = LedgerEntry.objects.filter(claim=claim, reverses__isnull=False)
    assert originals.count() == reversals.count() == 2
    for entry in reversals.select_related("reverses"):
        assert entry.amount == -entry.reverses.amount and entry.by == supervisor
    assert ledger_total(claim, "medical") == ledger_total(claim, "property") == 0
    assert Payment.objects.get(claim=claim).status == PaymentStatus.REVERSED
    assert claim.agreed_at is None and claim.reserve == claim.calculated_total


def test_an_entry_can_be_reversed_only_once_and_never_edited(claim, walk_to, supervisor):
    claim = walk_to(claim, S.APPROVED)
    entry = LedgerEntry.objects.filter(claim=claim).first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1"))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    services.claim_revoke(claim=claim, by=supervisor, note="冲正")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            claim=claim, payment=entry.payment, party=entry.party, category=entry.category, amount=-entry.amount,
            reverses=entry, at=entry.at, by=supervisor,
        )  # fmt: skip


def test_the_database_refuses_entries_past_the_limit(claim, walk_to, supervisor):
    claim = walk_to(claim, S.APPROVED)
    entry = LedgerEntry.objects.get(claim=claim, category="property")
    with pytest.raises(IntegrityError, match="outside 0..2000"), transaction.atomic():
        LedgerEntry.objects.create(
            claim=claim, payment=entry.payment, party=entry.party, category="property", amount=D("500.01"),
            at=entry.at, by=supervisor,
        )  # fmt: skip


def test_re_approval_after_reversal_takes_the_limit_again_and_remaining_is_the_ledger_sum(
    claim, walk_to, supervisor, second_adjuster
):
    claim = walk_to(claim, S.APPROVED)
    services.claim_revoke(claim=claim, by=supervisor, note="冲正")
    services.claim_approve(claim=claim, by=second_adjuster)
    used, _ = ledger_sums(claim)
    assert used == {"medical": D("3000.00"), "property": D("1500.00")}
    assert LedgerEntry.objects.filter(claim=claim).count() == 6
    assert Payment.objects.filter(claim=claim, status=PaymentStatus.APPROVED).count() == 1


def test_withdrawing_an_approved_claim_reverses_its_payment(claim, walk_to, supervisor):
    claim = walk_to(claim, S.APPROVED)
    services.claim_withdraw(claim=claim, by=supervisor, note="受害人放弃索赔")
    claim.refresh_from_db()
    assert claim.state == S.WITHDRAWN and claim.reserve == 0
    assert ledger_total(claim, "medical") == 0
    assert "冲正已核准未支付赔款 4,500.00 元" in claim.events.last().note


def test_an_advance_takes_the_medical_limit_and_the_settlement_pays_the_rest(claim, walk_to, claims_adjuster):
    claim.losses.filter(category="medical").update(reported_amount=D("20000"))
    claim = walk_to(claim, S.SURVEYED)
    injured = claim.parties.get(kind="person")
    payment = services.claim_advance(claim=claim, by=claims_adjuster, party=injured, amount=D("5000"))
    assert (payment.kind, payment.status, payment.recoverable) == (
        PaymentKind.ADVANCE,
        PaymentStatus.PAID,
        False,
    )
    claim.refresh_from_db()
    assert claim.paid_total == D("5000.00")
    claim = walk_to(claim, S.PAID)
    # Medical limit 18,000: 5,000 advanced + 13,000 settled; property 1,500 in full.
    assert ledger_total(claim, "medical") == D("18000.00")
    assert Payment.objects.get(claim=claim, kind=PaymentKind.SETTLEMENT).amount == D("14500.00")
    assert claim.paid_total == D("19500.00")


def test_an_advance_beyond_the_remaining_medical_limit_is_refused(
    claim, walk_to, claims_adjuster, supervisor
):
    claim = walk_to(claim, S.REGISTERED)
    injured = claim.parties.get(kind="person")
    services.claim_advance(claim=claim, by=supervisor, party=injured, amount=D("17000"))
    with pytest.raises(ValidationError) as error:
        services.claim_advance(claim=claim, by=supervisor, party=injured, amount=D("1000.01"))
    assert "超过有责医疗费用限额的剩余额度 1,000.00 元" in error.value.messages[0]


def test_a_no_fault_advance_is_capped_by_the_no_fault_medical_limit(
    policy, hotline_agent, walk_to, supervisor
):
    claim = factories.make_claim(policy, at_fault=False, by=hotline_agent)
    claim = walk_to(claim, S.REGISTERED, now=claim.reported_at)
    injured = claim.parties.get(kind="person")
    with pytest.raises(ValidationError, match="无责医疗费用限额的剩余额度 1,800.00 元"):
        services.claim_advance(claim=claim, by=supervisor, party=injured, amount=D("1800.01"))
    services.claim_advance(claim=claim, by=supervisor, party=injured, amount=D("1800"))


def test_no_advance_for_property_or_the_insured_side(claim, walk_to, supervisor):
    claim = walk_to(claim, S.REGISTERED)
    vehicle = claim.parties.get(kind="vehicle")
    with pytest.raises(ValidationError, match="受伤的第三者"):
        services.claim_advance(claim=claim, by=supervisor, party=vehicle, amount=D("100"))


def test_an_advance_case_is_recoverable_and_pays_only_rescue_costs(
    policy, hotline_agent, walk_to, supervisor
):
    parties = [
        factories.third_party_person(medical="4000", rescue=True),
        factories.third_party_vehicle(property="1800"),
    ]
    claim = factories.make_claim(policy, parties=parties, advance_case="drunk", by=hotline_agent)
    claim = walk_to(claim, S.CALCULATED, now=claim.reported_at)
    assert claim.calculated_total == D("4000.00")  # rescue costs only; no property
    payment = services.claim_approve(claim=claim, by=supervisor)
    assert payment.recoverable


def test_an_advance_during_calculation_makes_the_approval_recalculate(
    claim, walk_to, supervisor, second_adjuster
):
    claim.losses.filter(category="medical").update(reported_amount=D("20000"))
    claim = walk_to(claim, S.CALCULATED)
    injured = claim.parties.get(kind="person")
    services.claim_advance(claim=claim, by=supervisor, party=injured, amount=D("1000"))
    with pytest.raises(ValidationError) as error:
        services.claim_approve(claim=claim, by=second_adjuster)
    assert "请退回重新理算" in error.value.messages[0]
    assert not Payment.objects.filter(claim=claim, kind=PaymentKind.SETTLEMENT).exists()
    # Still within the limit after the advance: 1,000 advanced + 17,000 settled medical.
    services.claim_send_back(claim=claim, by=second_adjuster, note="有新垫付")
    claim = walk_to(claim, S.APPROVED)
    assert ledger_total(claim, "medical") == D("18000.00")


def test_the_sums_of_the_entries_a_page_lists_are_the_ledgers_sums(claim, walk_to, supervisor):
    claim.losses.filter(category="medical").update(reported_amount=D("20000"))
    claim = walk_to(claim, S.SURVEYED)
    injured = claim.parties.get(kind="person")
    services.claim_advance(claim=claim, by=supervisor, party=injured, amount=D("5000"))
    claim = walk_to(claim, S.APPROVED)
    services.claim_revoke(claim=claim, by=supervisor, note="冲正")
    sums = ledger_sums(claim)
    assert sums == sums_of(claim_ledger(claim))
    assert sums.used == {"medical": D("5000.00"), "property": D("0.00")}
    # What each victim was paid nets out the reversed settlement: the advance alone is left.
    assert sums.paid[(injured.pk, "medical")] == D("5000.00")
    assert all(amount == 0 for key, amount in sums.paid.items() if key != (injured.pk, "medical"))


@pytest.fixture
def reads(monkeypatch):
    """How often each step reads the limit table, the losses, the ledger and the thresholds."""
    counts = Counter()
    for module, name in [
        (ledger, "limit_table"),
        (ledger, "claim_losses"),
        (ledger, "ledger_sums"),
        (screening, "risk_thresholds"),
    ]:
        original = getattr(module, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return counts


def test_no_step_of_the_approval_walk_reads_anything_twice(
    policy, hotline_agent, claims_adjuster, second_adjuster, supervisor, reads
):
    def step(call):
        reads.clear()
        call()
        assert all(n == 1 for n in reads.values()), dict(reads)
        return dict(reads)

    at = claims_adjuster
    claim = None

    def report():
        nonlocal claim
        claim = factories.make_claim(policy, by=hotline_agent)

    assert step(report) == {"limit_table": 1, "risk_thresholds": 1}
    step(lambda: services.claim_register(claim=claim, by=at, documents=["policy", "claim_form"]))
    injured = claim.parties.get(kind="person")
    assert step(
        lambda: services.claim_advance(claim=claim, by=supervisor, party=injured, amount=D("100"))
    ) == {
        "ledger_sums": 1,
        "claim_losses": 1,
    }
    # A changed finding of fault: the new limits against the ledger, then reserve and signals.
    assert step(lambda: services.claim_survey(claim=claim, by=at, at_fault=False, note="对方全责")) == {
        "limit_table": 1,
        "ledger_sums": 1,
        "claim_losses": 1,
        "risk_thresholds": 1,
    }
    amounts = {loss.pk: (loss.reported_amount, "") for loss in claim.losses.all()}
    assert step(lambda: services.claim_assess(claim=claim, by=at, amounts=amounts)) == {
        "claim_losses": 1,
        "ledger_sums": 1,
        "risk_thresholds": 1,
    }
    assert step(lambda: services.claim_calculate(claim=claim, by=at)) == {"claim_losses": 1, "ledger_sums": 1}
    assert step(lambda: services.claim_approve(claim=claim, by=second_adjuster)) == {
        "claim_losses": 1,
        "ledger_sums": 1,
    }
    claim.refresh_from_db()
    assert claim.state == S.APPROVED
