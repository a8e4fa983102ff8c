"""Who may see and do what with a claim — decided here, and nowhere else.

The same shape as `support.access`:

- queryset: `claims_for_user(user, queryset=None)` — hotline agents and supervisors
  (`claims.view_all_claims`) see every branch's claims; counter clerks and claims
  adjusters their branch's claims and the ones they reported themselves; staff without
  `claims.view_claim` none;
- getter: `get_claim_for_user(user, pk, queryset=None)` — `PermissionDenied` for staff
  without the claims desk, `Http404` for a claim outside the user's scope;
- predicates `can_<verb>_<object>(user, …)`: `can_view_claims`, `can_view_claim`,
  `can_report_claim`, `can_take_step` (holds the step's permission), `can_act_on_claim`
  (the step is also allowed from the claim's state and by the four-eyes rule);
- guards the services call under the claim's row lock, raising `ValidationError` with
  the reason: `require_step`, `require_other_reviewer`, `check_approval_authority`;
- `required(predicate)`, the view decorator that answers 403.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from claims.choices import ClaimChannel, ClaimState, DocumentKind, PartyKind
from claims.models import ApprovalAuthority, Claim
from claims.payout import yuan
from claims.workflow import BY_CODE, Action, actions_from
from core.decorators import required  # noqa: F401  (views call access.required(can_…))

# --- Seeing claims ---------------------------------------------------------------------------------


def can_view_claims(user) -> bool:
    """The user works with claims at all (the queue, a claim's page)."""
    return user.is_authenticated and user.has_perm("claims.view_claim")


def claims_for_user(user, queryset: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
    """The claims (of `queryset`, default all) that `user` may see."""
    claims = Claim.objects.all() if queryset is None else queryset
    if not can_view_claims(user):
        return claims.none()
    if user.has_perm("claims.view_all_claims"):
        return claims
    return claims.filter(Q(branch_id=user.branch_id) | Q(reported_by=user))


def get_claim_for_user(user, pk: int, queryset: QuerySet[Claim] | None = None) -> Claim:
    """The claim, or `PermissionDenied` for staff without the claims desk and `Http404`
    when it does not exist or lies outside the user's scope."""
    if not can_view_claims(user):
        raise PermissionDenied
    return get_object_or_404(claims_for_user(user, queryset), pk=pk)


def can_view_claim(user, claim: Claim) -> bool:
    """The user may open this claim's page (one query)."""
    return claims_for_user(user).filter(pk=claim.pk).exists()


# --- Taking steps --------------------------------------------------------------------------------


def can_take_step(user, code: str) -> bool:
    """The user holds the permission of the step `code` (any claim, any state)."""
    act = BY_CODE.get(code)
    return act is not None and user is not None and user.has_perm(act.permission)


def can_report_claim(user) -> bool:
    return can_take_step(user, "report")


def calculated_by(claim: Claim) -> int | None:
    """Who calculated the claim last (from its events: prefetched ones cost no query)."""
    return next((e.by_id for e in reversed(list(claim.events.all())) if e.action == "calculate"), None)


def is_own_calculation(user, claim: Claim) -> bool:
    """The user calculated the claim: they may not approve it (four eyes)."""
    return calculated_by(claim) == user.pk


def _offered(user, claim: Claim, act: Action) -> bool:
    """`act` comes from the claim's state (the caller's `actions_from`)."""
    if act.code == "approve" and is_own_calculation(user, claim):
        return False
    return can_take_step(user, act.code)


def can_act_on_claim(user, claim: Claim, code: str) -> bool:
    """The claim's state allows the step, the user holds its permission and, for an
    approval, did not calculate the claim."""
    act = BY_CODE.get(code)
    return act is not None and act in actions_from(claim.state) and _offered(user, claim, act)


def allowed_actions(user, claim: Claim) -> list[Action]:
    """The steps to offer `user` on the claim's page: documents only while some are
    missing, advances only when a third party was hurt."""
    pointless = set()
    if claim.documents_required and not claim.documents_missing:
        pointless.add("documents")
    if not any(p.kind == PartyKind.PERSON and p.is_third_party for p in claim.parties.all()):
        pointless.add("advance")
    if not claim.advance_case:
        pointless.add("recover")  # only an advance case's payments are recoverable
    return [a for a in actions_from(claim.state) if a.code not in pointless and _offered(user, claim, a)]


def can_approve_claims(user) -> bool:
    """The user approves claims at all (the "waiting for my approval" list)."""
    return user.is_authenticated and can_take_step(user, "approve")


def approvable_by(user, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """Of calculated claims the user may see (annotated with `calculated_by_id`), those the
    user may approve: not their own calculation, and within their authority unless they
    approve any amount (a reviewer with no authority set approves none)."""
    claims = claims_for_user(user, queryset).exclude(calculated_by_id=user.pk)
    if not can_approve_claims(user):
        return claims.none()
    if user.has_perm("claims.approve_any_amount"):
        return claims
    authority = ApprovalAuthority.objects.filter(user=user).values_list("max_amount", flat=True).first()
    return claims.none() if authority is None else claims.filter(calculated_total__lte=authority)


def awaits_other_reviewer(user, claim: Claim) -> bool:
    """A reviewer looking at a calculated claim they calculated themselves: someone else
    must approve it (the page says so instead of offering the approval)."""
    return (
        claim.state == ClaimState.CALCULATED
        and can_take_step(user, "approve")
        and is_own_calculation(user, claim)
    )


def default_report_channel(user) -> str:
    """The channel a report by `user` comes in by: the hotline for hotline-only staff."""
    if user.has_perm("policies.use_hotline_desk") and not user.has_perm("policies.use_counter_desk"):
        return ClaimChannel.HOTLINE
    return ClaimChannel.COUNTER


# --- Guards of the services ----------------------------------------------------------------------


def require_step(user, act: Action) -> None:
    if not can_take_step(user, act.code):
        raise ValidationError(
            "您没有“%(action)s”的权限。", code="permission_denied", params={"action": act.label}
        )


def require_other_reviewer(user, claim: Claim) -> None:
    if is_own_calculation(user, claim):
        raise ValidationError("理算人不能核赔自己理算的赔案，请由其他核赔人审核。", code="four_eyes")


def can_pay_without_documents(user) -> bool:
    """A supervisor may let a payment go with documents missing (docs/regulation.md §6), with a reason."""
    return user is not None and user.has_perm("claims.pay_without_documents")


def require_documents_override(user, claim: Claim, *, reason: str) -> None:
    """Payment with documents of docs/regulation.md §6 missing: refused, unless a supervisor gives a reason."""
    missing = "、".join(DocumentKind(d).label for d in claim.documents_missing)
    if not can_pay_without_documents(user):
        raise ValidationError(
            "索赔单证尚未收齐（尚缺：%(missing)s），不能支付；请先登记单证，或由主管注明理由准予支付。",
            code="documents_missing",
            params={"missing": missing},
        )
    if not reason:
        raise ValidationError(
            "索赔单证尚未收齐（尚缺：%(missing)s），请填写准予支付的理由。",
            code="override_reason_required",
            params={"missing": missing},
        )


def check_approval_authority(user, amount: Decimal) -> None:
    """A reviewer approves up to their own amount; above it, or with none set, only a
    supervisor (`claims.approve_any_amount`) may (fail closed)."""
    if user.has_perm("claims.approve_any_amount"):
        return
    authority = ApprovalAuthority.objects.filter(user=user).first()
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
