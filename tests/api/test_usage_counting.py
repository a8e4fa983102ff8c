"""API usage is counted in Redis (or in a process's memory) and written to ApiUsage in batches
(channels.api.usage): a request writes no row of its own, and no request is lost — across
flushes, thresholds, a Redis that cannot be reached, a flusher that died and several processes."""

from __future__ import annotations

import subprocess
import sys
import time
from io import StringIO

import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels.api import usage
from channels.api.services import api_key_create, api_usage_flush
from channels.models import ApiUsage
from tests.api.conftest import REDIS_URL
from tests.policies.subprocesses import sender_env

pytestmark = pytest.mark.django_db


def counted() -> dict[str, tuple[int, ...]]:
    return {
        u.endpoint: (u.requests, u.succeeded, u.not_found, u.rejected, u.limited)
        for u in ApiUsage.objects.all()
    }


def ask(api, vehicle, n: int, *, found: bool = True) -> None:
    for _ in range(n):
        plate = vehicle.plate if found else "苏A99999"
        assert api.post("renewal-status", {"plate": plate, "vin": vehicle.vin}).status in (200, 404)


def test_a_request_writes_no_usage_row_the_flush_writes_them_all(api, due_vehicle):
    api.post("renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin})
    with CaptureQueriesContext(connection) as captured:
        ask(api, due_vehicle, 2)
        ask(api, due_vehicle, 1, found=False)
    assert not [q for q in captured.captured_queries if "policies_apiusage" in q["sql"]]
    assert counted() == {}

    assert api_usage_flush() == 1
    assert counted() == {"renewal-status": (4, 3, 1, 0, 0)}
    assert api_usage_flush() == 0  # nothing twice
    ask(api, due_vehicle, 2)
    api_usage_flush()
    assert counted() == {"renewal-status": (6, 5, 1, 0, 0)}


def test_the_counts_wait_in_redis_where_every_process_sees_them(api, due_vehicle, shared_rate_limits):
    ask(api, due_vehicle, 3)
    store = redis.Redis.from_url(REDIS_URL)
    assert int(store.get(f"{shared_rate_limits}usage:pending_requests")) == 3
    assert (
        sum(int(v) for v in store.hgetall(f"{shared_rate_limits}usage:pending").values()) == 6
    )  # 3 + 3 found
    api_usage_flush()
    assert not store.exists(f"{shared_rate_limits}usage:pending")


def test_enough_pending_requests_flush_by_themselves(api, due_vehicle, settings):
    settings.API_USAGE_FLUSH_EVERY = 3
    ask(api, due_vehicle, 3)
    assert counted() == {"renewal-status": (3, 3, 0, 0, 0)}
    ask(api, due_vehicle, 1)
    assert counted() == {"renewal-status": (3, 3, 0, 0, 0)}  # the fourth waits for the next


def test_a_request_long_after_the_last_flush_flushes(api, due_vehicle, settings):
    settings.API_USAGE_FLUSH_SECONDS = 0
    ask(api, due_vehicle, 1)
    assert counted() == {"renewal-status": (1, 1, 0, 0, 0)}


def test_without_redis_the_counts_wait_in_this_process(api, due_vehicle, settings):
    settings.RATE_LIMIT_REDIS_URL = ""
    ask(api, due_vehicle, 2)
    ask(api, due_vehicle, 1, found=False)
    assert counted() == {}
    api_usage_flush()
    assert counted() == {"renewal-status": (3, 2, 1, 0, 0)}


def test_an_unreachable_redis_loses_no_count(api, due_vehicle, settings):
    settings.RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    ask(api, due_vehicle, 3)
    api_usage_flush()
    assert counted() == {"renewal-status": (3, 3, 0, 0, 0)}


def test_a_batch_left_by_a_flusher_that_died_is_written_by_a_later_flush(app_key, shared_rate_limits):
    store = redis.Redis.from_url(REDIS_URL)
    counter = usage.counter()
    counter.record(key_id=app_key.key.pk, endpoint="quotes", status=200)
    counter.record(key_id=app_key.key.pk, endpoint="quotes", status=429)
    # A flusher took the counts into its batch, then died before writing them.
    old = int(time.time()) - usage.ORPHAN_SECONDS - 1
    batch = f"{shared_rate_limits}usage:batch:{old}:dead"
    store.rename(f"{shared_rate_limits}usage:pending", batch)
    store.delete(f"{shared_rate_limits}usage:pending_requests")
    store.sadd(f"{shared_rate_limits}usage:batches", batch)

    api_usage_flush()

    assert counted() == {"quotes": (2, 1, 0, 0, 1)}
    assert not store.exists(batch) and not store.smembers(f"{shared_rate_limits}usage:batches")


def test_a_batch_being_written_now_is_not_taken_by_another_flusher(app_key, shared_rate_limits):
    store = redis.Redis.from_url(REDIS_URL)
    usage.counter().record(key_id=app_key.key.pk, endpoint="quotes", status=200)
    batch = f"{shared_rate_limits}usage:batch:{int(time.time())}:busy"
    store.rename(f"{shared_rate_limits}usage:pending", batch)
    store.sadd(f"{shared_rate_limits}usage:batches", batch)

    api_usage_flush()

    assert counted() == {} and store.exists(batch)


def test_the_command_writes_what_redis_holds(api, due_vehicle):
    ask(api, due_vehicle, 2)
    out = StringIO()
    call_command("flush_api_usage", stdout=out)
    assert "写入 1 行调用量" in out.getvalue()
    assert counted() == {"renewal-status": (2, 2, 0, 0, 0)}


RECORDER = """
import django
django.setup()
from channels.api import usage
counter = usage.counter()
for i in range({n}):
    counter.record(key_id={key}, endpoint="renewal-status", status=200 if i % 3 else 404)
"""


@pytest.mark.django_db(transaction=True)
def test_nothing_is_lost_across_processes_and_flushes(shared_rate_limits, tmp_path):
    """Three processes count in Redis and flush when 7 requests are pending, concurrently; a
    fourth, without Redis, counts in its memory and writes at exit. Every request is there."""
    key = api_key_create(channel="app", name="多进程").key
    env = sender_env(tmp_path) | {
        "DJANGO_SETTINGS_MODULE": "jqx_portal.settings",
        "RATE_LIMIT_KEY_PREFIX": shared_rate_limits,
        "API_USAGE_FLUSH_EVERY": "7",
        "API_USAGE_FLUSH_SECONDS": "3600",
    }
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", RECORDER.format(n=n, key=key.pk)],
            cwd=django_settings.BASE_DIR,
            env=env | {"RATE_LIMIT_REDIS_URL": url, "CACHE_URL": ""},
            stderr=subprocess.PIPE,
        )
        for n, url in ((40, REDIS_URL), (40, REDIS_URL), (40, REDIS_URL), (25, ""))
    ]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read().decode()[-2000:]

    api_usage_flush()  # what Redis still holds (each process left fewer than 7)

    row = ApiUsage.objects.get(key=key)
    assert row.requests == 145
    assert (row.succeeded, row.not_found) == (3 * 26 + 16, 3 * 14 + 9)


def test_counts_of_a_key_deleted_before_the_flush_do_not_hold_up_the_others(api, due_vehicle, settings):
    settings.RATE_LIMIT_REDIS_URL = ""
    short_lived = api_key_create(channel="website", name="临时")
    usage.counter().record(key_id=short_lived.key.pk, endpoint="quotes", status=200)
    short_lived.key.delete()
    ask(api, due_vehicle, 2)
    api_usage_flush()
    assert counted() == {"renewal-status": (2, 2, 0, 0, 0)}
