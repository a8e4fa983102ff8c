"""Who may see and work which tickets — decided here, and nowhere else.

Hotline agents and counter clerks work tickets (`support.work_tickets`): each sees the
queues of their own branch; hotline staff (`support.view_hotline_queues`) also see the
hotline centre's queues, which belong to no branch. Supervisors (`support.view_all_tickets`)
see every queue, read the reports and manage queues, SLA targets and the knowledge base
in admin. Customers answer surveys; staff never do for them.

The same shape as `claims.access`:

- querysets: `tickets_for_user(user, queryset=None)`, `queues_for_user(user, queryset=None)`
  (one scope rule for both), and `assignable_users(queue)`, the staff who may work a queue;
- getter: `get_ticket_for_user(user, pk, queryset=None)` — `PermissionDenied` for staff
  without the support desk, `Http404` for a ticket outside the user's scope;
- predicates `can_<verb>_<object>(user, …)`;
- `ticket_branch_for(user, channel)`: whose queues a ticket the user opens goes to;
- `required(predicate)`, the view decorator that answers 403.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.decorators import required  # noqa: F401  (views call access.required(can_…))
from policies.models import Branch, User
from support.choices import Channel
from support.models import Queue, Ticket

SURVEY_BY_STAFF = "员工账号不能代客户填写满意度调查。"

# --- Roles -----------------------------------------------------------------------------------------


def can_work_tickets(user) -> bool:
    """The user works the support desk (my tickets, the queues, a ticket's page)."""
    return user.has_perm("support.work_tickets")


def can_view_all_tickets(user) -> bool:
    """Every queue of every branch, and the tickets escalated to them (supervisors)."""
    return user.has_perm("support.view_all_tickets")


def can_work_hotline_queues(user) -> bool:
    """The hotline centre's queues (which belong to no branch) are the user's too."""
    return user.has_perm("support.view_hotline_queues")


def can_view_support_reports(user) -> bool:
    return user.has_perm("support.view_support_reports")


def can_read_articles(user) -> bool:
    """The knowledge base beside the reply form."""
    return user.has_perm("support.view_article")


def can_answer_survey(user) -> bool:
    """Only the customer answers a survey: a signed-in member of staff may not, so nobody
    fills it in for the customer from the desk."""
    return user is None or not user.is_authenticated


# --- Seeing tickets and queues ---------------------------------------------------------------------


def _scope(user, branch_field: str) -> Q | None:
    """Which queues the user sees, as a condition on `branch_field` (the queue's branch):
    None for every queue."""
    if can_view_all_tickets(user):
        return None
    if not can_work_tickets(user):
        return Q(pk__in=[])
    scope = Q(**{f"{branch_field}_id": user.branch_id}) if user.branch_id else Q(pk__in=[])
    if can_work_hotline_queues(user):
        scope |= Q(**{f"{branch_field}__isnull": True})
    return scope


def tickets_for_user(user, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """The tickets (of `queryset`, default all) that `user` may see."""
    tickets = Ticket.objects.all() if queryset is None else queryset
    scope = _scope(user, "queue__branch")
    return tickets if scope is None else tickets.filter(scope)


def queues_for_user(user, queryset: QuerySet[Queue] | None = None) -> QuerySet[Queue]:
    """The queues `user` may see: those of the tickets `tickets_for_user` lets them see."""
    queues = Queue.objects.select_related("branch") if queryset is None else queryset
    scope = _scope(user, "branch")
    return queues if scope is None else queues.filter(scope)


def get_ticket_for_user(user, pk: int, queryset: QuerySet[Ticket] | None = None) -> Ticket:
    """The ticket, or `PermissionDenied` for staff without the support desk and `Http404`
    when it does not exist or lies outside the user's scope (as if it did not exist)."""
    if not can_work_tickets(user):
        raise PermissionDenied
    return get_object_or_404(tickets_for_user(user, queryset), pk=pk)


# --- Working queues --------------------------------------------------------------------------------


def holders(codename: str) -> Q:
    """Users holding the support permission `codename`, through a group or directly."""
    perm = {"permissions__codename": codename, "permissions__content_type__app_label": "support"}
    return (
        Q(is_superuser=True)
        | Q(Exists(Group.objects.filter(user=OuterRef("pk"), **perm)))
        | Q(
            Exists(
                Permission.objects.filter(
                    user=OuterRef("pk"), codename=codename, content_type__app_label="support"
                )
            )
        )
    )


def assignable_users(queue: Queue) -> QuerySet[User]:
    """Active staff who work tickets and can see `queue`: the people a ticket in it can go to."""
    scope = holders("view_all_tickets")
    scope |= holders("view_hotline_queues") if queue.branch_id is None else Q(branch_id=queue.branch_id)
    return (
        User.objects.filter(is_active=True)
        .filter(holders("work_tickets"))
        .filter(scope)
        .order_by("last_name", "first_name", "username")
    )


def can_work_queue(user, queue: Queue) -> bool:
    """A ticket of `queue` may be assigned to (or taken by) the user (one query)."""
    return assignable_users(queue).filter(pk=user.pk).exists()


def ticket_branch_for(user, channel: str) -> Branch | None:
    """Whose queues a ticket the user opens goes to: the hotline centre's (no branch) for
    a hotline ticket opened by hotline staff, else the user's branch."""
    if channel == Channel.HOTLINE and can_work_hotline_queues(user):
        return None
    return user.branch


def default_ticket_channel(user) -> str:
    """The channel a ticket opened by `user` usually comes in by."""
    return Channel.HOTLINE if can_work_hotline_queues(user) else Channel.WALK_IN
