"""A supervisor issues a channel's API key in admin, sees it once, and the channel's calls
show on the dashboard."""

from __future__ import annotations

from channels.models import ApiKey
from policies.roles import SUPERVISOR
from tests import factories
from tests.api.conftest import shared_rate_limits  # noqa: F401  (autouse: limits in Redis, cleaned up)
from tests.browser.conftest import login, screenshot


def test_supervisor_issues_a_key_once_and_sees_its_calls_on_the_dashboard(page, live_server):
    branch = factories.BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    factories.UserFactory(username="boss", last_name="李", first_name="娜", branch=branch, role=SUPERVISOR)
    login(page, "boss")

    page.goto("/admin/channels/apikey/add/")
    page.get_by_label("名称").fill("APP 生产环境")
    page.get_by_label("渠道").select_option("app")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state("networkidle")

    raw = page.get_by_test_id("raw-key").input_value()
    key = ApiKey.objects.get()
    assert raw.startswith(f"jqx_{key.prefix}_")
    assert "只显示这一次" in page.locator("#content-main").inner_text()
    screenshot(page, "api-key-created")

    page.get_by_role("link", name="我已保存，返回密钥列表").click()
    page.wait_for_load_state("networkidle")
    listing = page.locator("#result_list").inner_text()
    assert key.prefix in listing and "有效" in listing and raw not in page.content()

    # The channel calls the API once with its new key.
    response = page.request.post(
        f"{live_server.url}/api/v1/renewal-status",
        data={"plate": "苏A12345", "vin": "LSVAB2C09A0000101"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status == 404

    page.goto("/dashboard/")
    panel = page.get_by_test_id("panel-api-usage")
    panel.scroll_into_view_if_needed()
    panel.get_by_role("button", name="查看数据").click()
    this_month = page.get_by_test_id("table-api-usage").locator("tbody tr").last.inner_text()
    assert this_month.split()[1:] == ["1"]  # one APP request this month
    screenshot(page, "dashboard-api-usage")
