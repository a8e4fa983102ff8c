"""The outbound renewal-call list (续保外呼) at the hotline desk, over the reminders' calls:
the agent's own list, working a call and recording each of the six outcomes with what it
feeds back, taking calls, and the supervisor sharing a branch's calls among its agents."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.clock import today
from policies.models import PersonAccessLog
from policies.roles import HOTLINE_AGENT, SUPERVISOR
from reminders.models import CallOutcome, ReminderStop, RenewalCall
from reminders.services import call_list_spread
from tests.factories import PolicyFactory, RenewalCallFactory, UserFactory, policy_ending
from tests.grants import hotline_search

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
CALLS = reverse("hotline:calls")


def a_call(branch, *, days_left=7, agent=None, **kwargs):
    """An open call about a policy ending in `days_left` days."""
    policy = policy_ending(today() + days_left * DAY, branch=branch)
    return RenewalCallFactory(
        policy=policy, due_date=today(), days_left=days_left, assigned_to=agent, **kwargs
    )


def listed(client) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-call="(\d+)"', client.get(CALLS).content.decode())]


@pytest.fixture
def second_agent(branch):
    return UserFactory(username="agent2", last_name="赵", first_name="敏", branch=branch, role=HOTLINE_AGENT)


# --- The agent's list --------------------------------------------------------------------------------


def test_the_list_shows_my_open_calls_callable_now_first_then_call_backs(
    agent_client, hotline_agent, second_agent, branch
):
    soon = a_call(branch, days_left=3, agent=hotline_agent)
    later = a_call(branch, days_left=20, agent=hotline_agent)
    call_back = a_call(branch, days_left=1, agent=hotline_agent, call_after=timezone.now() + dt.timedelta(hours=2),
                       outcome=CallOutcome.CALL_BACK, attempts=1)  # fmt: skip
    a_call(branch, agent=second_agent)  # someone else's
    a_call(branch)  # nobody's yet
    assert listed(agent_client) == [soon.pk, later.pk, call_back.pk]
    page = agent_client.get(CALLS).content.decode()
    assert re.search(r'data-testid="ready-count">2<', page)
    assert "约定回电" in page and "领取 10 个未分配外呼" in page


def test_the_list_masks_phones_and_plates_and_shows_the_vehicles_status_today(
    agent_client, hotline_agent, branch
):
    call = a_call(branch, agent=hotline_agent)
    # The customer renewed at the counter after the call was planned.
    PolicyFactory(vehicle=call.vehicle, branch=branch, start_date=call.policy.end_date + DAY)
    page = agent_client.get(CALLS).content.decode()
    row = re.search(rf'<tr[^>]*data-call="{call.pk}".*?</tr>', page, re.S).group(0)
    assert call.phone not in row and f"{call.phone[:3]}****{call.phone[-4:]}" in row
    assert call.vehicle.plate not in row
    assert 'data-status="renewed"' in row


def test_the_list_runs_the_same_queries_for_one_call_and_for_thirty(
    agent_client, hotline_agent, branch, django_assert_max_num_queries
):
    a_call(branch, agent=hotline_agent)
    agent_client.get(CALLS)
    with CaptureQueriesContext(connection) as one:
        agent_client.get(CALLS)
    for days in range(29):
        a_call(branch, days_left=days, agent=hotline_agent)
    with django_assert_max_num_queries(len(one)):
        assert len(listed(agent_client)) == 25  # a page


def test_an_agent_takes_the_branchs_unassigned_calls_soonest_first(
    agent_client, hotline_agent, branch, other_branch
):
    calls = [a_call(branch, days_left=d) for d in (30, 2, 9)]
    elsewhere = a_call(other_branch)
    response = agent_client.post(reverse("hotline:calls_take"))
    assert response.status_code == 302
    assert listed(agent_client) == [calls[1].pk, calls[2].pk, calls[0].pk]
    elsewhere.refresh_from_db()
    assert elsewhere.assigned_to is None


# --- Working a call --------------------------------------------------------------------------------


def test_working_a_call_shows_the_number_to_dial_on_the_customers_page_and_logs_it(
    agent_client, hotline_agent, branch
):
    call = a_call(branch, agent=hotline_agent)
    page = agent_client.get(reverse("hotline:call", args=[call.pk])).content.decode()
    assert re.search(rf'data-testid="dial">{call.phone}<', page)
    assert f'data-plate="{call.vehicle.plate}"' in page and 'data-testid="quote-total"' in page
    assert page.count('data-testid="outcome-') >= 6
    log = PersonAccessLog.objects.get()
    assert (log.person_id, log.page, log.user) == (call.person_id, "hotline_call", hotline_agent)


def record(client, call, outcome, **data):
    return client.post(reverse("hotline:call_outcome", args=[call.pk]), {"outcome": outcome, **data})


@pytest.mark.parametrize(
    ("outcome", "stopped", "said"),
    [
        (CallOutcome.RENEWED, {"sms", "email", "push", "call"}, "不再发送任何续保提醒"),
        (CallOutcome.REFUSED, {"sms", "email", "push", "call"}, "不再发送任何续保提醒"),
        (CallOutcome.WILL_RENEW, {"call"}, "不再外呼"),
        (CallOutcome.WRONG_NUMBER, {"sms", "call"}, "不再向该号码发短信或外呼"),
    ],
)
def test_a_closing_outcome_stops_reminders_and_goes_on_to_the_next_call(
    agent_client, hotline_agent, branch, outcome, stopped, said
):
    call = a_call(branch, days_left=2, agent=hotline_agent)
    following = a_call(branch, days_left=5, agent=hotline_agent)
    response = record(agent_client, call, outcome, note="客户说明")
    assert response["Location"] == reverse("hotline:call", args=[following.pk])
    call.refresh_from_db()
    assert (call.status, call.outcome, call.attempts) == ("closed", outcome, 1)
    assert set(ReminderStop.objects.filter(policy=call.policy).values_list("channel", flat=True)) == stopped
    assert said in agent_client.get(response["Location"]).content.decode()


def test_a_call_back_keeps_the_call_for_the_agreed_time(agent_client, hotline_agent, branch):
    call = a_call(branch, agent=hotline_agent)
    at = timezone.localtime() + dt.timedelta(days=1)
    response = record(agent_client, call, CallOutcome.CALL_BACK, call_back_at=at.strftime("%Y-%m-%dT%H:%M"))
    assert response["Location"] == CALLS  # nothing else to call now
    call.refresh_from_db()
    assert call.status == "open" and call.call_after.replace(second=0, microsecond=0) == at.replace(
        second=0, microsecond=0
    )
    assert not ReminderStop.objects.exists()
    page = agent_client.get(CALLS).content.decode()
    assert "回电，届时出现在您的外呼列表顶部" in page and at.strftime("%m-%d %H:%M") in page


def test_a_call_back_without_a_time_or_in_the_past_is_refused_and_records_nothing(
    agent_client, hotline_agent, branch
):
    call = a_call(branch, agent=hotline_agent)
    response = record(agent_client, call, CallOutcome.CALL_BACK)
    assert response.status_code == 400 and "约定回电请填写回电时间" in response.content.decode()
    past = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = record(agent_client, call, CallOutcome.CALL_BACK, call_back_at=past)
    assert response.status_code == 400 and "约定回电须填写一个将来的时间" in response.content.decode()
    call.refresh_from_db()
    assert call.attempts == 0 and not call.attempt_log.exists()


def test_a_time_given_with_another_outcome_is_dropped(agent_client, hotline_agent, branch):
    call = a_call(branch, agent=hotline_agent)
    later = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    record(agent_client, call, CallOutcome.WILL_RENEW, call_back_at=later)
    call.refresh_from_db()
    assert call.status == "closed" and call.attempt_log.get().call_back_at is None


def test_unreachable_is_retried_then_the_call_ends(agent_client, hotline_agent, branch):
    call = a_call(branch, agent=hotline_agent)
    response = record(agent_client, call, CallOutcome.UNREACHABLE)
    call.refresh_from_db()
    assert call.status == "open" and call.call_after > timezone.now()
    assert "重拨（已拨 1/3 次）" in agent_client.get(response["Location"]).content.decode()
    for _ in range(2):
        RenewalCall.objects.filter(pk=call.pk).update(call_after=None)
        record(agent_client, call, CallOutcome.UNREACHABLE)
    call.refresh_from_db()
    assert (call.status, call.attempts) == ("closed", 3)
    assert not ReminderStop.objects.exists()


def test_an_outcome_on_a_closed_call_is_refused(agent_client, hotline_agent, branch):
    call = a_call(branch, agent=hotline_agent)
    record(agent_client, call, CallOutcome.REFUSED)
    response = record(agent_client, call, CallOutcome.RENEWED)
    assert response.status_code == 400 and "该外呼已结束" in response.content.decode()


def test_an_unknown_outcome_is_refused_in_chinese(agent_client, hotline_agent, branch):
    call = a_call(branch, agent=hotline_agent)
    response = record(agent_client, call, "maybe")
    assert response.status_code == 400 and "外呼结果无效" in response.content.decode()


def test_another_branchs_call_is_not_found(agent_client, other_branch):
    call = a_call(other_branch)
    assert agent_client.get(reverse("hotline:call", args=[call.pk])).status_code == 404
    assert record(agent_client, call, CallOutcome.RENEWED).status_code == 404


def test_the_customer_page_shows_the_open_call(agent_client, hotline_agent, branch):
    call = a_call(branch, agent=hotline_agent)
    # The customer rings in: the agent searches the plate and opens the customer from the results.
    url = reverse("hotline:customer", args=[call.person_id])
    assert url in hotline_search(agent_client, call.vehicle.plate).content.decode()
    page = agent_client.get(url).content.decode()
    assert 'data-testid="open-call"' in page and call.vehicle.plate in page


# --- Supervisors share the calls out ----------------------------------------------------------------


def test_spreading_evens_out_the_agents_open_calls(
    supervisor, hotline_agent, second_agent, branch, other_branch
):
    UserFactory(username="agent_hk", branch=other_branch, role=HOTLINE_AGENT)  # not this branch's
    UserFactory(username="boss2", branch=branch, role=SUPERVISOR)  # supervisors manage, not call
    for _ in range(3):
        a_call(branch, agent=hotline_agent)  # already busy
    for days in range(7):
        a_call(branch, days_left=days)
    shares = call_list_spread(branch=branch, by=supervisor)
    assert {u.username: n for u, n in shares.items()} == {"agent": 2, "agent2": 5}
    assert not RenewalCall.objects.unassigned().filter(branch=branch).exists()
    loads = {u: RenewalCall.objects.filter(assigned_to=u).count() for u in (hotline_agent, second_agent)}
    assert loads == {hotline_agent: 5, second_agent: 5}


def test_the_soonest_ending_calls_are_shared_first(supervisor, hotline_agent, branch):
    urgent = a_call(branch, days_left=1)
    call_list_spread(branch=branch, by=supervisor, limit=1)
    urgent.refresh_from_db()
    assert urgent.assigned_to == hotline_agent


def test_a_branch_without_agents_cannot_be_spread(supervisor_client, other_branch):
    a_call(other_branch)
    response = supervisor_client.post(
        reverse("hotline:team_spread"), {"branch": other_branch.pk}, follow=True
    )
    assert "没有可分配外呼的热线坐席" in response.content.decode()
    assert RenewalCall.objects.unassigned().count() == 1


def test_the_team_page_shows_each_agents_load_and_spreads(
    supervisor_client, hotline_agent, second_agent, branch
):
    for days in range(4):
        a_call(branch, days_left=days)
    page = supervisor_client.get(reverse("hotline:team")).content.decode()
    assert "平均分配 4 个未分配外呼" in page and page.count('data-testid="agent-load-card"') == 2
    response = supervisor_client.post(reverse("hotline:team_spread"), {"branch": branch.pk}, follow=True)
    assert "已将 4 个外呼平均分配" in response.content.decode()
    assert RenewalCall.objects.filter(assigned_to=hotline_agent).count() == 2


def test_a_supervisor_moves_ticked_calls_to_an_agent_or_back(
    supervisor_client, hotline_agent, second_agent, branch
):
    calls = [a_call(branch, agent=hotline_agent) for _ in range(3)]
    url = reverse("hotline:team_assign")
    supervisor_client.post(
        url, {"branch": branch.pk, "calls": [calls[0].pk, calls[1].pk], "agent": second_agent.pk}
    )
    assert set(RenewalCall.objects.filter(assigned_to=second_agent)) == {calls[0], calls[1]}
    supervisor_client.post(url, {"branch": branch.pk, "calls": [calls[2].pk], "agent": ""})
    calls[2].refresh_from_db()
    assert calls[2].assigned_to is None


def test_calls_of_another_branch_cannot_be_moved_from_this_one(
    supervisor_client, hotline_agent, branch, other_branch
):
    far = a_call(other_branch)
    response = supervisor_client.post(
        reverse("hotline:team_assign"),
        {"branch": branch.pk, "calls": [far.pk], "agent": hotline_agent.pk},
        follow=True,
    )
    far.refresh_from_db()
    assert far.assigned_to is None and "选择一个有效的选项" in response.content.decode()
