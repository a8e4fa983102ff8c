"""Conversion: which reminder preceded which renewal, by channel and cadence step."""

import datetime as dt
from decimal import Decimal

import pytest

from outbox.models import OutboundMessage
from policies.models import Policy
from reminders.cadence import SHANGHAI
from reminders.conversion import conversion_figures, conversion_refresh
from reminders.models import Reminder, ReminderConversionDay, RenewalCall
from tests.factories import PolicyFactory, policy_ending

pytestmark = pytest.mark.django_db

END = dt.date(2026, 12, 31)
FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 12, 31)


def t(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def remind(policy, channel, days_left, sent_at=None, status="sent"):
    planned = END - dt.timedelta(days=days_left)
    message = None
    if channel != "call":
        message = OutboundMessage.objects.create(
            channel=channel, recipient="x", text="t", purpose="renewal_reminder",
            dedupe_key=f"reminder:{policy.pk}:{channel}:{days_left}", not_before=sent_at or t(10, 1),
            status=status, sent_at=sent_at if status == "sent" else None,
        )  # fmt: skip
    reminder = Reminder.objects.create(policy=policy, channel=channel, days_left=days_left,
                                       person=policy.policyholder, planned_for=planned, message=message)  # fmt: skip
    if channel == "call":
        RenewalCall.objects.create(
            reminder=reminder, policy=policy, vehicle=policy.vehicle, person=policy.policyholder, phone="1",
            branch=policy.branch, due_date=planned, days_left=days_left, attempts=1 if sent_at else 0,
            first_attempt_at=sent_at,
        )  # fmt: skip
    return reminder


def figures(first=FIRST, last=LAST):
    conversion_refresh(last=LAST, days=(LAST - FIRST).days + 1)
    return conversion_figures(first=first, last=last)


def renew(policy, issued_at):
    successor = PolicyFactory(
        vehicle=policy.vehicle, renewed_from=policy, start_date=END + dt.timedelta(days=1)
    )
    Policy.objects.filter(pk=successor.pk).update(issued_at=issued_at)


def test_a_renewal_counts_for_the_reminders_sent_before_it_and_credits_the_last():
    policy = policy_ending(END)
    remind(policy, "sms", 60, t(11, 1))
    remind(policy, "email", 60, t(11, 1, 10))
    remind(policy, "sms", 30, t(12, 1))
    remind(policy, "sms", 7, t(12, 24))  # after the renewal: did not precede it
    renew(policy, t(12, 5))

    result = figures()

    steps = {(s.channel, s.days_left): s for s in result.steps}
    assert (steps["sms", 60].sent, steps["sms", 60].renewed_after, steps["sms", 60].last_touch) == (1, 1, 0)
    assert (steps["email", 60].renewed_after, steps["email", 60].last_touch) == (1, 0)
    assert (steps["sms", 30].renewed_after, steps["sms", 30].last_touch) == (1, 1)
    assert (steps["sms", 7].sent, steps["sms", 7].renewed_after, steps["sms", 7].last_touch) == (1, 0, 0)
    assert result.policies_reminded == 1 and result.policies_renewed == 1
    assert result.renewal_rate == Decimal("100.0")


def test_unsent_and_unrenewed_reminders_convert_nothing():
    renewed_unsent = policy_ending(END)
    remind(renewed_unsent, "push", 30, status="failed")
    renew(renewed_unsent, t(12, 5))
    never = policy_ending(END)
    remind(never, "push", 30, t(12, 1))

    result = figures()

    [push] = result.steps
    assert (push.planned, push.sent, push.renewed_after, push.last_touch) == (2, 1, 0, 0)
    assert push.conversion_rate == Decimal("0.0")
    assert result.policies_reminded == 1 and result.policies_renewed == 0


def test_calls_count_from_the_first_call_attempt():
    policy = policy_ending(END)
    remind(policy, "sms", 30, t(12, 1))
    remind(policy, "call", 7, t(12, 24, 15))
    renew(policy, t(12, 24, 16))
    not_called = policy_ending(END)
    remind(not_called, "call", 7)

    result = figures()

    by_channel = {c.channel: c for c in result.by_channel}
    assert (by_channel["call"].planned, by_channel["call"].sent, by_channel["call"].last_touch) == (2, 1, 1)
    assert by_channel["call"].conversion_rate == Decimal("100.0")
    assert (by_channel["sms"].renewed_after, by_channel["sms"].last_touch) == (1, 0)
    assert [c.channel for c in result.by_channel] == ["sms", "call"]


def test_only_reminders_planned_in_the_period_count():
    policy = policy_ending(END)
    remind(policy, "sms", 60, t(11, 1))
    assert figures(first=dt.date(2026, 11, 2), last=LAST).steps == []
    assert len(figures(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 1)).steps) == 1


def test_the_figures_are_one_query_over_the_rollup_whatever_the_data(django_assert_num_queries):
    for _ in range(3):
        policy = policy_ending(END)
        remind(policy, "sms", 30, t(12, 1))
        renew(policy, t(12, 2))
    conversion_refresh(last=LAST)
    with django_assert_num_queries(1):
        result = conversion_figures(first=FIRST, last=LAST)
    assert result.policies_renewed == 3 and result.computed_at is not None


def test_a_refresh_recounts_its_days_and_leaves_older_ones(django_assert_max_num_queries):
    policy = policy_ending(END)
    remind(policy, "sms", 30, t(12, 1))
    conversion_refresh(last=LAST)
    renew(policy, t(12, 2))
    assert conversion_figures(first=FIRST, last=LAST).policies_renewed == 0  # not yet recounted
    with django_assert_max_num_queries(5):  # delete, INSERT … SELECT and a count, in a savepoint
        assert conversion_refresh(last=LAST, days=60) == 2  # the step's total and its one segment
    assert conversion_figures(first=FIRST, last=LAST).policies_renewed == 1
    assert ReminderConversionDay.objects.totals().count() == 1
    [segment] = ReminderConversionDay.objects.segments()
    assert (segment.branch_id, segment.sales_channel, segment.category, segment.last_touch) == (
        policy.branch_id, policy.channel, policy.vehicle.premium_category, 1,
    )  # fmt: skip


def test_each_policy_counts_once_as_reminded_across_days_and_channels():
    policy = policy_ending(END)
    remind(policy, "sms", 60, t(11, 1))
    remind(policy, "email", 60, t(11, 1, 10))
    remind(policy, "sms", 30, t(12, 1))
    assert figures().policies_reminded == 1
