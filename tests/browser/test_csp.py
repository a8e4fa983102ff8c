"""Every desk's main page under the Content-Security-Policy, in a real browser: nothing the
portal (or the admin) runs is refused — no inline script, handler or style without the nonce."""

import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from policies.roles import COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR
from tests.accounts.otp import code_for
from tests.browser.conftest import login, screenshot
from tests.factories import (
    BranchFactory,
    ClaimsAdjusterFactory,
    DrivingLicenceFactory,
    PersonFactory,
    PolicyFactory,
    UserFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

WANG_FANG_ID = "360426199101010071"  # docs/regulation.md §7, a valid ID number


def violations_of(page) -> list[str]:
    """Collects the browser's CSP refusals ("Refused to execute inline script …") as they come."""
    seen: list[str] = []

    def console(message):
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text:
            seen.append(text)

    page.on("console", console)
    return seen


def second_factor(page, device: TOTPDevice) -> None:
    """Supervisors pass the two-factor page, where it is asked, with their authenticator's code."""
    code = page.locator("input[name=code]")
    if code.count():
        code.fill(code_for(device))
        code.press("Enter")
        page.wait_for_load_state("networkidle")


@pytest.fixture
def people():
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    wang = PersonFactory(name="王芳", id_number=WANG_FANG_ID, phone="13912345678")
    DrivingLicenceFactory(holder=wang)
    PolicyFactory(vehicle=VehicleFactory(owner=wang), branch=branch, start_date=dt.date(2026, 1, 15))
    return {
        "clerk": UserFactory(username="clerk", branch=branch, role=COUNTER_CLERK),
        "agent": UserFactory(username="agent", branch=branch, role=HOTLINE_AGENT),
        "adjuster": ClaimsAdjusterFactory(username="adjuster", branch=branch),
        "boss": UserFactory(username="boss", branch=branch, role=SUPERVISOR),
    }


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    assert "content-security-policy" in response.headers, path  # Playwright's names are lower case
    page.wait_for_load_state("networkidle")


def test_the_listener_sees_a_refusal(page, people):
    """The check below is real: an inline handler is refused and reported."""
    seen = violations_of(page)
    login(page, "clerk")
    page.evaluate(
        """() => { document.body.insertAdjacentHTML('beforeend',
            '<button id="evil" onclick="document.title=1">x</button>'); }"""
    )
    page.locator("#evil").click()
    page.wait_for_timeout(300)
    assert any("inline event handler" in text for text in seen), seen


def test_the_counter_desk_runs_under_the_policy(page, people):
    seen = violations_of(page)
    login(page, "clerk")
    visit(page, "/counter/")
    page.get_by_label("驾驶证号 / 身份证号").fill(WANG_FANG_ID)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/counter/person/*/")
    page.wait_for_load_state("networkidle")
    reveal = page.locator("[data-testid=reveal], button:has-text('显示完整号码')").first
    if reveal.count():
        reveal.click()  # htmx swaps the identity block in
        page.wait_for_load_state("networkidle")
    screenshot(page, "csp-counter-person")
    assert seen == []


def test_the_hotline_support_and_claims_desks_run_under_the_policy(page, people):
    seen = violations_of(page)
    login(page, "agent")
    visit(page, "/hotline/")
    page.locator("[data-testid=search-box]").fill("13912345678")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hotline/customer/*/**")  # a single match opens the customer at once
    page.wait_for_load_state("networkidle")
    visit(page, "/support/")
    visit(page, "/hotline/calls/")
    screenshot(page, "csp-hotline-calls")
    page.context.clear_cookies()
    login(page, "adjuster")
    visit(page, "/claims/")
    assert seen == []


def test_the_dashboard_and_the_admin_run_under_the_policy(page, people):
    seen = violations_of(page)
    device = TOTPDevice.objects.create(user=people["boss"], name="测试验证器", confirmed=True)
    login(page, "boss")
    second_factor(page, device)
    visit(page, "/dashboard/")
    visit(page, "/admin/")
    visit(page, "/admin/policies/person/")
    page.locator("#searchbar").fill(WANG_FANG_ID)
    page.locator("#changelist-search input[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert WANG_FANG_ID not in page.url and "qk=" in page.url
    visit(page, f"/admin/policies/user/{people['clerk'].pk}/change/")
    visit(page, "/admin/policies/policy/add/")  # the admin's own scripts: calendar, related-object popups
    page.locator(".datetimeshortcuts a").first.click()
    screenshot(page, "csp-admin-policy-add")
    assert seen == []
