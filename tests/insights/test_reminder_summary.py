"""Reminder conversion summarised by the reminded policy's branch, sales channel and category
(`ReminderMonth`), the dashboard's reminder and API charts following the filters that apply,
and the failed-message alert's cost."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channels.models import ApiKey, ApiUsage
from core.clock import today
from desks.dashboard import FAILED_CAP
from insights.models import ReminderMonth
from insights.refresh import summaries_refresh
from outbox.models import OutboundMessage
from policies.models import Policy
from policies.pricing import add_months
from reminders.models import Reminder, RenewalCall
from tests import factories
from tests.insights.charts import chart_of

pytestmark = pytest.mark.django_db

DAY = today()
END = DAY + dt.timedelta(days=20)
NOW = timezone.now()


def _policy(branch, *, channel="counter", category="FAMILY_LT6") -> Policy:
    vehicle = factories.VehicleFactory(premium_category=category)
    return factories.policy_ending(END, vehicle=vehicle, branch=branch, channel=channel)


def _remind(policy, channel, days_left, *, sent_days_ago=None, status="sent"):
    planned = END - dt.timedelta(days=days_left)
    sent_at = NOW - dt.timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    message = None
    if channel != "call":
        message = OutboundMessage.objects.create(
            channel=channel, recipient="x", text="t", purpose="renewal_reminder",
            dedupe_key=f"reminder:{policy.pk}:{channel}:{days_left}", not_before=sent_at or NOW,
            status=status, sent_at=sent_at if status == "sent" else None,
        )  # fmt: skip
    reminder = Reminder.objects.create(
        policy=policy, channel=channel, days_left=days_left, person=policy.policyholder, planned_for=planned,
        message=message,
    )  # fmt: skip
    if channel == "call":
        RenewalCall.objects.create(
            reminder=reminder, policy=policy, vehicle=policy.vehicle, person=policy.policyholder, phone="1",
            branch=policy.branch, due_date=planned, days_left=days_left, attempts=1, first_attempt_at=sent_at,
        )  # fmt: skip


def _renew(policy, *, days_ago: int):
    successor = factories.PolicyFactory(
        vehicle=policy.vehicle,
        branch=policy.branch,
        renewed_from=policy,
        start_date=END + dt.timedelta(days=1),
    )
    Policy.objects.filter(pk=successor.pk).update(issued_at=NOW - dt.timedelta(days=days_ago))


@pytest.fixture
def reminded(branch, other_branch):
    """南京: a counter family car reminded by SMS at 60 and 30 days and renewed after both; an
    app taxi reminded at 30 days, not renewed. 海口: a call at 30 days after the renewal, and a
    push that failed."""
    family = _policy(branch)
    _remind(family, "sms", 60, sent_days_ago=40)
    _remind(family, "sms", 30, sent_days_ago=10)
    _renew(family, days_ago=1)
    taxi = _policy(branch, channel="app", category="TAXI_LT6")
    _remind(taxi, "sms", 30, sent_days_ago=10)
    haikou = _policy(other_branch)
    _remind(haikou, "call", 30, sent_days_ago=10)
    _remind(haikou, "push", 30, status="failed")
    _renew(haikou, days_ago=12)
    summaries_refresh(first=add_months(DAY.replace(day=1), -3))
    return {"family": family, "taxi": taxi, "haikou": haikou}


def _month(days_left: int) -> dt.date:
    return (END - dt.timedelta(days=days_left)).replace(day=1)


def test_the_refresh_counts_reminders_by_the_policys_segment(reminded, branch, other_branch):
    rows = {
        (r.month, r.branch_id, r.channel, r.category, r.reminder_channel, r.days_left): (
            r.planned,
            r.sent,
            r.renewed_after,
        )  # fmt: skip
        for r in ReminderMonth.objects.all()
    }
    assert rows == {
        (_month(60), branch.pk, "counter", "FAMILY_LT6", "sms", 60): (1, 1, 1),
        (_month(30), branch.pk, "counter", "FAMILY_LT6", "sms", 30): (1, 1, 1),
        (_month(30), branch.pk, "app", "TAXI_LT6", "sms", 30): (1, 1, 0),
        (_month(30), other_branch.pk, "counter", "FAMILY_LT6", "call", 30): (
            1,
            1,
            0,
        ),  # renewed before the call
        (_month(30), other_branch.pk, "counter", "FAMILY_LT6", "push", 30): (1, 0, 0),  # never sent
    }
    summaries_refresh(first=add_months(DAY.replace(day=1), -3))  # a second refresh changes nothing
    assert ReminderMonth.objects.count() == 5


def _reminders_chart(client, **params) -> dict[str, dict[str, float | None]]:
    chart = chart_of(client.get(reverse("dashboard"), params), "reminders")
    return {
        s["name"]: dict(zip(chart["x"], [p["value"] for p in s["data"]], strict=True))
        for s in chart["series"]
    }


def test_the_reminder_chart_follows_branch_channel_and_category(
    supervisor_client, client, head_office, reminded
):
    assert _reminders_chart(supervisor_client) == {"短信": {"到期前 60 天": 100.0, "到期前 30 天": 50.0}}
    assert _reminders_chart(supervisor_client, channel="app") == {"短信": {"到期前 30 天": 0.0}}
    assert _reminders_chart(supervisor_client, category="FAMILY_LT6") == {
        "短信": {"到期前 60 天": 100.0, "到期前 30 天": 100.0}
    }
    client.force_login(head_office)
    every = _reminders_chart(client)
    assert every["热线外呼"] == {"到期前 60 天": None, "到期前 30 天": 0.0}
    assert every["APP 推送"] == {"到期前 60 天": None, "到期前 30 天": None}  # planned, never sent


def test_the_api_chart_follows_the_sales_channel(supervisor_client):
    for channel, requests in (("website", 5), ("app", 7)):
        key = ApiKey.objects.create(
            name=channel, channel=channel, prefix=f"jqx_{channel[:6]}", key_hash=channel[0] * 64
        )
        ApiUsage.objects.create(key=key, day=DAY, endpoint="quotes", requests=requests)

    def names(**params) -> list[str]:
        chart = chart_of(supervisor_client.get(reverse("dashboard"), params), "api-usage")
        return [s["name"] for s in chart["series"]]

    assert names() == ["官网", "APP"]
    assert names(channel="app") == ["APP"]
    page = supervisor_client.get(reverse("dashboard"), {"channel": "counter"}).content.decode()
    assert 'data-chart="chart-api-usage"' not in page  # no API channel sells at the counter


def test_the_failed_message_alert_counts_at_most_a_hundred_rows(supervisor_client, branch):
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            channel="sms",
            recipient="x",
            text="t",
            purpose="renewal_reminder",
            dedupe_key=f"f{i}",
            not_before=NOW,
            status="failed",
        )  # fmt: skip
        for i in range(FAILED_CAP + 5)
    )
    with CaptureQueriesContext(connection) as queries:
        page = supervisor_client.get(reverse("dashboard")).content.decode()
    assert f"{FAILED_CAP}+ 条消息发送失败" in page
    (failed,) = [q["sql"] for q in queries.captured_queries if '"policies_outboundmessage"' in q["sql"]]
    assert f"LIMIT {FAILED_CAP + 1}" in failed  # a capped count, whatever the number of failures
    OutboundMessage.objects.filter(dedupe_key__in=[f"f{i}" for i in range(FAILED_CAP + 2)]).delete()
    assert "3 条消息发送失败" in supervisor_client.get(reverse("dashboard")).content.decode()
