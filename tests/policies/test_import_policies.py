"""import_policies: every row validated first, nothing written if any is bad, renewal chains
built from rows in any order, premium parts from the tariff book, idempotent re-import."""

import csv
import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from policies.importing import POLICY_HEADER
from policies.models import Person, Policy, Vehicle
from tests.factories import BranchFactory, PersonFactory, PolicyFactory, VehicleFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "policies.csv"
ZHANG = "320102198506151236"
VIN_1 = "LSVAB2C08RA000001"


@pytest.fixture
def branches():
    call_command("import_branches", str(DATA / "branches.csv"), stdout=StringIO())


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(tmp_path, rows: list[dict], *, bom=False, name="policies.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=POLICY_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_policies", str(path), "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_policies", str(path), "--no-progress", stdout=StringIO(), stderr=err)
    return err.getvalue()


def snapshot():
    return (
        list(Policy.objects.order_by("pk").values()),
        list(Person.objects.order_by("pk").values("pk", "name", "id_number", "phone")),
        list(Vehicle.objects.order_by("pk").values("pk", "vin", "plate", "owner_id")),
    )


def test_good_file_creates_people_vehicles_and_policies(branches):
    out, _ = run(SAMPLE)
    assert "新增 6，更新 0，未变 0" in out
    assert (Person.objects.count(), Vehicle.objects.count(), Policy.objects.count()) == (3, 4, 6)
    zhang = Person.objects.get(id_number=ZHANG)
    assert sorted(zhang.vehicles.values_list("plate", flat=True)) == ["苏A12345", "苏A6789B"]
    for policy in Policy.objects.select_related("vehicle"):
        assert policy.imported
        assert policy.policyholder_id == policy.insured_id == policy.vehicle.owner_id
        assert policy.vehicle_tax == 0 and policy.total == policy.premium


def test_rows_of_one_vehicle_in_any_order_build_the_renewal_chain_and_float(branches):
    run(SAMPLE)
    chain = list(Policy.objects.filter(vehicle__vin=VIN_1).order_by("start_date"))
    assert [p.number for p in chain] == ["JQX20230000000101", "JQX20240000000102", "JQX20250000000103"]
    assert [p.renewed_from_id for p in chain] == [None, chain[0].pk, chain[1].pk]
    # docs/regulation.md §2 plan E (江苏): first year A0; a clean year → A1; one at-fault accident → A4.
    assert [p.floating_reason for p in chain] == ["A0", "A1", "A4"]
    assert [p.floating_rate for p in chain] == [Decimal("0.00"), Decimal("-0.10"), Decimal("0.00")]
    assert {(p.base_premium, p.floating_plan) for p in chain} == {(Decimal("950.00"), "E")}


def test_cancelled_row_keeps_its_stop_date_as_end_and_cancellation_date(branches):
    run(SAMPLE)
    cancelled = Policy.objects.get(number="JQX20250000000301")
    assert cancelled.status == "cancelled"
    assert cancelled.end_date == cancelled.cancelled_on == dt.date(2025, 9, 30)
    assert cancelled.base_premium == Decimal("1470.00")  # TRUCK_2_5, docs/regulation.md §1


def test_electric_vehicle_has_no_displacement_and_imported_vin_warns(branches):
    out, _ = run(SAMPLE)
    assert Vehicle.objects.get(plate="粤BD12345").displacement_l is None
    assert "提示：第 7 行 vin（车辆识别代号）：进口车辆识别代号校验位与计算值" in out
    assert Policy.objects.get(number="JQX20260000000401").floating_plan == "A"  # 海南


def test_bom_is_tolerated(branches, tmp_path):
    out, _ = run(write(tmp_path, sample_rows(), bom=True))
    assert "新增 6" in out


def test_full_width_and_lower_case_input_is_normalised(branches, tmp_path):
    row = sample_rows()[2] | {
        "policy_number": "jqx2025 0000000201",
        "holder_id_number": " 11010519491231002x ",
        "holder_name": "李 娜",
        "holder_phone": "+86 138-0013-8000",
        "plate": "粤ｂ ｄ１２３４５",
        "vin": "lgxce4cb9s1000002",
        "vehicle_category": "family_lt6",
        "energy": "ELECTRIC",
        "premium": "９５０",
        "status": "IN_FORCE",
    }
    run(write(tmp_path, [row]))
    policy = Policy.objects.select_related("vehicle", "policyholder").get()
    assert policy.number == "JQX20250000000201"
    assert policy.policyholder.id_number == "11010519491231002X"
    assert (policy.policyholder.name, policy.policyholder.phone) == ("李娜", "13800138000")
    assert (policy.vehicle.plate, policy.vehicle.vin) == ("粤BD12345", "LGXCE4CB9S1000002")
    assert (policy.vehicle.premium_category, policy.vehicle.energy_type) == ("FAMILY_LT6", "electric")
    assert policy.premium == Decimal("950.00")


def test_a_bad_row_in_the_middle_writes_nothing_and_names_row_field_and_reason(branches, tmp_path):
    rows = sample_rows()
    rows[2]["holder_id_number"] = "440304199002034567"  # wrong check character
    rows[3]["premium"] = "-5"
    report = run_failing(write(tmp_path, rows))
    assert (Person.objects.count(), Vehicle.objects.count(), Policy.objects.count()) == (0, 0, 0)
    assert "第 4 行 holder_id_number（身份证号码）：身份证号码校验位不正确" in report
    assert "第 5 行 premium（保费）：金额须大于 0。" in report


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ({"branch_code": "9999"}, "branch_code", "网点代码 9999 不存在"),
        ({"vehicle_category": "TRACTOR"}, "vehicle_category", "不是费率表中的代码"),
        ({"energy": "diesel"}, "energy", "能源类型“diesel”无效"),
        ({"status": "lapsed"}, "status", "状态“lapsed”无效"),
        ({"start_date": "2025/03/01"}, "start_date", "格式不正确，应为 YYYY-MM-DD"),
        ({"end_date": "2025-02-01"}, "end_date", "早于起期"),
        ({"end_date": "2026-03-01"}, "end_date", "保险期间超过一年"),
        ({"at_fault_claims": "0", "fatal_claims": "1"}, "fatal_claims", "有责死亡事故 1 次多于有责事故 0 次"),
        ({"plate": "苏A1234挂"}, "plate", "挂车自 2013 年 3 月 1 日起不再投保交强险"),
        ({"vin": "LSVAB2C07RA000001"}, "vin", "第 9 位校验位不正确"),
        ({"displacement_l": ""}, "displacement_l", "燃油及混合动力乘用车须填写排量"),
        ({"registration_date": "2999-01-01"}, "registration_date", "注册日期晚于今天"),
    ],
)
def test_each_kind_of_bad_value_is_reported(branches, tmp_path, change, column, reason):
    rows = sample_rows()
    rows[0] |= change
    report = run_failing(write(tmp_path, rows))
    assert f"第 2 行 {column}" in report
    assert reason in report
    assert not Policy.objects.exists()


def test_trailer_plate_is_refused(branches, tmp_path):
    rows = [sample_rows()[4] | {"plate": "苏A6789挂"}]
    report = run_failing(write(tmp_path, rows))
    assert "第 2 行 plate（号牌号码）：挂车自 2013 年 3 月 1 日起不再投保交强险" in report


def test_overlapping_rows_of_one_vehicle_are_refused(branches, tmp_path):
    rows = sample_rows()
    rows[3]["start_date"], rows[3]["end_date"] = "2023-06-01", "2024-05-31"  # inside 2023-03-01..2024-02-29
    report = run_failing(write(tmp_path, rows))
    assert "第 5 行 start_date（保险起期）：与第 3 行保单 JQX20230000000101" in report
    assert "保险期间重叠" in report


def test_duplicate_numbers_and_inconsistent_people_and_vehicles_are_refused(branches, tmp_path):
    rows = sample_rows()
    rows.append(dict(rows[0]))  # row 8: the same policy twice
    rows[1]["holder_name"] = "张卫"  # row 3: another name for the same ID number
    rows[3]["vehicle_category"] = "FAMILY_GE6"  # row 5: another category for the same VIN
    report = run_failing(write(tmp_path, rows))
    assert "第 8 行 policy_number（保单号）：保单号 JQX20250000000103 与第 2 行重复" in report
    assert "第 3 行 holder_name（投保人姓名）" in report and "同一人须一致" in report
    assert "第 5 行 vehicle_category（车辆类别）" in report and "同一车辆须一致" in report


def test_reimporting_the_same_file_changes_nothing(branches):
    run(SAMPLE)
    before = snapshot()
    out, _ = run(SAMPLE)
    assert "新增 0，更新 0，未变 6" in out
    assert "客户新增 0" in out and "车辆新增 0" in out
    assert snapshot() == before


def test_a_corrected_file_updates_the_policy_and_the_floating_of_later_years(branches, tmp_path):
    run(SAMPLE)
    rows = sample_rows()
    rows[3]["at_fault_claims"] = "0"  # 2024 was clean after all
    out, _ = run(write(tmp_path, rows))
    assert "新增 0，更新 2，未变 4" in out
    assert Policy.objects.get(number="JQX20250000000103").floating_reason == "A2"


def test_chain_joins_policies_already_in_the_database(branches, tmp_path):
    owner = PersonFactory(name="张伟", id_number=ZHANG, phone="")
    vehicle = VehicleFactory(
        owner=owner, vin=VIN_1, plate="苏A12345", engine_number="EA211001", premium_category="FAMILY_LT6",
        displacement_l=Decimal("1.5"), energy_type="fuel", registration_date=dt.date(2019, 2, 20),
    )  # fmt: skip
    branch = BranchFactory(code="3201001")
    older = PolicyFactory(vehicle=vehicle, branch=branch, number="JQX2022OLD", start_date=dt.date(2022, 3, 1))
    newer = PolicyFactory(
        vehicle=vehicle,
        branch=branch,
        number="JQX2026NEW",
        start_date=dt.date(2026, 3, 1),
        floating_reason="A3",
    )
    rows = [r for r in sample_rows() if r["vin"] == VIN_1]
    out, _ = run(write(tmp_path, rows))
    assert "新增 3" in out and "客户新增 0（补充手机号 1）" in out and "车辆新增 0" in out
    assert "已有保单调整续保关联 1" in out
    chain = list(vehicle.policies.order_by("start_date"))
    assert [p.number for p in chain] == [
        "JQX2022OLD",
        *sorted(r["policy_number"] for r in rows),
        "JQX2026NEW",
    ]
    assert [p.renewed_from_id for p in chain[1:]] == [p.pk for p in chain[:-1]]
    assert chain[1].floating_reason == "A1"  # 2022 was a clean year on record
    newer.refresh_from_db()
    assert newer.floating_reason == "A3"  # issued at the counter: what was charged stays
    assert Person.objects.get(pk=owner.pk).phone == "13912345678"
    assert older.successor.number == "JQX20230000000101"


def test_reimport_after_a_counter_renewal_changes_nothing(branches):
    run(SAMPLE)
    last = Policy.objects.get(number="JQX20250000000103")
    renewal = PolicyFactory(
        vehicle=last.vehicle, branch=last.branch, renewed_from=last, number="JQX2026COUNTER",
        start_date=dt.date(2026, 3, 1), floating_reason="A4",
    )  # fmt: skip
    before = snapshot()
    out, _ = run(SAMPLE)
    assert "未变 6" in out and "已有保单调整续保关联 0" in out
    assert snapshot() == before
    renewal.refresh_from_db()
    assert renewal.renewed_from_id == last.pk


def test_cover_overlapping_a_policy_in_the_database_is_refused(branches, tmp_path):
    vehicle = VehicleFactory(
        owner=PersonFactory(name="张伟", id_number=ZHANG), vin=VIN_1, plate="苏A12345",
        engine_number="EA211001", displacement_l=Decimal("1.5"), registration_date=dt.date(2019, 2, 20),
    )  # fmt: skip
    PolicyFactory(vehicle=vehicle, number="JQX2024DB", start_date=dt.date(2024, 6, 1))
    report = run_failing(write(tmp_path, sample_rows()))
    assert "与系统中保单 JQX2024DB（2024-06-01 至 2025-05-31）的保险期间重叠" in report
    assert Policy.objects.count() == 1


def test_person_on_record_under_another_name_is_refused(branches, tmp_path):
    PersonFactory(name="张薇", id_number=ZHANG)
    report = run_failing(write(tmp_path, sample_rows()))
    assert "在系统中登记的姓名为“张薇”" in report


def test_the_report_is_capped_but_every_row_is_validated(branches, tmp_path):
    row = sample_rows()[0]
    rows = [row | {"policy_number": f"BAD{i:05d}", "holder_id_number": "123"} for i in range(230)]
    report = run_failing(write(tmp_path, rows))
    assert report.count("holder_id_number（身份证号码）") == 200
    assert "另有 30 处未列出" in report


def test_dry_run_validates_without_writing(branches):
    out, _ = run(SAMPLE, "--dry-run")
    assert "校验通过（未写入）：新增 6" in out
    assert not Policy.objects.exists()


def test_help_states_the_rule(capsys):
    with pytest.raises(SystemExit):
        call_command("import_policies", "--help")
    text = "".join(capsys.readouterr().out.split())  # argparse wraps the description
    assert ",".join(POLICY_HEADER) in text
    assert "不写入任何数据" in text and "重复导入同一文件不改变数据" in text
