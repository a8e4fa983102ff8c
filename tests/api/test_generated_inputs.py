"""Generated corpora of requests: none of them is answered with a 500, every answer is a
documented status with a JSON body the OpenAPI document describes.

Two generators: schemathesis builds valid and schema-violating requests from the served
OpenAPI document and checks each response against it; hypothesis throws arbitrary bytes,
JSON values, headers and Content-Lengths at the endpoints. Both run derandomized, so
every run tries the same inputs."""

from __future__ import annotations

import datetime as dt
import json
import re
import string

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from channels.api import openapi
from channels.api.errors import CATALOGUE
from channels.api.services import api_key_create
from tests import factories
from tests.api.conftest import days_from_today, insure

pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_dict(openapi.document(server="http://testserver"))
CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance,
    response_headers_conformance, response_schema_conformance,
]  # fmt: skip
WSGI_APP = WSGIHandler()
BASE_URL = "http://testserver"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Django's own test client keeps the test's database connection open across a
    request; a WSGI server would close it when the request ends. Do as the test client."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def generous_key(settings):
    """A key and plate limits high enough that generated requests are never throttled."""
    settings.API_PLATE_RATE = "1000000/60"
    return api_key_create(channel="app", name="生成测试", requests_per_minute=1_000_000)


@pytest.fixture
def documented_vehicle(branch):
    """The vehicle of the schema's example body, so that examples find it (200)."""
    vehicle = factories.VehicleFactory(plate="苏A12345", vin="LSVAB2C09A0000101")
    return insure(vehicle, branch=branch, end=days_from_today(45)).vehicle


def test_served_document_is_the_one_tested(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json() == openapi.document(server="http://testserver")


VEHICLE_BODIES = [
    {"plate": "苏A12345", "vin": "LSVAB2C09A0000101"},  # 200
    {"plate": " 苏ａ１２３４５ ", "vin": "lsvab2c09a0000101"},  # 200, normalised
    {"plate": "苏A99999", "vin": "LSVAB2C09A0000101"},  # 404
    {"plate": "苏A12345"},  # 400
    {"plate": "苏A1234挂", "vin": "LSVAB2C09A0000101"},  # 422 on quotes, 404 on status
]


def hours_ago(hours: int) -> str:
    return (timezone.localtime() - dt.timedelta(hours=hours)).replace(microsecond=0).isoformat()


def claim_bodies() -> list[dict]:
    example = openapi.claim_schemas.CLAIM_REPORT_BODY.example
    return [
        example | {"accident_at": hours_ago(2)},  # 201
        example | {"accident_at": hours_ago(2)},  # 201, replayed
        example | {"accident_at": hours_ago(1)},  # 409: the key was used for another accident
        example | {"accident_at": "2099-01-01T00:00:00+08:00"},  # 422: in the future
        example | {"parties": []},  # 400
    ]


@pytest.mark.parametrize("path", [op.path for op in openapi.OPERATIONS])
def test_real_answers_match_the_schema(generous_key, documented_vehicle, path):
    operation = SCHEMA[path]["POST"]
    headers = {"Authorization": f"Bearer {generous_key.raw}", "Idempotency-Key": "0b8f6c1e-5d7a-4f3e"}
    bodies = claim_bodies() if "claims" in path else VEHICLE_BODIES
    for body in bodies:
        case = operation.Case(body=body, media_type="application/json")
        response = case.call(base_url=BASE_URL, app=WSGI_APP, headers=headers)
        case.validate_response(response, checks=CHECKS)
    unauthenticated = operation.Case(body=bodies[0], media_type="application/json")
    response = unauthenticated.call(base_url=BASE_URL, app=WSGI_APP)
    assert response.status_code == 401
    unauthenticated.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("path", [op.path for op in openapi.OPERATIONS])
def test_schemathesis_corpus_gets_no_500_and_only_documented_answers(
    generous_key, documented_vehicle, path, mode
):
    headers = {"Authorization": f"Bearer {generous_key.raw}"}
    checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])

    @FUZZ
    @given(case=SCHEMA[path]["POST"].as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(base_url=BASE_URL, app=WSGI_APP, headers=headers)
        case.validate_response(response, checks=checks)

    run()


# --- hypothesis: arbitrary bytes, JSON and headers ------------------------------------------------

PLATE_CHARS = "苏京粤挂学使ＡＢ０１２　 -·" + string.ascii_letters + string.digits
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
plate_like = st.text(alphabet=PLATE_CHARS, max_size=12)
vin_like = st.text(alphabet=string.ascii_letters + string.digits + " -ＩＯＱ", min_size=15, max_size=19)
near_valid = st.sampled_from(
    [
        "苏A12345",
        " 苏a 12345",
        "苏Ａ１２３４５",
        "苏A99999",
        "苏A1234挂",
        "LSVAB2C09A0000101",
        "lsvab2c09a0000101",
        "LSVAB2C00A0001234",
    ]
)
field_values = st.one_of(near_valid, plate_like, vin_like, json_values, st.text(max_size=40))


def as_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


vehicle_pairs = st.fixed_dictionaries({"plate": field_values, "vin": field_values}).map(as_json)
near_valid_pairs = st.fixed_dictionaries({"plate": near_valid, "vin": near_valid}).map(as_json)
loose_objects = st.fixed_dictionaries(
    {}, optional={"plate": field_values, "vin": field_values, "extra": json_values}
).map(as_json)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(as_json),
    vehicle_pairs,
    near_valid_pairs,
    loose_objects,
    vehicle_pairs.map(lambda b: b[: len(b) // 2]),  # cut short
    st.integers(0, 40).map(lambda depth: b"[" * depth * 100 + b"]" * depth * 100),
)
# Mostly a valid key and an honest length, so that most requests reach the body's parsing.
authorizations = st.sampled_from(
    ["valid"] * 8
    + ["", "Bearer", "Bearer jqx_", "bearer  x", "Basic Zm9v", "Bearer jqx_00000000_" + "A" * 43]
)
# Declared lengths that are absent, garbage, shorter than the body, or over the limit (a
# length longer than a small body only makes a real server wait for bytes that never come).
content_lengths = st.sampled_from([None] * 8 + ["", "abc", "-1", "0", "half", "99999999", "16385"])
content_types = st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""])
DOCUMENTED = {
    "renewal-status": {200, 400, 401, 404, 405, 413, 429},
    "quotes": {200, 400, 401, 404, 405, 409, 413, 422, 429},
    "claims/reports": {201, 400, 401, 404, 405, 409, 413, 422, 429},
}
ERROR_CODES = {kind.code: kind.status for kind in CATALOGUE}


def test_arbitrary_requests_get_no_500_and_a_json_error_in_chinese(client, generous_key, documented_vehicle):
    @settings(FUZZ, max_examples=400)
    @given(
        endpoint=st.sampled_from(sorted(DOCUMENTED)),
        body=bodies,
        authorization=authorizations,
        content_length=content_lengths,
        content_type=content_types,
        idempotency_key=st.one_of(
            st.none(), st.just("fixed-key-0001"), st.text(max_size=70).filter(str.isprintable)
        ),
    )
    def run(endpoint, body, authorization, content_length, content_type, idempotency_key):
        extra = {
            "HTTP_AUTHORIZATION": f"Bearer {generous_key.raw}" if authorization == "valid" else authorization
        }
        if content_length is not None:
            extra["CONTENT_LENGTH"] = str(len(body) // 2) if content_length == "half" else content_length
        response = client.generic("POST", f"/api/v1/{endpoint}", body, content_type=content_type, **extra)

        assert response.status_code in DOCUMENTED[endpoint]
        assert response["Content-Type"] == "application/json; charset=utf-8"
        data = json.loads(response.content.decode("utf-8"))
        if response.status_code >= 400:
            error = data["error"]
            assert ERROR_CODES[error["code"]] == response.status_code
            assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])

    run()


def spelled_differently(value: str):
    """`value` as people type it: any letter in lower case, any character full-width,
    spaces and separators anywhere."""

    def variant(ch: str, how: str) -> str:
        if how == "lower":
            return ch.lower()
        if how == "wide" and ch.isascii() and ch.isalnum():
            return chr(ord(ch) + 0xFEE0)
        if how in (" ", "-", "·", "\u3000", "/"):
            return ch + how
        return ch

    hows = st.sampled_from(["same", "lower", "wide", " ", "-", "·", "\u3000", "/"])
    return st.lists(hows, min_size=len(value), max_size=len(value)).map(
        lambda chosen: " " + "".join(variant(c, h) for c, h in zip(value, chosen, strict=True)) + " "
    )


def test_any_spelling_of_plate_and_vin_gets_the_canonical_answer(api, documented_vehicle, settings):
    settings.API_PLATE_RATE = "1000000/60"
    canonical = api.post("renewal-status", {"plate": "苏A12345", "vin": "LSVAB2C09A0000101"})
    assert canonical.status == 200

    @FUZZ
    @given(plate=spelled_differently("苏A12345"), vin=spelled_differently("LSVAB2C09A0000101"))
    def run(plate, vin):
        answer = api.post("renewal-status", {"plate": plate, "vin": vin})
        assert (answer.status, answer.body) == (200, canonical.body)

    run()


# --- hypothesis: digits of other scripts, amounts of any size, chunked bodies, reused keys -------

OTHER_DIGITS = (
    "٠١٢٣٤٥٦٧٨٩"  # Arabic-Indic
    "۰۱۲۳۴۵۶۷۸۹"  # Extended Arabic-Indic
    "०१२३४५६७८९"  # Devanagari
    "০১২৩৪৫৬৭৮৯"  # Bengali
    "๐๑๒๓๔๕๖๗๘๙"  # Thai
    "⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃"  # super- and subscripts: NFKC folds them into ASCII digits
    "①②③⑴⒈𝟎𝟗𝟘"  # circled, parenthesised, mathematical
)
NUMERIC_FIELD_NAMES = [
    "plate", "vin", "accident_at", "reporter_phone",
    "parties[0].id_number", "parties[0].plate", "parties[0].medical", "parties[0].property",
]  # fmt: skip
VALID_PARTY = {"kind": "person", "id_number": "11010519491231002X", "medical": "3000.00"}
VALID_VEHICLE_PARTY = {"kind": "vehicle", "plate": "苏B12345", "property": "1500.00"}


def claim_example(**overrides) -> dict:
    example = openapi.claim_schemas.CLAIM_REPORT_BODY.example
    return example | {"accident_at": hours_ago(2), "parties": [VALID_PARTY, VALID_VEHICLE_PARTY]} | overrides


def with_value(body: dict, path: str, change) -> dict:
    """`body` with the field at `path` ("x" or "parties[0].y") passed through `change`."""
    if not path.startswith("parties[0]."):
        return body | {path: change(body[path])}
    name = path.removeprefix("parties[0].")
    party = VALID_VEHICLE_PARTY if name in ("plate", "property") else VALID_PARTY
    return body | {"parties": [party | {name: change(party[name])}]}


def post_report(client, key, body: bytes, idempotency_key: str):
    return client.generic(
        "POST", "/api/v1/claims/reports", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key.raw}", HTTP_IDEMPOTENCY_KEY=idempotency_key,
    )  # fmt: skip


def written_by_reports() -> tuple[int, int]:
    from claims.models import Claim
    from outbox.models import OutboundMessage

    return Claim.objects.count(), OutboundMessage.objects.count()


def test_digits_of_other_scripts_anywhere_in_a_numeric_field_are_400_and_write_nothing(
    client, generous_key, documented_vehicle
):
    before = written_by_reports()

    @FUZZ
    @given(data=st.data(), path=st.sampled_from(NUMERIC_FIELD_NAMES))
    def run(data, path):
        def replace(value: str) -> str:
            positions = [i for i, ch in enumerate(value) if ch in string.digits]
            chosen = data.draw(st.lists(st.sampled_from(positions), min_size=1, unique=True))
            chars = list(value)
            for i in chosen:
                chars[i] = data.draw(st.sampled_from(OTHER_DIGITS))
            return "".join(chars)

        body = as_json(with_value(claim_example(), path, replace))
        response = post_report(client, generous_key, body, "digits-key-0001")

        assert response.status_code == 400, (path, body.decode(), response.content.decode())
        error = response.json()["error"]
        assert error["field"] == path
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
        assert written_by_reports() == before

    run()


MAX_AMOUNT = "9999999999.99"
re_money = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")
amount_texts = st.one_of(
    st.integers(0, 10**22).map(str),
    st.tuples(st.integers(0, 10**11), st.integers(0, 99)).map(lambda t: f"{t[0]}.{t[1]:02d}"),
    st.sampled_from([MAX_AMOUNT, "10000000000", "0", "0.01", "9999999999.999", "00000000001"]),
)


def test_amounts_of_any_size_and_any_number_of_parties_are_never_a_500(
    client, generous_key, documented_vehicle
):
    from decimal import Decimal

    from claims.models import Claim

    counter = iter(range(10**6))

    @FUZZ
    @given(parties=st.lists(st.fixed_dictionaries({"medical": amount_texts}), min_size=1, max_size=22))
    def run(parties):
        claims = Claim.objects.count()
        body = claim_example(parties=[{"kind": "person"} | p for p in parties])
        response = post_report(client, generous_key, as_json(body), f"amounts-{next(counter):08d}")

        texts = [p["medical"] for p in parties]
        fits = all(len(t) <= 13 and re_money.fullmatch(t) for t in texts) and len(parties) <= 20
        fits = fits and sum(Decimal(t) for t in texts) <= Decimal(MAX_AMOUNT)
        if fits:
            assert response.status_code == 201, response.content.decode()
            assert Claim.objects.count() == claims + 1
        else:
            assert response.status_code == 400, response.content.decode()
            assert Claim.objects.count() == claims

    run()


def test_chunked_bodies_are_answered_by_their_real_size(client, generous_key, documented_vehicle):
    import io

    valid = as_json({"plate": "苏A12345", "vin": "LSVAB2C09A0000101"})

    class Counting(io.BytesIO):
        taken = 0

        def read(self, size=-1):
            data = super().read(size)
            self.taken += len(data)
            return data

    @FUZZ
    @given(size=st.one_of(st.integers(len(valid), 40_000), st.integers(16_380, 16_390)))
    def run(size):
        stream = Counting(valid + b" " * (size - len(valid)))
        response = client.generic(
            "POST", "/api/v1/renewal-status", b"", content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {generous_key.raw}", HTTP_TRANSFER_ENCODING="chunked",
            **{"wsgi.input": stream},
        )  # fmt: skip

        assert response.status_code == (413 if size > 16 * 1024 else 200), size
        assert stream.taken <= 16 * 1024 + 1

    run()


def test_one_key_with_many_requests_lands_once_and_answers_each_by_its_body(
    client, generous_key, documented_vehicle
):
    from claims.models import Claim

    accident = hours_ago(2)
    variants = st.fixed_dictionaries(
        {
            "place": st.sampled_from(["南京市玄武区", "南京市鼓楼区"]),
            "at_fault": st.booleans(),
            "medical": st.sampled_from(["100.00", "200.00"]),
            "indent": st.sampled_from([None, 2]),
        }
    )

    keys = (f"one-key-{n:08d}" for n in range(10**6))  # a fresh key for every example

    @FUZZ
    @given(requests=st.lists(variants, min_size=1, max_size=5))
    def run(requests):
        key = next(keys)
        first = None
        for variant in requests:
            body = claim_example(
                accident_at=accident, place=variant["place"], at_fault=variant["at_fault"],
                parties=[{"kind": "person", "medical": variant["medical"]}],
            )  # fmt: skip
            raw = json.dumps(body, ensure_ascii=False, indent=variant["indent"]).encode()
            response = post_report(client, generous_key, raw, key)
            same = {k: v for k, v in variant.items() if k != "indent"}
            if first is None:
                first = same
                assert response.status_code == 201
                number = response.json()["claim_number"]
            elif same == first:
                assert response.status_code == 201
                assert response.json()["claim_number"] == number
                assert response["Idempotent-Replayed"] == "true"
            else:
                assert response.status_code == 409
                assert response.json()["error"]["code"] == "idempotency_conflict"
        assert Claim.objects.filter(idempotency_key=f"api:app:{key}").count() == 1

    run()
