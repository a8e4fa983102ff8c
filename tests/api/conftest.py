"""Fixtures of the self-service API: channel keys, an insured vehicle, a JSON client,
and rate limits counted in the real Redis under a namespace of each test's own."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

import pytest
import redis

from channels.api.services import api_key_create
from channels.models import ApiChannel
from core.clock import today
from tests import factories

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def shared_rate_limits(settings):
    """Each test counts in Redis under a prefix of its own (so runs in parallel worktrees
    never meet), and removes its counters afterwards."""
    prefix = f"jqx-test:{uuid.uuid4().hex}:"
    settings.RATE_LIMIT_REDIS_URL = REDIS_URL
    settings.RATE_LIMIT_KEY_PREFIX = prefix
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def app_key(db):
    return api_key_create(channel=ApiChannel.APP, name="APP 测试")


@pytest.fixture
def website_key(db):
    return api_key_create(channel=ApiChannel.WEBSITE, name="官网 测试")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def error_code(self) -> str:
        return self.json()["error"]["code"]


class ApiClient:
    """Posts JSON to /api/v1/ with a bearer key, as a channel's server would."""

    def __init__(self, client, raw_key: str | None):
        self.client = client
        self.raw_key = raw_key

    def post(self, endpoint: str, body=None, *, raw: bytes | None = None, key: str | None = None, **headers):
        token = key if key is not None else self.raw_key
        if token:
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        response = self.client.generic(
            "POST", f"/api/v1/{endpoint}", data, content_type="application/json", **headers
        )
        return Answer(response.status_code, response.content, dict(response.headers))


@pytest.fixture
def api(client, app_key):
    return ApiClient(client, app_key.raw)


def insure(vehicle=None, *, branch, end: dt.date, **policy):
    """A year's policy for `vehicle` (a new one if None), issued by `branch`, ending on `end`."""
    vehicle = vehicle or factories.VehicleFactory()
    start = end - dt.timedelta(days=364)
    return factories.PolicyFactory(vehicle=vehicle, branch=branch, start_date=start, end_date=end, **policy)


def days_from_today(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


@pytest.fixture
def due_vehicle(branch):
    """Insured by the 南京 branch; 45 days of cover left today (due for renewal)."""
    return insure(branch=branch, end=days_from_today(45)).vehicle


def insure_years(vehicle=None, *, branch, end: dt.date, years: int, records=None):
    """`years` consecutive policies of one vehicle, the last ending on `end`, each renewed
    from the one before. `records` gives each year's (at_fault, fatal), oldest first."""
    vehicle = vehicle or factories.VehicleFactory()
    records = records or [(0, 0)] * years
    previous = None
    for i, (at_fault, fatal) in enumerate(records):
        year_end = end - dt.timedelta(days=365 * (years - 1 - i))
        previous = insure(
            vehicle, branch=branch, end=year_end, renewed_from=previous,
            at_fault_claims=at_fault, fatal_claims=fatal,
        )  # fmt: skip
    return vehicle
