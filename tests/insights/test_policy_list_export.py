"""The supervisors' policy list (the dashboard's drill-down) exported: the policies the list
shows for the same figure, months and filters, masked unless exported in full, every export
logged, in a constant number of queries."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import read_csv
from core.masking import mask_name, mask_plate
from core.models import ExportLog
from policies.models import PersonAccessLog
from policies.pricing import add_months
from tests import factories
from tests.insights import test_drilldown as drilldown
from tests.insights.test_drilldown import FILTERS, MONTH, THIS_MONTH, _policy, _renew

pytestmark = pytest.mark.django_db

month_book = drilldown.month_book  # the drill-down's book: the export lists what the list lists

EXPORT = reverse("dashboard_policies_export")
LAPSED = {"kind": "lapsed", "start": f"{MONTH:%Y-%m}", **FILTERS}


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response.streaming
    return b"".join(response.streaming_content)


def test_the_lapse_export_lists_what_the_list_lists_masked(supervisor_client, month_book, branch):
    rows = read_csv(body(supervisor_client.get(EXPORT, {**LAPSED, "export": "csv"})))
    assert rows[0] == [
        "保单号",
        "号牌号码",
        "车主",
        "车辆类别",
        "承保网点",
        "销售渠道",
        "保险起期",
        "保险止期",
        "期满后",
    ]
    lapsed, late = month_book["lapsed"], month_book["late"]
    assert [r[0] for r in rows[1:]] == [late.number, lapsed.number]  # the list's order: by end date
    listed = supervisor_client.get(reverse("dashboard_policies"), LAPSED).content.decode()
    assert all(r[0] in listed for r in rows[1:])
    text = "\n".join(",".join(r) for r in rows)
    for policy in (late, lapsed):
        assert policy.vehicle.plate not in text and policy.vehicle.owner.name not in text
    row = dict(zip(rows[0], rows[2], strict=True))
    assert (row["号牌号码"], row["车主"]) == (
        mask_plate(lapsed.vehicle.plate),
        mask_name(lapsed.vehicle.owner.name),
    )
    assert (row["承保网点"], row["销售渠道"], row["保险止期"], row["期满后"]) == (
        branch.name, "柜面", f"{lapsed.end_date:%Y-%m-%d}", "未续保",
    )  # fmt: skip
    late_row = dict(zip(rows[0], rows[1], strict=True))
    renewal = month_book["late_renewal"]
    assert late_row["期满后"] == f"{renewal.start_date:%Y-%m-%d} 起续保（止期后 31 天）（超过宽限期）"
    log = ExportLog.objects.get()
    assert (log.list_name, log.format, log.row_count, log.complete, log.full) == (
        "dashboard_policies", "csv", 2, True, False,
    )  # fmt: skip
    assert log.filters == {"kind": "lapsed", "start": f"{MONTH:%Y-%m}", **FILTERS}
    assert not PersonAccessLog.objects.exists()  # masked: no full view


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "renewed"}, ["on_time"]),
        ({"kind": "lapsed", "channel": "app", "category": ""}, ["app"]),
        ({"kind": "lapsed", "channel": "", "category": "TAXI_LT6"}, ["taxi"]),
        ({"kind": "lapsed", "channel": "", "category": ""}, ["late", "lapsed", "app", "taxi"]),
    ],
)
def test_the_export_applies_the_lists_filters(supervisor_client, month_book, filters, expected):
    rows = read_csv(body(supervisor_client.get(EXPORT, {**LAPSED, **filters, "export": "csv"})))
    assert sorted(r[0] for r in rows[1:]) == sorted(month_book[name].number for name in expected)
    assert month_book["haikou"].number not in {r[0] for r in rows}  # another branch: out of scope


def test_the_xlsx_export_is_a_masked_workbook(supervisor_client, month_book, branch):
    response = supervisor_client.get(EXPORT, {**LAPSED, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["保单号", "号牌号码", "车主"]
    assert [r[0] for r in rows[1:]] == [month_book["late"].number, month_book["lapsed"].number]
    lapsed = month_book["lapsed"]
    assert lapsed.vehicle.plate not in rows[2] and lapsed.vehicle.owner.name not in rows[2]
    assert "*" in rows[2][1] and "*" in rows[2][2] and rows[2][4] == branch.name
    assert ExportLog.objects.get().format == "xlsx"


def test_a_full_export_shows_the_owners_and_logs_each_as_a_full_view(client, branch, month_book):
    boss = factories.UserFactory(branch=branch, role="主管")
    client.force_login(boss)
    assert client.get(EXPORT, {**LAPSED, "export": "csv", "full": "1"}).status_code == 403
    boss.user_permissions.add(Permission.objects.get(codename="export_full_personal_data"))
    rows = read_csv(body(client.get(EXPORT, {**LAPSED, "export": "csv", "full": "1"})))
    lapsed = month_book["lapsed"]
    assert [lapsed.number, lapsed.vehicle.plate, lapsed.vehicle.owner.name] == rows[2][:3]
    views = PersonAccessLog.objects.filter(user=boss)
    assert sorted(views.values_list("person_id", flat=True)) == sorted(
        month_book[name].vehicle.owner_id for name in ("late", "lapsed")
    )
    assert set(views.values_list("page", flat=True)) == {"导出：保单明细"}
    assert ExportLog.objects.get().full


def test_a_wrong_filter_exports_the_header_only(supervisor_client, month_book):
    rows = read_csv(body(supervisor_client.get(EXPORT, {**LAPSED, "channel": "fax", "export": "csv"})))
    assert len(rows) == 1
    assert ExportLog.objects.get().row_count == 0


def test_without_a_format_the_export_goes_back_to_the_list(supervisor_client):
    assert supervisor_client.get(EXPORT, LAPSED).status_code == 302
    assert not ExportLog.objects.exists()


def test_only_dashboard_viewers_export_the_list(client, counter_clerk, hotline_agent, month_book):
    for user in (counter_clerk, hotline_agent):
        client.force_login(user)
        assert client.get(EXPORT, {**LAPSED, "export": "csv"}).status_code == 403
    client.logout()
    assert client.get(EXPORT, {**LAPSED, "export": "csv"}).status_code == 302  # to the sign-in
    assert not ExportLog.objects.exists()


def test_the_list_shows_export_links_with_its_filters(supervisor_client, month_book):
    page = supervisor_client.get(reverse("dashboard_policies"), {**LAPSED, "after": "2026-01-01~1"})
    html = page.content.decode()
    assert 'data-testid="export-csv"' in html and 'data-testid="export-xlsx"' in html
    link = html.split('data-testid="export-csv"')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    assert link.startswith(EXPORT) and "kind=lapsed" in link and "channel=counter" in link
    assert "after=" not in link  # the whole list, not its page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_reads_a_constant_number_of_queries(
    supervisor_client, month_book, branch, fmt, django_assert_max_num_queries
):
    params = {"kind": "lapsed", "start": f"{add_months(MONTH, -1):%Y-%m}", "end": f"{THIS_MONTH:%Y-%m}"}
    with django_assert_max_num_queries(30) as few:
        body(supervisor_client.get(EXPORT, {**params, "export": fmt}))
    for i in range(30):
        _renew(_policy(branch, end=MONTH + dt.timedelta(days=10 + i % 15)), after_days=40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body(supervisor_client.get(EXPORT, {**params, "export": fmt}))
    assert ExportLog.objects.order_by("-pk").first().row_count == 35
