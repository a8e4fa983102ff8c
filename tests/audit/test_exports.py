"""Exports of the supervisors' lists (core.exports): the list's filters applied, streamed,
personal data masked unless exported in full (then logged as full views), every export logged."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from core.clock import today
from core.exports import cell, list_filters, read_csv
from core.models import ExportLog
from policies.choices import RenewalStatus
from policies.models import PersonAccessLog
from tests.factories import CustomerFactory, UserFactory, policy_ending

pytestmark = pytest.mark.django_db

EXPORT = reverse("hotline:export")


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def due_and_lapsed(branch):
    """Three vehicles due within the month and one lapsed, all of the supervisor's branch."""
    day = today()
    due = [
        policy_ending(day + dt.timedelta(days=5 + n), branch=branch, owner=CustomerFactory(name=f"张{n}丰"))
        for n in range(3)
    ]
    lapsed = policy_ending(day - dt.timedelta(days=20), branch=branch)
    return due, lapsed


def test_the_csv_export_lists_the_filtered_rows_masked(supervisor_client, due_and_lapsed):
    due, lapsed = due_and_lapsed
    response = supervisor_client.get(EXPORT, {"renewal": RenewalStatus.DUE, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(body(response))
    assert rows[0][:3] == ["续保状态", "号牌号码", "车主"]
    numbers = {row[6] for row in rows[1:]}
    assert numbers == {p.number for p in due}  # the lapsed vehicle is filtered out
    owner = due[0].vehicle.owner
    text = "\n".join(",".join(r) for r in rows)
    assert owner.id_number not in text and owner.phone not in text and owner.name not in text
    assert "张**" in text

    log = ExportLog.objects.get()
    assert (log.list_name, log.format, log.row_count, log.complete, log.full) == (
        "hotline_status", "csv", 3, True, False,
    )  # fmt: skip
    assert log.filters == {"renewal": "due"}
    assert not PersonAccessLog.objects.exists()  # masked: no full view


def test_the_xlsx_export_is_a_workbook_with_money_as_numbers(supervisor_client, due_and_lapsed):
    response = supervisor_client.get(EXPORT, {"renewal": RenewalStatus.LAPSED, "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "续保状态" and len(rows) == 2
    assert rows[1][0] == "已脱保" or rows[1][0] == RenewalStatus.LAPSED.label
    assert isinstance(rows[1][11], float)
    assert ExportLog.objects.get().row_count == 1


def test_an_export_reads_a_constant_number_of_queries(
    supervisor_client, due_and_lapsed, branch, django_assert_max_num_queries
):
    for n in range(20):
        policy_ending(today() + dt.timedelta(days=3 + n % 20), branch=branch)
    # session, user, device, permissions ×2, tariffs ×6, the page's first rows and count (the
    # desk's results, unused here), log, cursor, log update
    with django_assert_max_num_queries(16):
        body(supervisor_client.get(EXPORT, {"renewal": RenewalStatus.DUE, "export": "csv"}))
    assert ExportLog.objects.get().row_count == 23


def test_an_agent_cannot_export(agent_client, due_and_lapsed):
    assert agent_client.get(EXPORT, {"renewal": "due", "export": "csv"}).status_code == 403
    assert not ExportLog.objects.exists()


def test_a_full_export_needs_its_own_permission(supervisor_client, due_and_lapsed):
    response = supervisor_client.get(EXPORT, {"renewal": "due", "export": "csv", "full": "1"})
    assert response.status_code == 403
    assert not ExportLog.objects.exists()


def test_a_full_export_is_logged_as_a_full_view_of_each_person(client, branch, due_and_lapsed):
    due, _ = due_and_lapsed
    boss = UserFactory(branch=branch, role="主管")
    boss.user_permissions.add(Permission.objects.get(codename="export_full_personal_data"))
    client.force_login(boss)
    rows = read_csv(body(client.get(EXPORT, {"renewal": "due", "export": "csv", "full": "1"})))
    owner = due[0].vehicle.owner
    assert [owner.name, owner.phone, owner.id_number] in [r[2:5] for r in rows]
    views = PersonAccessLog.objects.filter(user=boss)
    assert sorted(views.values_list("person_id", flat=True)) == sorted(p.vehicle.owner_id for p in due)
    assert set(views.values_list("page", "other_branch")) == {("导出：续保状态清单", False)}
    assert ExportLog.objects.get().full


def test_without_filters_nothing_is_exported(supervisor_client):
    response = supervisor_client.get(EXPORT, {"export": "csv"})
    assert response.status_code == 302
    assert not ExportLog.objects.exists()


def test_cells_are_made_safe_for_spreadsheets():
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("-12.5") == "-12.5"
    assert cell(None) == "" and cell(True) == "是"
    assert cell(dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)) == "2026-01-01 08:30:00"


def test_logged_filters_leave_out_paging_and_the_export_itself():
    assert list_filters({"renewal": "due", "page": "3", "export": "csv", "branch": ""}) == {"renewal": "due"}
