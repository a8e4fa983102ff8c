"""A supervisor looks over the reminder campaign and resends a failed message, in chromium."""

import datetime as dt

from core.clock import today
from insights.refresh import summaries_refresh
from outbox.models import OutboundMessage
from policies.models import Policy
from policies.pricing import add_months
from policies.roles import SUPERVISOR
from reminders.conversion import conversion_refresh
from reminders.planning import plan_reminders
from tests.browser.conftest import login, screenshot
from tests.factories import (
    BranchFactory,
    CustomerFactory,
    OutboundMessageFactory,
    PolicyFactory,
    UserFactory,
    policy_ending,
)

NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆"]


def _campaign():
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    day = today()
    for i, name in enumerate(NAMES):
        for days in (60, 30, 7, 1, -1):
            policy_ending(
                day + dt.timedelta(days=days), branch=branch, owner=CustomerFactory(name=name + str(days))
            )
        plan_reminders(day=day - dt.timedelta(days=i % 3))
    # The emails went out an hour ago; a few customers renewed since; one SMS failed for good.
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    OutboundMessage.objects.filter(channel="email").update(status="sent", sent_at=an_hour_ago)
    for policy in Policy.objects.filter(reminders__channel="email", end_date__gt=day).distinct()[:5]:
        PolicyFactory(
            vehicle=policy.vehicle, renewed_from=policy, start_date=policy.end_date + dt.timedelta(days=1)
        )
    conversion_refresh(last=day)  # as after the night's planning
    summaries_refresh(first=add_months(day.replace(day=1), -2))  # and the dashboard's nightly refresh
    failed = OutboundMessage.objects.filter(channel="sms").order_by("pk").first()
    OutboundMessage.objects.filter(pk=failed.pk).update(
        status="failed", attempts=1, last_error='HTTP 400: {"error": "invalid recipient"}'
    )
    OutboundMessageFactory(
        status="failed", purpose="ticket_reply", channel="email", recipient="zhang.wei@example.cn", attempts=6,
        last_error="已重试 6 次仍失败：邮件服务器连接失败：[Errno 111] Connection refused",
    )  # fmt: skip
    return branch, failed


def test_a_supervisor_reviews_the_campaign_and_resends_a_failed_message(page):
    branch, failed = _campaign()
    UserFactory(username="boss", last_name="赵", first_name="敏", branch=branch, role=SUPERVISOR)
    login(page, "boss")

    page.get_by_role("link", name="续保提醒").click()
    page.wait_for_url("**/reminders/")
    assert page.get_by_role("heading", name="续保提醒").is_visible()
    assert "到期前 60 天" in page.get_by_test_id("cadence").inner_text()
    campaign = page.get_by_test_id("campaign").inner_text()
    assert "今天" in campaign
    assert "2" in page.get_by_test_id("outbox-health").inner_text()
    screenshot(page, "reminders-overview")

    page.get_by_role("link", name="查看并重发").click()
    page.wait_for_url("**/reminders/failed/")
    table = page.get_by_test_id("failed-messages")
    assert "invalid recipient" in table.inner_text()
    assert failed.recipient not in table.inner_text()  # masked
    screenshot(page, "reminders-failed")

    page.get_by_test_id(f"resend-{failed.pk}").click()
    page.wait_for_load_state("networkidle")
    assert "已重新排队" in page.get_by_role("alert").inner_text()
    assert page.get_by_test_id(f"resend-{failed.pk}").count() == 0
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 0
    screenshot(page, "reminders-resent")

    page.get_by_role("link", name="转化分析").click()
    page.wait_for_url("**/reminders/conversion/")
    assert "短信" in page.get_by_test_id("conversion-steps").inner_text()
    assert "5" in page.get_by_text("提醒发出后续保").locator("..").inner_text()
    screenshot(page, "reminders-conversion")

    page.get_by_label("承保网点").select_option(str(branch.pk))
    page.get_by_role("button", name="统计", exact=True).click()
    page.wait_for_url(f"**/reminders/conversion/?*branch={branch.pk}*")
    assert f"；{branch.name}）" in page.get_by_text("已提醒保单").inner_text()
    assert "5" in page.get_by_text("提醒发出后续保").locator("..").inner_text()  # every policy is 南京's
    screenshot(page, "reminders-conversion-branch")

    page.get_by_role("link", name="经营看板").click()
    page.wait_for_url("**/dashboard/")
    panel = page.get_by_test_id("panel-reminders")
    panel.get_by_role("button", name="查看数据").click()
    assert "电子邮件" in panel.inner_text() and "%" in panel.inner_text()
    panel.scroll_into_view_if_needed()
    screenshot(page, "reminders-dashboard-panel")
