"""One state machine: every action allowed only from its states and only by the roles
with its permission; each step logged, timed, and held by the database too."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims import services, workflow
from claims.choices import ClaimState as S
from claims.choices import RejectReason
from claims.models import Claim, ClaimEvent
from tests import factories
from tests.claims.conftest import NOW

pytestmark = pytest.mark.django_db


def perform(code, claim, by, now=NOW + dt.timedelta(days=1)):
    """Take action `code` with ordinary data, the way the claim page would."""
    claim.refresh_from_db()
    match code:
        case "register":
            return services.claim_register(claim=claim, by=by, documents=["policy", "claim_form"], now=now)
        case "documents":
            return services.claim_documents(
                claim=claim, by=by, received=claim.documents_missing[:1], note="已电话催交", now=now
            )
        case "advance":
            party = claim.parties.filter(kind="person").first()
            return services.claim_advance(claim=claim, by=by, party=party, amount=D("100.00"), now=now)
        case "survey":
            return services.claim_survey(claim=claim, by=by, at_fault=True, note="查勘完毕", now=now)
        case "assess":
            amounts = {loss.pk: (loss.reported_amount, "") for loss in claim.losses.all()}
            return services.claim_assess(claim=claim, by=by, amounts=amounts, now=now)
        case "calculate":
            return services.claim_calculate(claim=claim, by=by, now=now)
        case "send_back":
            return services.claim_send_back(claim=claim, by=by, note="医疗费票据需复核", now=now)
        case "approve":
            return services.claim_approve(claim=claim, by=by, now=now)
        case "revoke":
            return services.claim_revoke(claim=claim, by=by, note="收款账户有误", now=now)
        case "pay":
            return services.claim_pay(claim=claim, by=by, reference="TXN1", now=now)
        case "close":
            return services.claim_close(claim=claim, by=by, now=now)
        case "reject":
            return services.claim_reject(
                claim=claim, by=by, reason=RejectReason.DUPLICATE, note="与 LP1 重复", now=now
            )
        case "withdraw":
            return services.claim_withdraw(claim=claim, by=by, note="报案人撤回", now=now)
        case "add_party":
            return services.claim_add_party(
                claim=claim, by=by, new_party=factories.third_party_vehicle(9, property="800"), now=now
            )
        case "supplement":
            return services.claim_supplement(claim=claim, by=by, note="伤者后续治疗费用", now=now)
        case "reopen":
            return services.claim_reopen(claim=claim, by=by, note="伤者起诉，法院判决增加赔偿", now=now)
        case "recover":
            if not claim.payments.filter(recoverable=True).exists():
                # An advance case's rescue costs paid (as the advance step pays them).
                claim.payments.create(
                    kind="advance", amount=D("100.00"), status="paid", recoverable=True,
                    approved_by=by, approved_at=now, paid_by=by, paid_at=now,
                )  # fmt: skip
            return services.claim_recover(
                claim=claim, by=by, amount=D("60.00"), debtor="醉酒驾驶人", reference="R1", now=now
            )
    raise AssertionError(code)


ALL_STATES = [s for s in S.values]
ACTIONS = [a.code for a in workflow.ACTIONS if a.code != "report"]


def claim_in(state, claim, walk_to, supervisor):
    if state == S.REJECTED:
        perform("reject", claim, supervisor)
    elif state == S.WITHDRAWN:
        perform("withdraw", claim, supervisor)
    else:
        walk_to(claim, state)
    claim.refresh_from_db()
    assert claim.state == state
    return claim


@pytest.mark.parametrize("state", ALL_STATES)
def test_each_action_is_allowed_exactly_from_the_states_the_table_lists(state, claim, walk_to, supervisor):
    claim = claim_in(state, claim, walk_to, supervisor)
    for code in ACTIONS:
        act = workflow.action(code)
        with transaction.atomic():
            savepoint = transaction.savepoint()
            before = ClaimEvent.objects.filter(claim=claim).count()
            if state in act.sources:
                perform(code, claim, supervisor)
                claim.refresh_from_db()
                assert claim.state == act.leads_from(state), code
                assert ClaimEvent.objects.filter(claim=claim).count() == before + 1
            else:
                with pytest.raises(ValidationError) as error:
                    perform(code, claim, supervisor)
                assert error.value.code == "transition_not_allowed", code
                assert "不能执行" in error.value.messages[0]
                assert ClaimEvent.objects.filter(claim=claim).count() == before
            transaction.savepoint_rollback(savepoint)
        claim.refresh_from_db()
        assert claim.state == state


# Who may take each action (docs/regulation.md §6 roles as the data migration grants them).
MAY = {
    "register": {"claims_adjuster", "supervisor"},
    "documents": {"claims_adjuster", "supervisor"},
    "advance": {"claims_adjuster", "supervisor"},
    "survey": {"claims_adjuster", "supervisor"},
    "assess": {"claims_adjuster", "supervisor"},
    "calculate": {"claims_adjuster", "supervisor"},
    "send_back": {"claims_adjuster", "supervisor"},
    "approve": {"second_adjuster", "supervisor"},
    "revoke": {"supervisor"},
    "pay": {"claims_adjuster", "supervisor"},
    "close": {"claims_adjuster", "supervisor"},
    "reject": {"claims_adjuster", "supervisor"},
    "withdraw": {"hotline_agent", "counter_clerk", "claims_adjuster", "supervisor"},
    "add_party": {"claims_adjuster", "supervisor"},
    "supplement": {"claims_adjuster", "supervisor"},
    "reopen": {"supervisor"},
    "recover": {"claims_adjuster", "supervisor"},
}
PERSONAS = ["counter_clerk", "hotline_agent", "claims_adjuster", "second_adjuster", "supervisor"]
SOURCE_STATE = {
    "register": S.REPORTED, "documents": S.REGISTERED, "advance": S.REGISTERED, "survey": S.REGISTERED,
    "assess": S.SURVEYED, "calculate": S.ASSESSED, "send_back": S.CALCULATED, "approve": S.CALCULATED,
    "revoke": S.APPROVED, "pay": S.APPROVED, "close": S.PAID, "reject": S.REPORTED, "withdraw": S.REPORTED,
    "add_party": S.REPORTED, "supplement": S.PAID, "reopen": S.CLOSED, "recover": S.PAID,
}  # fmt: skip


@pytest.mark.parametrize("code", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_action_is_taken_only_by_the_roles_with_its_permission(code, persona, request, claim, walk_to):
    user = request.getfixturevalue(persona)
    allowed = persona in MAY[code] or (persona == "second_adjuster" and "claims_adjuster" in MAY[code])
    if code == "approve" and persona == "claims_adjuster":
        allowed = False  # the adjuster calculated this claim: four eyes
    claim = walk_to(claim, SOURCE_STATE[code])
    if allowed:
        perform(code, claim, user)
        claim.refresh_from_db()
        assert claim.state == workflow.action(code).leads_from(SOURCE_STATE[code])
        assert ClaimEvent.objects.filter(claim=claim).order_by("-seq").first().by == user
    else:
        with pytest.raises(ValidationError) as error:
            perform(code, claim, user)
        assert error.value.code in ("permission_denied", "four_eyes")
        claim.refresh_from_db()
        assert claim.state == SOURCE_STATE[code]


def test_the_main_path_logs_every_step_with_who_when_and_time_spent(
    claim, walk_to, claims_adjuster, second_adjuster
):
    claim = walk_to(claim, S.CLOSED)
    events = list(ClaimEvent.objects.filter(claim=claim).order_by("seq"))
    assert [e.action for e in events] == [
        "report", "register", "documents", "survey", "assess", "calculate", "approve", "pay", "close"
    ]  # fmt: skip
    assert [e.seq for e in events] == list(range(1, 10))
    assert events[6].by == second_adjuster and events[1].by == claims_adjuster
    # Each state change records the hours spent in the state it left (walk steps hourly).
    assert [e.step_seconds for e in events if e.from_state != e.to_state and e.from_state] == [3600] * 7
    assert events[2].step_seconds is None  # documents: the claim stayed in its state
    assert claim.closed_at == events[-1].at and claim.reserve == 0 and claim.paid_total == D("4500.00")


def test_a_rejection_needs_a_coded_reason_and_a_written_explanation(claim, claims_adjuster):
    with pytest.raises(ValidationError, match="拒赔原因"):
        services.claim_reject(claim=claim, by=claims_adjuster, reason="", note="x")
    with pytest.raises(ValidationError, match="拒赔理由"):
        services.claim_reject(claim=claim, by=claims_adjuster, reason=RejectReason.OUTSIDE_COVER, note=" ")
    services.claim_reject(
        claim=claim, by=claims_adjuster, reason=RejectReason.OWN_SIDE, note="伤者为本车乘客"
    )
    claim.refresh_from_db()
    assert (claim.state, claim.reject_reason) == (S.REJECTED, RejectReason.OWN_SIDE)
    event = ClaimEvent.objects.get(claim=claim, action="reject")
    assert event.reason == RejectReason.OWN_SIDE and "本车" in event.note and claim.decided_at == event.at


def test_only_a_supervisor_approves_above_a_reviewers_authority(claim, walk_to, second_adjuster, supervisor):
    claim.losses.filter(category="medical").update(reported_amount=D("60000"))
    claim = walk_to(claim, S.CALCULATED)
    assert claim.calculated_total == D("19500.00")  # medical capped at 18,000 + property 1,500
    with transaction.atomic():
        from claims.models import ApprovalAuthority

        ApprovalAuthority.objects.filter(user=second_adjuster).update(max_amount=D("19499.99"))
    with pytest.raises(ValidationError) as error:
        services.claim_approve(claim=claim, by=second_adjuster)
    assert "超过您的核赔权限 19,499.99 元，须由主管核赔" in error.value.messages[0]
    services.claim_approve(claim=claim, by=supervisor)
    claim.refresh_from_db()
    assert claim.state == S.APPROVED


def test_authority_at_exactly_the_amount_may_approve(claim, walk_to, second_adjuster):
    from claims.models import ApprovalAuthority

    claim = walk_to(claim, S.CALCULATED)
    ApprovalAuthority.objects.filter(user=second_adjuster).update(max_amount=claim.calculated_total)
    services.claim_approve(claim=claim, by=second_adjuster)
    assert Claim.objects.get(pk=claim.pk).state == S.APPROVED


def test_a_reviewer_with_no_authority_set_cannot_approve_at_all(claim, walk_to, branch):
    claim = walk_to(claim, S.CALCULATED)
    newcomer = factories.ClaimsAdjusterFactory(branch=branch)
    with pytest.raises(ValidationError) as error:
        services.claim_approve(claim=claim, by=newcomer)
    assert "尚未设定核赔权限" in error.value.messages[0]


def test_the_database_refuses_a_state_change_without_its_event(claim):
    with pytest.raises(IntegrityError, match="no matching event"), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(state=S.APPROVED)


def test_the_database_refuses_an_event_the_state_machine_does_not_list(claim, claims_adjuster):
    with pytest.raises(IntegrityError, match="claim_event_valid_transition"), transaction.atomic():
        ClaimEvent.objects.create(
            claim=claim,
            seq=2,
            action="approve",
            from_state=S.REPORTED,
            to_state=S.APPROVED,
            at=NOW,
            by=claims_adjuster,
        )
    with pytest.raises(IntegrityError, match="does not follow"), transaction.atomic():
        ClaimEvent.objects.create(
            claim=claim, seq=2, action="survey", from_state=S.REGISTERED, to_state=S.SURVEYED, at=NOW
        )


def test_the_database_refuses_an_unknown_state(claim):
    row = Claim.objects.filter(pk=claim.pk).values().get()
    row.update(id=None, number="LP202699999999", idempotency_key=None, state="lost")
    with pytest.raises(IntegrityError, match="claim_state_valid"), transaction.atomic():
        Claim.objects.create(**row)


def test_the_history_is_append_only(claim):
    event = ClaimEvent.objects.get(claim=claim)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).update(note="改写")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).delete()


def test_transition_table_and_database_constraint_agree():
    triples = workflow.transition_triples()
    assert ("report", "", S.REPORTED) in triples
    assert ("reject", S.CALCULATED, S.REJECTED) in triples
    # docs/regulation.md §6: refused from any open state, approval included.
    assert ("reject", S.APPROVED, S.REJECTED) in triples
    assert ("withdraw", S.APPROVED, S.WITHDRAWN) in triples
    assert not any(
        source in (S.PAID, S.CLOSED) and target in (S.REJECTED, S.WITHDRAWN) for _, source, target in triples
    )
    # After the first payment: a supplementary round, a reopened claim, recoveries.
    assert ("supplement", S.PAID, S.SURVEYED) in triples
    assert ("reopen", S.CLOSED, S.SURVEYED) in triples
    assert ("recover", S.CLOSED, S.CLOSED) in triples
