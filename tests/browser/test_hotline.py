"""The hotline agent's flow in a real browser at 1366×768: a caller gives a phone number, the
agent finds them, opens the customer page, answers from it and logs the call as a ticket."""

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from core.clock import today
from outbox.services import enqueue_message
from policies.choices import CancelReason, PolicyStatus, PremiumCategory, SalesChannel
from policies.models import Branch
from policies.roles import HOTLINE_AGENT, SUPERVISOR
from reminders.models import RenewalCall
from support.models import Ticket
from tests.browser.conftest import login, screenshot
from tests.factories import (
    BranchFactory,
    DrivingLicenceFactory,
    PersonFactory,
    PolicyFactory,
    RenewalCallFactory,
    UserFactory,
    VehicleFactory,
    make_claim,
    policy_chain,
    policy_ending,
)

DAY = dt.timedelta(days=1)
PHONE = "13951234567"


def a_caller_with_three_cars():
    """陈静 calls about her cars: one due in 20 days, one lapsed, one renewed; a claim last
    month and an SMS reminder sent."""
    nanjing = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    haikou = BranchFactory(code="460100", name="海口龙华营业部", province="海南", city="海口")
    agent = UserFactory(
        username="agent_li", last_name="李", first_name="娜", branch=nanjing, role=HOTLINE_AGENT
    )
    t = today()
    person = PersonFactory(name="陈静", phone=PHONE)
    DrivingLicenceFactory(holder=person, classes="C1", valid_from=t - 1500 * DAY, valid_to=t + 2000 * DAY)
    due = VehicleFactory(
        owner=person, plate="苏A6E921", brand_model="别克牌 SGM7150", displacement_l=D("1.5")
    )
    chain = policy_chain(
        due, first_start=t + 20 * DAY - 3 * 365 * DAY, years=3, branch=nanjing, channel=SalesChannel.APP
    )
    lapsed = VehicleFactory(
        owner=person, plate="琼B3J771", brand_model="五菱牌 LZW1029", premium_category=PremiumCategory.TRUCK_LT2,
        seats=2, displacement_l=D("1.2"),
    )  # fmt: skip
    PolicyFactory(
        vehicle=lapsed, branch=haikou, start_date=t - 400 * DAY, floating_plan="A", channel="dealer"
    )
    renewed = VehicleFactory(
        owner=person, plate="苏AD30517", brand_model="比亚迪牌 BYD7005BEV", energy_type="electric"
    )
    policy_chain(renewed, first_start=t - 330 * DAY, years=2, branch=nanjing, vehicle_tax=D("0"))
    make_claim(chain[-1], by=agent)
    enqueue_message(
        channel="sms", recipient=PHONE, text="您的苏A6E921交强险将于20天后到期", purpose="renewal_reminder",
        dedupe_key="browser-sms-1", person=person,
    )  # fmt: skip
    # Other customers, so the results are a list to read rather than one line.
    for i in range(3):
        other = PersonFactory(name=f"陈{'明华强'[i]}")
        PolicyFactory(vehicle=VehicleFactory(owner=other), branch=nanjing, start_date=t - (100 + i) * DAY)
    cancelled = VehicleFactory(owner=PersonFactory(name="陈静怡"), plate="苏A0C118")
    PolicyFactory(
        vehicle=cancelled, branch=nanjing, start_date=t - 200 * DAY, end_date=t - 10 * DAY,
        status=PolicyStatus.CANCELLED, cancelled_on=t - 10 * DAY, cancel_reason=CancelReason.LAID_UP,
    )  # fmt: skip
    return person


def test_agent_finds_a_caller_by_phone_opens_the_customer_and_logs_the_call(page):
    person = a_caller_with_three_cars()
    login(page, "agent_li")

    # The desk opens with the cursor in the search box.
    page.goto("/hotline/")
    assert page.evaluate("document.activeElement.dataset.testid") == "search-box"
    screenshot(page, "hotline-1-desk")

    # The phone number typed with spaces; Enter searches. One customer has it: their page opens.
    page.keyboard.type("139 5123 4567")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hotline/customer/{person.pk}/")
    assert "只有一位客户符合查询" in page.locator("[role=alert]").first.inner_text()
    assert page.get_by_test_id("person-name").inner_text() == "陈静"
    screenshot(page, "hotline-2-single-match")

    # With "直接打开" unticked the same search lists the customer's cars.
    page.goto("/hotline/")
    page.get_by_test_id("open-single").uncheck()
    page.get_by_test_id("search-box").click()
    page.keyboard.type("139 5123 4567")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hotline/?s=*")
    assert "按手机号找到 1 位客户、3 辆车" in page.get_by_test_id("summary").inner_text()
    count = page.get_by_test_id("result-count")
    assert "共 3 辆车" in count.inner_text()
    rows = page.get_by_test_id("result-row")
    assert rows.count() == 3
    # The count and every row are on screen without scrolling.
    for element in (count, rows.nth(2)):
        box = element.bounding_box()
        assert box["y"] + box["height"] <= 768, box
    table = page.get_by_test_id("results").inner_text()
    assert PHONE not in table and "139****4567" in table  # masked phones only
    screenshot(page, "hotline-2-results")

    # From the search box, Tab reaches the search button, the "直接打开" box, then the customer:
    # Enter opens it.
    page.get_by_test_id("search-box").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.testid") == "person-link"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hotline/customer/{person.pk}/")
    assert page.get_by_test_id("person-name").inner_text() == "陈静"
    assert page.get_by_test_id("phone").inner_text() == "139****4567"
    statuses = {
        v.get_attribute("data-plate"): v.get_attribute("data-status")
        for v in page.get_by_test_id("vehicle").all()
    }
    assert statuses == {"苏A6E921": "due", "琼B3J771": "lapsed", "苏AD30517": "renewed"}
    assert "方案A" in page.locator('[data-plate="琼B3J771"]').get_by_test_id("quote").inner_text()
    assert page.get_by_test_id("claim").count() == 1
    assert "续保提醒" in page.get_by_test_id("messages").inner_text()
    screenshot(page, "hotline-3-customer")

    # Log the call in two clicks: the car, then save — answered on the spot, so resolved at once,
    # and the agent stays on the customer's page.
    page.locator('[data-testid=log-call-open][data-plate="苏A6E921"]').click()
    form = page.locator("#log-call-forms .collapse.show [data-testid=log-call-form]")
    form.wait_for()
    screenshot(page, "hotline-4-log-call")
    form.get_by_test_id("log-call-resolved").click()
    page.wait_for_load_state()
    assert "已当场解答，标记为已解决" in page.locator("[role=alert].alert-success").inner_text()
    ticket = Ticket.objects.get()
    assert (ticket.customer_id, ticket.vehicle.plate, ticket.channel) == (person.pk, "苏A6E921", "hotline")
    assert ticket.status == "resolved"
    assert page.get_by_test_id("person-name").inner_text() == "陈静"

    # A call that needs follow-up: one more click keeps the ticket open and opens it.
    page.locator('[data-testid=log-call-open][data-plate="苏A6E921"]').click()
    form = page.locator("#log-call-forms .collapse.show [data-testid=log-call-form]")
    form.wait_for()
    form.get_by_test_id("log-call-follow-up").click()
    page.wait_for_url("**/support/tickets/*/")
    assert Ticket.objects.filter(status="open").count() == 1
    screenshot(page, "hotline-5-ticket")

    # "/" takes the agent back to a search from the desk.
    page.goto("/hotline/")
    page.locator("body").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.dataset.testid") == "search-box"


def test_filters_list_due_vehicles_of_a_branch_a_page_at_a_time(page):
    a_caller_with_three_cars()
    login(page, "agent_li")
    page.goto("/hotline/")
    page.get_by_label("续保状态").select_option("due")
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url("**/hotline/?renewal=due*")
    rows = page.get_by_test_id("result-row")
    assert rows.count() == 1 and rows.first.get_attribute("data-status") == "due"
    screenshot(page, "hotline-6-filter-due")


def test_agent_works_the_renewal_call_list(page):
    a_caller_with_three_cars()
    t = today()
    agent = UserFactory._meta.model.objects.get(username="agent_li")
    calls = []
    for i, (name, days) in enumerate([("周平", 3), ("吴婷", 6), ("郑凯", 15)]):
        policy = policy_ending(
            t + days * DAY, branch=agent.branch, owner=PersonFactory(name=name, phone=f"1370000000{i}")
        )
        calls.append(
            RenewalCallFactory(
                policy=policy, due_date=t, days_left=days, assigned_to=agent if i < 2 else None
            )
        )
    login(page, "agent_li")
    page.goto("/hotline/calls/")
    rows = page.get_by_test_id("call-row")
    assert rows.count() == 2 and page.get_by_test_id("ready-count").inner_text() == "2"
    screenshot(page, "hotline-7-calls")

    # Take the unassigned call too, then start with the first (soonest to end).
    page.get_by_test_id("take-calls").click()
    page.wait_for_url("**/hotline/calls/")
    assert page.get_by_test_id("call-row").count() == 3
    page.get_by_test_id("work-call").first.click()
    page.wait_for_url(f"**/hotline/calls/{calls[0].pk}/")
    assert page.get_by_test_id("dial").inner_text() == "13700000000"
    assert page.get_by_test_id("person-name").inner_text() == "周平"

    # "3" picks 约定回电; a preset fills tomorrow 10:00; the effect is said before saving.
    page.locator("body").click()
    page.keyboard.press("3")
    assert "到约定时间" in page.get_by_test_id("outcome-effect").inner_text()
    page.get_by_role("button", name="明天 10:00").click()
    page.get_by_label("备注").fill("客户在开会，明早再打")
    screenshot(page, "hotline-8-call")
    page.get_by_test_id("record-outcome").click()
    page.wait_for_url(f"**/hotline/calls/{calls[1].pk}/")
    assert "回电" in page.locator(".alert-success").inner_text()

    # The next call: "2" 承诺续保, Enter in the note saves it.
    page.locator("body").click()
    page.keyboard.press("2")
    page.get_by_label("备注").fill("周末到柜面续保")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/hotline/calls/{calls[2].pk}/")
    assert RenewalCall.objects.get(pk=calls[1].pk).outcome == "will_renew"

    page.goto("/hotline/calls/")
    first = page.get_by_test_id("call-row").first
    assert first.get_attribute("data-call") == str(calls[2].pk)  # callable now, before the call-back
    assert "约定回电" in page.get_by_test_id("calls").inner_text()
    call_back = RenewalCall.objects.get(pk=calls[0].pk)
    assert timezone.localtime(call_back.call_after).hour == 10
    screenshot(page, "hotline-9-calls-after")


def test_supervisor_shares_a_branchs_calls_among_its_agents(page):
    a_caller_with_three_cars()
    nanjing = BranchFactory(code="320100")
    UserFactory(username="agent_zhao", last_name="赵", first_name="敏", branch=nanjing, role=HOTLINE_AGENT)
    UserFactory(username="boss_wu", last_name="吴", first_name="军", branch=nanjing, role=SUPERVISOR)
    t = today()
    for i in range(6):
        policy = policy_ending(
            t + (2 + i) * DAY, branch=nanjing, owner=PersonFactory(name=f"孙{'一二三四五六'[i]}")
        )
        RenewalCallFactory(policy=policy, due_date=t, days_left=2 + i)
    login(page, "boss_wu")
    page.goto("/hotline/calls/team/")
    assert page.get_by_test_id("agent-load-card").count() == 2
    page.get_by_test_id("spread").click()
    page.wait_for_url("**/hotline/calls/team/?branch=*")
    assert "已将 6 个外呼平均分配" in page.locator(".alert-success").inner_text()
    loads = [card.inner_text() for card in page.get_by_test_id("agent-load-card").all()]
    assert all("3" in text for text in loads), loads
    screenshot(page, "hotline-10-team")


def test_the_due_list_turns_pages_by_next_and_previous(page):
    """Pages by cursor (core.keyset): "下一页" goes on after the last row shown, "上一页" comes
    back; no page numbers past the first, since nothing is counted."""
    a_caller_with_three_cars()
    nanjing = Branch.objects.get(code="320100")
    t = today()
    for i in range(24):
        PolicyFactory(vehicle=VehicleFactory(), branch=nanjing, start_date=t - (300 + i % 6) * DAY)
    login(page, "agent_li")
    page.goto("/hotline/")
    page.get_by_label("续保状态").select_option("due")
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url("**/hotline/?renewal=due*")
    rows = page.get_by_test_id("result-row")
    assert rows.count() == 20 and "第 1 页" in page.get_by_test_id("pager").inner_text()
    first = [rows.nth(i).get_attribute("data-vehicle") for i in range(20)]
    page.get_by_test_id("next-page").click()
    page.wait_for_url("**after=*")
    assert rows.count() == 5 and page.get_by_test_id("next-page").count() == 0
    screenshot(page, "hotline-11-due-next-page")
    page.get_by_test_id("previous-page").click()
    page.wait_for_url("**before=*")
    assert [rows.nth(i).get_attribute("data-vehicle") for i in range(rows.count())] == first
    screenshot(page, "hotline-12-due-previous-page")


def test_a_search_is_one_request_whose_results_page_reloads_and_pages_by_its_key(page):
    """Enter sends one POST, answered with the results; the address becomes the results' key
    (never the number typed), which the pager, a reload and the back button read by GET."""
    from tests.policies.hotline_callers import fleet_owner

    nanjing = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    UserFactory(username="agent_li", last_name="李", first_name="娜", branch=nanjing, role=HOTLINE_AGENT)
    fleet_owner(vehicles=25, branch=nanjing, phone="13600000025", years=1)
    login(page, "agent_li")
    page.goto("/hotline/")
    sent = []
    page.on("request", lambda r: sent.append((r.method, r.url)) if "/hotline/" in r.url else None)

    page.keyboard.type("136 0000 0025")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hotline/?s=*")
    assert [method for method, _ in sent] == ["POST"]  # no redirect, no second request
    assert "13600000025" not in page.url
    assert "共 <strong>25</strong>" in page.get_by_test_id("result-count").inner_html()
    assert page.get_by_test_id("result-row").count() == 20
    results = page.url
    screenshot(page, "hotline-10-one-request")

    page.get_by_test_id("next-page").click()
    page.wait_for_url("**/hotline/?s=*after=*")
    assert page.get_by_test_id("result-row").count() == 5
    page.go_back()
    page.wait_for_url(results)
    assert page.get_by_test_id("result-row").count() == 20
    sent.clear()
    page.reload()
    assert [method for method, _ in sent] == ["GET"]  # a reload asks nothing to be sent again
    assert page.get_by_test_id("result-row").count() == 20
