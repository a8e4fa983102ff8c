"""The OpenAPI document and the docs page: public, in Chinese, and complete."""

from __future__ import annotations

import pytest

from channels.api import openapi
from channels.api.errors import CATALOGUE

pytestmark = pytest.mark.django_db


def test_openapi_document_is_public_and_describes_every_answer(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": "http://testserver", "description": "本环境"}]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["security"] == [{"bearerAuth": []}]
    status = doc["paths"]["/api/v1/renewal-status"]["post"]["responses"]
    quotes = doc["paths"]["/api/v1/quotes"]["post"]["responses"]
    assert set(status) == {"200", "400", "401", "404", "405", "413", "429"}
    assert set(quotes) == set(status) | {"409", "422"}
    claims = doc["paths"]["/api/v1/claims/reports"]["post"]
    assert set(claims["responses"]) == set(quotes) - {"200"} | {"201"}
    assert claims["parameters"][0]["name"] == "Idempotency-Key" and claims["parameters"][0]["required"]
    assert claims["responses"]["201"]["headers"]["Idempotent-Replayed"]
    assert quotes["429"]["headers"]["Retry-After"] == {"$ref": "#/components/headers/RetryAfter"}
    assert quotes["405"]["headers"]["Allow"] == {"$ref": "#/components/headers/Allow"}
    for responses in (status, quotes, claims["responses"]):
        for code, answer in responses.items():
            if code not in ("200", "201"):
                assert answer["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
                assert answer["content"]["application/json"]["examples"]


def test_every_error_code_is_documented_with_a_chinese_example(client):
    doc = client.get("/api/v1/openapi.json").json()
    examples = {
        name: example["value"]["error"]["message"]
        for path in doc["paths"].values()
        for answer in path["post"]["responses"].values()
        for name, example in answer["content"]["application/json"].get("examples", {}).items()
    }
    documented = set(
        doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    )

    assert documented == {kind.code for kind in CATALOGUE}
    # unknown_endpoint belongs to no operation; every other code is an example of one.
    assert set(examples) == documented - {"unknown_endpoint"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in examples.values())


def test_request_schema_is_the_one_requests_are_parsed_with(client):
    doc = client.get("/api/v1/openapi.json").json()
    request = doc["components"]["schemas"]["VehicleRequest"]

    assert request["required"] == ["plate", "vin"]
    assert request["additionalProperties"] is False
    assert request["properties"]["plate"]["maxLength"] == 32
    assert request["examples"] == [{"plate": "苏A12345", "vin": "LSVAB2C09A0000101"}]


def test_docs_page_is_public_and_in_chinese(client, settings):
    settings.API_PLATE_RATE = "30/3600"

    response = client.get("/api/v1/docs")

    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "获取和使用密钥", "python manage.py create_api_key --channel app", "Authorization: Bearer",
        "防探测规则", "每小时 30 次", "Retry-After", "/api/v1/openapi.json", "curl -sS -X POST",
        "http://testserver/api/v1/renewal-status", "http://testserver/api/v1/quotes",
        "http://testserver/api/v1/claims/reports", "Idempotency-Key: $(uuidgen)", "Idempotent-Replayed",
        "<code>parties</code> 每一项的字段",
    ):  # fmt: skip
        assert text in page, text
    for kind in CATALOGUE:
        assert f"<code>{kind.code}</code>" in page


@pytest.mark.parametrize(
    ("rate", "words"),
    [("30/3600", "每小时 30 次"), ("10/600", "每 10 分钟 10 次"), ("5/90", "每 90 秒 5 次")],
)
def test_rates_read_as_chinese_words(rate, words):
    from channels.api.ratelimit import Rate

    assert openapi.rate_words(Rate.parse(rate)) == words


def test_openapi_document_refuses_other_methods_in_json(client):
    response = client.post("/api/v1/openapi.json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"]["code"] == "method_not_allowed"
