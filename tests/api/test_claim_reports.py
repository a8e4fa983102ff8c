"""POST /api/v1/claims/reports: a first notice of loss from a channel lands in the claims
queue once, however often it is retried with its Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from claims.choices import ClaimState
from claims.models import Claim, Loss, Party
from outbox.models import OutboundMessage
from policies.tariffs import tariff_book
from tests import factories
from tests.api.conftest import days_from_today, insure

pytestmark = pytest.mark.django_db


def report_body(vehicle, **overrides) -> dict:
    accident = timezone.localtime() - dt.timedelta(hours=2)
    return {
        "plate": vehicle.plate,
        "vin": vehicle.vin,
        "accident_at": accident.replace(microsecond=0).isoformat(),
        "place": "南京市玄武区中山路与北京东路交叉口",
        "description": "变道时与右侧车辆剐蹭，对方驾驶人左前臂擦伤。",
        "at_fault": True,
        "reporter_phone": "13812345678",
        "parties": [
            {"kind": "person", "name": "李明", "outcome": "injured", "medical": "3000.00"},
            {"kind": "vehicle", "plate": "苏B12345", "property": "1500.00"},
        ],
    } | overrides


def report(api, body, *, idempotency_key: str | None = "report-0001", **headers):
    if idempotency_key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    return api.post("claims/reports", body, **headers)


def test_report_lands_in_the_claims_queue(client, api, due_vehicle, branch):
    answer = report(api, report_body(due_vehicle))

    assert answer.status == 201
    claim = Claim.objects.get()
    assert (claim.state, claim.channel, claim.vehicle) == (ClaimState.REPORTED, "app", due_vehicle)
    assert claim.reporter_phone == "13812345678"
    assert Party.objects.filter(claim=claim).count() == 2
    assert sorted(str(a) for a in Loss.objects.filter(claim=claim).values_list("reported_amount", flat=True)) == [
        "1500.00", "3000.00"
    ]  # fmt: skip
    body = answer.json()
    assert body["claim_number"] == claim.number
    assert (body["state"], body["state_name"]) == ("reported", "报案")
    assert body["plate"] == f"{due_vehicle.plate[:2]}***{due_vehicle.plate[-2:]}"
    assert claim.number in body["message"]
    assert "Idempotent-Replayed" not in answer.headers
    assert OutboundMessage.objects.filter(recipient="13812345678", purpose="claim_report").count() == 1
    # The branch's adjusters find it in their queue, marked as reported through the app.
    client.force_login(factories.ClaimsAdjusterFactory(username="adjuster", branch=branch))
    queue = client.get("/claims/")
    assert queue.status_code == 200
    assert claim.number in queue.content.decode()


def test_retry_with_the_same_key_lands_once_and_answers_the_same(api, due_vehicle):
    body = report_body(due_vehicle)

    first = report(api, body)
    retry = report(api, body)

    assert first.status == retry.status == 201
    assert retry.body == first.body
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1
    assert OutboundMessage.objects.filter(purpose="claim_report").count() == 1


def test_concurrent_retries_land_once(transactional_db, branch, app_key):
    vehicle = insure(branch=branch, end=days_from_today(45)).vehicle
    body = json.dumps(report_body(vehicle), ensure_ascii=False).encode()
    answers = []

    def send():
        try:
            response = Client().post(
                "/api/v1/claims/reports", body, content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {app_key.raw}", HTTP_IDEMPOTENCY_KEY="same-key-0001",
            )  # fmt: skip
            answers.append((response.status_code, response.json()["claim_number"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Claim.objects.count() == 1
    assert answers == [(201, Claim.objects.get().number)] * 4


def test_keys_are_per_channel_so_channels_never_collide(client, api, website_key, due_vehicle):
    from tests.api.conftest import ApiClient

    report(api, report_body(due_vehicle))
    other = report(ApiClient(client, website_key.raw), report_body(due_vehicle))

    assert other.status == 201
    assert sorted(Claim.objects.values_list("channel", flat=True)) == ["app", "website"]


def test_a_key_reused_for_another_accident_is_a_conflict(api, due_vehicle):
    report(api, report_body(due_vehicle))
    later = (timezone.localtime() - dt.timedelta(minutes=30)).replace(microsecond=0).isoformat()

    answer = report(api, report_body(due_vehicle, accident_at=later))

    assert answer.status == 409
    assert answer.error_code == "idempotency_conflict"
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("key", [None, "", "short", "has space in it", "x" * 65, "钥匙钥匙钥匙钥匙"])
def test_report_without_a_proper_idempotency_key_is_refused(api, due_vehicle, key):
    answer = report(api, report_body(due_vehicle), idempotency_key=key)

    assert answer.status == 400
    assert answer.error_code == "invalid_idempotency_key"
    assert not Claim.objects.exists()


def test_unknown_plate_and_wrong_vin_get_the_status_endpoints_404(api, due_vehicle):
    status_404 = api.post("renewal-status", {"plate": "苏A99999", "vin": due_vehicle.vin})

    unknown = report(api, report_body(due_vehicle, plate="苏A99999"))
    wrong_vin = report(
        api, report_body(due_vehicle, vin=factories.make_vin(8080)), idempotency_key="report-0002"
    )

    assert unknown.status == wrong_vin.status == 404
    assert unknown.body == wrong_vin.body == status_404.body
    assert not Claim.objects.exists()


def test_accident_outside_cover_is_refused_with_the_reason(api, branch):
    vehicle = insure(branch=branch, end=days_from_today(-10)).vehicle  # lapsed ten days ago

    answer = report(api, report_body(vehicle))

    assert answer.status == 422
    assert answer.error_code == "report_refused"
    assert "不在车辆" in answer.json()["error"]["message"]
    assert not Claim.objects.exists()


def test_accident_in_the_future_is_refused(api, due_vehicle):
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).isoformat()

    answer = report(api, report_body(due_vehicle, accident_at=tomorrow))

    assert answer.status == 422
    assert answer.json()["error"]["message"] == "出险时间不能晚于报案时间。"


def test_naive_accident_time_is_beijing_time(api, due_vehicle):
    naive = (timezone.localtime() - dt.timedelta(hours=1)).replace(tzinfo=None, microsecond=0)

    answer = report(api, report_body(due_vehicle, accident_at=naive.isoformat()))

    assert answer.status == 201
    assert answer.json()["accident_at"] == f"{naive.isoformat()}+08:00"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"accident_at": "昨天下午"}, "invalid_field", "accident_at"),
        ({"accident_at": 20261120}, "invalid_type", "accident_at"),
        ({"at_fault": "yes"}, "invalid_type", "at_fault"),
        ({"place": "   "}, "invalid_field", "place"),
        ({"description": "追尾\x00"}, "invalid_field", "description"),
        ({"reporter_phone": "12345"}, "invalid_field", "reporter_phone"),
        ({"parties": []}, "invalid_field", "parties"),
        ({"parties": {"kind": "person"}}, "invalid_type", "parties"),
        ({"parties": ["李明"]}, "invalid_type", "parties[0]"),
        ({"parties": [{"kind": "dog"}]}, "invalid_field", "parties[0].kind"),
        ({"parties": [{"kind": "person", "medical": 3000}]}, "invalid_type", "parties[0].medical"),
        ({"parties": [{"kind": "person", "medical": "3,000"}]}, "invalid_field", "parties[0].medical"),
        (
            {"parties": [{"kind": "person", "id_number": "360426199101010072"}]},
            "invalid_field",
            "parties[0].id_number",
        ),
        ({"parties": [{"kind": "person"}] * 21}, "invalid_field", "parties"),
    ],
)
def test_malformed_reports_are_400_naming_the_field(api, due_vehicle, overrides, code, field):
    answer = report(api, report_body(due_vehicle, **overrides))

    assert answer.status == 400
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["field"] == field
    assert not Claim.objects.exists()


def test_unknown_party_field_is_named_with_its_position(api, due_vehicle):
    answer = report(api, report_body(due_vehicle, parties=[{"kind": "person", "medicl": "10"}]))

    assert answer.status == 400
    assert answer.json()["error"]["message"].startswith("不支持的字段：parties[0].medicl。")


def test_inconsistent_party_is_refused_by_the_claims_rules(api, due_vehicle):
    answer = report(
        api, report_body(due_vehicle, parties=[{"kind": "vehicle", "plate": "苏B12345", "medical": "10"}])
    )

    assert answer.status == 422
    assert answer.json()["error"]["message"] == "第 1 个当事方不是人员，只能填写财产损失。"


def test_report_queries_do_not_grow_with_the_parties(api, branch, django_assert_max_num_queries):
    tariff_book()
    warm_up = insure(
        branch=branch, end=days_from_today(45)
    ).vehicle  # first claim of the year: its sequence row
    assert report(api, report_body(warm_up), idempotency_key="warm-up-0001").status == 201
    counts = []
    for parties in (1, 6):
        vehicle = insure(branch=branch, end=days_from_today(45)).vehicle
        body = report_body(vehicle, parties=[{"kind": "person", "medical": "100.00"}] * parties)
        with django_assert_max_num_queries(MAX_REPORT_QUERIES) as captured:
            assert report(api, body, idempotency_key=f"parties-{parties}-0001").status == 201
        counts.append(len(captured))

    assert counts[0] == counts[1], counts


MAX_REPORT_QUERIES = 40


def test_the_openapi_example_message_is_what_a_report_is_told(api, due_vehicle):
    from channels.api.openapi import CLAIM_EXAMPLE

    body = report(api, report_body(due_vehicle)).json()
    example = CLAIM_EXAMPLE["message"].replace(CLAIM_EXAMPLE["claim_number"], body["claim_number"])
    assert body["message"] == example  # "1 日内": the documents deadline of the seeded table (§6)
