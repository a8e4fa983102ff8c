"""A claim's life after its report and its first payment: a victim or a loss line added
later, a supplementary payment (追加赔付), a closed claim reopened by a supervisor, and
money recovered (追偿) from the wrongdoer in an advance case.

Each is one transaction under the claim's row lock, with one access decision (the
step's permission, `claims.access`), an appended `ClaimEvent`, and a Chinese refusal.
Supplementary payments need no engine of their own: the claim goes back to 查勘 and
walks assess → calculate → approve → pay again, and the payout engine counts what each
victim was already paid toward their own share (docs/regulation.md §5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from claims import ledger
from claims.amounts import check_total, parse_amount
from claims.choices import DocumentKind, LossCategory, PartyKind, PaymentStatus
from claims.models import Claim, Loss, Party, Payment, Recovery
from claims.payout import yuan
from claims.services.common import begin, finish, log_event, now_or, refresh_money, refresh_risk
from claims.services.report import PartyReport, _clean_party
from policies.models import User

ZERO = Decimal("0.00")


def _note(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写%(what)s。", code="note_required", params={"what": what})
    return note


def _same_party(party: Party, other: Party) -> bool:
    """The new party is one already recorded (a double submission, or a second report of them)."""
    if party.kind != other.kind:
        return False
    if party.id_number:
        return party.id_number == other.id_number
    if party.plate:
        return party.plate == other.plate
    return bool(party.name) and party.name == other.name and not other.id_number and not other.plate


@transaction.atomic
def claim_add_party(
    *,
    claim: Claim,
    by: User,
    party: Party | None = None,
    new_party: PartyReport | Mapping | None = None,
    amounts: Mapping[str, Decimal | str | int] | None = None,
    rescue: bool = False,
    note: str = "",
    now: dt.datetime | None = None,
) -> list[Loss]:
    """增补: a victim found after the report (`new_party`, with its losses in it) or a loss
    line of a party already recorded (`party` and `amounts` by category), before the
    assessment. Shares are taken over every victim's whole loss, so the engine's estimate
    and the reserve change with it. A party or loss line already recorded is refused."""
    now = now_or(now)
    claim, act = begin(claim, "add_party", by)
    existing = list(Party.objects.filter(claim=claim))
    if (party is None) == (new_party is None):
        raise ValidationError("请选择已登记的当事方，或填写新的当事方。", code="party_choice")
    if new_party is not None:
        target, money, rescue = _clean_party(new_party, len(existing) + 1)
        if any(_same_party(target, other) for other in existing):
            raise ValidationError(
                "该当事方已登记在本案中，请选择已登记的当事方增补损失。", code="party_exists"
            )
        target.claim = claim
        target.save()
    else:
        if party.claim_id != claim.pk:
            raise ValidationError("请选择本案的当事方。", code="party_claim")
        target = party
        money = {
            category: parse_amount(
                (amounts or {}).get(category, 0) or 0, f"{LossCategory(category).label}金额"
            )
            for category in LossCategory.values
        }
        if target.kind != PartyKind.PERSON and (
            money[LossCategory.DEATH_DISABILITY] or money[LossCategory.MEDICAL]
        ):
            raise ValidationError("车辆或财产只能增补财产损失。", code="party_losses")
        if rescue and not money[LossCategory.MEDICAL]:
            raise ValidationError("标记为抢救费用时请填写医疗费用金额。", code="party_rescue")
    lines = [(category, amount) for category, amount in money.items() if amount > 0]
    if not lines:
        raise ValidationError("请填写增补的损失金额。", code="no_amount")
    recorded = set(Loss.objects.filter(party=target).values_list("category", flat=True))
    twice = [LossCategory(c).label for c, _ in lines if c in recorded]
    if twice:
        raise ValidationError(
            "%(party)s的%(what)s损失已登记，请在定损时核定金额。",
            code="loss_exists",
            params={"party": target.display_name, "what": "、".join(twice)},
        )
    losses = Loss.objects.bulk_create(
        Loss(
            claim=claim, party=target, category=category, reported_amount=amount,
            rescue=rescue and category == LossCategory.MEDICAL,
        )
        for category, amount in lines
    )  # fmt: skip
    if target.is_third_party:
        claim.reported_total += sum((amount for _, amount in lines), ZERO)
        check_total([claim.reported_total], "报损金额")
    hurt = any(c in (LossCategory.DEATH_DISABILITY, LossCategory.MEDICAL) for c, _ in lines)
    if hurt and claim.documents_listed_at and DocumentKind.MEDICAL_RECORDS not in claim.documents_required:
        claim.documents_required = [*claim.documents_required, DocumentKind.MEDICAL_RECORDS]
    text = f"增补{target.display_name}的损失：" + "、".join(
        f"{LossCategory(c).label} {yuan(a)} 元" for c, a in lines
    )
    log_event(claim, act, by=by, at=now, note=f"{text}。{(note or '').strip()}".strip())
    all_losses = ledger.claim_losses(claim)
    refresh_money(claim, losses=all_losses)
    refresh_risk(claim, losses=all_losses)
    finish(claim, now=now)
    return losses


def _back_to_assessment(claim: Claim, *, now: dt.datetime) -> None:
    """A paid or closed claim taken back for a new assessment: the calculation, the
    decision and the payment of this round start again; the documents' decision clock
    restarts from the request (the material of the supplementary claim)."""
    Loss.objects.filter(claim=claim).update(payable=None)
    claim.calculated_total = None
    claim.decided_at = None
    claim.agreed_at = None
    claim.paid_at = None
    claim.closed_at = None
    if claim.documents_complete_at is not None:
        claim.documents_complete_at = now


@transaction.atomic
def claim_supplement(*, claim: Claim, by: User, note: str, now: dt.datetime | None = None) -> Claim:
    """追加赔付: a paid claim whose victims claim more (later treatment, a late bill) goes
    back to 查勘 for a new assessment; what each victim was paid counts toward their own
    share, so only the rest is paid, within what is left of each sub-limit."""
    now = now_or(now)
    claim, act = begin(claim, "supplement", by)
    note = _note(note, "追加赔付的原因（如后续治疗费用）")
    _back_to_assessment(claim, now=now)
    log_event(claim, act, by=by, at=now, note=f"受理追加赔付，重新定损：{note}")
    refresh_money(claim)
    return finish(claim, now=now)


@transaction.atomic
def claim_reopen(*, claim: Claim, by: User, note: str, now: dt.datetime | None = None) -> Claim:
    """重开: a supervisor reopens a closed claim with a reason; it goes back to 查勘 and is
    assessed, calculated, approved and paid again for what is still due."""
    now = now_or(now)
    claim, act = begin(claim, "reopen", by)
    note = _note(note, "重开原因")
    _back_to_assessment(claim, now=now)
    log_event(claim, act, by=by, at=now, note=f"重开赔案：{note}")
    refresh_money(claim)
    return finish(claim, now=now)


def recoverable_total(claim: Claim) -> Decimal:
    """What was paid on the claim that may be recovered from the wrongdoer (one query)."""
    return (
        Payment.objects.filter(claim=claim, recoverable=True, status=PaymentStatus.PAID).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )


@transaction.atomic
def claim_recover(
    *,
    claim: Claim,
    by: User,
    amount: Decimal | str,
    debtor: str,
    reference: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Recovery:
    """追偿: record money recovered from the wrongdoer (条例 Art. 22) against the claim,
    never more than the recoverable payments less what was recovered before. A retry
    with the same receipt reference returns the first record and writes nothing."""
    now = now_or(now)
    claim, act = begin(claim, "recover", by)
    reference = (reference or "").strip()[:40]
    debtor = (debtor or "").strip()[:100]
    if not reference:
        raise ValidationError("请填写收款流水号。", code="reference_required")
    amount = parse_amount(amount, "追回金额", positive=True)
    earlier = Recovery.objects.filter(claim=claim, reference=reference).first()
    if earlier is not None:
        if earlier.amount != amount:
            raise ValidationError(
                "收款流水号 %(reference)s 已登记追回 %(amount)s 元，请核对。",
                code="recovery_conflict",
                params={"reference": reference, "amount": yuan(earlier.amount)},
            )
        return earlier
    if not debtor:
        raise ValidationError("请填写追偿对象。", code="debtor_required")
    room = recoverable_total(claim) - claim.recovered_total
    if amount > room:
        raise ValidationError(
            "追回金额 %(amount)s 元超过可追偿的余额 %(room)s 元（垫付情形下已支付的款项减去已追回的金额）。",
            code="recovery_above_paid",
            params={"amount": yuan(amount), "room": yuan(max(room, ZERO))},
        )
    recovery = Recovery.objects.create(
        claim=claim, amount=amount, debtor=debtor, reference=reference, at=now, by=by, note=(note or "")[:200]
    )
    claim.recovered_total += amount
    text = (
        f"向{debtor}追回 {yuan(amount)} 元，流水号 {reference}；累计追回 {yuan(claim.recovered_total)} 元。"
    )
    log_event(claim, act, by=by, at=now, note=f"{text}{(note or '').strip()}")
    finish(claim, now=now)
    return recovery
