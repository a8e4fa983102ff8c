"""The dashboard in a real browser: charts drawn (ECharts under the CSP), a click on the lapse
rate of a month opening that month's lapsed policies of the branch, exported as a file, and back; head office
comparing two branches. Screenshots at 1366×768."""

import csv
import datetime as dt
import io
import random

import pytest
from openpyxl import load_workbook

from core.clock import today
from core.masking import mask_name, mask_plate
from core.models import ExportLog
from insights.refresh import summaries_refresh
from policies.pricing import add_months
from policies.roles import SUPERVISOR
from tests import factories
from tests.browser.conftest import login, screenshot

THIS_MONTH = today().replace(day=1)
LAST_MONTH = add_months(THIS_MONTH, -1)


def _book(branch, *, lapse_share: float, seed: int) -> list:
    """A year of policies ending at `branch`, some renewed within the 30 days, the rest lapsed;
    returns last month's lapsed policies."""
    rng = random.Random(seed)
    lapsed_last_month = []
    for back in range(12):
        month = add_months(THIS_MONTH, -back)
        for i in range(6):
            end = month + dt.timedelta(days=i * 4)
            if end >= today():
                continue
            start = add_months(end, -12) + dt.timedelta(days=1)
            channel = rng.choice(["counter", "app", "mini_program", "dealer"])
            policy = factories.PolicyFactory(branch=branch, channel=channel, start_date=start, end_date=end)
            renewed_start = end + dt.timedelta(days=1)
            if rng.random() > lapse_share and renewed_start <= today():
                factories.PolicyFactory(
                    vehicle=policy.vehicle, branch=branch, channel=channel, renewed_from=policy,
                    start_date=renewed_start, end_date=add_months(renewed_start, 12) - dt.timedelta(days=1),
                )  # fmt: skip
            elif month == LAST_MONTH:
                lapsed_last_month.append(policy)
    return lapsed_last_month


@pytest.fixture
def business():
    nanjing = factories.BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    haikou = factories.BranchFactory(code="460100", name="海口龙华营业部", province="海南", city="海口")
    lapsed = _book(nanjing, lapse_share=0.3, seed=1)
    _book(haikou, lapse_share=0.5, seed=2)
    factories.UserFactory(username="boss", last_name="林", first_name="涛", branch=nanjing, role=SUPERVISOR)
    factories.UserFactory(username="hq", last_name="赵", first_name="总", branch=None, role=SUPERVISOR)
    summaries_refresh(first=add_months(THIS_MONTH, -12))
    return {"nanjing": nanjing, "haikou": haikou, "lapsed": lapsed}


def _click_point(page, chart: str, series: int, index: int, *, height: float = 1) -> None:
    """Click the point `index` of series `series` where ECharts drew it (a bar of the first,
    bottom series of a stack: at `height` of its value)."""
    x, y = page.evaluate(
        """([chart, series, index, height]) => {
            const el = document.querySelector(`[data-chart="chart-${chart}"]`);
            const c = echarts.getInstanceByDom(el);
            const opt = c.getOption();
            const value = opt.series[series].data[index].value * height;
            const [px, py] = c.convertToPixel({seriesIndex: series}, [index, value]);
            const box = el.getBoundingClientRect();
            return [box.left + px, box.top + py];
        }""",
        [chart, series, index, height],
    )
    page.mouse.click(x, y)


def test_from_the_lapse_rate_to_the_lapsed_policies_and_back(page, business):
    login(page, "boss")
    page.goto("/dashboard/")
    page.locator('[data-chart="chart-renewal"] canvas').first.wait_for()
    assert "南京中山路营业部" in page.get_by_test_id("own-branch").inner_text()
    assert "统计时间" in page.get_by_test_id("computed-at").inner_text()
    screenshot(page, "dashboard")
    screenshot(page, "dashboard-full", full_page=True)

    months = page.evaluate("() => JSON.parse(document.getElementById('chart-renewal').textContent).x")
    page.locator('[data-chart="chart-renewal"]').scroll_into_view_if_needed()
    _click_point(page, "renewal", 1, months.index(f"{LAST_MONTH:%Y-%m}"))  # 脱保率, last month
    page.wait_for_url("**/dashboard/policies/?*kind=lapsed*")
    assert f"start={LAST_MONTH:%Y-%m}" in page.url and f"branch={business['nanjing'].pk}" in page.url
    assert page.get_by_test_id("policy-count").inner_text() == f"共 {len(business['lapsed'])} 件"
    numbers = page.locator("[data-policy]").evaluate_all("rows => rows.map(r => r.dataset.policy)")
    assert sorted(numbers) == sorted(p.number for p in business["lapsed"])
    screenshot(page, "dashboard-drill-lapsed")

    # the list as a file, with the point's filters: the same policies, plates and owners masked
    downloads = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    page.get_by_test_id("export-csv").click()
    _wait_for(page, lambda: downloads)
    assert downloads[0].startswith("保单明细-") and downloads[0].endswith(".csv")
    body = page.request.get(page.get_by_test_id("export-csv").get_attribute("href")).body()  # the file served
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["保单号", "号牌号码", "车主"]
    assert sorted(r[0] for r in rows[1:]) == sorted(numbers)
    exported = {r[0]: r[1:3] for r in rows[1:]}
    for policy in business["lapsed"]:
        assert exported[policy.number] == [
            mask_plate(policy.vehicle.plate),
            mask_name(policy.vehicle.owner.name),
        ]
    log = ExportLog.objects.order_by("pk").first()
    assert (log.list_name, log.row_count, log.complete) == ("dashboard_policies", len(numbers), True)
    assert log.filters["kind"] == "lapsed" and log.filters["branch"] == str(business["nanjing"].pk)
    page.get_by_test_id("export-xlsx").click()
    _wait_for(page, lambda: len(downloads) == 2)
    assert downloads[1].endswith(".xlsx")
    body = page.request.get(page.get_by_test_id("export-xlsx").get_attribute("href")).body()
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [r[0] for r in rows[1:]]
    assert ExportLog.objects.count() == 4  # each file asked for is logged, the browser's and ours

    page.get_by_test_id("back-to-dashboard").click()
    page.wait_for_url("**/dashboard/?*")
    page.locator('[data-chart="chart-renewal"] canvas').first.wait_for()
    assert page.get_by_role("heading", name="经营看板").is_visible()
    page.go_back()
    page.wait_for_url("**/dashboard/policies/?*")
    page.go_back()
    page.wait_for_url("**/dashboard/")
    page.locator('[data-chart="chart-renewal"] canvas').first.wait_for()

    # a bar of the channel mix: the policies started that month through that channel
    chart = page.evaluate("() => JSON.parse(document.getElementById('chart-channel-mix').textContent)")
    first = chart["series"][0]
    index = next(i for i, p in enumerate(first["data"]) if p["value"])
    page.locator('[data-chart="chart-channel-mix"]').scroll_into_view_if_needed()
    _click_point(page, "channel-mix", 0, index, height=0.5)
    page.wait_for_url("**/dashboard/policies/?*kind=started*")
    assert "channel=counter" in page.url and first["name"] == "柜面"
    assert page.get_by_test_id("policy-count").inner_text() == f"共 {first['data'][index]['value']} 件"
    screenshot(page, "dashboard-drill-started")
    page.get_by_test_id("back-to-dashboard").click()
    page.wait_for_url("**/dashboard/?*")
    page.locator('[data-chart="chart-channel-mix"] canvas').first.wait_for()


def test_head_office_compares_two_branches_and_filters_by_channel(page, business):
    login(page, "hq")
    page.goto("/dashboard/")
    page.get_by_label("网点").select_option([str(business["nanjing"].pk), str(business["haikou"].pk)])
    page.get_by_label("销售渠道").select_option("app")
    page.get_by_role("button", name="查看", exact=True).click()
    page.wait_for_url("**/dashboard/?*channel=app*")
    page.locator('[data-chart="chart-renewal"] canvas').first.wait_for()
    legend = page.evaluate(
        "() => JSON.parse(document.getElementById('chart-renewal').textContent).series.map(s => s.name)"
    )
    assert legend[0] == "南京中山路营业部 续保率" and "海口龙华营业部 脱保率" in legend
    page.get_by_test_id("panel-renewal").get_by_role("button", name="查看数据").click()
    assert page.get_by_test_id("table-renewal").is_visible()
    screenshot(page, "dashboard-compare")

    page.goto("/dashboard/?start=2026-13")
    assert "月份格式应为" in page.get_by_test_id("filter-error").inner_text()


def test_the_refresh_click_queues_a_job_and_the_page_shows_it_queued_then_done(page, business):
    from insights.jobs import run_next_job
    from insights.models import RefreshJob

    login(page, "boss")
    page.goto("/dashboard/?channel=app")
    page.get_by_role("button", name="立即刷新").click()
    page.wait_for_url("**/dashboard/?channel=app")
    assert "已提交刷新" in page.locator("main").inner_text()
    assert page.get_by_test_id("refresh-state").inner_text() == "排队中"
    screenshot(page, "dashboard-refresh-queued")
    page.get_by_role("button", name="立即刷新").click()
    assert "已有刷新任务排队中" in page.locator("main").inner_text()
    assert RefreshJob.objects.count() == 1

    run_next_job(worker="browser-test")  # the worker beside the portal
    # the status polls every 5 s
    page.get_by_test_id("refresh-state").filter(has_text="已完成").wait_for(timeout=15_000)
    assert "林涛手动刷新" in page.get_by_test_id("computed-at").inner_text()
    screenshot(page, "dashboard-refresh-done")


def _wait_for(page, condition, seconds: float = 10) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("timed out")
