"""What every step of a claim shares: the row lock, the state machine and permission
check, the event log, the deadlines, the reserve, the signals and the feedback into the
policy's claims record.

The money is read through `claims.ledger`, the signals through `claims.screening`, who
may take a step is `claims.access`'s call. A step passes down what it has already read
(losses, ledger sums, parties, thresholds) so nothing is read twice in one request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Max, Sum
from django.utils import timezone

from claims import access, ledger, risk, screening
from claims.choices import ClaimState, PartyKind, PartyRelation, PaymentStatus, PersonOutcome
from claims.deadlines import DeadlineStatus, claim_deadlines
from claims.models import Claim, ClaimEvent, Loss, Party, Payment
from claims.workflow import FINAL_STATES, Action, check_allowed
from policies.models import Policy, User

ZERO = Decimal("0.00")


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def lock(claim: Claim) -> Claim:
    """The claim, re-read under a row lock: every step of one claim runs one at a time,
    and every payment of one accident sees the ledger as the previous one left it."""
    return Claim.objects.select_related("policy").select_for_update(of=("self",)).get(pk=claim.pk)


def begin(claim: Claim, code: str, by: User | None) -> tuple[Claim, Action]:
    """Lock the claim and check that `by` may take action `code` from its current state."""
    locked = lock(claim)
    act = check_allowed(code, locked.state)
    access.require_step(by, act)
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
    documents, decision, payment = claim_deadlines(claim, now=now)
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


def refresh_money(
    claim: Claim, *, losses: list[Loss] | None = None, sums: ledger.LedgerSums | None = None
) -> None:
    """Paid total and reserve (what is still expected to be paid) of the claim. Before
    calculation the reserve is the engine's estimate, over `losses` and `sums` when the
    step has them (read otherwise)."""
    payments = dict(
        Payment.objects.filter(claim=claim)
        .values("status")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("status", "total")
    )
    claim.paid_total = payments.get(PaymentStatus.PAID, ZERO)
    if not claim.is_open:
        claim.reserve = ZERO
    elif claim.state == ClaimState.APPROVED:
        claim.reserve = payments.get(PaymentStatus.APPROVED, ZERO)
    elif claim.calculated_total is not None:
        claim.reserve = claim.calculated_total
    else:
        claim.reserve = ledger.claim_calculation(claim, losses=losses, sums=sums).total


def refresh_risk(
    claim: Claim,
    *,
    losses: list[Loss] | None = None,
    parties: list[Party] | None = None,
    thresholds: risk.Thresholds | None = None,
) -> None:
    """The claim's signal codes, over what the step has already read (read otherwise)."""
    parties = list(claim.parties.all()) if parties is None else parties
    losses = ledger.claim_losses(claim) if losses is None else losses
    signals = screening.claim_signals(claim, parties=parties, losses=losses, thresholds=thresholds)
    claim.risk_codes = [s.code.value for s in signals]


def finish(claim: Claim, *, now: dt.datetime) -> Claim:
    apply_deadlines(claim, now=now)
    claim.save()
    return claim


def is_fatal(claim: Claim) -> bool:
    """A third party died in the accident (the floating rate's A6, docs/regulation.md §2)."""
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
