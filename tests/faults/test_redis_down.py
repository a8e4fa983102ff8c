"""Redis down: the API's and the status page's rate limits fall back to per-process
counters (degraded, never open), say so once a minute at most, and share again when Redis
is back. Against a real redis-server that the test stops and starts."""

from __future__ import annotations

import logging
import os
import signal
import time

import pytest

from channels.api import ratelimit
from channels.api.ratelimit import FallbackCounter
from channels.api.services import api_key_create
from tests.api.conftest import ApiClient, days_from_today, insure

pytestmark = pytest.mark.django_db

LOGGER = "channels.api.ratelimit"


@pytest.fixture
def five_a_minute(db):
    return api_key_create(channel="app", name="故障测试", requests_per_minute=5)


@pytest.fixture
def vehicle(branch):
    return insure(branch=branch, end=days_from_today(45)).vehicle


def warnings_of(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING]


def test_limits_hold_while_redis_is_down_and_are_shared_again_when_it_is_back(
    client, settings, rate_limits_on, five_a_minute, vehicle, caplog
):
    api = ApiClient(client, five_a_minute.raw)
    body = {"plate": vehicle.plate, "vin": vehicle.vin}
    key = f"{settings.RATE_LIMIT_KEY_PREFIX}key:{five_a_minute.key.pk}"

    assert [api.post("renewal-status", body).status for _ in range(2)] == [200, 200]
    assert int(rate_limits_on.client().get(key)) == 2
    assert client.get("/healthz").json()["rate_limits"] == "redis"

    rate_limits_on.stop()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        began = time.monotonic()
        down = [api.post("renewal-status", body).status for _ in range(10)]
        elapsed = time.monotonic() - began
        health = client.get("/healthz")

    # Counted in this process from the outage on: 5 a minute still, the 6th is refused.
    assert down == [200] * 5 + [429] * 5
    assert elapsed < 3  # one failed connection, then no request waits on the dead Redis
    assert (health.status_code, health.json()) == (
        200,
        {"status": "degraded", "database": "ok", "rate_limits": "degraded"},
    )
    logged = warnings_of(caplog)
    assert len(logged) == 1  # not one per request
    assert logged[0].exc_info is None  # a line, not a traceback
    assert f"127.0.0.1:{rate_limits_on.port}" in logged[0].getMessage()

    rate_limits_on.start()
    caplog.clear()
    time.sleep(ratelimit.RETRY_AFTER_SECONDS + 0.2)  # the back-off before Redis is tried again
    with caplog.at_level(logging.INFO, logger=LOGGER):
        after = api.post("renewal-status", body).status
        health = client.get("/healthz")

    assert after == 200  # a fresh window in the restarted (empty) Redis
    assert int(rate_limits_on.client().get(key)) == 1  # shared again: counted in Redis
    assert health.json() == {"status": "ok", "database": "ok", "rate_limits": "redis"}
    assert warnings_of(caplog) == []
    assert any("answers again" in r.getMessage() for r in caplog.records if r.name == LOGGER)
    # Another process (a new connection) continues the same count.
    assert ratelimit.RedisCounter(rate_limits_on.url).count([key], [60_000])[0][0] == 2


def test_status_page_plate_limit_holds_while_redis_is_down(client, settings, rate_limits_on, vehicle):
    settings.STATUS_PAGE_PLATE_RATE = "3/600"
    rate_limits_on.stop()

    statuses = [
        client.post("/status", {"plate": vehicle.plate, "vin": vehicle.vin}).status_code for _ in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]


def test_paused_redis_costs_one_timeout_then_requests_skip_it(
    client, rate_limits_on, five_a_minute, vehicle, caplog
):
    """A Redis that hangs (SIGSTOP) instead of refusing: the first request waits for the
    0.5 s socket timeout, the next ones go straight to the per-process counters."""
    api = ApiClient(client, five_a_minute.raw)
    body = {"plate": vehicle.plate, "vin": vehicle.vin}
    assert api.post("renewal-status", body).status == 200

    os.kill(rate_limits_on.process.pid, signal.SIGSTOP)
    try:
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            timings = []
            statuses = []
            for _ in range(6):
                began = time.monotonic()
                statuses.append(api.post("renewal-status", body).status)
                timings.append(time.monotonic() - began)
    finally:
        os.kill(rate_limits_on.process.pid, signal.SIGCONT)

    assert statuses == [200] * 5 + [429]
    assert timings[0] < 2.0  # the 0.5 s timeouts, no retries of redis-py's own
    assert max(timings[1:]) < 0.5
    assert len(warnings_of(caplog)) == 1
    assert "Timeout" in warnings_of(caplog)[0].getMessage()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_outage_is_logged_once_a_minute_with_the_requests_counted_meanwhile(redis_server, caplog):
    clock = Clock()
    counter = FallbackCounter(redis_server.url, retry_after=5, log_every=60, clock=clock)
    assert counter.count(["k"], [600_000])[0][0] == 1  # in Redis
    redis_server.stop()

    with caplog.at_level(logging.INFO, logger=LOGGER):
        for _second in range(150):  # 150 s of outage, two requests a second
            counter.count(["k"], [600_000])
            counter.count(["k"], [600_000])
            clock.now += 1
    logged = warnings_of(caplog)

    # At 0 s, 60 s and 120 s; each later line says how many requests were counted locally.
    assert len(logged) == 3
    assert "unreachable for 0 s" in logged[0].getMessage()
    assert "unreachable for 60 s" in logged[1].getMessage()
    assert "120 request(s) counted per process" in logged[1].getMessage()
    assert counter.degraded
    # Never open: all 300 requests of the outage were counted in this process.
    assert counter.local.count(["k"], [600_000])[0][0] == 301

    redis_server.start()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        clock.now += 5
        counter.count(["k"], [600_000])
    assert not counter.degraded
    assert [r.levelno for r in caplog.records if r.name == LOGGER] == [logging.INFO]
    assert "answers again after 155 s" in caplog.records[-1].getMessage()
