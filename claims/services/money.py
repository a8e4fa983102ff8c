"""The steps that move money: advances of rescue costs, approval, payment, revocation.

Every one locks the claim row first, so the payments of one accident are taken one at a
time and each sees the ledger the previous one left: two reviewers approving at once
cannot pay past a category's limit. The ledger is append-only; a correction is a
reversing entry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from claims import access, ledger
from claims.amounts import parse_amount
from claims.choices import LossCategory, PartyKind, PaymentKind, PaymentStatus
from claims.models import Claim, LedgerEntry, Loss, Party, Payment
from claims.payout import yuan
from claims.services.common import (
    begin,
    count_in_record,
    finish,
    log_event,
    now_or,
    refresh_money,
    uncount_from_record,
)
from outbox.services import MessageChannel, enqueue_message
from policies.models import User

ZERO = Decimal("0.00")


def reverse_open_payments(claim: Claim, *, by: User, at: dt.datetime, note: str) -> Decimal:
    """Reverse every approved, unpaid payment of the claim with negative entries that
    point at the entries they undo. Returns the amount reversed."""
    payments = list(Payment.objects.filter(claim=claim, status=PaymentStatus.APPROVED))
    if not payments:
        return ZERO
    entries = LedgerEntry.objects.filter(
        payment__in=payments, reverses__isnull=True, reversed_by__isnull=True
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            claim=claim,
            payment=e.payment,
            party_id=e.party_id,
            category=e.category,
            amount=-e.amount,
            reverses=e,
            at=at,
            by=by,
            note=note,
        )
        for e in entries.select_related("payment")
    )
    for payment in payments:
        payment.status = PaymentStatus.REVERSED
        payment.reversed_at = at
    Payment.objects.bulk_update(payments, ["status", "reversed_at"])
    return sum((p.amount for p in payments), ZERO)


@transaction.atomic
def claim_advance(
    *, claim: Claim, by: User, party: Party, amount: Decimal, note: str = "", now: dt.datetime | None = None
) -> Payment:
    """垫付: advance an injured third party's rescue costs within what is left of the
    medical limit (the no-fault medical limit when not at fault); never property. Paid at
    once; in an advance case (条例 Art. 22) the payment is marked recoverable."""
    now = now_or(now)
    claim, act = begin(claim, "advance", by)
    amount = parse_amount(amount, "垫付金额", positive=True)
    if party.claim_id != claim.pk or party.kind != PartyKind.PERSON or not party.is_third_party:
        raise ValidationError("只能为本案受伤的第三者垫付抢救费用。", code="advance_party")
    sums = ledger.ledger_sums(claim)
    room = ledger.advance_room(claim, sums.used)
    if amount > room:
        raise ValidationError(
            "垫付金额 %(amount)s 元超过%(fault)s医疗费用限额的剩余额度 %(room)s 元。",
            code="advance_above_limit",
            params={
                "amount": yuan(amount),
                "fault": "有责" if claim.at_fault else "无责",
                "room": yuan(room),
            },
        )
    access.check_approval_authority(by, amount)
    payment = Payment.objects.create(
        claim=claim,
        kind=PaymentKind.ADVANCE,
        amount=amount,
        status=PaymentStatus.PAID,
        recoverable=bool(claim.advance_case),
        approved_by=by,
        approved_at=now,
        paid_by=by,
        paid_at=now,
    )
    LedgerEntry.objects.create(
        claim=claim, payment=payment, party=party, category=LossCategory.MEDICAL, amount=amount, at=now, by=by,
        note="垫付抢救费用",
    )  # fmt: skip
    loss, created = Loss.objects.get_or_create(
        party=party,
        category=LossCategory.MEDICAL,
        defaults={"claim": claim, "reported_amount": amount, "rescue": True},
    )
    if not created and not loss.rescue:
        Loss.objects.filter(pk=loss.pk).update(rescue=True)
    text = (
        f"为{party.display_name}垫付抢救费用 {yuan(amount)} 元，医疗费用限额剩余 {yuan(room - amount)} 元。"
    )
    log_event(claim, act, by=by, at=now, note=f"{text}{note}".strip())
    refresh_money(claim, sums=sums.plus_advance(party.pk, amount))
    finish(claim, now=now)
    return payment


@transaction.atomic
def claim_approve(*, claim: Claim, by: User, note: str = "", now: dt.datetime | None = None) -> Payment:
    """核赔: approve the calculated settlement and take it from the accident's limits.

    The reviewer may not be the one who calculated the claim, and approves only within
    their authority (a supervisor above it). Under the claim's row lock the engine runs
    again over the ledger as it is now: if an advance changed it since the calculation,
    the approval is refused and the claim must be calculated again.
    """
    now = now_or(now)
    claim, act = begin(claim, "approve", by)
    access.require_other_reviewer(by, claim)
    losses = ledger.claim_losses(claim)
    calculation = ledger.claim_calculation(claim, losses=losses, assessed=True)
    payable = calculation.payable()
    if calculation.total != claim.calculated_total or any(
        payable.get(loss.pk, ZERO) != (loss.payable or ZERO) for loss in losses
    ):
        raise ValidationError(
            "理算后本案限额占用已发生变化（如期间有垫付），理算结果 %(old)s 元已失效，"
            "按现有台账应为 %(new)s 元。请退回重新理算。",
            code="stale_calculation",
            params={"old": yuan(claim.calculated_total or ZERO), "new": yuan(calculation.total)},
        )
    if calculation.total <= 0:
        raise ValidationError("理算应赔金额为 0，无款可核，请拒赔或注销。", code="nothing_to_pay")
    access.check_approval_authority(by, calculation.total)
    payment = Payment.objects.create(
        claim=claim,
        kind=PaymentKind.SETTLEMENT,
        amount=calculation.total,
        status=PaymentStatus.APPROVED,
        recoverable=bool(claim.advance_case),
        approved_by=by,
        approved_at=now,
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            claim=claim,
            payment=payment,
            party_id=loss.party_id,
            category=loss.category,
            amount=payable[loss.pk],
            at=now,
            by=by,
            note="核赔占用限额",
        )  # fmt: skip
        for loss in losses
        if payable.get(loss.pk, ZERO) > 0
    )
    claim.decided_at = now
    claim.agreed_at = now
    count_in_record(claim)
    text = f"核准赔款 {yuan(calculation.total)} 元。"
    if claim.record_counted:
        text += "有责赔案已计入该保单年度的出险记录" + ("（死亡事故）" if claim.record_fatal else "") + "。"
    log_event(claim, act, by=by, at=now, note=f"{text}{note}".strip())
    refresh_money(claim)
    finish(claim, now=now)
    return payment


@transaction.atomic
def claim_revoke(*, claim: Claim, by: User, note: str, now: dt.datetime | None = None) -> Claim:
    """撤销核赔: reverse an approved, unpaid settlement (reversing entries restore the
    limits), take the claim out of the policy's claims record, back to 理算."""
    now = now_or(now)
    claim, act = begin(claim, "revoke", by)
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写撤销核赔的原因。", code="note_required")
    reversed_total = reverse_open_payments(claim, by=by, at=now, note="撤销核赔冲正")
    uncount_from_record(claim)
    claim.decided_at = None
    claim.agreed_at = None
    log_event(claim, act, by=by, at=now, note=f"冲正赔款 {yuan(reversed_total)} 元：{note}")
    refresh_money(claim)
    return finish(claim, now=now)


@transaction.atomic
def claim_pay(
    *,
    claim: Claim,
    by: User,
    reference: str,
    note: str = "",
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> Payment:
    """支付: record the transfer of the approved settlement (within the payment deadline
    of docs/regulation.md §6). The documents of §6 must be recorded as received; with some missing
    only a supervisor (`claims.pay_without_documents`) may let the payment go, with a
    reason that the claim's history keeps."""
    now = now_or(now)
    claim, act = begin(claim, "pay", by)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError("请填写支付流水号。", code="reference_required")
    override_reason = (override_reason or "").strip()
    missing = claim.documents_missing
    if missing:
        access.require_documents_override(by, claim, reason=override_reason)
    payment = Payment.objects.get(claim=claim, kind=PaymentKind.SETTLEMENT, status=PaymentStatus.APPROVED)
    payment.status = PaymentStatus.PAID
    payment.paid_by = by
    payment.paid_at = now
    payment.reference = reference[:40]
    payment.save(update_fields=["status", "paid_by", "paid_at", "reference"])
    claim.paid_at = now
    text = f"支付赔款 {yuan(payment.amount)} 元，流水号 {payment.reference}。"
    if missing:
        text += f"索赔单证不齐，主管准予支付，理由：{override_reason}。"
    log_event(claim, act, by=by, at=now, note=f"{text}{note}".strip())
    refresh_money(claim)
    finish(claim, now=now)
    phone = claim.reporter_phone or claim.policy.insured.phone
    if phone:
        enqueue_message(
            channel=MessageChannel.SMS,
            recipient=phone,
            text=f"【交强险】赔案 {claim.number} 的赔款 {yuan(payment.amount)} 元已支付，请留意到账。",
            purpose="claim_paid",
            dedupe_key=f"claim-paid-{claim.number}-{payment.pk}",
            person=claim.policy.insured,
        )
    return payment
