"""Rules that write the policies app's data. Each is one transaction and raises
`ValidationError` with a message a clerk can read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.clock import today
from policies.access import can_correct_policy
from policies.choices import (
    CancelReason,
    DrinkDrivingKind,
    PaymentMethod,
    PolicyStatus,
    PremiumEntryKind,
    RenewalStatus,
    SalesChannel,
)
from policies.identifiers import is_trailer_plate
from policies.models import (
    Branch,
    DrinkDrivingRecord,
    NumberSequence,
    Person,
    PersonAccessLog,
    Policy,
    PremiumEntry,
    User,
    Vehicle,
)
from policies.pricing import Quote, cancellation_refund
from policies.quotes import renewal_quote, vehicle_renewal_state
from policies.refusals import NO_BRANCH_FOR_ISSUE, TRAILER_REFUSAL
from policies.roles import ROLES, SUPERVISOR


def next_sequence_value(name: str) -> int:
    """The next value of a named counter; the row lock serialises concurrent callers."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(name=name)
        NumberSequence.objects.filter(name=name).update(last_value=F("last_value") + 1)
        return NumberSequence.objects.values_list("last_value", flat=True).get(name=name)


def new_policy_number(*, start: dt.date) -> str:
    """`JQX` + year of cover + a 10-digit serial, e.g. JQX20270000000042."""
    return f"JQX{start.year}{next_sequence_value(f'policy-{start.year}'):010d}"


def overlapping_policies(*, vehicle: Vehicle, start: dt.date, end: dt.date, exclude_pk: int | None = None):
    """Non-cancelled policies of `vehicle` whose cover shares a day with start..end."""
    qs = Policy.objects.not_cancelled().filter(vehicle=vehicle, start_date__lte=end, end_date__gte=start)
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def check_no_overlap(
    *, vehicle: Vehicle, start: dt.date, end: dt.date, exclude_pk: int | None = None
) -> None:
    clash = overlapping_policies(vehicle=vehicle, start=start, end=end, exclude_pk=exclude_pk).first()
    if clash is not None:
        raise ValidationError(
            "车辆 %(plate)s 在 %(start)s 至 %(end)s 已有保单 %(number)s，保险期间不能重叠。",
            code="overlap",
            params={
                "plate": vehicle.plate,
                "start": clash.start_date.isoformat(),
                "end": clash.end_date.isoformat(),
                "number": clash.number,
            },
        )


@transaction.atomic
def policy_issue(
    *,
    vehicle: Vehicle,
    policyholder: Person,
    insured: Person,
    branch: Branch,
    channel: str,
    quote: Quote,
    issued_by: User | None = None,
    renewed_from: Policy | None = None,
) -> Policy:
    """Issue a policy with the premium parts of `quote`. Refuses trailers (条例 Art. 42)
    and cover overlapping another policy of the vehicle."""
    if is_trailer_plate(vehicle.plate):
        raise ValidationError(TRAILER_REFUSAL, code="trailer")
    if channel not in SalesChannel.values:
        raise ValidationError("销售渠道无效。", code="channel")
    check_no_overlap(vehicle=vehicle, start=quote.start_date, end=quote.end_date)
    policy = Policy(
        number=new_policy_number(start=quote.start_date),
        vehicle=vehicle,
        policyholder=policyholder,
        insured=insured,
        branch=branch,
        channel=channel,
        term_kind=quote.term_kind,
        start_date=quote.start_date,
        start_hour=quote.start_hour,
        end_date=quote.end_date,
        base_premium=quote.base_premium,
        floating_plan=quote.floating_plan,
        floating_reason=quote.floating_reason,
        floating_rate=quote.floating_rate,
        drink_driving_rate=quote.drink_driving_rate,
        premium=quote.premium,
        vehicle_tax=quote.vehicle_tax,
        total=quote.total,
        status=PolicyStatus.IN_FORCE,
        renewed_from=renewed_from,
        issued_by=issued_by,
    )
    policy.full_clean(validate_unique=False, validate_constraints=False)
    policy.save()
    return policy


def person_view_log(
    *,
    user: User,
    person: Person,
    page: str,
    path: str = "",
    ip_address: str | None = None,
    other_branch=False,
) -> PersonAccessLog:
    """Write down one full view of a person's record (who, when, which person, which page;
    `other_branch` a bool or an SQL expression computed in the INSERT, see policies.audit)."""
    return PersonAccessLog.objects.create(
        user=user, person=person, page=page, path=path[:300], ip_address=ip_address, other_branch=other_branch
    )


def client_ip(request) -> str | None:
    """The client's address. Behind `TRUSTED_PROXY_COUNT` reverse proxies it is the entry that
    many hops from the right of X-Forwarded-For (the ones the proxies appended themselves)."""
    from django.conf import settings

    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR") or None


# --- Renewal at the counter ------------------------------------------------------------------


class StaleQuote(ValidationError):
    """The quote the clerk showed no longer holds (claims record or tariff changed):
    nothing was charged; `quote` is the fresh one to show the customer."""

    def __init__(self, quote: Quote):
        super().__init__(
            "报价已变化：该车出险记录或费率表在报价后有更新，新报价合计 %(total)s 元。"
            "本次未出单、未收费，请向客户说明新报价后再确认。",
            code="stale_quote",
            params={"total": quote.total},
        )
        self.quote = quote


@dataclass(frozen=True)
class RenewalResult:
    policy: Policy
    created: bool  # False: the renewal had already been issued (double click, retry, colleague)


@transaction.atomic
def policy_renew(
    *,
    vehicle: Vehicle,
    clerk: User,
    from_policy_id: int,
    fingerprint: str,
    payment_method: str,
    payment_reference: str = "",
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> RenewalResult:
    """Issue the successor of policy `from_policy_id` at the clerk's branch, priced exactly
    as the quote identified by `fingerprint` (docs/regulation.md §4: it starts the day after the current
    end date, or at 00:00 tomorrow when lapsed — at the next full hour where the province
    allows immediate cover), and record how the customer paid (a charge in the premium
    ledger: the method and, for card, mobile payment or transfer, its reference).

    Idempotent: the vehicle's row is locked, so a double click, a browser retry or a second
    clerk renewing the same vehicle waits and then receives the policy already issued. A
    quote that no longer holds raises `StaleQuote` with the fresh one and charges nothing.
    """
    if clerk.branch_id is None:
        raise ValidationError(NO_BRANCH_FOR_ISSUE, code="no_branch")
    if is_trailer_plate(vehicle.plate):
        raise ValidationError(TRAILER_REFUSAL, code="trailer")
    payment_reference = _check_payment(payment_method, payment_reference)
    day = day or today()
    vehicle = Vehicle.objects.select_related("owner").select_for_update(of=("self",)).get(pk=vehicle.pk)
    policies = list(Policy.objects.filter(vehicle=vehicle).order_by("start_date", "pk"))

    issued = next((p for p in policies if p.renewed_from_id == from_policy_id), None)
    if issued is not None:
        if issued.is_cancelled:
            raise ValidationError(
                "该保单的续保保单 %(number)s 已退保，不能再次续保。",
                code="successor_cancelled",
                params={"number": issued.number},
            )
        return RenewalResult(policy=issued, created=False)

    state = vehicle_renewal_state(policies, day=day, province=clerk.branch.province)
    _check_renewable(state, from_policy_id=from_policy_id)
    fresh = renewal_quote(vehicle=vehicle, policies=policies, branch=clerk.branch, state=state, now=now)
    if fresh.fingerprint != fingerprint:
        raise StaleQuote(fresh)

    current = next(p for p in policies if p.pk == from_policy_id)
    try:
        with transaction.atomic():
            policy = policy_issue(
                vehicle=vehicle,
                policyholder=vehicle.owner,
                insured=vehicle.owner,
                branch=clerk.branch,
                channel=SalesChannel.COUNTER,
                quote=fresh,
                issued_by=clerk,
                renewed_from=current,
            )
            PremiumEntry.objects.create(
                policy=policy,
                kind=PremiumEntryKind.CHARGE,
                amount=policy.total,
                method=payment_method,
                reference=payment_reference,
                at=now or timezone.now(),
                by=clerk,
                note=f"交强险保费 {policy.premium} 元 + 车船税 {policy.vehicle_tax} 元",
            )
    except IntegrityError:
        # A writer that did not take the vehicle lock got there first; the one-to-one
        # `renewed_from` and the exclusion constraint kept it to one policy.
        issued = Policy.objects.filter(renewed_from_id=from_policy_id).first()
        if issued is None:
            raise ValidationError("该车保单刚被修改，请重新查询后再办理。", code="conflict") from None
        return RenewalResult(policy=issued, created=False)
    return RenewalResult(policy=policy, created=True)


PAYMENT_METHOD_UNKNOWN = "请选择收费方式：现金、银行卡、移动支付或转账。"
PAYMENT_REFERENCE_MISSING = "%(method)s收费请填写交易流水号（凭证号），以便对账。"
PAYMENT_REFERENCE_TOO_LONG = "交易流水号最长 40 个字符。"


def _check_payment(method: str, reference: str) -> str:
    """The payment reference, trimmed; refuses an unknown method, and a card, mobile or
    transfer payment without its reference."""
    if method not in PaymentMethod.values:
        raise ValidationError(PAYMENT_METHOD_UNKNOWN, code="payment_method")
    reference = (reference or "").strip()
    if method != PaymentMethod.CASH and not reference:
        raise ValidationError(
            PAYMENT_REFERENCE_MISSING,
            code="payment_reference",
            params={"method": PaymentMethod(method).label},
        )
    if len(reference) > 40:
        raise ValidationError(PAYMENT_REFERENCE_TOO_LONG, code="payment_reference")
    return reference


def _check_renewable(state, *, from_policy_id: int) -> None:
    """Refuse, in words a clerk can read out, a renewal that may not be issued now."""
    if state.status is None:
        raise ValidationError("该车在本公司没有保单，不能续保；首次投保请按新保办理。", code="never_insured")
    if state.status == RenewalStatus.CANCELLED and not state.is_resuming:
        raise ValidationError(
            "该车最近一张保单已退保（车辆注销登记），不能再投保；如车辆信息有误请核对行驶证。",
            code="cancelled",
        )
    if state.status == RenewalStatus.UPCOMING:
        raise ValidationError(
            "该车已有 %(start)s 起保的保单，尚未生效，无需续保。",
            code="upcoming",
            params={"start": state.renewal_start},
        )
    if state.status == RenewalStatus.RENEWED:
        raise ValidationError(
            "该车已有 %(start)s 起保的后续保单，无需续保。",
            code="renewed",
            params={"start": state.renewal_start},
        )
    if state.status == RenewalStatus.IN_FORCE:
        raise ValidationError(
            "该车保单至 %(end)s 止，尚未进入续保期（止期前 %(days)s 天内可续保）。",
            code="not_due",
            params={"end": state.cover_end, "days": state.advance_days},
        )
    if state.current is None or state.current.policy_id != from_policy_id:
        raise ValidationError("该车保单信息已变化，请重新查询后再办理。", code="changed")


# --- Cancellation (退保) ------------------------------------------------------------------------

CANCEL_REFUSED = "您的岗位不能办理退保。"
CANCEL_REASON_UNKNOWN = "请选择退保原因：车辆注销登记、办理停驶或被盗抢经公安机关证实，其他情形不能退保。"
CANCEL_DOCUMENT_MISSING = "请登记证明材料（注销证明、停驶证明或公安机关证明）的名称和编号。"
CANCEL_DOCUMENT_TOO_LONG = "证明材料最长 100 个字符。"
CANCEL_ALREADY = "保单 %(number)s 已于 %(day)s 退保，不能再次退保。"
CANCEL_NOT_STARTED = "保单 %(number)s 自 %(start)s 起保，尚未生效；未生效保单请联系承保网点办理撤单。"
CANCEL_ENDED = "保单 %(number)s 已于 %(end)s 到期，无需退保。"


@dataclass(frozen=True)
class CancellationResult:
    policy: Policy
    refund: PremiumEntry
    created: bool  # False: the policy had already been cancelled this way (double click, retry)


@transaction.atomic
def policy_cancel(
    *,
    policy_id: int,
    by: User,
    reason: str,
    document: str,
    refund_method: str,
    refund_reference: str = "",
    day: dt.date | None = None,
) -> CancellationResult:
    """Cancel policy `policy_id` on `day` (docs/regulation.md §3, 条例 Art. 16–17): only when the
    vehicle's registration is cancelled, it is laid up, or the police confirm it lost, with the
    proving document recorded. Cover runs to 24:00 of `day`; the refund is premium × unexpired
    days ÷ days of the term, to the fen, and goes into the premium ledger with how it is paid back.

    Idempotent: the policy's row is locked, so a retry receives the cancellation already made.
    """
    from policies import access

    if not access.can_cancel_policy(by):
        raise ValidationError(CANCEL_REFUSED, code="forbidden")
    if reason not in CancelReason.values:
        raise ValidationError(CANCEL_REASON_UNKNOWN, code="reason")
    document = (document or "").strip()
    if not document:
        raise ValidationError(CANCEL_DOCUMENT_MISSING, code="document")
    if len(document) > 100:
        raise ValidationError(CANCEL_DOCUMENT_TOO_LONG, code="document")
    if refund_method not in PaymentMethod.values:
        raise ValidationError("请选择退费方式：现金、银行卡、移动支付或转账。", code="refund_method")
    refund_reference = (refund_reference or "").strip()  # a transfer's reference may follow later
    if len(refund_reference) > 40:
        raise ValidationError(PAYMENT_REFERENCE_TOO_LONG, code="refund_reference")
    day = day or today()
    policy = Policy.objects.select_for_update().get(pk=policy_id)
    if policy.is_cancelled:
        entry = PremiumEntry.objects.filter(policy=policy, kind=PremiumEntryKind.REFUND).first()
        if entry is not None:
            return CancellationResult(policy=policy, refund=entry, created=False)
        raise ValidationError(
            CANCEL_ALREADY, code="cancelled", params={"number": policy.number, "day": policy.cancelled_on}
        )
    if policy.start_date > day:
        raise ValidationError(
            CANCEL_NOT_STARTED,
            code="not_started",
            params={"number": policy.number, "start": policy.start_date},
        )
    if policy.end_date < day:
        raise ValidationError(
            CANCEL_ENDED, code="ended", params={"number": policy.number, "end": policy.end_date}
        )

    refund = cancellation_refund(
        policy.premium, start=policy.start_date, end=policy.end_date, cancelled_on=day
    )
    now = timezone.now()
    policy.original_end_date = policy.end_date
    policy.end_date = day  # cover stops at 24:00 of the cancellation date (the portal's convention)
    policy.status = PolicyStatus.CANCELLED
    policy.cancelled_on = day
    policy.cancel_reason = reason
    policy.cancel_document = document
    policy.refund = refund
    policy.cancelled_by = by
    policy.cancelled_at = now
    with pghistory.context(service="退保", reason=f"{CancelReason(reason).label}；{document}", user=by.pk):
        policy.save(
            update_fields=[
                "original_end_date", "end_date", "status", "cancelled_on", "cancel_reason", "cancel_document",
                "refund", "cancelled_by", "cancelled_at",
            ]
        )  # fmt: skip
    entry = PremiumEntry.objects.create(
        policy=policy,
        kind=PremiumEntryKind.REFUND,
        amount=refund,
        method=refund_method,
        reference=refund_reference,
        at=now,
        by=by,
        note=f"退保：{CancelReason(reason).label}；证明：{document}",
    )
    return CancellationResult(policy=policy, refund=entry, created=True)


# --- Drink-driving records ---------------------------------------------------------------------


@transaction.atomic
def drink_driving_record_add(
    *,
    vehicle: Vehicle,
    offence_date: dt.date,
    kind: str,
    decision_number: str,
    by: User,
    driver: Person | None = None,
) -> DrinkDrivingRecord:
    """Record a drink-driving offence with `vehicle` and count it in the record of the policy
    that covered `offence_date` (its next premium is surcharged where the province sets a
    surcharge, docs/regulation.md §2). Idempotent on the decision number."""
    decision_number = (decision_number or "").strip()
    if not decision_number:
        raise ValidationError("请填写公安交管部门处罚决定书编号。", code="decision_number")
    if kind not in DrinkDrivingKind.values:
        raise ValidationError("请选择违法行为：饮酒后驾驶或醉酒驾驶。", code="kind")
    if offence_date > today():
        raise ValidationError("违法日期不能晚于今天。", code="offence_date")
    existing = DrinkDrivingRecord.objects.filter(decision_number=decision_number).first()
    if existing is not None:
        if existing.vehicle_id != vehicle.pk:
            raise ValidationError(
                "处罚决定书 %(n)s 已登记在另一辆车上。", code="duplicate", params={"n": decision_number}
            )
        return existing
    record = DrinkDrivingRecord.objects.create(
        vehicle=vehicle, driver=driver, offence_date=offence_date, kind=kind,
        decision_number=decision_number, recorded_by=by,
    )  # fmt: skip
    Policy.objects.filter(vehicle=vehicle).covering(offence_date).update(
        drink_driving_offences=F("drink_driving_offences") + 1
    )
    return record


# --- Staff accounts --------------------------------------------------------------------------

STAFF_NOT_YOURS = "您只能管理本网点的柜面人员、热线坐席和理赔人员账号。"
STAFF_ROLE_REFUSED = "只有超级管理员可以任命主管；请选择柜面人员、热线坐席或理赔人员。"
STAFF_BRANCH_REFUSED = "请选择您所管理的网点。"
STAFF_ROLE_UNKNOWN = "请选择岗位。"


@transaction.atomic
def staff_account_save(
    *,
    by: User,
    user: User,
    role: str,
    branch: Branch | None,
    is_active: bool = True,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create or change a staff account through the portal's roles, as `by` may (see
    `policies.access.can_manage_staff`): the account's role (its one role group), branch,
    active flag and names. Nothing else of `user` is taken — not superuser status, the staff
    flag, raw permissions or other groups, whatever was set on it: a changed account is saved
    from its stored row; a new one (its username and password set by the caller) as plain
    staff. Raises ValidationError, changing nothing, when `by` may not."""
    from django.contrib.auth.models import Group

    from policies import access

    if role not in ROLES:
        raise ValidationError(STAFF_ROLE_UNKNOWN, code="role")
    if user.pk is None:
        if not access.can_manage_staff(by):
            raise ValidationError(STAFF_NOT_YOURS, code="scope")
        account = user
        account.is_superuser = False
    else:
        account = User.objects.select_for_update().get(pk=user.pk)
        if not access.can_manage_staff(by, account):
            raise ValidationError(STAFF_NOT_YOURS, code="scope")
    if not access.can_give_role(by, role, branch):
        if role not in access.roles_for_user(by):
            raise ValidationError(STAFF_ROLE_REFUSED, code="role")
        raise ValidationError(STAFF_BRANCH_REFUSED, code="branch")
    account.branch = branch
    account.is_active = is_active
    account.first_name = first_name
    account.last_name = last_name
    account.email = email
    # Admin access (the staff flag) goes with the 主管 role, which only a superuser gives.
    account.is_staff = account.is_superuser or (role == SUPERVISOR and by.is_superuser)
    if account.pk is None:
        account.save()
    else:
        account.save(update_fields=["branch", "is_active", "first_name", "last_name", "email", "is_staff"])
    others = list(account.groups.exclude(name__in=ROLES))  # groups other than roles stay as they are
    account.groups.set([*others, Group.objects.get(name=role)])
    return account


# What a correction may change, and how each is called (policy_correct).
CORRECTABLE = {
    "premium": "交强险保费",
    "vehicle_tax": "车船税",
    "start_date": "保险起期",
    "end_date": "保险止期",
}
MIN_REASON = 4


@transaction.atomic
def policy_correct(
    *,
    policy: Policy,
    by: User,
    reason: str,
    premium: Decimal | None = None,
    vehicle_tax: Decimal | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> list[str]:
    """Correct a policy's premium, vehicle tax or cover dates, with a reason (admin never
    edits them). The total follows the premium and tax; the dates may not overlap another
    policy of the vehicle. The change's history row (before and after, who, why) is written
    by the history triggers with this service's name and the reason. Idempotent: the values
    it already has change nothing. Returns the names of the fields changed."""
    if not can_correct_policy(by):
        raise ValidationError("您没有更正保单的权限，请联系主管。", code="forbidden")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            f"请填写更正原因（至少 {MIN_REASON} 个字），如“出单时保费录入错误”。", code="reason"
        )
    locked = Policy.objects.select_for_update().get(pk=policy.pk)
    asked = {"premium": premium, "vehicle_tax": vehicle_tax, "start_date": start_date, "end_date": end_date}
    changed = {
        name: value for name, value in asked.items() if value is not None and getattr(locked, name) != value
    }
    if not changed:
        return []
    for name in ("premium", "vehicle_tax"):
        if changed.get(name, 0) < 0:
            raise ValidationError(f"{CORRECTABLE[name]}不能为负数。", code="negative")
    start, end = changed.get("start_date", locked.start_date), changed.get("end_date", locked.end_date)
    if end < start:
        raise ValidationError("保险止期不能早于保险起期。", code="dates")
    if "start_date" in changed or "end_date" in changed:
        check_no_overlap(vehicle=locked.vehicle, start=start, end=end, exclude_pk=locked.pk)
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.total = locked.premium + locked.vehicle_tax
    with pghistory.context(service="保单更正", reason=reason, user=by.pk):
        locked.save(update_fields=[*changed, "total"])
    return [CORRECTABLE[name] for name in changed]
