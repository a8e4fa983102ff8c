"""Whatever a client sends, the answer is a documented status with a JSON error in
Chinese: 400 for bodies that do not parse or validate, 405, 413, 404 for unknown paths."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from django.core.handlers.asgi import ASGIRequest

from channels.api import views
from channels.api.figures import channel_usage
from channels.api.services import api_usage_flush
from channels.models import ApiUsage

pytestmark = pytest.mark.django_db

VIN = "LSVAB2C09A0000101"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "invalid_body"),
        (b"   ", "invalid_body"),
        (b"not json", "malformed_json"),
        (b'{"plate": "\xe8\x8b\x8fA12345", ', "malformed_json"),
        (b"\xff\xfe{\x00}\x00", "malformed_json"),
        (b'{"plate": NaN, "vin": "x"}', "malformed_json"),
        (b"[" * 5000 + b"]" * 5000, "malformed_json"),
        (b'{"a":' * 2000 + b"1" + b"}" * 2000, "malformed_json"),
        (b"[1, 2]", "invalid_body"),
        (b'"\xe8\x8b\x8fA12345"', "invalid_body"),
        (b"null", "invalid_body"),
        (b"1" * 5000, "malformed_json"),
    ],
)
def test_body_that_is_not_a_json_object_is_400(api, raw, code):
    answer = api.post("renewal-status", raw=raw)

    assert answer.status == 400
    assert answer.error_code == code
    assert answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "code", "field", "message"),
    [
        ({"vin": VIN}, "missing_field", "plate", "缺少必填字段 plate（号牌号码）。"),
        ({"plate": "苏A12345"}, "missing_field", "vin", "缺少必填字段 vin（车辆识别代号）。"),
        ({"plate": 12345, "vin": VIN}, "invalid_type", "plate", "字段 plate（号牌号码）应为字符串。"),
        ({"plate": None, "vin": VIN}, "invalid_type", "plate", "字段 plate（号牌号码）应为字符串。"),
        (
            {"plate": "苏A12345", "vin": ["LSV"]},
            "invalid_type",
            "vin",
            "字段 vin（车辆识别代号）应为字符串。",
        ),
        ({"plate": "苏A12345", "vin": True}, "invalid_type", "vin", "字段 vin（车辆识别代号）应为字符串。"),
        (
            {"plate": "苏" * 33, "vin": VIN},
            "field_too_long",
            "plate",
            "字段 plate（号牌号码）最多 32 个字符。",
        ),
        ({"plate": "", "vin": VIN}, "invalid_plate", "plate", "请输入号牌号码。"),
        (
            {"plate": "AB12345", "vin": VIN},
            "invalid_plate",
            "plate",
            "号牌号码“AB12345”的第一个字应为省份简称（如 粤、苏、京）。",
        ),
        (
            {"plate": "苏A12345", "vin": "LSVAB2C09A000010"},
            "invalid_vin",
            "vin",
            "车辆识别代号应为 17 位，当前为 16 位。",
        ),
        (
            {"plate": "苏A12345", "vin": "LSVAB2C0IA0000101"},
            "invalid_vin",
            "vin",
            "车辆识别代号只能包含数字和字母，且不含 I、O、Q。",
        ),
        (
            {"plate": "苏A12345", "vin": "LSVAB2C01A0000101"},
            "invalid_vin",
            "vin",
            "车辆识别代号第 9 位校验位不正确（按号码计算应为 9），请核对行驶证。",
        ),
        ({"plate": "苏A\ud800345", "vin": VIN}, "invalid_plate", "plate", "号牌号码含有无效字符。"),
    ],
)
def test_missing_wrong_or_invalid_fields_are_400_naming_the_field(api, body, code, field, message):
    answer = api.post("renewal-status", raw=json.dumps(body).encode())

    assert answer.status == 400
    assert answer.json() == {"error": {"code": code, "message": message, "field": field}}


def test_unknown_fields_are_refused_with_the_list_of_allowed_ones(api):
    answer = api.post("quotes", {"plate": "苏A12345", "vin": VIN, "vim": VIN})

    assert answer.status == 400
    assert answer.json()["error"] == {
        "code": "unknown_field",
        "message": "不支持的字段：vim。本接口的字段为：plate、vin。",
    }


def test_error_messages_echo_input_as_valid_utf8(api):
    answer = api.post("quotes", raw=json.dumps({"\udcff": 1, "plate": "苏A12345", "vin": VIN}).encode())

    assert answer.status == 400
    answer.body.decode("utf-8")  # a lone surrogate in a key is escaped, not sent broken
    assert "\\udcff" in answer.json()["error"]["message"]


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
def test_other_methods_get_405_in_json_with_allow(client, method):
    response = client.generic(method, "/api/v1/quotes")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    if method != "HEAD":
        assert response.json()["error"]["code"] == "method_not_allowed"
        assert response.json()["error"]["message"] == "该接口只接受 POST 请求。"


def test_declared_body_over_16_kib_is_413_before_anything_else(client):
    body = json.dumps({"plate": "苏A12345", "vin": VIN, "pad": "x" * 16_384}).encode()

    response = client.generic("POST", "/api/v1/renewal-status", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"] == {"code": "body_too_large", "message": "请求体不能超过 16 KiB。"}


def test_body_of_exactly_16_kib_is_read(api):
    raw = json.dumps({"plate": "苏A12345", "vin": VIN}).encode()
    raw += b" " * (16 * 1024 - len(raw))

    answer = api.post("renewal-status", raw=raw)

    assert answer.status == 404


def test_actual_body_over_16_kib_is_413_even_when_undeclared(app_key):
    # An ASGI request streams the body as sent: here without a Content-Length header.
    scope = {
        "type": "http", "method": "POST", "path": "/api/v1/renewal-status", "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {app_key.raw}".encode()), (b"content-type", b"application/json"),
        ],
    }  # fmt: skip
    request = ASGIRequest(scope, BytesIO(b'{"plate": "' + b"x" * 20_000 + b'"}'))

    response = views.renewal_status(request)

    assert response.status_code == 413
    assert json.loads(response.content)["error"]["code"] == "body_too_large"


def test_unknown_api_path_is_a_json_404(client):
    response = client.post("/api/v1/renewal-status/", {}, content_type="application/json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_endpoint"


def test_every_request_with_a_key_is_counted_for_its_channel(client, api, website_key, due_vehicle, settings):
    from tests.api.conftest import ApiClient

    settings.API_PLATE_RATE = "2/600"
    body = {"plate": due_vehicle.plate, "vin": due_vehicle.vin}
    api.post("renewal-status", body)  # 200
    api.post("renewal-status", {"plate": "苏A99999", "vin": due_vehicle.vin})  # 404
    api.post("renewal-status", {"plate": "x", "vin": "y"})  # 400
    api.post("renewal-status", body)  # 200 (the plate's second lookup)
    api.post("renewal-status", body)  # 429
    api.post("quotes", body, key="")  # 401: no key, not counted
    ApiClient(client, website_key.raw).post("quotes", {"plate": "苏A99999", "vin": due_vehicle.vin})

    api_usage_flush()  # counted in Redis, written in batches (tests/api/test_usage_counting.py)
    rows = {(u.key.channel, u.endpoint): u for u in ApiUsage.objects.select_related("key")}
    app = rows[("app", "renewal-status")]
    assert (app.requests, app.succeeded, app.not_found, app.rejected, app.limited) == (5, 2, 1, 1, 1)
    website = rows[("website", "quotes")]
    assert (website.requests, website.not_found) == (1, 1)
    assert len(rows) == 2


def test_supervisors_dashboard_shows_usage_by_channel(
    supervisor_client, api, due_vehicle, django_assert_max_num_queries
):
    for _ in range(3):
        api.post("renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin})
    api.post("renewal-status", {"plate": "苏A99999", "vin": due_vehicle.vin})

    response = supervisor_client.get("/dashboard/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "接口调用量（按渠道）" in page
    (panel,) = [p for _, p in response.context["panels"] if p["key"] == "api-usage"]
    (app,) = [s for s in panel["chart"]["series"] if s["name"] == "APP"]
    assert app["data"][-1]["value"] == 4  # this month
    assert "key__channel=app" in app["data"][-1]["url"]
    usage = {c.channel: c for c in channel_usage()}  # the detail behind it, in admin
    assert (usage["app"].requests, usage["app"].today, usage["app"].succeeded, usage["app"].not_found) == (
        4,
        4,
        3,
        1,
    )
    assert str(usage["app"].found_rate) == "75.0"
    assert (usage["website"].requests, usage["mini_program"].requests) == (0, 0)
