"""A claim's life after its report and its first payment (docs/regulation.md §5, §6): shares that
count earlier payments, a victim added later, supplementary payment, reopening, rejection
after approval, recoveries, payment only with the documents, deadlines as data."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from claims import deadlines, figures, ledger, services
from claims.choices import ClaimState as S
from claims.choices import DocumentKind, RejectReason
from claims.deadlines import Clock, DeadlineStatus, claim_deadlines
from claims.models import Claim, ClaimDeadline, ClaimEvent, LedgerEntry, Recovery
from tests import factories
from tests.claims.conftest import NOW

pytestmark = pytest.mark.django_db


def two_injured(policy, by, **kwargs):
    """An at-fault accident of 2026 (the 2020 column: medical 18,000) with two injured victims:
    A assessed 12,000 and B 10,000, as in the worked example of docs/regulation.md §5."""
    return factories.make_claim(
        policy,
        by=by,
        now=NOW,
        accident_at=NOW - dt.timedelta(hours=3),
        parties=[
            factories.third_party_person(1, medical="12000"),
            factories.third_party_person(2, medical="10000"),
        ],
        **kwargs,
    )


def last_event(claim) -> ClaimEvent:
    return ClaimEvent.objects.filter(claim=claim).order_by("-seq").first()


# --- docs/regulation.md §5: shares with earlier payments ---------------------------------------------------


def test_the_worked_example_of_section_5_through_the_services(policy, hotline_agent, walk_to, supervisor):
    claim = two_injured(policy, hotline_agent)
    claim = walk_to(claim, S.SURVEYED)
    a, b = claim.parties.order_by("pk")
    services.claim_advance(
        claim=claim, by=supervisor, party=a, amount=D("5000"), now=NOW + dt.timedelta(hours=4)
    )
    claim = walk_to(claim, S.CALCULATED, now=NOW + dt.timedelta(hours=4))
    payable = {loss.party_id: loss.payable for loss in claim.losses.all()}
    assert payable == {a.pk: D("4818.18"), b.pk: D("8181.82")}
    assert claim.calculated_total == D("13000.00")
    claim = walk_to(claim, S.PAID, now=NOW + dt.timedelta(hours=8))
    sums = ledger.ledger_sums(claim)
    # A has 5,000 + 4,818.18 = 9,818.18, its share; the limit is used exactly.
    assert sums.paid[(a.pk, "medical")] == D("9818.18")
    assert sums.paid[(b.pk, "medical")] == D("8181.82")
    assert sums.used["medical"] == D("18000.00")


# --- A victim or a loss line added after the report ----------------------------------------------------


def test_a_victim_found_after_the_report_is_added_and_shares_the_limit(
    policy, hotline_agent, walk_to, claims_adjuster
):
    claim = two_injured(policy, hotline_agent)
    claim = walk_to(claim, S.REGISTERED)
    before = claim.reserve
    services.claim_add_party(
        claim=claim,
        by=claims_adjuster,
        new_party=factories.third_party_person(3, medical="8000"),
        note="医院来电",
    )
    claim.refresh_from_db()
    assert claim.parties.count() == 3 and claim.reported_total == D("30000.00")
    # Three victims now share the 18,000 medical limit: the estimate is the whole limit.
    assert before == D("18000.00") and claim.reserve == D("18000.00")
    event = last_event(claim)
    assert event.action == "add_party" and event.by == claims_adjuster and "8,000.00" in event.note
    # The same person twice is refused, and a loss line already recorded too.
    with pytest.raises(ValidationError) as error:
        services.claim_add_party(
            claim=claim, by=claims_adjuster, new_party=factories.third_party_person(3, medical="1")
        )
    assert error.value.code == "party_exists"
    a = claim.parties.order_by("pk").first()
    with pytest.raises(ValidationError) as error:
        services.claim_add_party(claim=claim, by=claims_adjuster, party=a, amounts={"medical": "100"})
    assert error.value.code == "loss_exists" and "已登记" in error.value.messages[0]
    # A new line of a recorded party: A's disability.
    services.claim_add_party(claim=claim, by=claims_adjuster, party=a, amounts={"death_disability": "50000"})
    assert claim.losses.filter(party=a).count() == 2


def test_nothing_is_added_once_the_losses_are_assessed(claim, walk_to, claims_adjuster):
    claim = walk_to(claim, S.ASSESSED)
    with pytest.raises(ValidationError) as error:
        services.claim_add_party(claim=claim, by=claims_adjuster, new_party=factories.third_party_vehicle(5))
    assert error.value.code == "transition_not_allowed"


def test_a_hurt_victim_added_after_registration_adds_the_medical_records(
    policy, hotline_agent, walk_to, claims_adjuster
):
    claim = factories.make_claim(
        policy, by=hotline_agent, now=NOW, parties=[factories.third_party_vehicle(1)]
    )
    claim = walk_to(claim, S.REGISTERED)
    assert DocumentKind.MEDICAL_RECORDS not in claim.documents_required and not claim.documents_missing
    services.claim_add_party(
        claim=claim, by=claims_adjuster, new_party=factories.third_party_person(4, medical="900")
    )
    claim.refresh_from_db()
    assert claim.documents_missing == [DocumentKind.MEDICAL_RECORDS]


# --- Supplementary payment and reopening -----------------------------------------------------------------


def test_a_supplementary_payment_pays_only_what_is_still_due_within_each_sub_limit(
    policy, hotline_agent, walk_to, claims_adjuster, second_adjuster
):
    claim = two_injured(policy, hotline_agent)
    claim = walk_to(claim, S.PAID)
    assert claim.paid_total == D("18000.00")  # 9,818.18 + 8,181.82
    a, b = claim.parties.order_by("pk")
    services.claim_supplement(
        claim=claim, by=claims_adjuster, note="A 后续治疗费用 4,000 元", now=NOW + dt.timedelta(days=2)
    )
    claim.refresh_from_db()
    assert claim.state == S.SURVEYED and claim.paid_at is None and claim.calculated_total is None
    # The medical limit is used up: a higher medical assessment adds nothing; A's disability
    # found later is paid within the death/disability limit.
    services.claim_add_party(claim=claim, by=claims_adjuster, party=a, amounts={"death_disability": "30000"})
    losses = {(loss.party_id, loss.category): loss for loss in claim.losses.all()}
    amounts = {
        losses[(a.pk, "medical")].pk: (D("16000"), ""),
        losses[(b.pk, "medical")].pk: (D("10000"), ""),
        losses[(a.pk, "death_disability")].pk: (D("30000"), ""),
    }
    later = NOW + dt.timedelta(days=3)
    claim = services.claim_assess(claim=claim, by=claims_adjuster, amounts=amounts, now=later)
    claim = services.claim_calculate(claim=claim, by=claims_adjuster, now=later)
    payable = {(loss.party_id, loss.category): loss.payable for loss in claim.losses.all()}
    # Medical shares over 26,000 would be 11,076.92 / 6,923.08, but A already has 9,818.18 and B 8,181.82
    # (more than B's new share): only what is left of the limit (0) can be paid.
    assert payable[(a.pk, "medical")] + payable[(b.pk, "medical")] == D("0.00")
    assert payable[(a.pk, "death_disability")] == D("30000.00")
    assert claim.calculated_total == D("30000.00")
    services.claim_approve(claim=claim, by=second_adjuster, now=later)
    claim.refresh_from_db()
    services.claim_pay(claim=claim, by=claims_adjuster, reference="TXN0002", now=later)
    claim.refresh_from_db()
    assert claim.state == S.PAID and claim.paid_total == D("48000.00")
    used = ledger.ledger_sums(claim).used
    assert used["medical"] == D("18000.00") and used["death_disability"] == D("30000.00")
    actions = list(ClaimEvent.objects.filter(claim=claim).order_by("seq").values_list("action", flat=True))
    assert actions[-6:] == ["supplement", "add_party", "assess", "calculate", "approve", "pay"]


def test_only_a_supervisor_reopens_a_closed_claim_and_with_a_reason(
    claim, walk_to, claims_adjuster, supervisor
):
    claim = walk_to(claim, S.CLOSED)
    with pytest.raises(ValidationError) as error:
        services.claim_reopen(claim=claim, by=claims_adjuster, note="伤者起诉")
    assert error.value.code == "permission_denied" and "重开赔案" in error.value.messages[0]
    with pytest.raises(ValidationError, match="重开原因"):
        services.claim_reopen(claim=claim, by=supervisor, note="  ")
    services.claim_reopen(claim=claim, by=supervisor, note="法院判决增加医疗费用")
    claim.refresh_from_db()
    assert claim.state == S.SURVEYED and claim.closed_at is None and claim.is_open
    event = last_event(claim)
    assert (event.action, event.from_state, event.to_state, event.by) == (
        "reopen",
        S.CLOSED,
        S.SURVEYED,
        supervisor,
    )
    assert "法院判决" in event.note


# --- Rejection from every open state, approval included (docs/regulation.md §6) -----------------------------


def test_a_claim_is_rejected_after_approval_and_the_unpaid_settlement_reversed(
    claim, walk_to, claims_adjuster
):
    claim = walk_to(claim, S.APPROVED)
    policy = claim.policy
    policy.refresh_from_db()
    assert policy.at_fault_claims == 1
    services.claim_reject(
        claim=claim,
        by=claims_adjuster,
        reason=RejectReason.DELIBERATE_VICTIM,
        note="监控显示受害人故意碰瓷",
        now=NOW + dt.timedelta(days=1),
    )
    claim.refresh_from_db()
    policy.refresh_from_db()
    assert claim.state == S.REJECTED and claim.reserve == 0 and claim.paid_total == 0
    assert sum(LedgerEntry.objects.filter(claim=claim).values_list("amount", flat=True)) == 0
    assert claim.payments.get().status == "reversed"
    assert policy.at_fault_claims == 0 and not claim.record_counted
    assert "冲正已核准未支付赔款 4,500.00 元" in last_event(claim).note
    # The payment clock of the reversed approval stops; the decision is made.
    _, decision, payment = claim_deadlines(claim, now=NOW + dt.timedelta(days=30))
    assert decision.status == DeadlineStatus.MET
    assert payment.status == DeadlineStatus.STOPPED


# --- Recoveries (追偿) -----------------------------------------------------------------------------------


def test_recoveries_of_an_advance_are_recorded_against_the_claim_and_shown_in_the_figures(
    policy, hotline_agent, walk_to, claims_adjuster, supervisor
):
    claim = factories.make_claim(policy, by=hotline_agent, now=NOW, advance_case="drunk")
    claim = walk_to(claim, S.SURVEYED)
    injured = claim.parties.get(kind="person")
    services.claim_advance(
        claim=claim, by=supervisor, party=injured, amount=D("3000"), now=NOW + dt.timedelta(hours=5)
    )
    later = NOW + dt.timedelta(days=20)
    first = services.claim_recover(
        claim=claim, by=claims_adjuster, amount="1000", debtor="醉酒驾驶人 张某", reference="HX001", now=later
    )
    # A retry with the same receipt writes nothing; the same receipt with another amount is refused.
    again = services.claim_recover(
        claim=claim, by=claims_adjuster, amount="1000", debtor="张某", reference="HX001", now=later
    )
    assert again.pk == first.pk and Recovery.objects.filter(claim=claim).count() == 1
    with pytest.raises(ValidationError) as error:
        services.claim_recover(
            claim=claim, by=claims_adjuster, amount="900", debtor="张某", reference="HX001", now=later
        )
    assert error.value.code == "recovery_conflict"
    with pytest.raises(ValidationError) as error:
        services.claim_recover(
            claim=claim, by=claims_adjuster, amount="2000.01", debtor="张某", reference="HX002", now=later
        )
    assert (
        error.value.code == "recovery_above_paid"
        and "1,999.99" in error.value.messages[0]
        or "2,000.00" in error.value.messages[0]
    )
    claim.refresh_from_db()
    assert claim.recovered_total == D("1000.00")
    assert [e.action for e in ClaimEvent.objects.filter(claim=claim, action="recover")] == ["recover"]
    ratio = figures.loss_ratio(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31), reserves=D("0"))
    assert ratio.recovered == D("1000.00") and ratio.incurred == ratio.paid - D("1000.00")
    # Recoveries are append-only in the database too.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Recovery.objects.filter(pk=first.pk).update(amount=D("1"))


def test_nothing_is_recovered_where_nothing_recoverable_was_paid(claim, walk_to, claims_adjuster):
    claim = walk_to(claim, S.PAID)  # an ordinary claim: its payments are not recoverable
    with pytest.raises(ValidationError) as error:
        services.claim_recover(claim=claim, by=claims_adjuster, amount="10", debtor="张某", reference="X1")
    assert error.value.code == "recovery_above_paid"


# --- Payment needs the documents (docs/regulation.md §6) ----------------------------------------------------


def walk_without_documents(claim, adjuster, reviewer):
    claim = services.claim_register(
        claim=claim, by=adjuster, documents=services.required_documents(claim), now=NOW
    )
    claim = services.claim_survey(claim=claim, by=adjuster, at_fault=True, note="查勘", now=NOW)
    amounts = {loss.pk: (loss.reported_amount, "") for loss in claim.losses.all()}
    claim = services.claim_assess(claim=claim, by=adjuster, amounts=amounts, now=NOW)
    claim = services.claim_calculate(claim=claim, by=adjuster, now=NOW)
    services.claim_approve(claim=claim, by=reviewer, now=NOW)
    return Claim.objects.get(pk=claim.pk)


def test_payment_needs_the_documents_or_a_supervisors_reason(
    claim, claims_adjuster, second_adjuster, supervisor
):
    claim = walk_without_documents(claim, claims_adjuster, second_adjuster)
    with pytest.raises(ValidationError) as error:
        services.claim_pay(claim=claim, by=claims_adjuster, reference="TXN1")
    assert error.value.code == "documents_missing" and "尚缺：保险单" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.claim_pay(claim=claim, by=supervisor, reference="TXN1")
    assert error.value.code == "override_reason_required"
    claim.refresh_from_db()
    assert claim.state == S.APPROVED
    services.claim_pay(
        claim=claim, by=supervisor, reference="TXN1", override_reason="伤者急需用款，单证三日内补交"
    )
    claim.refresh_from_db()
    assert claim.state == S.PAID
    event = last_event(claim)
    assert event.by == supervisor and "主管准予支付，理由：伤者急需用款" in event.note


def test_all_received_records_every_missing_document_at_once(claim, claims_adjuster):
    claim = services.claim_register(
        claim=claim, by=claims_adjuster, documents=services.required_documents(claim)
    )
    assert len(claim.documents_missing) == 8
    claim = services.claim_documents(claim=claim, by=claims_adjuster, all_received=True)
    assert claim.documents_missing == [] and claim.documents_complete_at is not None
    assert "单证已齐全" in last_event(claim).note


# --- Deadlines as data (docs/regulation.md §6) -------------------------------------------------------------


@pytest.fixture
def fresh_deadlines():
    deadlines.clear_deadline_cache()
    yield
    deadlines.clear_deadline_cache()


def test_the_seeded_deadlines_are_the_regulations_and_cite_it(fresh_deadlines):
    rows = {r.clock: r for r in ClaimDeadline.objects.all()}
    assert {c: r.days for c, r in rows.items()} == {"documents": 1, "decision": 5, "payment": 10}
    assert all(r.source.startswith("docs/regulation.md §6") and r.valid_to is None for r in rows.values())


def test_a_new_deadline_row_applies_to_clocks_started_from_its_date(claim, walk_to, fresh_deadlines):
    old = ClaimDeadline.objects.get(clock=Clock.DECISION)
    old.valid_to = dt.date(2026, 11, 30)
    old.save()
    ClaimDeadline.objects.create(
        clock=Clock.DECISION, days=3, valid_from=dt.date(2026, 12, 1), source="docs/regulation.md §6 测试"
    )
    complete = dt.datetime(2026, 11, 30, 15, 0, tzinfo=NOW.tzinfo)
    old_rule = deadlines.deadline(Clock.DECISION, started_at=complete, done_at=None, now=complete)
    new_rule = deadlines.deadline(
        Clock.DECISION, started_at=complete + dt.timedelta(days=1), done_at=None, now=complete
    )
    assert old_rule.rule.days == 5 and f"{old_rule.due:%m-%d}" == "12-06"
    assert new_rule.rule.days == 3 and f"{new_rule.due:%m-%d}" == "12-05"
    assert "3 日内" in new_rule.explanation


def test_a_clock_with_no_row_in_force_says_so(fresh_deadlines):
    ClaimDeadline.objects.filter(clock=Clock.PAYMENT).update(valid_to=dt.date(2020, 1, 1))
    deadlines.clear_deadline_cache()
    with pytest.raises(deadlines.DeadlineMissing) as error:
        deadlines.deadline(Clock.PAYMENT, started_at=NOW, done_at=None, now=NOW)
    assert "没有适用的“支付赔款”时限" in error.value.messages[0]


def test_a_decision_before_the_documents_are_complete_is_done_not_not_started(claim, claims_adjuster):
    claim = services.claim_reject(
        claim=claim, by=claims_adjuster, reason=RejectReason.DUPLICATE, note="重复报案", now=NOW
    )
    _, decision, _ = claim_deadlines(claim, now=NOW)
    assert decision.status == DeadlineStatus.DONE_UNTIMED and decision.status.label == "已完成"
    assert "时限未起算" in decision.explanation
    # Beijing time, whatever the server's zone: 10:00 in Beijing is 02:00 UTC.
    assert f"{decision.done_at_local:%H:%M}" == "10:00"
