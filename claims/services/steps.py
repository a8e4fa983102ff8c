"""The steps of a claim that move it through the state machine without moving money.

Each is one transaction: lock the claim, check the state machine and the permission,
change the claim, append the event, recompute the deadlines and the reserve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from claims import ledger
from claims.amounts import check_total, parse_amount
from claims.choices import ClaimState, DocumentKind, Exclusion, LossCategory, RejectReason
from claims.models import Claim, Loss
from claims.payout import yuan
from claims.services.common import (
    begin,
    finish,
    log_event,
    now_or,
    refresh_money,
    refresh_risk,
    uncount_from_record,
)
from claims.services.money import reverse_open_payments
from policies.models import User

ZERO = Decimal("0.00")


def _require_note(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写%(what)s。", code="note_required", params={"what": what})
    return note


def required_documents(claim: Claim) -> list[str]:
    """The documents a claim needs by default (条款 Art. 18): medical records only when
    someone was hurt."""
    hurt = claim.losses.filter(category__in=[LossCategory.DEATH_DISABILITY, LossCategory.MEDICAL]).exists()
    return [d for d in DocumentKind.values if d != DocumentKind.MEDICAL_RECORDS or hurt]


@transaction.atomic
def claim_register(
    *, claim: Claim, by: User, documents: Sequence[str], note: str = "", now: dt.datetime | None = None
) -> Claim:
    """立案: register the claim and list, in writing, the documents it needs (within 1 day
    of the report, 条例 Art. 27)."""
    now = now_or(now)
    claim, act = begin(claim, "register", by)
    unknown = [d for d in documents if d not in DocumentKind.values]
    if unknown or not documents:
        raise ValidationError("请勾选需要提供的索赔单证。", code="documents_required")
    claim.documents_required = [d for d in DocumentKind.values if d in documents]
    claim.documents_listed_at = now
    listed = "、".join(DocumentKind(d).label for d in claim.documents_required)
    log_event(claim, act, by=by, at=now, note=f"告知索赔单证：{listed}。{note}".strip())
    return finish(claim, now=now)


@transaction.atomic
def claim_documents(
    *,
    claim: Claim,
    by: User,
    received: Sequence[str] = (),
    all_received: bool = False,
    note: str = "",
    now: dt.datetime | None = None,
) -> Claim:
    """Record documents received (`all_received`: every one still missing), or, with none,
    a note such as a reminder to the claimant. When every listed document is in, the
    decision clock starts (条例 Art. 28). Documents already recorded are not recorded
    again, so a repeated submission changes nothing."""
    now = now_or(now)
    claim, act = begin(claim, "documents", by)
    if all_received:
        received = claim.documents_missing
    new = [d for d in received if d in claim.documents_required and d not in claim.documents_received]
    note = (note or "").strip()
    if not new and not note:
        raise ValidationError("请勾选本次新收到的单证，或填写催交记录。", code="no_new_documents")
    text = ""
    if new:
        claim.documents_received = [d for d in DocumentKind.values if d in {*claim.documents_received, *new}]
        text = "收到单证：" + "、".join(DocumentKind(d).label for d in new) + "。"
        if not claim.documents_missing and claim.documents_complete_at is None:
            claim.documents_complete_at = now
            text += "单证已齐全，核定时限开始计算。"
        elif claim.documents_missing:
            text += "尚缺：" + "、".join(DocumentKind(d).label for d in claim.documents_missing) + "。"
    log_event(claim, act, by=by, at=now, note=f"{text}{note}")
    return finish(claim, now=now)


@transaction.atomic
def claim_survey(
    *,
    claim: Claim,
    by: User,
    at_fault: bool,
    note: str,
    advance_case: str | None = None,
    now: dt.datetime | None = None,
) -> Claim:
    """查勘: record the survey and the finding of fault (and any advance case). A changed
    finding changes the accident's limits; they may not fall below what was advanced."""
    now = now_or(now)
    claim, act = begin(claim, "survey", by)
    note = _require_note(note, "查勘结论")
    changes = []
    if advance_case is not None and advance_case != claim.advance_case:
        claim.advance_case = advance_case
        changes.append("垫付情形：" + (claim.get_advance_case_display() or "无"))
    sums = None
    if at_fault != claim.at_fault:
        sums = ledger.ledger_sums(claim)
        limits = ledger.limits_for_fault(claim, at_fault=at_fault, used=sums.used)
        claim.at_fault = at_fault
        claim.limit_death_disability = limits[LossCategory.DEATH_DISABILITY]
        claim.limit_medical = limits[LossCategory.MEDICAL]
        claim.limit_property = limits[LossCategory.PROPERTY]
        changes.append("责任认定改为" + ("有责" if at_fault else "无责"))
    text = note + ("（" + "；".join(changes) + "）" if changes else "")
    log_event(claim, act, by=by, at=now, note=text)
    losses = ledger.claim_losses(claim)
    refresh_money(claim, losses=losses, sums=sums)
    refresh_risk(claim, losses=losses)
    return finish(claim, now=now)


@transaction.atomic
def claim_assess(
    *,
    claim: Claim,
    by: User,
    amounts: Mapping[int, tuple[Decimal, str]],
    note: str = "",
    now: dt.datetime | None = None,
) -> Claim:
    """定损核损: the assessed amount and any exclusion of every loss line, by loss id."""
    now = now_or(now)
    claim, act = begin(claim, "assess", by)
    losses = ledger.claim_losses(claim)
    missing = [loss for loss in losses if loss.pk not in amounts]
    if missing:
        raise ValidationError(
            "请核定每一项损失（尚有 %(n)s 项未填）。", code="unassessed", params={"n": len(missing)}
        )
    for loss in losses:
        amount, exclusion = amounts[loss.pk]
        amount = parse_amount(amount, f"{loss.party.display_name}的{loss.get_category_display()}核定金额")
        if exclusion and exclusion not in Exclusion.values:
            raise ValidationError("除外原因无效。", code="exclusion")
        loss.assessed_amount = amount
        loss.exclusion = exclusion or ""
        loss.payable = None
    # Every line fits its column; so must their sum, the claim's assessed total.
    check_total((loss.assessed_amount for loss in losses), "核定损失")
    Loss.objects.bulk_update(losses, ["assessed_amount", "exclusion", "payable"])
    claim.assessed_total = sum(
        (loss.assessed_amount for loss in losses if loss.party.is_third_party and not loss.exclusion), ZERO
    )
    claim.calculated_total = None
    log_event(claim, act, by=by, at=now, note=f"核定损失合计 {yuan(claim.assessed_total)} 元。{note}".strip())
    refresh_money(claim, losses=losses)
    refresh_risk(claim, losses=losses)
    return finish(claim, now=now)


@transaction.atomic
def claim_calculate(*, claim: Claim, by: User, note: str = "", now: dt.datetime | None = None) -> Claim:
    """理算: run the payout engine over the assessed losses and what the ledger has
    already taken (advances), and keep each line's payable amount."""
    now = now_or(now)
    claim, act = begin(claim, "calculate", by)
    losses = ledger.claim_losses(claim)
    calculation = ledger.claim_calculation(claim, losses=losses, assessed=True)
    payable = calculation.payable()
    for loss in losses:
        loss.payable = payable.get(loss.pk, ZERO)
    Loss.objects.bulk_update(losses, ["payable"])
    claim.calculated_total = calculation.total
    text = f"理算应赔 {yuan(calculation.total)} 元。" + "".join(calculation.explanation)
    log_event(claim, act, by=by, at=now, note=f"{text}{note}".strip())
    refresh_money(claim)
    return finish(claim, now=now)


@transaction.atomic
def claim_send_back(*, claim: Claim, by: User, note: str, now: dt.datetime | None = None) -> Claim:
    """核赔退回: the reviewer returns the claim for a new assessment."""
    now = now_or(now)
    claim, act = begin(claim, "send_back", by)
    note = _require_note(note, "退回原因")
    Loss.objects.filter(claim=claim).update(payable=None)
    claim.calculated_total = None
    log_event(claim, act, by=by, at=now, note=note)
    refresh_money(claim)
    return finish(claim, now=now)


@transaction.atomic
def claim_reject(*, claim: Claim, by: User, reason: str, note: str, now: dt.datetime | None = None) -> Claim:
    """拒赔: refuse the claim with a coded reason and a written explanation (条例 Art. 28),
    from every open state (docs/regulation.md §6). After approval, the approved and unpaid
    settlement is reversed in the ledger and the policy's claims record restored."""
    now = now_or(now)
    claim, act = begin(claim, "reject", by)
    if reason not in RejectReason.values:
        raise ValidationError("请选择拒赔原因。", code="reason_required")
    note = _require_note(note, "拒赔理由（将书面告知索赔人）")
    reversed_total = reverse_open_payments(claim, by=by, at=now, note="拒赔冲正")
    if claim.state == ClaimState.APPROVED:
        uncount_from_record(claim)
    claim.reject_reason = reason
    claim.decided_at = now
    text = f"{RejectReason(reason).label}：{note}"
    if reversed_total:
        text += f"（冲正已核准未支付赔款 {yuan(reversed_total)} 元）"
    log_event(claim, act, by=by, at=now, note=text, reason=reason)
    refresh_money(claim)
    return finish(claim, now=now)


@transaction.atomic
def claim_withdraw(*, claim: Claim, by: User, note: str, now: dt.datetime | None = None) -> Claim:
    """注销: close an open claim without payment. An approved, unpaid settlement is
    reversed in the ledger and the policy's claims record is restored."""
    now = now_or(now)
    claim, act = begin(claim, "withdraw", by)
    note = _require_note(note, "注销原因")
    reversed_total = reverse_open_payments(claim, by=by, at=now, note="赔案注销")
    if claim.state == ClaimState.APPROVED:
        uncount_from_record(claim)
    if reversed_total:
        note += f"（冲正已核准未支付赔款 {yuan(reversed_total)} 元）"
    log_event(claim, act, by=by, at=now, note=note)
    refresh_money(claim)
    return finish(claim, now=now)


@transaction.atomic
def claim_close(*, claim: Claim, by: User, note: str = "", now: dt.datetime | None = None) -> Claim:
    """结案: close a paid claim."""
    now = now_or(now)
    claim, act = begin(claim, "close", by)
    log_event(claim, act, by=by, at=now, note=note or "赔款已支付，结案。")
    refresh_money(claim)
    return finish(claim, now=now)
