"""A supervisor's audit tools in a real browser at 1366×768: the lapsed vehicles exported and
the export log; the history of a tariff change and of a policy correction
in admin; the access log searched by customer without the ID number in the URL."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from core.models import ExportLog
from policies.access_log import detect_bursts
from policies.models import BasePremiumRate, Policy
from policies.roles import SUPERVISOR
from tests import factories
from tests.browser.conftest import login, screenshot
from tests.browser.test_dashboard import LAST_MONTH, _wait_for, business  # noqa: F401  (fixture)


def test_the_lapsed_list_exported_and_the_export_log_supervisors_see(page, business):  # noqa: F811
    """The hotline's lapsed list of a month and branch (the dashboard's own drill-down list is
    tests/browser/test_dashboard.py's) as CSV and XLSX, each file logged where supervisors look."""
    login(page, "boss")
    last_day = (LAST_MONTH + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    page.goto(
        f"/hotline/?renewal=lapsed&end_from={LAST_MONTH:%Y-%m-%d}&end_to={last_day:%Y-%m-%d}"
        f"&branch={business['nanjing'].pk}"
    )
    assert page.get_by_test_id("export-buttons").is_visible()
    screenshot(page, "audit-list-with-export")

    downloads = []
    page.on("download", lambda download: downloads.append(download.suggested_filename))
    page.get_by_test_id("export-csv").click()
    _wait_for(page, lambda: downloads)
    assert downloads[0].endswith(".csv")
    # The file the link serves, read with the browser's session.
    href = page.get_by_test_id("export-csv").get_attribute("href")
    body = page.request.get(href).body()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "续保状态" and len(rows) == len(business["lapsed"]) + 1
    log = ExportLog.objects.order_by("pk").first()
    assert log.filters["renewal"] == "lapsed" and log.row_count == len(business["lapsed"]) and log.complete

    page.get_by_test_id("export-xlsx").click()
    _wait_for(page, lambda: len(downloads) == 2)
    assert downloads[1].endswith(".xlsx")

    page.goto("/admin/core/exportlog/")
    assert "续保状态清单" in page.locator("#result_list").inner_text()
    screenshot(page, "audit-export-log-admin")


def _supervisor():
    branch = factories.BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    return factories.UserFactory(
        username="boss", last_name="林", first_name="涛", branch=branch, role=SUPERVISOR
    )


def test_the_history_of_a_tariff_change_in_admin(page):
    _supervisor()
    rate, _ = BasePremiumRate.objects.get_or_create(
        category="FAMILY_LT6", valid_from=dt.date(2008, 2, 1),
        defaults={"amount": Decimal("950.00"), "source": "docs/regulation.md §1"},
    )  # fmt: skip
    rate.amount = Decimal("950.00")
    BasePremiumRate.objects.filter(pk=rate.pk).update(amount=rate.amount)
    login(page, "boss")
    page.goto(f"/admin/policies/basepremiumrate/{rate.pk}/change/")
    page.get_by_label("基础保费（元）").fill("960.00")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state("networkidle")
    # A change made outside the portal is caught too.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE policies_basepremiumrate SET source = 'docs/regulation.md §1（更正）' WHERE id = %s",
            [rate.pk],
        )

    page.goto(f"/admin/policies/basepremiumrate/{rate.pk}/change/")
    page.get_by_role("link", name="历史").click()
    page.wait_for_load_state("networkidle")
    table = page.get_by_test_id("history").inner_text()
    assert "950.00" in table and "960.00" in table and "boss" in table
    assert "门户之外" in table and "（更正）" in table
    screenshot(page, "audit-tariff-history")

    page.goto("/admin/history/?model=policies.basepremiumrate")
    actions = page.get_by_test_id("history").inner_text()
    assert page.get_by_test_id("change").count() >= 2 and "boss" in actions and "门户之外" in actions
    screenshot(page, "audit-history-search")


def test_the_history_of_a_policy_correction_in_admin(page):
    boss = _supervisor()
    policy = factories.PolicyFactory(
        branch=boss.branch, start_date=timezone.localdate() - dt.timedelta(days=30)
    )
    login(page, "boss")
    page.goto(f"/admin/policies/policy/{policy.pk}/change/")
    assert page.locator('input[name="premium"]').count() == 0  # money and dates are read-only here
    screenshot(page, "audit-policy-readonly")

    page.get_by_test_id("correct-policy").click()
    page.get_by_label("交强险保费（元）").fill("700.00")
    assert page.get_by_label("更正原因").get_attribute("required") is not None
    page.get_by_label("更正原因").fill("出单时保费录入错误")
    screenshot(page, "audit-policy-correct-form")
    page.get_by_role("button", name="确认更正").click()
    page.wait_for_load_state("networkidle")
    assert "已更正保单" in page.locator(".messagelist").inner_text()
    assert Policy.objects.get(pk=policy.pk).premium == Decimal("700.00")

    page.get_by_role("link", name="历史").click()
    page.wait_for_load_state("networkidle")
    table = page.get_by_test_id("history").inner_text()
    assert "保单更正：出单时保费录入错误" in table and "700.00" in table
    screenshot(page, "audit-policy-history")


def test_the_access_log_is_searched_by_customer_without_the_id_number_in_the_url(page, settings):
    settings.ACCESS_LOG_UNUSUAL = {"people": 3, "minutes": 60, "days": 7}
    boss = _supervisor()
    clerk = factories.UserFactory(username="clerk", last_name="王", first_name="敏", branch=boss.branch)
    wang = factories.PersonFactory(name="王芳", phone="13912345678")
    others = [factories.PersonFactory() for _ in range(3)]
    with connection.cursor() as cursor:
        for person in [wang, wang, *others]:
            cursor.execute(
                "INSERT INTO policies_personaccesslog (user_id, person_id, page, path, accessed_at, other_branch) "
                "VALUES (%s, %s, '柜面客户页', '/counter/', now(), false)",
                [clerk.pk, person.pk],
            )
    login(page, "boss")
    page.goto("/dashboard/access-log/")
    assert page.get_by_test_id("access-row").count() == 5
    page.get_by_label("客户").fill(wang.id_number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    assert wang.id_number not in page.url and "s=" in page.url
    assert page.get_by_test_id("access-row").count() == 2
    assert "王*" in page.get_by_test_id("access-log").inner_text()
    screenshot(page, "audit-access-log-search")

    page.get_by_label("员工用户名").fill("nobody")
    page.get_by_role("button", name="查询").click()
    assert "没有该用户名的员工" in page.locator("main").inner_text()

    # The clerk saw four customers within the hour: the scan finds it, the dashboard's panel names them.
    detect_bursts(now=timezone.now())
    page.goto("/dashboard/")
    panel = page.get_by_test_id("panel-unusual_access")
    panel.scroll_into_view_if_needed()
    assert "clerk" in panel.inner_text() and panel.get_by_test_id("burst").count() == 1
    panel.screenshot(path=str(screenshot(page, "audit-dashboard").with_name("audit-unusual-panel.png")))
    panel.get_by_role("link", name="clerk").click()
    page.wait_for_load_state("networkidle")
    assert "staff=clerk" in page.url and page.get_by_test_id("access-row").count() == 5


def test_every_supervisors_list_shows_its_export_buttons(page):
    boss = _supervisor()
    agent = factories.UserFactory(username="agent", branch=boss.branch, role="热线坐席")
    policy = factories.policy_ending(timezone.localdate() + dt.timedelta(days=7), branch=boss.branch)
    factories.make_claim(
        factories.PolicyFactory(branch=boss.branch, start_date=timezone.localdate() - dt.timedelta(days=30)),
        by=agent,
    )
    factories.TicketFactory(
        customer=policy.vehicle.owner, queue=factories.QueueFactory(branch=boss.branch), created_by=agent
    )
    factories.RenewalCallFactory(policy=policy)
    login(page, "boss")
    for url, name in [
        ("/claims/", "claims-queue"),
        ("/support/queue/", "support-queue"),
        (f"/hotline/calls/team/?branch={boss.branch.pk}", "hotline-team"),
        ("/reminders/failed/", "reminders-failed"),
    ]:
        page.goto(url)
        buttons = page.get_by_test_id("export-buttons")
        assert buttons.is_visible(), url
        assert (
            buttons.get_by_test_id("export-csv").is_visible()
            and buttons.get_by_test_id("export-xlsx").is_visible()
        )
        screenshot(page, f"audit-export-{name}")
