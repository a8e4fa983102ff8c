"""Who may see and work which tickets — decided here and nowhere else.

Hotline agents and counter clerks work tickets (`support.work_tickets`): each sees the
queues of their own branch; hotline staff (`support.view_hotline_queues`) also see the
hotline centre's queues, which belong to no branch. Supervisors (`support.view_all_tickets`)
see every queue, read the reports and manage queues, SLA targets and the knowledge base
in admin.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from policies.models import User
from support.models import Queue, Ticket


def visible_queues(user) -> QuerySet[Queue]:
    """The queues `user` may see (the same scope as `Ticket.objects.visible_to`)."""
    queues = Queue.objects.select_related("branch")
    if user.has_perm("support.view_all_tickets"):
        return queues
    if not user.has_perm("support.work_tickets"):
        return queues.none()
    scope = Q(branch_id=user.branch_id) if user.branch_id else Q(pk__in=[])
    if user.has_perm("support.view_hotline_queues"):
        scope |= Q(branch__isnull=True)
    return queues.filter(scope)


def get_ticket_for_user(request, pk: int) -> Ticket:
    """The ticket, if the signed-in user may see it; 404 otherwise (as if it did not exist)."""
    tickets = Ticket.objects.visible_to(request.user).select_related(
        "queue__branch", "queue__supervisor", "assignee", "customer", "vehicle", "policy", "claim",
        "merged_into", "escalated_to", "created_by",
    )  # fmt: skip
    return get_object_or_404(tickets, pk=pk)


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
    return assignable_users(queue).filter(pk=user.pk).exists()


def can_view_reports(user) -> bool:
    return user.has_perm("support.view_support_reports")
