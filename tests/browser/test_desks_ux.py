"""The desks as their users meet them (issue 14), in a real browser at 1366×768: the demo built
in the quiet hours still shows a working day (sent SMS on the dashboard, calls to make, a
survey a customer can answer from the message they received), the counter shows the claims
behind the floating rate and the open tickets, and the portal's icon is served."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from core.clock import SHANGHAI, today
from demo.history import demo_history
from policies.demo import DEMO_PASSWORD
from policies.roles import COUNTER_CLERK
from support.models import Survey
from tests.browser.conftest import login, screenshot
from tests.factories import (
    BranchFactory,
    PersonFactory,
    TicketFactory,
    UserFactory,
    VehicleFactory,
    make_claim,
    policy_chain,
)

DAY = dt.timedelta(days=1)


@pytest.fixture
def message_dir(settings, tmp_path):
    settings.MESSAGE_FILE_DIR = tmp_path
    settings.SMS_BACKEND = settings.PUSH_BACKEND = "outbox.backends.FileBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")


def test_a_demo_built_at_night_shows_a_working_day(page, message_dir, live_server):
    day = today()
    call_command("seed_demo", "--policies", "400", "--seed", "7", "--today", day.isoformat(), "--no-progress",
                 stdout=StringIO())  # fmt: skip
    demo_history(days=35, now=dt.datetime.combine(day, dt.time(2, 26), tzinfo=SHANGHAI))
    call_command("refresh_insights", stdout=StringIO())  # as ./scripts/demo does next

    # A customer opens the survey link from the SMS they received and answers it.
    lines = [json.loads(x) for f in sorted(message_dir.glob("*.jsonl")) for x in f.read_text().splitlines()]
    survey_sms = [x for x in lines if x["purpose"] == "ticket_survey"][-1]
    link = next(w for w in survey_sms["text"].split() if "/support/s/" in w)
    page.goto(link[link.index("/support/s/") : link.rindex("/") + 1])
    screenshot(page, "demo-survey")
    page.locator("label", has_text="5 非常满意").click()
    page.get_by_role("button", name="提交评价").click()
    page.get_by_test_id("survey-done").wait_for()
    assert Survey.objects.filter(score=5).exists()

    # The supervisor's dashboard has the reminders' conversion by channel (figures exist only
    # for sent reminders), and the campaign page counts the SMS each back-filled day sent.
    login(page, "supervisor", DEMO_PASSWORD)
    page.goto("/dashboard/")
    reminders = page.get_by_test_id("panel-reminders")
    assert "所选范围暂无数据" not in reminders.inner_text()
    assert "短信" in page.get_by_test_id("table-reminders").locator("thead").inner_text()
    screenshot(page, "demo-dashboard")
    reminders.scroll_into_view_if_needed()
    screenshot(page, "demo-dashboard-reminders")
    page.goto("/reminders/")
    past_days = page.get_by_test_id("campaign").locator("tbody tr").filter(has_not_text="今天")
    cells = [x for row in past_days.all() for x in row.locator("td.text-end").all_inner_texts()]
    sent = [int(x.split("/")[0].replace(",", "")) for x in cells if "/" in x]
    assert sum(sent) > 0, cells
    screenshot(page, "demo-reminders")
    sign_out(page)

    # The hotline agent has renewal calls to make (they follow a reached SMS or push).
    login(page, "agent", DEMO_PASSWORD)
    page.goto("/hotline/calls/")
    page.get_by_test_id("take-calls").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("call-row").count() > 0
    screenshot(page, "demo-hotline-calls")
    page.goto("/support/")
    page.get_by_test_id("my-tickets").wait_for()
    screenshot(page, "demo-support-my-tickets")


def test_the_counter_shows_the_claims_behind_the_rate_and_the_open_tickets(page):
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    UserFactory(username="clerk_zhou", last_name="周", first_name="琳", branch=branch, role=COUNTER_CLERK)
    person = PersonFactory(name="王晓燕", phone="13912345678")
    car = VehicleFactory(owner=person, plate="苏A52001")
    chain = policy_chain(car, first_start=today() - 700 * DAY, years=2, branch=branch, claims={0: (3, 0)})
    claim = make_claim(
        chain[-1], accident_at=dt.datetime.combine(today() - 20 * DAY, dt.time(9, 15), tzinfo=SHANGHAI)
    )
    TicketFactory(
        subject="询问理赔进度",
        channel="walk_in",
        category="claim",
        customer=person,
        vehicle=car,
        branch=branch,
    )

    login(page, "clerk_zhou")
    page.goto("/counter/")
    page.get_by_label("驾驶证号 / 身份证号").fill(person.id_number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/counter/person/{person.pk}/**")

    record = page.get_by_test_id("claims-record")
    assert claim.number in record.inner_text()
    assert page.get_by_test_id("record-claim-date").inner_text() == (today() - 20 * DAY).isoformat()
    assert page.get_by_test_id("record-claim-amount").inner_text().startswith("¥")
    assert "3 次来自承保时导入的历史出险记录" in page.get_by_test_id("record-imported").inner_text()
    assert "苏A52001" not in record.inner_text()  # masked in the list
    assert "询问理赔进度" in page.get_by_test_id("open-tickets").inner_text()
    screenshot(page, "counter-record")


def test_the_portal_icon_is_served_and_no_page_asks_for_a_missing_one(page):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto("/accounts/login/")
    page.wait_for_load_state("networkidle")
    response = page.request.get("/favicon.ico")
    assert response.status == 200 and response.headers["content-type"] == "image/x-icon"
    assert missing == []


@pytest.fixture
def utc_page(browser, live_server):
    """An agent whose computer's clock is set to UTC."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="UTC", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_call_back_presets_are_beijing_time_on_a_computer_set_to_utc(utc_page):
    from django.utils import timezone

    from policies.roles import HOTLINE_AGENT
    from tests.factories import RenewalCallFactory, policy_ending

    page = utc_page
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    agent = UserFactory(
        username="agent_wu", last_name="吴", first_name="婷", branch=branch, role=HOTLINE_AGENT
    )
    policy = policy_ending(
        today() + 3 * DAY, branch=branch, owner=PersonFactory(name="周平", phone="13700000009")
    )
    call = RenewalCallFactory(policy=policy, due_date=today(), days_left=3, assigned_to=agent)
    login(page, "agent_wu")
    page.goto(f"/hotline/calls/{call.pk}/")
    field = page.locator("input[type=datetime-local]")

    page.get_by_role("button", name="明天 10:00").click()
    assert field.input_value() == f"{today() + DAY:%Y-%m-%d}T10:00"
    page.get_by_role("button", name="1 小时后").click()
    expected = timezone.localtime(timezone.now() + dt.timedelta(hours=1), SHANGHAI)
    shown = dt.datetime.fromisoformat(field.input_value()).replace(tzinfo=SHANGHAI)
    assert abs(shown - expected) < dt.timedelta(minutes=2)
