"""The public status page /status: the API's answer for customers, rate-limited, with
CSRF protection and no personal data."""

from __future__ import annotations

import pytest
from django.test import Client

from policies.tariffs import tariff_book
from tests import factories
from tests.api.conftest import days_from_today, insure, insure_years

pytestmark = pytest.mark.django_db


def look_up(client, plate, vin, **extra):
    return client.post("/status", {"plate": plate, "vin": vin}, **extra)


def test_anonymous_customer_gets_the_form(client):
    response = client.get("/status")

    page = response.content.decode()
    assert response.status_code == 200
    assert "交强险续保状态查询" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "号牌号码" in page and "车辆识别代号（VIN）" in page
    assert "no-cache" in response["Cache-Control"]


def test_customer_sees_status_dates_days_left_and_where_to_renew(client, due_vehicle):
    response = look_up(client, due_vehicle.plate.lower(), f" {due_vehicle.vin} ")

    page = response.content.decode()
    assert response.status_code == 200
    answer = response.context["answer"]
    assert (answer.status, answer.days_left, answer.cover_end) == ("due", 45, days_from_today(45))
    assert 'data-status="due"' in page
    assert "待续保" in page
    assert f"{days_from_today(45):%Y年%-m月%-d日}" in page
    assert "柜面（南京中山路营业部）" in page and "微信小程序" in page


def test_page_and_api_give_the_same_answer(client, api, branch):
    vehicle = insure_years(branch=branch, end=days_from_today(-3), years=2)

    page_answer = look_up(client, vehicle.plate, vehicle.vin).context["answer"]
    api_answer = api.post("renewal-status", {"plate": vehicle.plate, "vin": vehicle.vin}).json()

    assert page_answer.status == api_answer["status"] == "lapsed"
    assert page_answer.days_left == api_answer["days_left"] == -3
    assert page_answer.plate == api_answer["plate"]
    assert [c.name for c in page_answer.channels] == [c["name"] for c in api_answer["channels"]]


def test_result_shows_no_personal_data_and_not_the_full_plate_or_vin(client, due_vehicle):
    owner = due_vehicle.owner

    page = look_up(client, due_vehicle.plate, due_vehicle.vin).content.decode()

    for personal in (
        due_vehicle.plate,
        due_vehicle.vin,
        owner.name,
        owner.id_number,
        owner.phone,
        owner.address,
    ):
        assert personal not in page
    assert f"{due_vehicle.plate[:2]}***{due_vehicle.plate[-2:]}" in page


def test_form_errors_are_in_chinese_and_keep_what_was_typed(client):
    response = look_up(client, "AB12345", "LSVAB2C0IA0000101")

    page = response.content.decode()
    assert response.status_code == 200
    assert "第一个字应为省份简称" in page
    assert "不含 I、O、Q" in page
    assert 'value="AB12345"' in page


def test_empty_form_asks_for_both_fields(client):
    page = look_up(client, "", "").content.decode()

    assert "请输入号牌号码。" in page
    assert "请输入车辆识别代号。" in page


def test_unknown_plate_and_wrong_vin_read_the_same(client, due_vehicle):
    unknown = look_up(client, "苏A99999", due_vehicle.vin)
    wrong_vin = look_up(client, due_vehicle.plate, factories.make_vin(5150))

    assert unknown.status_code == wrong_vin.status_code == 200
    message = "未找到与该号牌号码和车辆识别代号相符的投保记录，请核对行驶证后重试。"
    assert unknown.context["not_found"] == wrong_vin.context["not_found"] == message
    assert "answer" not in unknown.context and "answer" not in wrong_vin.context


def test_each_status_reads_in_words(client, branch):
    lapsed = insure(branch=branch, end=days_from_today(-12)).vehicle
    in_force = insure(branch=branch, end=days_from_today(200)).vehicle

    lapsed_page = look_up(client, lapsed.plate, lapsed.vin).content.decode()
    in_force_page = look_up(client, in_force.plate, in_force.vin).content.decode()

    assert "已脱保" in lapsed_page and "两倍的罚款" in lapsed_page
    assert "保障中" in in_force_page and "200" in in_force_page
    assert f"自 {days_from_today(200 - 89):%Y年%-m月%-d日} 起可办理续保" in in_force_page


def test_one_address_is_limited(client, settings, due_vehicle):
    settings.STATUS_PAGE_IP_RATE = "3/600"

    statuses = [look_up(client, due_vehicle.plate, due_vehicle.vin).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    limited = look_up(client, due_vehicle.plate, due_vehicle.vin)
    assert 0 < int(limited["Retry-After"]) <= 600
    assert "查询过于频繁，请在" in limited.content.decode()
    assert "answer" not in limited.context
    # Another address is not held back.
    assert look_up(client, due_vehicle.plate, due_vehicle.vin, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_one_plate_is_limited_whatever_the_address(client, settings, due_vehicle):
    settings.STATUS_PAGE_PLATE_RATE = "2/600"

    statuses = [
        look_up(client, due_vehicle.plate, factories.make_vin(600 + i), REMOTE_ADDR=f"10.0.0.{i}").status_code
        for i in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_invalid_submissions_count_against_the_address(client, settings):
    settings.STATUS_PAGE_IP_RATE = "2/600"

    assert [look_up(client, "x", "y").status_code for _ in range(3)] == [200, 200, 429]


def test_lookup_without_the_csrf_token_is_refused(due_vehicle):
    strict = Client(enforce_csrf_checks=True)

    response = look_up(strict, due_vehicle.plate, due_vehicle.vin)

    assert response.status_code == 403


def test_lookup_with_the_pages_csrf_token_is_accepted(due_vehicle):
    strict = Client(enforce_csrf_checks=True)
    strict.get("/status")
    token = strict.cookies["csrftoken"].value

    response = strict.post(
        "/status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 200
    assert response.context["answer"].status == "due"


def test_lookup_runs_a_fixed_number_of_queries(client, branch, django_assert_max_num_queries):
    vehicle = insure_years(branch=branch, end=days_from_today(45), years=8)
    tariff_book()

    with django_assert_max_num_queries(2):  # the vehicle, its policies with their branches
        response = look_up(client, vehicle.plate, vehicle.vin)

    assert response.context["answer"].status == "due"


def test_page_accepts_only_get_and_post(client):
    assert client.put("/status").status_code == 405
