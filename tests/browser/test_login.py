"""Each role signs in through the real login page and lands on its own home page."""

import pytest

from policies.roles import COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR
from tests.browser.conftest import login, screenshot
from tests.factories import BranchFactory, UserFactory


@pytest.mark.parametrize(
    ("role", "home_path", "heading"),
    [
        (COUNTER_CLERK, "/counter/", "柜面工作台"),
        (HOTLINE_AGENT, "/hotline/", "热线工作台"),
        (SUPERVISOR, "/dashboard/", "经营看板"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_home_page(page, role, home_path, heading):
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    UserFactory(username="demo_user", last_name="李", first_name="娜", branch=branch, role=role)

    login(page, "demo_user")

    assert page.url.endswith(home_path)
    assert page.get_by_role("heading", name=heading).is_visible()
    assert role in page.get_by_test_id("whoami").inner_text()
    screenshot(page, f"home-{home_path.strip('/')}")


def test_wrong_password_is_refused_in_chinese(page):
    UserFactory(username="demo_user", branch=BranchFactory(), role=COUNTER_CLERK)

    login(page, "demo_user", "wrong-password")

    assert "/accounts/login/" in page.url
    assert page.get_by_text("请输入一个正确的").is_visible()
