"""The clerk's flow at the counter, in a real browser: look up a licence typed with full-width
digits, read the quote, renew, print the confirmation."""

import datetime as dt
from decimal import Decimal as D

from core.clock import today
from policies.choices import EnergyType
from policies.models import Policy
from policies.roles import COUNTER_CLERK
from tests.browser.conftest import SCREENSHOTS, login, screenshot
from tests.factories import (
    BranchFactory,
    DrivingLicenceFactory,
    PersonFactory,
    PolicyFactory,
    UserFactory,
    VehicleFactory,
    policy_chain,
)

DAY = dt.timedelta(days=1)
LI_QIANG_ID = "360426199101010071"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def li_na_at_the_counter():
    """李强 brings his licence: a family car due for renewal, a lapsed second car, an expired licence."""
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    UserFactory(username="clerk_wang", last_name="王", first_name="静", branch=branch, role=COUNTER_CLERK)
    t = today()
    person = PersonFactory(name="李强", id_number=LI_QIANG_ID, phone="13812345678")
    DrivingLicenceFactory(holder=person, classes="C1", valid_from=t - 1500 * DAY, valid_to=t + 2150 * DAY)
    DrivingLicenceFactory(holder=person, classes="A2,D", valid_from=t - 4000 * DAY, valid_to=t - 20 * DAY)
    car = VehicleFactory(
        owner=person, plate="苏A8K262", brand_model="大众牌 SVW7155NPD", displacement_l=D("1.5")
    )
    chain = policy_chain(car, first_start=t - 1400 * DAY, years=4, branch=branch, claims={0: (1, 0)})
    # What each year was charged: A0 first, A4 after the accident, then A1 and A2 (plan E).
    for policy, (reason, rate, premium) in zip(
        chain,
        [("A0", "0", "950"), ("A4", "0", "950"), ("A1", "-0.10", "855"), ("A2", "-0.20", "760")],
        strict=True,
    ):
        policy.floating_reason, policy.floating_rate, policy.premium = reason, D(rate), D(premium)
        policy.total = policy.premium + policy.vehicle_tax
        policy.save()
    ev = VehicleFactory(
        owner=person, plate="苏AD12345", brand_model="比亚迪牌 BYD7005BEV", energy_type=EnergyType.ELECTRIC,
        displacement_l=None, registration_date=dt.date(2023, 5, 18),
    )  # fmt: skip
    PolicyFactory(vehicle=ev, branch=branch, start_date=t - 420 * DAY, vehicle_tax=D("0"))
    return person, car


def test_clerk_looks_up_a_licence_reads_the_quote_renews_and_prints(page):
    person, car = li_na_at_the_counter()
    current = car.policies.latest("start_date")
    login(page, "clerk_wang")

    # The lookup, typed with full-width digits from a Chinese IME.
    page.goto("/counter/")
    page.get_by_label("驾驶证号 / 身份证号").fill(LI_QIANG_ID.translate(FULL_WIDTH))
    screenshot(page, "counter-1-lookup")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/counter/person/{person.pk}/")

    # The person, the cars with their status, and the quote — without scrolling.
    assert page.get_by_test_id("person-name").inner_text() == "李强"
    assert page.get_by_test_id("id-number").inner_text() == "3604**********0071"
    assert "已过期" in page.get_by_test_id("licences").inner_text()
    card = page.locator('[data-plate="苏A8K262"]')
    assert card.get_attribute("data-status") == "due"
    total = card.get_by_test_id("quote-total").inner_text()
    assert total == "¥965.00"  # A3 in 江苏: 950 × 70 % + 300 tax
    explanation = card.get_by_test_id("explanation").inner_text()
    assert "连续 3 个保单年度未发生有责道路交通事故（A3）" in explanation
    assert "与上年保费 760.00 元（A2，下浮 20%）相比下降 95.00 元" in explanation
    renew_button = card.get_by_test_id("renew")
    assert renew_button.is_visible()
    box = renew_button.bounding_box()
    assert box["y"] + box["height"] <= 768, "the renew button must show without scrolling"
    ev_card = page.locator('[data-plate="苏AD12345"]')
    assert ev_card.get_attribute("data-status") == "lapsed"
    assert "¥1,900.00" in ev_card.get_by_test_id("lapse").inner_text()
    screenshot(page, "counter-2-result")
    screenshot(page, "counter-2-result-full", full_page=True)

    # Show the full numbers: deliberate, logged, swapped in place by htmx.
    page.get_by_test_id("reveal").click()
    page.get_by_text("已显示完整号码").wait_for()
    assert page.get_by_test_id("id-number").inner_text() == LI_QIANG_ID

    # Renew: the clerk says how the customer paid (收费), then one click issues the policy and
    # opens its confirmation. A card payment needs its reference, said next to the field.
    card.get_by_test_id("payment-method").select_option("bank_card")
    renew_button.click()
    card = page.locator('[data-plate="苏A8K262"]')
    card.get_by_test_id("payment-reference-error").wait_for()
    assert "银行卡收费请填写交易流水号" in card.get_by_test_id("payment-reference-error").inner_text()
    assert not Policy.objects.filter(renewed_from=current).exists()
    screenshot(page, "counter-2b-payment-reference-missing")
    card.get_by_test_id("payment-reference").fill("6222 0001 8888")
    card.get_by_test_id("renew").click()
    page.wait_for_url("**/counter/policy/*/")
    renewal = Policy.objects.get(renewed_from=current)
    assert page.get_by_test_id("policy-number").inner_text() == renewal.number
    assert renewal.start_date == current.end_date + DAY
    assert renewal.total == D("965.00")
    assert "续保出单成功" in page.locator(".alert-success").inner_text()
    assert page.get_by_test_id("doc-total").inner_text() == "¥965.00"
    period = page.get_by_test_id("period").inner_text()
    assert (
        f"{renewal.start_date.year} 年 {renewal.start_date.month} 月 {renewal.start_date.day} 日 0 时起"
        in period
    )
    assert page.get_by_test_id("payment-method").inner_text() == "银行卡"
    assert page.get_by_test_id("payment-reference").inner_text() == "622200018888"
    screenshot(page, "counter-3-confirmation")

    page.emulate_media(media="print")
    assert not page.get_by_test_id("print").is_visible()
    assert not page.locator("nav.portal-nav").is_visible()
    assert not page.locator(".alert-success").is_visible()
    screenshot(page, "counter-4-confirmation-print-1366", full_page=True)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    screenshot(page, "counter-4-confirmation-print-a4", full_page=True)
    page.pdf(path=str(SCREENSHOTS / "counter-confirmation.pdf"), format="A4", print_background=True)

    # Back at the person: the car is now renewed, and cannot be renewed twice.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("link", name="返回客户信息").click()  # (the page before was a POST's answer)
    page.wait_for_url(f"**/counter/person/{person.pk}/**")
    assert page.locator('[data-plate="苏A8K262"]').get_attribute("data-status") == "renewed"
    assert Policy.objects.filter(renewed_from=current).count() == 1


def test_a_wrong_check_digit_is_said_before_searching(page):
    li_na_at_the_counter()
    login(page, "clerk_wang")
    page.goto("/counter/")
    page.get_by_label("驾驶证号 / 身份证号").fill("３６０４２６１９９１０１０１００７２")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    assert "校验位不正确" in page.get_by_test_id("lookup-form").inner_text()
    assert page.url.endswith("/counter/")
    screenshot(page, "counter-5-bad-check-digit")


def test_short_term_quote_updates_in_place(page):
    li_na_at_the_counter()
    login(page, "clerk_wang")
    page.goto("/counter/short-term/")
    start = today() + DAY
    page.get_by_label("起保日期（0 时起）").fill(start.isoformat())
    page.get_by_label("止保日期（24 时止）").fill((start + 20 * DAY).isoformat())
    page.get_by_label("排量（升）").fill("1.5")
    page.get_by_label("注册（购置）日期").fill("2019-06-01")
    page.get_by_role("button", name="计算短期保费").click()
    page.get_by_test_id("short-term-quote").wait_for()
    assert page.get_by_test_id("short-term-premium").inner_text() == "¥95.00"  # 950 × 10 %, one month
    assert page.url.endswith("/counter/short-term/")  # swapped in by htmx, no page load
    screenshot(page, "counter-6-short-term")


def test_a_customer_with_a_car_in_every_status_reads_at_a_glance(page):
    """One card per car; the status, the days and what can be done are in each card's header line."""
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    UserFactory(username="clerk_wang", last_name="王", first_name="静", branch=branch, role=COUNTER_CLERK)
    t = today()
    person = PersonFactory(name="陈刚", phone="13700002222")
    DrivingLicenceFactory(holder=person, classes="B2", valid_from=t - 5000 * DAY, valid_to=None)
    due = VehicleFactory(owner=person, plate="苏A50001")
    policy_chain(due, first_start=t - 1030 * DAY, years=3, branch=branch)
    in_force = VehicleFactory(owner=person, plate="苏A50002")
    PolicyFactory(vehicle=in_force, branch=branch, start_date=t - 100 * DAY)
    lapsed = VehicleFactory(owner=person, plate="苏A50003")
    PolicyFactory(vehicle=lapsed, branch=branch, start_date=t - 400 * DAY)
    renewed = VehicleFactory(owner=person, plate="苏A50004")
    policy_chain(renewed, first_start=t - 300 * DAY, years=2, branch=branch)
    cancelled = VehicleFactory(owner=person, plate="苏A50005")
    PolicyFactory(
        vehicle=cancelled, branch=branch, start_date=t - 200 * DAY, end_date=t - 30 * DAY, status="cancelled",
        cancelled_on=t - 30 * DAY, cancel_reason="laid_up", refund=D("298.36"),
    )  # fmt: skip
    VehicleFactory(owner=person, plate="苏A50006")
    trailer = VehicleFactory(
        owner=person, plate="苏A5007挂", premium_category="TRUCK_GE10", displacement_l=None
    )
    PolicyFactory(vehicle=trailer, branch=branch, start_date=t - 300 * DAY)

    login(page, "clerk_wang")
    # The clerk looks 陈刚 up by his licence: the customer's page opens only from a lookup.
    page.goto("/counter/")
    page.get_by_label("驾驶证号 / 身份证号").fill(person.id_number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/counter/person/{person.pk}/")

    index = page.get_by_test_id("vehicle-index").inner_text()
    for label in ("待续保", "保障中", "已脱保", "已续保", "已退保", "未投保"):
        assert label in index
    assert page.locator('[data-testid="history"][open]').count() == 0  # many cars: history folded
    assert page.locator('[data-plate="苏A50001"]').get_by_test_id("renew").is_visible()
    assert "挂车" in page.locator('[data-plate="苏A5007挂"]').get_by_test_id("quote-refused").inner_text()
    screenshot(page, "counter-7-every-status")
    screenshot(page, "counter-7-every-status-full", full_page=True)


def test_clerk_cancels_a_laid_up_car_prints_the_refund_note_and_insures_it_again_later(page):
    """退保 (docs/regulation.md §3): the ground and its document, the refund to the fen, the
    printed note; the car is then 已退保 with no renewal reminders, and can be insured again."""
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    UserFactory(username="clerk_wang", last_name="王", first_name="静", branch=branch, role=COUNTER_CLERK)
    t = today()
    person = PersonFactory(name="孙立", phone="13700003333")
    car = VehicleFactory(owner=person, plate="苏A60001", brand_model="丰田牌 TV7250")
    current = policy_chain(car, first_start=t - 465 * DAY, years=2, branch=branch)[-1]

    login(page, "clerk_wang")
    page.goto("/counter/")
    page.get_by_label("号牌号码").fill(car.plate)
    page.get_by_label("车辆识别代号（VIN）").fill(car.vin)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/counter/person/{person.pk}/**")

    card = page.locator('[data-plate="苏A60001"]')
    card.get_by_test_id("cancel-box").locator("summary").click()
    refund = card.get_by_test_id("cancel-refund").inner_text()
    card.get_by_test_id("cancel-reason").select_option("laid_up")
    card.get_by_test_id("refund-method").select_option("cash")
    card.get_by_test_id("cancel-submit").click()  # no document: refused next to the field
    card = page.locator('[data-plate="苏A60001"]')
    card.get_by_test_id("cancel-document-error").wait_for()
    assert "请登记证明材料" in card.get_by_test_id("cancel-document-error").inner_text()
    assert Policy.objects.get(pk=current.pk).status == "in_force"
    screenshot(page, "counter-8-cancel-form-error")

    card.get_by_test_id("cancel-document").fill("停驶证明 No.320100-0042")
    card.get_by_test_id("cancel-submit").click()
    page.wait_for_url("**/refund-note/")
    cancelled = Policy.objects.get(pk=current.pk)
    assert cancelled.status == "cancelled" and cancelled.cancelled_on == t
    assert page.get_by_test_id("refund-amount").inner_text() == refund
    assert page.get_by_test_id("refund-reason").inner_text() == "车辆办理停驶"
    assert page.get_by_test_id("refund-document").inner_text() == "停驶证明 No.320100-0042"
    assert f"= {cancelled.refund} 元" in page.get_by_test_id("refund-formula").inner_text()
    assert "现金" in page.get_by_test_id("refund-method").inner_text()
    screenshot(page, "counter-9-refund-note")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    screenshot(page, "counter-9-refund-note-print-a4", full_page=True)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1366, "height": 768})

    # Back at the customer: 已退保, and the car can come back on the road insured again.
    page.get_by_role("link", name="返回客户信息").click()
    card = page.locator('[data-plate="苏A60001"]')
    assert card.get_attribute("data-status") == "cancelled"
    assert "车辆办理停驶" in card.get_by_test_id("resuming").inner_text()
    assert "停驶证明 No.320100-0042" in card.get_by_test_id("history-cancel").inner_text()
    screenshot(page, "counter-10-cancelled-and-resuming")
    card.get_by_test_id("payment-method").select_option("cash")
    card.get_by_test_id("renew").click()
    page.wait_for_url("**/counter/policy/*/")
    again = Policy.objects.get(renewed_from=cancelled)
    assert again.start_date == t + DAY and again.status == "in_force"
    assert page.get_by_test_id("payment-method").inner_text() == "现金"


def test_a_lapsed_car_is_covered_from_the_next_full_hour_where_the_province_allows_it(page):
    """Immediate cover (即时生效, docs/regulation.md §4): the quote, the issue and the printout start at
    the next full hour, not 00:00 tomorrow."""
    from django.utils import timezone

    from core.clock import local
    from policies.models import ProvinceRule

    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    UserFactory(username="clerk_wang", last_name="王", first_name="静", branch=branch, role=COUNTER_CLERK)
    ProvinceRule.objects.create(
        province="江苏",
        valid_from=dt.date(2020, 9, 19),
        immediate_cover=True,
        source="docs/regulation.md §4（测试）",
    )
    person = PersonFactory(name="周立")
    car = VehicleFactory(owner=person, plate="苏A90001")
    lapsed = PolicyFactory(vehicle=car, branch=branch, start_date=today() - 400 * DAY)

    login(page, "clerk_wang")
    page.goto("/counter/")
    page.get_by_label("号牌号码").fill(car.plate)
    page.get_by_label("车辆识别代号（VIN）").fill(car.vin)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/counter/person/{person.pk}/**")
    card = page.locator('[data-plate="苏A90001"]')
    hour = local(timezone.now()).hour + 1
    if hour >= 24:  # after 23:00 cover starts at 00:00 tomorrow either way: nothing to show
        return
    assert card.get_by_test_id("immediate-cover").is_visible()
    assert f"保险期间 {today():%Y-%m-%d} {hour} 时至" in card.get_by_test_id("quote-period").inner_text()
    assert "即时生效" in card.get_by_test_id("explanation").inner_text()
    screenshot(page, "counter-11-immediate-cover")
    card.get_by_test_id("payment-method").select_option("cash")
    card.get_by_test_id("renew").click()
    page.wait_for_url("**/counter/policy/*/")
    issued = Policy.objects.get(renewed_from=lapsed)
    assert (issued.start_date, issued.start_hour) == (today(), hour)
    t = today()
    assert f"自 {t.year} 年 {t.month} 月 {t.day} 日 {hour} 时起" in page.get_by_test_id("period").inner_text()
    screenshot(page, "counter-12-immediate-cover-confirmation")
