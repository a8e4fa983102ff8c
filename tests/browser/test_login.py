"""Each role signs in through the real login page and lands on its own home page; supervisors
enrol and use the second factor; lockout and the idle warning as a person sees them."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from policies.roles import COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR
from tests.accounts.otp import code_for, code_for_secret
from tests.browser.conftest import PASSWORD, login, screenshot
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
    assert page.get_by_text("请输入正确的用户名和密码").is_visible()


def _submit_password(page, username, password=PASSWORD):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def test_after_five_wrong_passwords_the_login_page_says_it_is_locked(page):
    UserFactory(username="demo_user", branch=BranchFactory(), role=COUNTER_CLERK)

    page.goto("/accounts/login/")
    for _ in range(5):
        _submit_password(page, "demo_user", "wrong-password")
    _submit_password(page, "demo_user")

    notice = page.get_by_test_id("lockout")
    assert notice.is_visible()
    assert "登录已被暂时锁定" in notice.inner_text() and "30 分钟" in notice.inner_text()
    assert "/accounts/login/" in page.url and page.get_by_label("用户名").is_visible()
    screenshot(page, "login-locked-out")


def test_a_supervisor_enrols_the_authenticator_on_first_sign_in_and_keeps_the_recovery_codes(page):
    UserFactory(username="boss", last_name="周", first_name="敏", branch=BranchFactory(), role=SUPERVISOR)

    page.goto("/accounts/login/")
    _submit_password(page, "boss")

    assert "/accounts/two-factor/enrol/" in page.url
    assert page.get_by_role("heading", name="开启两步验证").is_visible()
    assert page.get_by_test_id("totp-qr").locator("svg").is_visible()
    screenshot(page, "two-factor-enrol")
    page.get_by_label("验证器上显示的 6 位数字").fill(
        code_for_secret(page.get_by_test_id("totp-secret").inner_text())
    )
    page.get_by_role("button", name="确认绑定").click()
    page.wait_for_load_state("networkidle")

    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    assert page.get_by_text("只显示这一次").is_visible()
    screenshot(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/dashboard/")

    # Next time: the code from the phone.
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")
    _submit_password(page, "boss")
    assert "/accounts/two-factor/" in page.url and "enrol" not in page.url
    screenshot(page, "two-factor-verify")
    device = TOTPDevice.objects.get(user__username="boss", confirmed=True)
    page.get_by_label("动态验证码").fill(code_for(device, steps_ahead=1))  # the next code
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/dashboard/")


def test_the_idle_warning_counts_down_offers_to_continue_and_then_signs_out(page, settings):
    settings.SESSION_IDLE_SECONDS = 8
    settings.SESSION_IDLE_WARNING_SECONDS = 5
    UserFactory(username="demo_user", branch=BranchFactory(), role=COUNTER_CLERK)
    login(page, "demo_user")
    assert page.url.endswith("/counter/")

    warning = page.get_by_test_id("session-timeout-warning")
    warning.wait_for(state="visible", timeout=8_000)
    assert "秒后自动退出" in warning.inner_text()
    screenshot(page, "session-idle-warning")
    warning.get_by_role("button", name="继续使用").click()
    warning.wait_for(state="detached", timeout=4_000)  # the session has its 8 seconds again

    warning.wait_for(state="visible", timeout=8_000)  # nobody answers this time …
    page.wait_for_url("**/accounts/login/**", timeout=15_000)  # … and the session ends
    assert page.get_by_text("秒未操作，为保护客户信息已自动退出").is_visible()
    assert "next=%2Fcounter%2F" in page.url
