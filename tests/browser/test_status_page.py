"""A customer checks their vehicle's renewal status on the public /status page, on a
1366×768 screen and on a phone."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import (
    days_from_today,
    insure,
    shared_rate_limits,  # noqa: F401  (autouse: limits in Redis, cleaned up)
)
from tests.browser.conftest import screenshot


@pytest.fixture
def customers_car(db):
    branch = factories.BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    owner = factories.PersonFactory(name="陈晓明")
    vehicle = factories.VehicleFactory(plate="苏A6G827", vin=factories.make_vin(8827), owner=owner)
    insure(vehicle, branch=branch, end=days_from_today(23))
    return vehicle


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def check_status(page, plate: str, vin: str) -> None:
    page.goto("/status")
    page.get_by_label("号牌号码").fill(plate)
    page.get_by_label("车辆识别代号（VIN）").fill(vin)
    page.get_by_role("button", name="查询续保状态").click()
    page.wait_for_load_state("networkidle")


def test_customer_checks_status_on_a_desktop_screen(page, customers_car):
    page.goto("/status")
    screenshot(page, "status-form-1366")

    # Typed as people do: lower case, with spaces.
    check_status(page, "苏a 6g827", customers_car.vin.lower())

    result = page.get_by_test_id("status-result")
    result.wait_for()
    assert result.get_attribute("data-status") == "due"
    assert page.get_by_test_id("masked-plate").inner_text() == "苏A***27"
    text = result.inner_text()
    assert "待续保" in text and "23" in text
    assert "柜面（南京中山路营业部）" in page.get_by_test_id("channels").inner_text()
    body = page.locator("body").inner_text()
    assert "陈晓明" not in body and customers_car.vin not in body and "苏A6G827" not in body
    # Each channel is something to act on: the website and the app by link, the counter
    # through the hotline; the hotline number and the API documentation are on the page.
    links = {
        c.get_attribute("data-code"): c.locator("a").first.get_attribute("href")
        if c.locator("a").count()
        else None
        for c in page.get_by_test_id("channel").all()
    }
    assert links["website"] == "https://www.jqx.example.cn/renew"
    assert links["app"] == "https://www.jqx.example.cn/app"
    assert links["counter"] == "tel:4008009595"
    assert "微信搜索" in page.locator('[data-code="mini_program"]').inner_text()
    assert "400-800-9595" in page.get_by_test_id("hotline").inner_text()
    assert page.get_by_test_id("api-docs-link").get_attribute("href") == "/api/v1/docs"
    # The whole answer is visible without scrolling at 1366×768.
    box = page.get_by_test_id("channels").bounding_box()
    assert box["y"] + box["height"] <= 768
    screenshot(page, "status-result-1366")


def test_customer_checks_status_on_a_phone(phone, customers_car):
    check_status(phone, "苏A6G827", customers_car.vin)

    result = phone.get_by_test_id("status-result")
    result.wait_for()
    assert result.get_attribute("data-status") == "due"
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the screen
    assert result.bounding_box()["y"] < 200  # the answer is the first thing on the screen
    screenshot(phone, "status-result-phone-screen")
    screenshot(phone, "status-result-phone", full_page=True)


def test_mistyped_vin_is_explained_in_chinese_on_a_phone(phone, customers_car):
    check_status(phone, "苏A6G827", "LSVAB2C0IA000010")

    assert phone.get_by_text("车辆识别代号应为 17 位，当前为 16 位。").is_visible()
    screenshot(phone, "status-form-error-phone", full_page=True)


def test_unknown_vehicle_gets_the_not_found_message(page, customers_car):
    check_status(page, "苏A6G827", factories.make_vin(1))

    assert "未找到与该号牌号码和车辆识别代号相符的投保记录" in page.get_by_test_id("not-found").inner_text()
    screenshot(page, "status-not-found-1366")
