"""The counter lookup: by driving licence / ID number, or by the vehicle licence's plate + VIN."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies.identifiers import id_check_char
from tests.factories import DrivingLicenceFactory, PersonFactory, PolicyFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db

LOOKUP = reverse("counter:home")
WANG_FANG_ID = "360426199101010071"  # docs/regulation.md §7, a valid ID number
ZHAO_LEI_ID = "11010519491231002X"  # docs/regulation.md §7, check character X
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


@pytest.fixture
def wang_fang(branch):
    person = PersonFactory(name="王芳", id_number=WANG_FANG_ID, phone="13912345678")
    DrivingLicenceFactory(holder=person, file_number="320100000123", classes="C1")
    vehicle = VehicleFactory(owner=person, plate="苏A12345", vin=make_vin(4242), engine_number="EA211-88731")
    PolicyFactory(vehicle=vehicle, branch=branch, start_date=dt.date(2025, 6, 1))
    return person


@pytest.fixture
def zhao_lei():
    return PersonFactory(name="赵磊", id_number=ZHAO_LEI_ID)


def person_page(person, vehicle=None):
    url = reverse("counter:person", args=[person.pk])
    return f"{url}?vehicle={vehicle.pk}#vehicle-{vehicle.pk}" if vehicle else url


def lookup(client, **data):
    return client.post(LOOKUP, {"number": "", "plate": "", "vin": "", "engine_number": "", **data})


def person_or_vehicle_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "policies_person" in q["sql"] or "policies_vehicle" in q["sql"]]


def test_lookup_page_shows_both_ways_to_look_up(clerk_client):
    page = clerk_client.get(LOOKUP).content.decode()
    for label in ("驾驶证号 / 身份证号", "号牌号码", "车辆识别代号（VIN）", "发动机号码（选填，用于核对）"):
        assert label in page


@pytest.mark.parametrize(
    "typed",
    [
        WANG_FANG_ID,
        "360426 19910101 0071",  # spaces
        "360426-19910101-0071",  # separators
        WANG_FANG_ID.translate(FULL_WIDTH),  # full-width digits from a Chinese IME
        f"  {WANG_FANG_ID}\t",
    ],
)
def test_lookup_by_id_number_forgives_how_it_was_typed(clerk_client, wang_fang, typed):
    response = lookup(clerk_client, number=typed)
    assert response.status_code == 302
    assert response["Location"] == person_page(wang_fang)


@pytest.mark.parametrize(
    "typed", ["11010519491231002x", "１１０１０５１９４９１２３１００２ｘ", "110105 19491231 002x"]
)
def test_lookup_accepts_a_lower_case_or_full_width_x_check_character(clerk_client, zhao_lei, typed):
    assert lookup(clerk_client, number=typed)["Location"] == person_page(zhao_lei)


def test_lookup_by_driving_licence_number_finds_its_holder(clerk_client, branch):
    """A licence whose holder's record carries it (the licence number is the holder's ID number)."""
    holder = PersonFactory(name="钱明")
    DrivingLicenceFactory(holder=holder)
    assert lookup(clerk_client, number=holder.licences.get().number)["Location"] == person_page(holder)


def test_lookup_by_licence_file_number(clerk_client, wang_fang):
    assert lookup(clerk_client, number="3201 0000 0123")["Location"] == person_page(wang_fang)
    assert lookup(clerk_client, number="３２０１００００ ０１２３")["Location"] == person_page(wang_fang)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("360426199101010072", "身份证号码校验位不正确，请核对最后一位（按号码计算应为 1）"),
        ("11010519491231002１", "身份证号码校验位不正确"),
        ("360426910101007", "15 位身份证号码已停止使用"),
        ("36042619910101007", "身份证号码应为 18 位"),
        ("360426199113010079", "出生日期无效"),
    ],
)
def test_a_bad_id_number_is_explained_before_any_search_runs(clerk_client, wang_fang, typed, message):
    with CaptureQueriesContext(connection) as queries:
        response = lookup(clerk_client, number=typed)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert person_or_vehicle_queries(queries) == []


def test_a_valid_but_unknown_id_number_is_said_clearly_with_what_to_check(clerk_client, wang_fang):
    first17 = "32010219800101123"
    unknown = first17 + id_check_char(first17)
    page = lookup(clerk_client, number=unknown).content.decode()
    assert f"未找到驾驶证号（身份证号）为 {unknown} 的客户" in page
    assert "也可改用行驶证上的号牌号码 + 车辆识别代号查询" in page
    assert "王芳" not in page


def test_a_plate_typed_in_the_licence_box_is_pointed_to_the_right_box(clerk_client):
    page = lookup(clerk_client, number="苏A12345").content.decode()
    assert "“苏A12345”是号牌号码" in page


@pytest.mark.parametrize(
    ("plate", "vin"),
    [
        ("苏A12345", None),
        ("苏a 12345", None),  # lower case, a space
        ("苏Ａ·１２３４５", None),  # full-width letters and digits, a separator
        ("苏A12345", "lower"),  # a lower-case VIN
        ("苏A12345", "full-width"),
    ],
)
def test_lookup_by_plate_and_vin_forgives_how_they_were_typed(clerk_client, wang_fang, plate, vin):
    vehicle = wang_fang.vehicles.get()
    typed_vin = {None: vehicle.vin, "lower": vehicle.vin.lower(), "full-width": vehicle.vin.translate(
        str.maketrans("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＲＳＴＵＶＷＸＹＺ")
    )}[vin]  # fmt: skip
    response = lookup(clerk_client, plate=plate, vin=typed_vin)
    assert response["Location"] == person_page(wang_fang, vehicle)


def test_the_engine_number_is_an_optional_extra_check(clerk_client, wang_fang):
    vehicle = wang_fang.vehicles.get()
    found = lookup(clerk_client, plate="苏A12345", vin=vehicle.vin, engine_number="ea211 88731")
    assert found["Location"] == person_page(wang_fang, vehicle)

    refused = lookup(clerk_client, plate="苏A12345", vin=vehicle.vin, engine_number="EA211-00000")
    assert refused.status_code == 200
    assert "发动机号码与该车登记信息不符" in refused.content.decode()


@pytest.mark.parametrize(
    ("plate", "message"),
    [
        ("苏A1234I", "格式不正确"),  # no I in the serial
        ("苏A1234", "格式不正确"),  # too short
        ("XA12345", "第一个字应为省份简称"),
        ("苏AO2345", "格式不正确"),  # no O
    ],
)
def test_an_impossible_plate_is_explained_before_any_search_runs(clerk_client, wang_fang, plate, message):
    vin = wang_fang.vehicles.get().vin
    with CaptureQueriesContext(connection) as queries:
        response = lookup(clerk_client, plate=plate, vin=vin)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert person_or_vehicle_queries(queries) == []


def test_a_china_made_vin_with_a_wrong_check_digit_is_explained_before_any_search_runs(
    clerk_client, wang_fang
):
    vin = wang_fang.vehicles.get().vin
    wrong = vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]
    with CaptureQueriesContext(connection) as queries:
        page = lookup(clerk_client, plate="苏A12345", vin=wrong).content.decode()
    assert f"车辆识别代号第 9 位校验位不正确（按号码计算应为 {vin[8]}）" in page
    assert person_or_vehicle_queries(queries) == []


def test_an_imported_vin_with_an_odd_check_digit_is_searched_and_the_doubt_is_said(clerk_client, wang_fang):
    page = lookup(clerk_client, plate="苏A12345", vin="1M8GDM9AYKP042788").content.decode()
    assert "未找到号牌号码与车辆识别代号同时相符的车辆" in page
    assert "进口车辆识别代号校验位与计算值 X 不符" in page


def test_a_plate_with_someone_elses_vin_reveals_neither_vehicle(clerk_client, wang_fang):
    """The plate is 王芳's, the VIN is 李强's: the clerk learns nothing about either car."""
    li_qiang = PersonFactory(name="李强", phone="13700001111")
    other = VehicleFactory(owner=li_qiang, plate="苏B67890", brand_model="丰田牌 TV7250")
    own = wang_fang.vehicles.get()

    for plate, vin in (("苏A12345", other.vin), ("苏B67890", own.vin)):
        response = lookup(clerk_client, plate=plate, vin=vin)
        page = response.content.decode()
        assert response.status_code == 200
        assert "未找到号牌号码与车辆识别代号同时相符的车辆" in page
        for secret in ("王芳", "李强", "丰田牌", own.engine_number, own.brand_model, "/counter/person/"):
            assert secret not in page


def test_plate_and_vin_unknown_says_what_to_check(clerk_client, wang_fang):
    page = lookup(clerk_client, plate="苏E99999", vin=make_vin(99)).content.decode()
    assert "请核对行驶证" in page
    assert "新车首次投保请按新保办理" in page


def test_plate_without_vin_asks_for_both(clerk_client):
    page = lookup(clerk_client, plate="苏A12345").content.decode()
    assert "按行驶证查询须同时填写车辆识别代号" in page


def test_both_ways_at_once_is_refused(clerk_client, wang_fang):
    page = lookup(clerk_client, number=WANG_FANG_ID, plate="苏A12345", vin=make_vin(1)).content.decode()
    assert "请只按一种方式查询" in page


def test_an_empty_lookup_says_what_to_enter(clerk_client):
    page = lookup(clerk_client).content.decode()
    assert "请输入驾驶证号（身份证号），或行驶证上的号牌号码和车辆识别代号" in page


def test_the_id_number_stays_out_of_the_url(clerk_client, wang_fang):
    assert WANG_FANG_ID not in lookup(clerk_client, number=WANG_FANG_ID)["Location"]


def session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "django_session"')]


def test_lookup_runs_a_fixed_number_of_queries(clerk_client, wang_fang, django_assert_max_num_queries):
    # A lookup reads the session, the user, 2 × permissions and the person or the vehicle; the
    # first that finds a customer grants them to the session (policies.access.grant_person), a
    # session save: SAVEPOINT, UPDATE "django_session", RELEASE SAVEPOINT. Finding them again
    # writes nothing (accounts' tests count the same with the cached session and permissions).
    vin = wang_fang.vehicles.get().vin
    with django_assert_max_num_queries(8) as first:
        assert lookup(clerk_client, number=WANG_FANG_ID).status_code == 302
    assert len(session_writes(first.captured_queries)) == 1  # the grant, written once
    with django_assert_max_num_queries(5) as by_number:
        assert lookup(clerk_client, number=WANG_FANG_ID).status_code == 302
    with django_assert_max_num_queries(5) as by_vehicle:
        assert lookup(clerk_client, plate="苏A12345", vin=vin).status_code == 302
    for captured in (by_number, by_vehicle):
        assert session_writes(captured.captured_queries) == []  # already granted
