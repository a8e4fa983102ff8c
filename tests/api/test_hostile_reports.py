"""The claim report API under hostile input: digits of other scripts, amounts past what a
claim holds, chunked bodies past 16 KiB (through the test client and a real server), and an
Idempotency-Key reused for another request. Each is a 4xx in the API's Chinese error shape,
writes nothing and queues no SMS."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import re
import threading
from decimal import Decimal as D
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from channels.api.errors import MAX_BODY_BYTES
from claims.models import Claim, Loss, Party
from claims.services import claim_report
from outbox.models import OutboundMessage
from tests.api.conftest import days_from_today, insure
from tests.api.test_claim_reports import report, report_body

pytestmark = pytest.mark.django_db

TOP = "9999999999.99"
SCRIPTS = {
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "devanagari": "०१२३४५६७८९",
    "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹",  # NFKC folds these into ASCII digits nobody typed
    "full-width": "０１２３４５６７８９",
}


def in_script(value: str, script: str) -> str:
    return value.translate(str.maketrans("0123456789", SCRIPTS[script]))


def nothing_written(messages_before: int) -> bool:
    return (
        not Claim.objects.exists()
        and not Party.objects.exists()
        and not Loss.objects.exists()
        and OutboundMessage.objects.count() == messages_before
    )


def assert_chinese_error(answer, status: int, code: str, field: str | None = None) -> dict:
    assert answer.status == status, answer.body.decode()
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    error = answer.json()["error"]
    assert error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error
    if field is not None:
        assert error["field"] == field
    return error


# --- Digits of other scripts ----------------------------------------------------------------------

# Every field that holds digits: (where it is, how to put a value there, the error code).
NUMERIC_FIELDS = {
    "plate": (lambda b, f: b | {"plate": f(b["plate"])}, "invalid_plate"),
    "vin": (lambda b, f: b | {"vin": f(b["vin"])}, "invalid_vin"),
    "accident_at": (lambda b, f: b | {"accident_at": f(b["accident_at"])}, "invalid_field"),
    "reporter_phone": (lambda b, f: b | {"reporter_phone": f(b["reporter_phone"])}, "invalid_field"),
    "parties[0].id_number": (
        lambda b, f: (
            b | {"parties": [{"kind": "person", "id_number": f("11010519491231002X"), "medical": "10"}]}
        ),
        "invalid_field",
    ),
    "parties[0].plate": (
        lambda b, f: b | {"parties": [{"kind": "vehicle", "plate": f("苏B12345"), "property": "10"}]},
        "invalid_plate",
    ),
    "parties[0].medical": (
        lambda b, f: b | {"parties": [{"kind": "person", "medical": f("3000.00")}]},
        "invalid_field",
    ),
    "parties[0].death_disability": (
        lambda b, f: b | {"parties": [{"kind": "person", "death_disability": f("180000")}]},
        "invalid_field",
    ),
    "parties[0].property": (
        lambda b, f: b | {"parties": [{"kind": "vehicle", "plate": "苏B12345", "property": f("1500.5")}]},
        "invalid_field",
    ),
}
# Identifiers are normalised (full-width folded, as at the counter and as the API documents);
# amounts and times are not.
NORMALISED = {"plate", "vin", "reporter_phone", "parties[0].id_number", "parties[0].plate"}


@pytest.mark.parametrize("script", ["arabic-indic", "devanagari", "superscript"])
@pytest.mark.parametrize("field", list(NUMERIC_FIELDS))
def test_digits_of_other_scripts_in_any_numeric_field_are_400_and_write_nothing(
    api, due_vehicle, field, script
):
    put, code = NUMERIC_FIELDS[field]
    messages_before = OutboundMessage.objects.count()

    answer = report(api, put(report_body(due_vehicle), lambda v: in_script(v, script)))

    assert_chinese_error(answer, 400, code, field)
    assert nothing_written(messages_before)


@pytest.mark.parametrize("field", sorted(set(NUMERIC_FIELDS) - NORMALISED))
def test_full_width_digits_in_an_amount_or_a_time_are_400(api, due_vehicle, field):
    put, code = NUMERIC_FIELDS[field]
    messages_before = OutboundMessage.objects.count()

    answer = report(api, put(report_body(due_vehicle), lambda v: in_script(v, "full-width")))

    assert_chinese_error(answer, 400, code, field)
    assert nothing_written(messages_before)


def test_full_width_digits_in_identifiers_are_folded_to_ascii(api, due_vehicle):
    """What a Chinese IME types: the counter's normalisation, also in the API."""
    wide = lambda v: in_script(v, "full-width")  # noqa: E731
    body = report_body(
        due_vehicle,
        plate=wide(due_vehicle.plate),
        vin=wide(due_vehicle.vin),
        reporter_phone=wide("13812345678"),
        parties=[{"kind": "person", "id_number": wide("11010519491231002X"), "medical": "10"}],
    )

    answer = report(api, body)

    assert answer.status == 201, answer.body.decode()
    claim = Claim.objects.get()
    assert claim.reporter_phone == "13812345678"
    assert claim.parties.get().id_number == "11010519491231002X"
    assert OutboundMessage.objects.filter(recipient="13812345678").count() == 1


def test_a_phone_with_arabic_indic_digits_queues_no_sms(api, due_vehicle):
    """The reported case: "13٨١٢٣٤٥٦٧٨" was taken and an SMS queued to it."""
    answer = report(api, report_body(due_vehicle, reporter_phone="13٨١٢٣٤٥٦٧٨"))

    error = assert_chinese_error(answer, 400, "invalid_field", "reporter_phone")
    assert "٨" in error["message"]
    assert not OutboundMessage.objects.exists()
    assert not Claim.objects.exists()


# --- Amounts past what a claim holds ---------------------------------------------------------------


def test_parties_whose_losses_overflow_the_claims_total_are_400(api, due_vehicle):
    """Each line fits numeric(12, 2); their sum, the claim's reported total, did not: a 500."""
    parties = [{"kind": "vehicle", "plate": f"苏B1234{i}", "property": TOP} for i in range(2)]

    answer = report(api, report_body(due_vehicle, parties=parties))

    error = assert_chinese_error(answer, 400, "invalid_field", "parties")
    assert error["message"] == (
        "报损金额合计 19,999,999,999.98 元，超过一个赔案可记录的上限 9,999,999,999.99 元，请核对各项金额。"
    )
    assert nothing_written(0)


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("10000000000", "invalid_field"),  # 11 digits: past numeric(12, 2)
        ("10000000000.0", "invalid_field"),
        ("99999999999999999999", "field_too_long"),
        ("1" + "0" * 12 + ".00", "field_too_long"),
    ],
)
def test_an_amount_past_what_a_line_holds_is_400(api, due_vehicle, amount, code):
    answer = report(api, report_body(due_vehicle, parties=[{"kind": "person", "medical": amount}]))

    assert_chinese_error(answer, 400, code, "parties[0].medical")
    assert nothing_written(0)


def test_a_loss_at_the_bound_is_taken_and_capped_by_the_limits(api, due_vehicle):
    answer = report(api, report_body(due_vehicle, parties=[{"kind": "person", "medical": TOP}]))

    assert answer.status == 201
    claim = Claim.objects.get()
    assert claim.reported_total == D(TOP)
    assert claim.reserve == claim.limit_medical


# --- Chunked bodies ----------------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """A de-chunked `wsgi.input` (as gunicorn gives it) that counts the bytes read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        data = super().read(size)
        self.taken += len(data)
        return data


def chunked(client, app_key, path: str, stream, **headers):
    """A POST whose body comes only through `wsgi.input`: no Content-Length, chunked."""
    return client.generic(
        "POST", path, b"", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {app_key.raw}",
        HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": stream}, **headers,
    )  # fmt: skip


@pytest.mark.parametrize("path", ["/api/v1/claims/reports", "/api/v1/renewal-status", "/api/v1/quotes"])
def test_a_chunked_body_over_16_kib_is_413_and_read_no_further(client, app_key, due_vehicle, path):
    body = json.dumps(report_body(due_vehicle) | {"description": "追" * 10_000}, ensure_ascii=False).encode()
    assert len(body) > 20_000
    stream = CountingStream(body)

    response = chunked(client, app_key, path, stream, HTTP_IDEMPOTENCY_KEY="chunked-0001")

    assert response.status_code == 413
    assert response.json()["error"] == {"code": "body_too_large", "message": "请求体不能超过 16 KiB。"}
    assert stream.taken == MAX_BODY_BYTES + 1
    assert nothing_written(0)


def test_a_small_chunked_body_is_read_whole(client, app_key, due_vehicle):
    body = json.dumps(report_body(due_vehicle), ensure_ascii=False).encode()

    response = chunked(
        client, app_key, "/api/v1/claims/reports", CountingStream(body), HTTP_IDEMPOTENCY_KEY="chunked-0002"
    )

    assert response.status_code == 201
    assert Claim.objects.get().number == response.json()["claim_number"]


def send_chunked(url: str, path: str, chunks, headers: dict) -> tuple[int, dict]:
    """POST through a real socket with `Transfer-Encoding: chunked` (http.client frames the
    chunks) and no Content-Length."""
    parts = urlsplit(url)
    connection_ = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection_.request("POST", path, body=iter(chunks), headers=headers, encode_chunked=True)
        response = connection_.getresponse()
        return response.status, json.loads(response.read().decode())
    finally:
        connection_.close()


def send_raw(url: str, request: bytes) -> tuple[int, dict]:
    """Bytes as they are, for framing http.client would not send."""
    parts = urlsplit(url)
    connection_ = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection_.connect()
        connection_.sock.sendall(request)
        response = http.client.HTTPResponse(connection_.sock)
        response.begin()
        return response.status, json.loads(response.read().decode())
    finally:
        connection_.close()


def test_a_real_server_answers_a_chunked_body_by_its_real_size(live_server, app_key, branch):
    """Django's development server (the live server) passes a chunked body on undecoded."""
    vehicle = insure(branch=branch, end=days_from_today(45)).vehicle
    headers = {"Authorization": f"Bearer {app_key.raw}", "Content-Type": "application/json"}
    big = [b'{"plate": "', *([b"x" * 1000] * 20), b'"}']

    status, body = send_chunked(live_server.url, "/api/v1/renewal-status", big, headers)
    assert (status, body["error"]["code"]) == (413, "body_too_large")

    small = json.dumps({"plate": vehicle.plate, "vin": vehicle.vin}, ensure_ascii=False).encode()
    status, body = send_chunked(
        live_server.url, "/api/v1/renewal-status", [small[:7], small[7:20], small[20:]], headers
    )
    assert status == 200, body
    assert body["plate"] and body["status"]

    # Broken framing: a chunk size that is not hexadecimal.
    status, body = send_raw(
        live_server.url,
        b"POST /api/v1/renewal-status HTTP/1.1\r\nHost: localhost\r\n"
        + f"Authorization: Bearer {app_key.raw}\r\n".encode()
        + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    )
    assert (status, body["error"]["code"]) == (400, "malformed_json")


# --- Idempotency-Key bound to its request ------------------------------------------------------------


def test_the_same_key_with_another_body_is_a_409_and_writes_nothing(api, due_vehicle):
    first = report(api, report_body(due_vehicle))
    assert first.status == 201
    messages = OutboundMessage.objects.count()

    for changed in (
        {"place": "南京市鼓楼区"},
        {"parties": [{"kind": "person", "name": "李明", "outcome": "injured", "medical": "30000.00"}]},
        {"reporter_phone": "13912345678"},
        {"at_fault": False},
    ):
        answer = report(
            api, report_body(due_vehicle, **changed) | {"accident_at": first.json()["accident_at"]}
        )
        error = assert_chinese_error(answer, 409, "idempotency_conflict")
        assert "幂等键已用于另一笔报案" in error["message"], changed

    assert Claim.objects.count() == 1
    assert OutboundMessage.objects.count() == messages
    assert len(Claim.objects.get().idempotency_fingerprint) == 64


def test_the_same_request_spelled_differently_replays_the_claim(api, due_vehicle):
    body = report_body(due_vehicle)
    first = report(api, body)

    reordered = dict(reversed(list(body.items())))
    raw = json.dumps(reordered, ensure_ascii=False, indent=2).encode()
    retry = api.post("claims/reports", raw=raw, HTTP_IDEMPOTENCY_KEY="report-0001")

    assert retry.status == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.body == first.body
    assert Claim.objects.count() == 1


def test_a_key_of_a_claim_reported_before_fingerprints_replays_by_vehicle_and_time(api, app_key, due_vehicle):
    body = report_body(due_vehicle)
    claim_report(
        vehicle=due_vehicle.vin, accident_at=dt.datetime.fromisoformat(body["accident_at"]), place=body["place"],
        description=body["description"], at_fault=True, parties=body["parties"], channel="app",
        idempotency_key="api:app:report-0001",
    )  # fmt: skip

    assert report(api, body).status == 201
    later = (dt.datetime.fromisoformat(body["accident_at"]) + dt.timedelta(minutes=5)).isoformat()
    assert report(api, report_body(due_vehicle, accident_at=later)).status == 409
    assert Claim.objects.count() == 1


def test_concurrent_requests_with_one_key_and_two_bodies_land_once(transactional_db, branch, app_key):
    vehicle = insure(branch=branch, end=days_from_today(45)).vehicle
    bodies = [
        json.dumps(report_body(vehicle, place=place), ensure_ascii=False).encode()
        for place in ("南京市玄武区", "南京市鼓楼区")
    ]
    answers = []

    def send(body):
        try:
            response = Client().post(
                "/api/v1/claims/reports", body, content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {app_key.raw}", HTTP_IDEMPOTENCY_KEY="race-key-0001",
            )  # fmt: skip
            answers.append((body, response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(bodies[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    claim = Claim.objects.get()
    winner = bodies[0] if claim.accident_place == "南京市玄武区" else bodies[1]
    for body, status, data in answers:
        if body == winner:
            assert (status, data["claim_number"]) == (201, claim.number)
        else:
            assert (status, data["error"]["code"]) == (409, "idempotency_conflict")
    assert len(answers) == 6
    assert OutboundMessage.objects.filter(purpose="claim_report").count() == 1


def test_every_pattern_of_the_openapi_document_takes_ascii_digits_only():
    """JSON Schema patterns: `[0-9]`, never `\\d` (which a Python-side generator or validator
    reads as any script's digits)."""
    from channels.api import openapi

    patterns = []

    def collect(node):
        if isinstance(node, dict):
            patterns.extend(v for k, v in node.items() if k == "pattern" and isinstance(v, str))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(openapi.document(server="http://testserver"))
    assert len(patterns) >= 5
    assert not [p for p in patterns if "\\d" in p]
    money = next(p for p in patterns if p.startswith("^[0-9]{1,10}"))
    assert (
        re.fullmatch(money, TOP)
        and not re.fullmatch(money, "٣٠٠٠")
        and not re.fullmatch(money, "10000000000")
    )
