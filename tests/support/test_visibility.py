"""Queue visibility by branch and role: agents and clerks see their own branch's queues,
hotline agents also the hotline centre's, supervisors every queue; nobody else any."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from support.access import (
    assignable_users,
    can_work_queue,
    get_ticket_for_user,
    queues_for_user,
    tickets_for_user,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(customer, branch_queue, other_branch_queue, hotline_queue):
    return {
        "nanjing": factories.TicketFactory(customer=customer, queue=branch_queue, subject="南京"),
        "haikou": factories.TicketFactory(customer=customer, queue=other_branch_queue, subject="海口"),
        "hotline": factories.TicketFactory(customer=customer, queue=hotline_queue, subject="热线"),
    }


def seen(user):
    return set(tickets_for_user(user).values_list("subject", flat=True))


def test_counter_clerk_sees_only_the_queues_of_their_branch(tickets, counter_clerk, other_branch_clerk):
    assert seen(counter_clerk) == {"南京"}
    assert seen(other_branch_clerk) == {"海口"}


def test_hotline_agent_sees_their_branch_and_the_hotline_centre(tickets, hotline_agent):
    assert seen(hotline_agent) == {"南京", "热线"}


def test_supervisor_sees_every_queue(tickets, supervisor):
    assert seen(supervisor) == {"南京", "海口", "热线"}


def test_staff_without_a_support_role_see_nothing(tickets, branch):
    assert seen(factories.UserFactory(branch=branch)) == set()


def test_visible_queues_match_visible_tickets(tickets, hotline_agent, counter_clerk):
    assert {q.name for q in queues_for_user(counter_clerk)} == {"南京中山路营业部 · 综合"}
    assert {q.name for q in queues_for_user(hotline_agent) if q.branch_id} == {"南京中山路营业部 · 综合"}
    assert any(q.is_hotline for q in queues_for_user(hotline_agent))


def test_a_ticket_outside_the_users_scope_is_not_found(tickets, counter_clerk):
    assert get_ticket_for_user(counter_clerk, tickets["nanjing"].pk) == tickets["nanjing"]
    with pytest.raises(Http404):
        get_ticket_for_user(counter_clerk, tickets["haikou"].pk)
    with pytest.raises(Http404):
        get_ticket_for_user(counter_clerk, tickets["hotline"].pk)


def test_staff_without_a_support_role_are_refused_any_ticket(tickets, branch):
    with pytest.raises(PermissionDenied):
        get_ticket_for_user(factories.UserFactory(branch=branch), tickets["nanjing"].pk)


def test_who_a_ticket_can_go_to(
    branch_queue, hotline_queue, counter_clerk, other_branch_clerk, hotline_agent, supervisor
):
    assert set(assignable_users(branch_queue)) == {counter_clerk, hotline_agent, supervisor}
    assert set(assignable_users(hotline_queue)) == {hotline_agent, supervisor}
    assert not can_work_queue(other_branch_clerk, branch_queue)
    hotline_agent.is_active = False
    hotline_agent.save()
    assert not can_work_queue(hotline_agent, hotline_queue)
