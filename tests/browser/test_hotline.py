"""The hotline agent's flow in a real browser at 1366×768: a caller gives a phone number, the
agent finds them, opens the customer page, answers from it and logs the call as a ticket."""

import datetime as dt
from decimal import Decimal as D

from policies.choices import CancelReason, PolicyStatus, PremiumCategory, SalesChannel
from policies.messaging import enqueue_message
from policies.roles import HOTLINE_AGENT
from policies.selectors import today
from support.models import Ticket
from tests.browser.conftest import login, screenshot
from tests.factories import (
    BranchFactory,
    DrivingLicenceFactory,
    PersonFactory,
    PolicyFactory,
    UserFactory,
    VehicleFactory,
    make_claim,
    policy_chain,
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

    # The phone number typed with spaces; Enter searches.
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

    # Open the customer page from the first row.
    page.get_by_test_id("open-customer").first.click()
    page.wait_for_url(f"**/hotline/customer/{person.pk}/?vehicle=*")
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

    # Log the call in two clicks: the car, then save.
    page.locator('[data-testid=log-call-open][data-plate="苏A6E921"]').click()
    form = page.locator("#log-call-forms .collapse.show [data-testid=log-call-form]")
    form.wait_for()
    screenshot(page, "hotline-4-log-call")
    form.get_by_role("button", name="保存为工单").click()
    page.wait_for_url("**/support/tickets/*/")
    ticket = Ticket.objects.get()
    assert (ticket.customer_id, ticket.vehicle.plate, ticket.channel) == (person.pk, "苏A6E921", "hotline")
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
