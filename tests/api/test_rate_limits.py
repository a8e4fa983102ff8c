"""Rate limits per key and per plate, counted in Redis for every process: 429 with
Retry-After, in JSON."""

from __future__ import annotations

import logging
import time

import pytest
import redis

from channels.api.ratelimit import LocalCounter, RedisCounter
from channels.api.services import api_key_create
from tests.api.conftest import REDIS_URL, ApiClient, days_from_today, insure

pytestmark = pytest.mark.django_db


@pytest.fixture
def slow_key(db):
    return api_key_create(channel="app", name="限流测试", requests_per_minute=3)


def test_key_over_its_rate_gets_429_with_retry_after(client, slow_key, due_vehicle):
    api = ApiClient(client, slow_key.raw)
    body = {"plate": due_vehicle.plate, "vin": due_vehicle.vin}

    answers = [api.post("renewal-status", body) for _ in range(4)]

    assert [a.status for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert limited.error_code == "rate_limited"
    retry_after = int(limited.headers["Retry-After"])
    assert 0 < retry_after <= 60
    assert limited.json()["error"]["message"] == f"请求过于频繁，请在 {retry_after} 秒后重试。"


def test_one_keys_limit_does_not_touch_another_key(client, slow_key, website_key, due_vehicle):
    body = {"plate": due_vehicle.plate, "vin": due_vehicle.vin}
    for _ in range(4):
        ApiClient(client, slow_key.raw).post("renewal-status", body)

    assert ApiClient(client, website_key.raw).post("renewal-status", body).status == 200


def test_key_limit_counts_bad_requests_too(client, slow_key):
    api = ApiClient(client, slow_key.raw)
    statuses = [api.post("quotes", raw=b"{oops").status for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_plate_limit_holds_across_keys_and_endpoints(client, settings, app_key, website_key, branch):
    settings.API_PLATE_RATE = "2/600"
    vehicle = insure(branch=branch, end=days_from_today(45)).vehicle
    other = insure(branch=branch, end=days_from_today(45)).vehicle
    body = {"plate": vehicle.plate, "vin": vehicle.vin}

    first = ApiClient(client, app_key.raw).post("renewal-status", body)
    second = ApiClient(client, website_key.raw).post("quotes", body)
    third = ApiClient(client, app_key.raw).post("renewal-status", body)

    assert (first.status, second.status, third.status) == (200, 200, 429)
    assert third.error_code == "plate_rate_limited"
    assert 0 < int(third.headers["Retry-After"]) <= 600
    assert (
        ApiClient(client, app_key.raw).post("renewal-status", {"plate": other.plate, "vin": other.vin}).status
        == 200
    )


def test_plate_limit_counts_wrong_vins_so_they_cannot_be_tried_in_bulk(api, settings, due_vehicle):
    settings.API_PLATE_RATE = "3/600"
    from tests.factories import make_vin

    statuses = [
        api.post("renewal-status", {"plate": due_vehicle.plate, "vin": make_vin(900 + i)}).status
        for i in range(3)
    ]
    right = api.post("renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin})

    assert statuses == [404, 404, 404]
    assert right.status == 429


def test_plate_window_opens_again_after_its_period(api, settings, due_vehicle):
    settings.API_PLATE_RATE = "1/1"
    body = {"plate": due_vehicle.plate, "vin": due_vehicle.vin}

    assert [api.post("renewal-status", body).status for _ in range(2)] == [200, 429]
    time.sleep(1.2)
    assert api.post("renewal-status", body).status == 200


def test_counters_live_in_redis_where_every_process_sees_them(api, app_key, due_vehicle, shared_rate_limits):
    api.post("renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin})
    api.post("renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin})

    store = redis.Redis.from_url(REDIS_URL)
    assert int(store.get(f"{shared_rate_limits}key:{app_key.key.pk}")) == 2
    assert 0 < store.pttl(f"{shared_rate_limits}key:{app_key.key.pk}") <= 60_000
    # A second process's counter (a new connection) continues the same count.
    assert RedisCounter(REDIS_URL).count([f"{shared_rate_limits}key:{app_key.key.pk}"], [60_000])[0][0] == 3


def test_without_redis_the_limits_still_hold_within_the_process(client, settings, slow_key, due_vehicle):
    settings.RATE_LIMIT_REDIS_URL = ""
    api = ApiClient(client, slow_key.raw)

    statuses = [
        api.post("renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin}).status
        for _ in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_local_counter_window_starts_at_the_first_request():
    counter = LocalCounter()
    assert [counter.count(["b"], [50])[0][0] for _ in range(3)] == [1, 2, 3]
    time.sleep(0.06)
    assert counter.count(["b"], [50])[0][0] == 1


def test_unreachable_redis_keeps_counting_in_this_process_and_says_so(
    client, settings, slow_key, due_vehicle, caplog
):
    """Degraded, never open: the limits hold per process while Redis cannot be reached."""
    settings.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    api = ApiClient(client, slow_key.raw)

    with caplog.at_level(logging.WARNING, logger="channels.api.ratelimit"):
        statuses = [
            api.post("renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin}).status
            for _ in range(4)
        ]

    assert statuses == [200, 200, 200, 429]
    assert "unreachable" in caplog.text


def test_deployment_without_redis_is_warned_that_limits_are_per_process(settings):
    from django.core import checks

    settings.DEBUG = False
    settings.RATE_LIMIT_REDIS_URL = ""
    assert "channels.W001" in [m.id for m in checks.run_checks()]

    settings.RATE_LIMIT_REDIS_URL = REDIS_URL
    assert "channels.W001" not in [m.id for m in checks.run_checks()]
