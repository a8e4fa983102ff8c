"""Who may see which figures on the dashboard, and who may recompute them.

The branch scope is the staff rule of `policies.access`: a supervisor of a branch sees that
branch; head office (a supervisor with no branch) and superusers see every branch and may
compare them side by side.
"""

from __future__ import annotations

from django.db.models import QuerySet

from policies.access import can_view_dashboards
from policies.models import Branch, User

REFRESH_SUMMARIES = "insights.refresh_summaries"


def branches_for_user(user: User) -> QuerySet[Branch]:
    """The branches whose figures `user` may see."""
    if not can_view_dashboards(user):
        return Branch.objects.none()
    if user.is_superuser or user.branch_id is None:
        return Branch.objects.order_by("code")
    return Branch.objects.filter(pk=user.branch_id)


def sees_every_branch(user: User) -> bool:
    return can_view_dashboards(user) and (user.is_superuser or user.branch_id is None)


def can_refresh_summaries(user: User) -> bool:
    return can_view_dashboards(user) and user.has_perm(REFRESH_SUMMARIES)
