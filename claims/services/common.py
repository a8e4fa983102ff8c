"""What every step of a claim shares: the row lock, the permission check, the event
log, the deadlines, the reserve and the feedback into the policy's claims record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Max, Sum
from django.utils import timezone

from claims import selectors
from claims.choices import ClaimState, PartyKind, PartyRelation, PaymentStatus, PersonOutcome
from claims.deadlines import DeadlineStatus
from claims.models import ApprovalAuthority, Claim, ClaimEvent, Payment
from claims.payout import yuan
from claims.workflow import FINAL_STATES, Action, check_allowed
from policies.models import Policy, User

ZERO = Decimal("0.00")


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def lock(claim: Claim) -> Claim:
    """The claim, re-read under a row lock: every step of one claim runs one at a time,
    and every payment of one accident sees the ledger as the previous one left it."""
    return Claim.objects.select_related("policy").select_for_update(of=("self",)).get(pk=claim.pk)


def require_permission(by: User | None, act: Action) -> None:
    if by is None or not by.is_active or not by.has_perm(act.permission):
        raise ValidationError(
            "您没有“%(action)s”的权限。", code="permission_denied", params={"action": act.label}
        )


def begin(claim: Claim, code: str, by: User | None) -> tuple[Claim, Action]:
    """Lock the claim and check that `by` may take action `code` from its current state."""
    locked = lock(claim)
    act = check_allowed(code, locked.state)
    require_permission(by, act)
    return locked, act


def log_event(
    claim: Claim, act: Action, *, by: User | None, at: dt.datetime, note: str = "", reason: str = ""
) -> ClaimEvent:
    """Append the step to the claim's history and move the claim to the action's target.
    The time spent in the state being left is recorded for the cycle-time figures."""
    # The report is the first event: the claim is born in its target state.
    source = "" if act.code == "report" else claim.state
    target = act.leads_from(source)
    last = (ClaimEvent.objects.filter(claim=claim).aggregate(m=Max("seq"))["m"] or 0) if source else 0
    changes_state = bool(source) and target != source
    event = ClaimEvent.objects.create(
        claim=claim,
        seq=last + 1,
        action=act.code,
        from_state=source,
        to_state=target,
        at=at,
        by=by,
        note=note.strip(),
        reason=reason,
        step_seconds=max(int((at - claim.state_entered_at).total_seconds()), 0) if changes_state else None,
    )
    if changes_state:
        claim.state = target
        claim.state_entered_at = at
        if target in FINAL_STATES:
            claim.closed_at = at
    return event


def apply_deadlines(claim: Claim, *, now: dt.datetime) -> None:
    """Copy the deadlines onto the claim (due times, the next one, breaches) so queues
    sort and filter on indexed columns."""
    documents, decision, payment = selectors.claim_deadlines(claim, now=now)
    claim.documents_due_at = documents.due
    claim.decision_due_at = decision.due
    claim.payment_due_at = payment.due
    late = (DeadlineStatus.BREACHED, DeadlineStatus.OVERDUE)
    claim.documents_breached = claim.documents_breached or documents.status in late
    claim.decision_breached = claim.decision_breached or decision.status in late
    claim.payment_breached = claim.payment_breached or payment.status in late
    running = (DeadlineStatus.RUNNING, DeadlineStatus.OVERDUE)
    pending = [d.due for d in (documents, decision, payment) if d.status in running]
    claim.next_due_at = min(pending) if pending and claim.is_open else None


def refresh_money(claim: Claim) -> None:
    """Paid total and reserve (what is still expected to be paid) of the claim."""
    sums = dict(
        Payment.objects.filter(claim=claim)
        .values("status")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("status", "total")
    )
    claim.paid_total = sums.get(PaymentStatus.PAID, ZERO)
    if not claim.is_open:
        claim.reserve = ZERO
    elif claim.state == ClaimState.APPROVED:
        claim.reserve = sums.get(PaymentStatus.APPROVED, ZERO)
    elif claim.calculated_total is not None:
        claim.reserve = claim.calculated_total
    else:
        claim.reserve = selectors.claim_calculation(claim).total


def refresh_risk(claim: Claim) -> None:
    parties = list(claim.parties.all())
    losses = selectors.claim_losses(claim)
    claim.risk_codes = [s.code.value for s in selectors.claim_signals(claim, parties=parties, losses=losses)]


def finish(claim: Claim, *, now: dt.datetime) -> Claim:
    apply_deadlines(claim, now=now)
    claim.save()
    return claim


def check_approval_authority(by: User, amount: Decimal) -> None:
    """A reviewer approves up to their own amount; above it, or with none set, only a
    supervisor may (fail closed)."""
    if by.has_perm("claims.approve_any_amount"):
        return
    authority = ApprovalAuthority.objects.filter(user=by).first()
    if authority is None:
        raise ValidationError(
            "您尚未设定核赔权限，金额 %(amount)s 元须由主管核赔。",
            code="no_authority",
            params={"amount": yuan(amount)},
        )
    if amount > authority.max_amount:
        raise ValidationError(
            "金额 %(amount)s 元超过您的核赔权限 %(limit)s 元，须由主管核赔。",
            code="above_authority",
            params={"amount": yuan(amount), "limit": yuan(authority.max_amount)},
        )


def is_fatal(claim: Claim) -> bool:
    """A third party died in the accident (the floating rate's A6, DOMAIN §2)."""
    return claim.parties.filter(
        kind=PartyKind.PERSON, relation=PartyRelation.THIRD_PARTY, outcome=PersonOutcome.DIED
    ).exists()


def count_in_record(claim: Claim) -> None:
    """An approved at-fault claim joins the claims record of the policy year it happened
    in, once; a no-fault claim never does (条例 Art. 8)."""
    if claim.record_counted or not claim.at_fault:
        return
    fatal = is_fatal(claim)
    Policy.objects.filter(pk=claim.policy_id).update(
        at_fault_claims=F("at_fault_claims") + 1, fatal_claims=F("fatal_claims") + int(fatal)
    )
    claim.record_counted = True
    claim.record_fatal = fatal


def uncount_from_record(claim: Claim) -> None:
    """Undo `count_in_record` when an approval is revoked or the claim withdrawn."""
    if not claim.record_counted:
        return
    Policy.objects.filter(pk=claim.policy_id).update(
        at_fault_claims=F("at_fault_claims") - 1, fatal_claims=F("fatal_claims") - int(claim.record_fatal)
    )
    claim.record_counted = False
    claim.record_fatal = False
