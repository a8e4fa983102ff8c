"""/healthz: JSON for load balancers — the database and the rate-limit store, without
login, without personal data, without a Django query."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from core import health
from tests.faults.conftest import free_port

pytestmark = pytest.mark.django_db

FIELDS = {"status", "database", "rate_limits"}


def test_all_well_is_ok_without_login_and_without_a_query(client, rate_limits_on, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {"status": "ok", "database": "ok", "rate_limits": "redis"}


def test_a_signed_in_browser_gets_the_same_answer(clerk_client, rate_limits_on, django_assert_num_queries):
    # Django's LoginRequiredMiddleware loads the session and its user before it looks at
    # the view: two queries, whatever the check finds.
    with django_assert_num_queries(2):
        response = clerk_client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "rate_limits": "redis"}


def test_without_a_redis_url_the_limits_are_not_configured_and_that_is_ok(client, settings):
    settings.RATE_LIMIT_REDIS_URL = ""
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "database": "ok", "rate_limits": "not_configured"},
    )


def test_unreachable_redis_is_degraded_but_still_200(client, rate_limits_on):
    rate_limits_on.stop()
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "degraded", "database": "ok", "rate_limits": "degraded"},
    )
    # No host, port or error text in the answer: that goes to the log.
    assert str(rate_limits_on.port) not in response.content.decode()


def test_only_get_and_head(client, rate_limits_on):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def dead_database():
    """A connection (and pool) to a database server that is not there."""
    dead = DatabaseWrapper(
        {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(free_port())}, alias="healthz-dead"
    )
    yield dead
    dead.close_pool()


def test_a_database_that_does_not_answer_fails_within_the_short_timeout(dead_database, caplog):
    """`fail` after the check's 2 s, not the pool's 10 s wait."""
    began = time.monotonic()
    result = health.database_health(dead_database)
    elapsed = time.monotonic() - began

    assert result is health.Health.FAIL
    assert health.DATABASE_TIMEOUT_SECONDS - 0.2 < elapsed < health.DATABASE_TIMEOUT_SECONDS + 1.5
    assert "database check failed" in caplog.text


def test_a_failing_database_makes_the_whole_answer_fail(dead_database, rate_limits_on):
    """(The view answers that with 503: see test_postgres_restart, against a real outage.)"""
    assert health.check(dead_database) == (
        health.Health.FAIL,
        {"database": "fail", "rate_limits": "redis"},
    )


def test_the_answer_has_only_its_three_fields(client, rate_limits_on):
    assert set(client.get("/healthz").json()) == FIELDS
