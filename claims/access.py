"""Who may see and do what with a claim — decided here, in one place.

- `Claim.objects.visible_to(user)`: hotline agents and supervisors (`claims.view_all_claims`)
  see every branch's claims; counter clerks and claims adjusters see their branch's
  claims and the ones they reported themselves.
- `can_act(user, claim, code)`: the state machine allows the action from the claim's
  state and the user holds its permission (the services check both again).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from claims.choices import PartyKind
from claims.models import Claim
from claims.workflow import Action, actions_from, check_allowed


def get_claim_for_user(user, pk: int, queryset=None) -> Claim:
    """The claim, or 404 when it does not exist or lies outside the user's scope."""
    base = Claim.objects.all() if queryset is None else queryset
    return get_object_or_404(base.visible_to(user), pk=pk)


def calculated_by(claim: Claim) -> int | None:
    """Who calculated the claim last (they may not approve it: four eyes)."""
    return next((e.by_id for e in reversed(list(claim.events.all())) if e.action == "calculate"), None)


def allowed_actions(user, claim: Claim) -> list[Action]:
    """The steps to offer `user` on the claim's page: documents only while some are
    missing, advances only when a third party was hurt."""
    pointless = set()
    if claim.documents_required and not claim.documents_missing:
        pointless.add("documents")
    if not any(p.kind == PartyKind.PERSON and p.is_third_party for p in claim.parties.all()):
        pointless.add("advance")
    return [a for a in actions_from(claim.state) if a.code not in pointless and can_act(user, claim, a.code)]


def can_act(user, claim: Claim, code: str) -> bool:
    try:
        act = check_allowed(code, claim.state)
    except ValidationError:  # an unknown code, or a state that does not allow it
        return False
    if code == "approve" and calculated_by(claim) == user.pk:
        return False
    return user.has_perm(act.permission)
