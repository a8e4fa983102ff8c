"""The hotline's search box: every kind of key — exact, normalised, ambiguous, not found,
mistyped — through the page an agent uses; personal data masked in the results."""

import re

import pytest
from django.urls import reverse

from desks.hotline.search import search
from policies.choices import RenewalStatus
from policies.identifiers import vin_check_char
from policies.search import TermKind
from tests.factories import PersonFactory, PolicyFactory, VehicleFactory, make_id_number, make_vin
from tests.grants import results_url
from tests.policies.hotline_callers import WANG_FANG_ID, WANG_FANG_PHONE, make_wang_fang

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang_fang(branch, other_branch):
    return make_wang_fang(branch, other_branch)


HOME = reverse("hotline:home")


def ask(client, term, **filters):
    """Search as the agent does: post the box; the answer is the results page."""
    response = client.post(HOME, {"q": term, **filters})
    assert response.status_code == 200
    return response


def rows(page: str) -> dict[str, str]:
    """vehicle id → renewal status of each result row."""
    return dict(re.findall(r'<tr[^>]*data-vehicle="(\d+)"[^>]*data-status="(\w+)"', page))


def plates(person) -> dict[str, int]:
    return {v.plate: v.pk for v in person.vehicles.all()}


# --- Each key, exact ---------------------------------------------------------------------


def test_a_phone_number_finds_the_customer_and_every_vehicle_with_its_status(agent_client, wang_fang):
    page = ask(agent_client, WANG_FANG_PHONE).content.decode()
    cars = plates(wang_fang)
    assert rows(page) == {
        str(cars["苏A20001"]): RenewalStatus.DUE,
        str(cars["苏A20002"]): RenewalStatus.IN_FORCE,
        str(cars["苏A20003"]): RenewalStatus.LAPSED,
        str(cars["苏A20004"]): RenewalStatus.RENEWED,
        str(cars["苏A20005"]): RenewalStatus.CANCELLED,
    }
    assert "为手机号" in page and "按手机号找到 1 位客户、6 辆车" in page
    assert reverse("hotline:customer", args=[wang_fang.pk]) in page
    assert "共 <strong>5</strong> 辆车" in page
    # The car never insured with us has no row, and says so.
    assert "本公司无保单的车辆" in page and "苏A***06" in page


def test_an_id_number_finds_the_customer(agent_client, wang_fang):
    page = ask(agent_client, WANG_FANG_ID).content.decode()
    assert len(rows(page)) == 5
    assert "按身份证号找到 1 位客户" in page


def test_a_plate_finds_just_that_vehicle(agent_client, wang_fang):
    page = ask(agent_client, "苏A20003").content.decode()
    assert rows(page) == {str(plates(wang_fang)["苏A20003"]): RenewalStatus.LAPSED}
    assert "为号牌号码" in page


def test_a_vin_finds_the_vehicle(agent_client, wang_fang):
    page = ask(agent_client, make_vin(90002)).content.decode()
    assert rows(page) == {str(plates(wang_fang)["苏A20002"]): RenewalStatus.IN_FORCE}


def test_an_old_policy_number_finds_its_vehicle_shown_with_the_latest_policy(agent_client, wang_fang):
    car = wang_fang.vehicles.get(plate="苏A20004")
    first, latest = car.policies.order_by("start_date")
    page = ask(agent_client, first.number).content.decode()
    assert rows(page) == {str(car.pk): RenewalStatus.RENEWED}
    assert latest.number in page and first.number in page
    assert "每车显示最新保单" in page


def test_a_name_finds_everyone_whose_name_begins_with_it(agent_client, wang_fang):
    PersonFactory(name="王芳芳")
    PersonFactory(name="汪芳")
    page = ask(agent_client, "王芳").content.decode()
    assert "按姓名找到 2 位客户" in page
    assert page.count('data-testid="person-link"') == 2
    assert "王*" in page and "王**" in page


def test_a_name_without_its_middle_dot_finds_the_name_alike(agent_client, branch):
    person = PersonFactory(name="阿依古丽·买买提")
    PolicyFactory(vehicle=VehicleFactory(owner=person), branch=branch)
    page = ask(agent_client, "阿依古丽买买提").content.decode()
    assert "姓名相近" in page
    assert reverse("hotline:customer", args=[person.pk]) in page
    assert len(rows(page)) == 1


# --- Normalised as the counter does -------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "plate"),
    [
        (" 苏a 20001 ", "苏A20001"),  # spaces and lower case
        ("苏Ａ２０００２", "苏A20002"),  # full-width, as a Chinese IME types
        ("苏A-20003", "苏A20003"),  # a separator
    ],
)
def test_plates_are_normalised_before_the_search(agent_client, wang_fang, typed, plate):
    page = ask(agent_client, typed).content.decode()
    assert list(rows(page)) == [str(plates(wang_fang)[plate])]


@pytest.mark.parametrize("typed", ["+86 139 1234 0001", "１３９１２３４０００１", "139-1234-0001"])
def test_phone_numbers_are_normalised(agent_client, wang_fang, typed):
    assert len(rows(ask(agent_client, typed).content.decode())) == 5


def test_a_lower_case_vin_and_id_number_are_found(agent_client, wang_fang):
    assert len(rows(ask(agent_client, make_vin(90001).lower()).content.decode())) == 1
    assert len(rows(ask(agent_client, f" {WANG_FANG_ID[:6]} {WANG_FANG_ID[6:]} ").content.decode())) == 5


# --- Ambiguous ------------------------------------------------------------------------------


def test_an_id_number_that_is_also_a_policy_number_is_searched_as_both(agent_client, wang_fang):
    page = ask(agent_client, WANG_FANG_ID).content.decode()
    assert "可能是身份证号或保单号" in page
    assert re.search(r'data-testid="kind-id_number">按身份证号找到 1 位客户', page)
    assert re.search(r'data-testid="kind-policy_number">按保单号未找到', page)


def test_a_policy_number_that_reads_as_an_id_number_says_which_matched(agent_client, branch):
    number = make_id_number(424242, area="110105")  # a valid ID number nobody has
    policy = PolicyFactory(number=number, branch=branch)
    page = ask(agent_client, number).content.decode()
    assert re.search(r'data-testid="kind-policy_number">按保单号找到 1 辆车', page)
    assert re.search(r'data-testid="kind-id_number">按身份证号未找到', page)
    assert list(rows(page)) == [str(policy.vehicle_id)]


def test_seventeen_digits_are_searched_as_a_vin_and_as_a_policy_number(branch):
    body = "12345678" + "0" + "12345678"
    vin = body[:8] + vin_check_char(body) + body[9:]
    car = VehicleFactory(vin=vin)
    other = PolicyFactory(number="20260000000000017", branch=branch)
    by_vin = search(vin)
    assert [(m.kind, m.found) for m in by_vin.matches] == [
        (TermKind.VIN, True),
        (TermKind.POLICY_NUMBER, False),
    ]
    assert by_vin.vehicle_ids == [car.pk]
    by_number = search(other.number)
    assert [(m.kind, m.found) for m in by_number.matches] == [
        (TermKind.VIN, False),
        (TermKind.POLICY_NUMBER, True),
    ]
    assert by_number.vehicle_ids == [other.vehicle_id]


# --- Nothing found; mistyped ------------------------------------------------------------------


def test_no_result_says_so_and_what_to_check(agent_client, wang_fang):
    page = ask(agent_client, "13700000000").content.decode()
    assert 'data-testid="not-found"' in page
    assert "未找到与“13700000000”相符的客户或车辆（按手机号查询）" in page
    assert "客户可能登记了其他号码" in page
    assert 'data-testid="results"' not in page


def test_an_id_number_with_a_wrong_check_digit_is_explained_in_chinese(agent_client, wang_fang):
    wrong = WANG_FANG_ID[:17] + ("0" if WANG_FANG_ID[17] != "0" else "1")
    page = ask(agent_client, wrong).content.decode()
    assert "身份证号码校验位不正确" in page
    assert f"按号码计算应为 {WANG_FANG_ID[17]}" in page


def test_a_china_made_vin_with_a_wrong_check_digit_is_explained(agent_client, wang_fang):
    vin = make_vin(90001)
    wrong = vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]
    page = ask(agent_client, wrong).content.decode()
    assert "车辆识别代号第 9 位校验位不正确" in page


def test_a_term_that_is_no_key_at_all_says_what_may_be_typed(agent_client, wang_fang):
    page = ask(agent_client, "hello?").content.decode()
    assert "无法识别“hello?”是哪种号码" in page
    assert "11 位手机号或中文姓名" in page


def test_a_short_plate_is_explained(agent_client):
    page = ask(agent_client, "苏A1234").content.decode()
    assert "号牌号码“苏A1234”格式不正确" in page


def test_a_term_too_long_is_refused_in_chinese(agent_client):
    response = agent_client.post(HOME, {"q": "1" * 61})
    assert response.status_code == 200
    assert "查询内容最多 60 个字符" in response.content.decode()


# --- Privacy ---------------------------------------------------------------------------------


def test_results_mask_names_id_numbers_phones_and_plates(agent_client, wang_fang):
    page = ask(agent_client, "苏A20001").content.decode()
    table = re.search(r'<table[^>]*data-testid="results".*?</table>', page, re.S).group(0)
    assert "王*" in table and "王芳" not in table
    assert wang_fang.masked_id_number in table and WANG_FANG_ID not in page
    assert wang_fang.masked_phone in table and WANG_FANG_PHONE not in page
    assert "苏A***01" in table


def test_the_term_never_appears_in_the_results_url(agent_client, wang_fang):
    response = agent_client.post(HOME, {"q": WANG_FANG_ID})
    url = results_url(response)
    assert WANG_FANG_ID not in url
    assert re.match(r"^/hotline/\?s=[\w-]+$", url)
    assert not [
        href for href in re.findall(r'href="([^"]*)"', response.content.decode()) if WANG_FANG_ID in href
    ]
    assert "<strong>5</strong>" in agent_client.get(url).content.decode()  # reloading reads it again


def test_an_expired_search_key_asks_for_the_term_again(agent_client):
    page = agent_client.get(HOME, {"s": "gone"}, follow=True).content.decode()
    assert "该查询已过期" in page


def test_the_search_box_has_focus_on_load_and_the_term_stays_in_it(agent_client, wang_fang):
    page = ask(agent_client, "苏A20001").content.decode()
    box = re.search(r'<input[^>]*data-testid="search-box"[^>]*>', page).group(0)
    assert "autofocus" in box and 'value="苏A20001"' in box
