"""import_branches: `code,name,province,city`, all rows valid or nothing written."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from policies.models import Branch

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "branches.csv"


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_branches", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, text, *, bom=False, name="branches.csv"):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def test_sample_file_creates_branches_with_normalised_provinces():
    out, _ = run(SAMPLE)
    assert "新增 3，更新 0，未变 0" in out
    nanjing = Branch.objects.get(code="3201001")
    assert (nanjing.name, nanjing.province, nanjing.city) == ("南京新街口营业部", "江苏", "南京")
    assert Branch.objects.get(code="4601001").province == "海南"


def test_reimporting_the_same_file_changes_nothing():
    run(SAMPLE)
    before = list(Branch.objects.order_by("code").values())
    out, _ = run(SAMPLE)
    assert "新增 0，更新 0，未变 3" in out
    assert list(Branch.objects.order_by("code").values()) == before


def test_existing_code_is_updated(tmp_path):
    run(SAMPLE)
    out, _ = run(write(tmp_path, "code,name,province,city\n3201001,南京鼓楼营业部,江苏,南京\n"))
    assert "新增 0，更新 1，未变 0" in out
    assert Branch.objects.get(code="3201001").name == "南京鼓楼营业部"


@pytest.mark.parametrize(
    ("written", "stored"),
    [("广西壮族自治区", "广西"), ("北京市", "北京"), ("内蒙古自治区", "内蒙古"), ("新疆维吾尔自治区", "新疆"),
     ("宁夏回族自治区", "宁夏"), ("陕西省", "陕西"), ("苏", "江苏"), ("江　苏", "江苏")],
)  # fmt: skip
def test_full_province_names_are_normalised(tmp_path, written, stored):
    run(write(tmp_path, f"code,name,province,city\nX1,测试营业部,{written},某市\n"))
    assert Branch.objects.get(code="X1").province == stored


def test_bom_and_full_width_code_are_tolerated(tmp_path):
    run(write(tmp_path, "code,name,province,city\nＡＢ１,南宁营业部,广西,南宁\n", bom=True))
    assert Branch.objects.filter(code="AB1", province="广西").exists()


def test_a_bad_row_in_the_middle_writes_nothing_and_names_row_field_and_reason(tmp_path):
    path = write(
        tmp_path,
        "code,name,province,city\nA1,甲营业部,江苏,南京\nA2,乙营业部,台湾省,台北\nA3,丙营业部,浙江,杭州\nA1,丁营业部,浙江,宁波\n",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_branches", str(path), stdout=StringIO(), stderr=err)
    assert not Branch.objects.exists()
    report = err.getvalue()
    assert "第 3 行 province（省份）：省份“台湾省”不是 31 个省级行政区之一" in report
    assert "第 5 行 code（网点代码）：网点代码 A1 与第 2 行重复" in report


def test_wrong_header_is_refused(tmp_path):
    with pytest.raises(CommandError, match="表头不正确"):
        run(write(tmp_path, "code,name,city,province\nA1,甲,南京,江苏\n"))


def test_a_file_not_in_utf8_is_refused_with_advice(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("code,name,province,city\nA1,甲营业部,江苏,南京\n".encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8 编码"):
        run(path)
    assert not Branch.objects.exists()


def test_dry_run_validates_without_writing():
    out, _ = run(SAMPLE, "--dry-run")
    assert "未写入" in out
    assert not Branch.objects.exists()


def test_help_states_the_rule(capsys):
    with pytest.raises(SystemExit):
        call_command("import_branches", "--help")
    text = "".join(capsys.readouterr().out.split())  # argparse wraps the description
    assert "code,name,province,city" in text
    assert "不写入任何数据" in text
