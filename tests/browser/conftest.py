"""Browser tests: Playwright for Python driving Debian's chromium against the live server.

Playwright's own browser download cannot run here; the tests launch the system
chromium (`CHROMIUM_PATH`, default /usr/bin/chromium) headless, at the 1366×768 screen
the branch and hotline desks use. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PASSWORD = "portal-pass-2026"  # the password every factory-made user has


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class BrowserThread:
    """Runs Playwright's sync API in a thread of its own.

    Playwright's sync API runs an asyncio loop in its thread; Django keeps database
    connections per thread *and* per async context, so a test thread with a running loop
    would see other connections than the ones pytest-django prepared. Every call on a
    proxied Playwright object therefore runs in this one worker thread instead.
    """

    def __init__(self):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")

    def call(self, fn, *args, **kwargs):
        return self.wrap(self.executor.submit(fn, *args, **kwargs).result())

    def wrap(self, value):
        if type(value).__module__.startswith("playwright."):
            return _Proxy(self, value)
        if isinstance(value, list):
            return [self.wrap(v) for v in value]
        return value


class _Proxy:
    def __init__(self, thread: BrowserThread, target):
        object.__setattr__(self, "_thread", thread)
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name):
        value = self._thread.call(getattr, self._target, name)
        if callable(value) and not isinstance(value, _Proxy):
            return lambda *args, **kwargs: self._thread.call(value, *args, **kwargs)
        return value

    def __repr__(self):
        return f"<proxy {self._target!r}>"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"chromium not found at {CHROMIUM_PATH}: install Debian's chromium (see .ci/run)")
    thread = BrowserThread()
    playwright = thread.executor.submit(lambda: sync_playwright().start()).result()
    browser = thread.call(
        playwright.chromium.launch, executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
    thread.executor.submit(playwright.stop).result()
    thread.executor.shutdown()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would — with the second factor where the
    account needs one (supervisors, admin accounts): the code an authenticator app would show."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/two-factor/" in page.url:
        second_factor(page, username)


def second_factor(page, username: str) -> None:
    """Enrol (first sign-in: the secret the page prints) or give the current code, as the
    person would with their phone; on the recovery codes page, go on."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.otp import code_for, code_for_secret

    if "/enrol/" in page.url:
        code = code_for_secret(page.get_by_test_id("totp-secret").inner_text())
        page.get_by_label("验证器上显示的 6 位数字").fill(code)
        page.get_by_role("button", name="确认绑定").click()
        page.wait_for_load_state("networkidle")
        page.get_by_role("link", name="我已保存，继续").click()
    else:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_label("动态验证码").fill(code_for(device))
        page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
