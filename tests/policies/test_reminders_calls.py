"""The hotline's renewal call list: assigning calls to a branch's agents, recording each
call's outcome, and what the outcome changes for later reminders."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from outbox.models import OutboundMessage
from policies.roles import HOTLINE_AGENT
from reminders.access import calls_for_user
from reminders.cadence import SHANGHAI
from reminders.models import CallOutcome, Reminder, ReminderStop, RenewalCall
from reminders.planning import plan_reminders
from reminders.services import MAX_CALL_ATTEMPTS, call_list_assign, call_record_outcome
from tests.factories import RenewalCallFactory, UserFactory, policy_ending

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def call(branch):
    return RenewalCallFactory(policy=policy_ending(dt.date(2026, 12, 2), branch=branch))


def record(call, agent, outcome, **kwargs):
    return call_record_outcome(call=call, agent=agent, outcome=outcome, now=kwargs.pop("now", NOW), **kwargs)


def test_a_supervisor_assigns_calls_to_an_agent_of_their_branch(call, hotline_agent, supervisor):
    assert list(RenewalCall.objects.for_branch(call.branch).open().unassigned()) == [call]
    assert call_list_assign(calls=[call], agent=hotline_agent, by=supervisor) == 1
    assert not RenewalCall.objects.unassigned().exists()
    call.refresh_from_db()
    assert call.assigned_to == hotline_agent
    assert list(RenewalCall.objects.assigned_to(hotline_agent).ready(NOW)) == [call]
    assert call_list_assign(calls=[call], agent=None, by=supervisor) == 1
    call.refresh_from_db()
    assert call.assigned_to is None


def test_calls_go_only_to_hotline_agents_of_the_calls_branch(call, counter_clerk, supervisor, other_branch):
    with pytest.raises(ValidationError, match="不是热线坐席"):
        call_list_assign(calls=[call], agent=counter_clerk, by=supervisor)
    far_agent = UserFactory(username="agent_hk", branch=other_branch, role=HOTLINE_AGENT)
    with pytest.raises(ValidationError, match="不属于"):
        call_list_assign(calls=[call], agent=far_agent, by=supervisor)


def test_an_agent_may_take_their_own_branchs_calls_but_not_anothers(call, hotline_agent, other_branch):
    assert call_list_assign(calls=[call], agent=hotline_agent, by=hotline_agent) == 1
    far_agent = UserFactory(username="agent_hk", branch=other_branch, role=HOTLINE_AGENT)
    with pytest.raises(ValidationError, match="本网点"):
        call_list_assign(calls=[call], agent=far_agent, by=far_agent)


def test_a_counter_clerk_cannot_assign_calls(call, counter_clerk, hotline_agent):
    with pytest.raises(ValidationError, match="无权"):
        call_list_assign(calls=[call], agent=hotline_agent, by=counter_clerk)


def test_closed_calls_cannot_be_assigned(call, hotline_agent, supervisor):
    record(call, hotline_agent, CallOutcome.WILL_RENEW)
    with pytest.raises(ValidationError, match="已结束"):
        call_list_assign(calls=[call], agent=hotline_agent, by=supervisor)


def test_renewed_closes_the_call_and_stops_every_reminder_of_the_policy(call, hotline_agent):
    call = record(call, hotline_agent, CallOutcome.RENEWED, note="已在其他公司投保")
    assert call.status == "closed" and call.outcome == "renewed" and call.closed_at == NOW
    assert call.attempts == 1 and call.first_attempt_at == NOW and call.assigned_to == hotline_agent
    assert set(ReminderStop.objects.filter(policy=call.policy).values_list("channel", flat=True)) == {
        "sms", "email", "push", "call",
    }  # fmt: skip
    assert call.attempt_log.get().note == "已在其他公司投保"


def test_refused_stops_every_reminder(call, hotline_agent):
    record(call, hotline_agent, CallOutcome.REFUSED)
    assert ReminderStop.objects.filter(policy=call.policy, reason="refused").count() == 4


def test_will_renew_stops_further_calls_only(call, hotline_agent):
    record(call, hotline_agent, CallOutcome.WILL_RENEW)
    assert list(ReminderStop.objects.values_list("channel", flat=True)) == ["call"]


def test_a_wrong_number_stops_sms_and_calls_to_it(call, hotline_agent):
    record(call, hotline_agent, CallOutcome.WRONG_NUMBER)
    assert set(ReminderStop.objects.values_list("channel", flat=True)) == {"sms", "call"}


def test_call_back_keeps_the_call_open_for_the_agreed_time(call, hotline_agent):
    at = NOW + dt.timedelta(days=1, hours=5)
    call = record(call, hotline_agent, CallOutcome.CALL_BACK, call_back_at=at, note="客户明天下午方便")
    assert call.status == "open" and call.call_after == at and call.attempts == 1
    assert not RenewalCall.objects.ready(NOW).exists()
    assert list(RenewalCall.objects.ready(at)) == [call]
    assert not ReminderStop.objects.exists()


def test_call_back_needs_a_time_in_the_future(call, hotline_agent):
    with pytest.raises(ValidationError, match="将来的时间"):
        record(call, hotline_agent, CallOutcome.CALL_BACK)
    with pytest.raises(ValidationError, match="将来的时间"):
        record(call, hotline_agent, CallOutcome.CALL_BACK, call_back_at=NOW - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="只有"):
        record(call, hotline_agent, CallOutcome.REFUSED, call_back_at=NOW + dt.timedelta(hours=1))
    call.refresh_from_db()
    assert call.attempts == 0 and not call.attempt_log.exists()


def test_unreachable_is_retried_later_then_given_up(call, hotline_agent):
    now = NOW
    for attempt in range(1, MAX_CALL_ATTEMPTS):
        call = record(call, hotline_agent, CallOutcome.UNREACHABLE, now=now)
        assert call.status == "open" and call.attempts == attempt
        assert call.call_after == now + dt.timedelta(hours=4)
        now = call.call_after
    call = record(call, hotline_agent, CallOutcome.UNREACHABLE, now=now)
    assert call.status == "closed" and call.outcome == "unreachable" and call.attempts == MAX_CALL_ATTEMPTS
    assert call.attempt_log.count() == MAX_CALL_ATTEMPTS
    assert not ReminderStop.objects.exists()  # messages go on


def test_a_closed_call_takes_no_more_outcomes(call, hotline_agent):
    record(call, hotline_agent, CallOutcome.REFUSED)
    with pytest.raises(ValidationError, match="已结束"):
        record(call, hotline_agent, CallOutcome.RENEWED)


def test_an_unknown_outcome_is_refused(call, hotline_agent):
    with pytest.raises(ValidationError, match="外呼结果无效"):
        record(call, hotline_agent, "maybe")


def test_agents_record_only_their_own_branchs_calls(call, other_branch, counter_clerk):
    far_agent = UserFactory(username="agent_hk", branch=other_branch, role=HOTLINE_AGENT)
    with pytest.raises(ValidationError, match="本网点"):
        record(call, far_agent, CallOutcome.RENEWED)
    with pytest.raises(ValidationError, match="无权"):
        record(call, counter_clerk, CallOutcome.RENEWED)


def test_agents_see_their_branchs_calls_and_supervisors_all(
    call, hotline_agent, supervisor, other_branch, counter_clerk
):
    RenewalCallFactory(policy=policy_ending(dt.date(2026, 12, 2), branch=other_branch))
    assert list(calls_for_user(hotline_agent)) == [call]
    assert calls_for_user(supervisor).count() == 2
    assert not calls_for_user(counter_clerk).exists()


def test_outcomes_feed_back_into_the_next_plan(branch, hotline_agent):
    """A wrong number stops the lapse-day SMS but not the email; a refusal stops everything."""
    end = dt.date(2026, 12, 2)
    wrong = policy_ending(end, branch=branch)
    refused = policy_ending(end, branch=branch)
    for policy in (wrong, refused):
        message = OutboundMessage.objects.create(
            channel="sms", recipient="1", text="t", purpose="renewal_reminder", dedupe_key=f"s{policy.pk}",
            not_before=NOW, status="sent", sent_at=NOW,
        )  # fmt: skip
        Reminder.objects.create(policy=policy, channel="sms", days_left=30, person=policy.policyholder,
                                planned_for=dt.date(2026, 11, 2), message=message)  # fmt: skip
    plan_reminders(day=dt.date(2026, 11, 25), now=NOW)
    calls = {c.policy_id: c for c in RenewalCall.objects.all()}
    assert set(calls) == {wrong.pk, refused.pk}
    record(calls[wrong.pk], hotline_agent, CallOutcome.WRONG_NUMBER)
    record(calls[refused.pk], hotline_agent, CallOutcome.REFUSED)

    lapse_day = dt.date(2026, 12, 3)
    result = plan_reminders(day=lapse_day, now=dt.datetime(2026, 12, 3, 9, tzinfo=SHANGHAI))

    assert result.by_step == {("email", -1): 1, ("push", -1): 1}
    assert set(wrong.reminders.filter(days_left=-1).values_list("channel", flat=True)) == {"email", "push"}
    assert not refused.reminders.filter(days_left=-1).exists()
