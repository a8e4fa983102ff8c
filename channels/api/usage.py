"""API usage counted where counting is cheap, written to PostgreSQL in batches.

Every API request used to add to its (key, day, endpoint) row with an upsert: all requests of
a key queued on one hot row. Now a request adds to counters in Redis (the rate limits' Redis:
one round trip, shared by every process) or, without Redis or while it cannot be reached, in
this process's memory; `flush()` moves what was counted into `ApiUsage` with one upsert per
batch. A flush runs when `API_USAGE_FLUSH_EVERY` requests are pending, when a request comes
`API_USAGE_FLUSH_SECONDS` after this process's last flush, when the dashboard reads the
figures, when a process ends, and from `manage.py flush_api_usage` (every minute).

Nothing counted is lost: Redis hands its counters over by renaming them to a batch of the
flusher's own (atomic with the counting script, so a request counts either in the batch or
after it) and deletes the batch only after PostgreSQL committed it; a batch left behind by a
flusher that died is applied by a later flush once `ORPHAN_SECONDS` old (if that flusher
died after its commit, that batch counts twice: at least once, never lost). Counts in memory
go back to the pending counts when the write fails; a process killed without warning loses
the counts it held (at most `API_USAGE_FLUSH_EVERY` requests or `API_USAGE_FLUSH_SECONDS`).
"""

from __future__ import annotations

import atexit
import logging
import secrets
import threading
import time
from collections import defaultdict

import redis
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from channels.models import ApiKey, ApiUsage

logger = logging.getLogger(__name__)

FIELDS = ("requests", "succeeded", "not_found", "limited", "rejected")
ORPHAN_SECONDS = 300  # a batch this old was left by a flusher that died
REDIS_RETRY_SECONDS = 5.0  # after a Redis failure, count in memory this long before trying again

# KEYS: pending counters (hash), pending request count. ARGV: the hash fields to add 1 to.
_RECORD = """
for _, field in ipairs(ARGV) do redis.call('HINCRBY', KEYS[1], field, 1) end
return redis.call('INCR', KEYS[2])
"""
# KEYS: pending counters, pending request count, the flusher's batch, the set of batches.
_TAKE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[3])
redis.call('DEL', KEYS[2])
redis.call('SADD', KEYS[4], KEYS[3])
return 1
"""
# KEYS: an orphaned batch, the claiming flusher's batch, the set of batches.
_CLAIM = """
if redis.call('SREM', KEYS[3], KEYS[1]) == 0 or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SADD', KEYS[3], KEYS[2])
return 1
"""

Row = tuple[int, str, str]  # key id, day (ISO), endpoint


def outcome_of(status: int) -> str | None:
    if 200 <= status < 300:
        return "succeeded"
    if status == 404:
        return "not_found"
    if status == 429:
        return "limited"
    if 400 <= status < 500:
        return "rejected"
    return None


class UsageCounter:
    def __init__(self, redis_url: str, prefix: str):
        self.prefix = f"{prefix}usage:"
        self._redis = (
            redis.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
            )
            if redis_url
            else None
        )
        self._record = self._redis.register_script(_RECORD) if self._redis else None
        self._take = self._redis.register_script(_TAKE) if self._redis else None
        self._claim = self._redis.register_script(_CLAIM) if self._redis else None
        self._redis_down_until = 0.0
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: dict[Row, list[int]] = defaultdict(lambda: [0] * len(FIELDS))
        self._pending_requests = 0
        self._last_flush = time.monotonic()

    # --- counting ---------------------------------------------------------------------------

    def record(self, *, key_id: int, endpoint: str, status: int) -> None:
        row = (key_id, timezone.localdate().isoformat(), endpoint)
        fields = ["requests", *filter(None, [outcome_of(status)])]
        pending = self._record_in_redis(row, fields) if self._redis_usable() else None
        if pending is None:
            with self._lock:
                counts = self._pending[row]
                for name in fields:
                    counts[FIELDS.index(name)] += 1
                self._pending_requests += 1
                pending = self._pending_requests
        due = time.monotonic() - self._last_flush >= settings.API_USAGE_FLUSH_SECONDS
        if pending >= settings.API_USAGE_FLUSH_EVERY or due:
            self.flush()

    def _redis_usable(self) -> bool:
        return self._redis is not None and time.monotonic() >= self._redis_down_until

    def _record_in_redis(self, row: Row, fields: list[str]) -> int | None:
        try:
            return int(self._record(keys=self._keys()[:2], args=[self._field(row, name) for name in fields]))
        except redis.RedisError as error:
            self._redis_failed(error)
            return None

    def _redis_failed(self, error: redis.RedisError) -> None:
        if time.monotonic() >= self._redis_down_until:
            logger.warning("API usage: Redis unreachable (%s); counting in this process for now", error)
        self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS

    def _keys(self, batch: str = "") -> list[str]:
        """The pending counters, the pending request count, a batch, the set of batches."""
        p = self.prefix
        return [f"{p}pending", f"{p}pending_requests", f"{p}batch:{batch}", f"{p}batches"]

    @staticmethod
    def _field(row: Row, name: str) -> str:
        return f"{row[0]}|{row[1]}|{row[2]}|{name}"

    # --- flushing ---------------------------------------------------------------------------

    def flush(self, *, redis_too: bool = True) -> int:
        """Write everything counted so far (here and, unless told otherwise, in Redis) to
        ApiUsage; the rows written."""
        with self._flush_lock:
            self._last_flush = time.monotonic()
            with self._lock:
                local, self._pending = self._pending, defaultdict(lambda: [0] * len(FIELDS))
                self._pending_requests = 0
            totals: dict[Row, list[int]] = defaultdict(lambda: [0] * len(FIELDS))
            for row, counts in local.items():
                totals[row] = list(counts)
            batches = self._take_redis_batches(totals) if redis_too and self._redis_usable() else []
            try:
                written = self._write(totals)
            except DatabaseError:
                logger.exception("API usage: the counts could not be written; kept for the next flush")
                with self._lock:
                    for row, counts in local.items():
                        kept = self._pending[row]
                        for i, n in enumerate(counts):
                            kept[i] += n
                        self._pending_requests += counts[0]
                return 0
            if batches:
                try:
                    self._redis.pipeline().delete(*batches).srem(self._keys()[3], *batches).execute()
                except redis.RedisError as error:  # applied again as an orphan: counted twice, not lost
                    self._redis_failed(error)
            return written

    def _take_redis_batches(self, totals: dict[Row, list[int]]) -> list[str]:
        """Rename the pending counters to a batch of this flush, claim batches left behind by
        dead flushers, and add them all to `totals`; the batches' keys."""
        now = int(time.time())
        pending, count, _, every = self._keys()
        batches = []
        try:
            mine = self._keys(f"{now}:{secrets.token_hex(6)}")[2]
            if self._take(keys=[pending, count, mine, every]):
                batches.append(mine)
            for key in self._redis.smembers(every):
                name = key.decode()
                stamp = name.removeprefix(f"{self.prefix}batch:").split(":")[0]
                if name in batches or not stamp.isdigit() or now - int(stamp) < ORPHAN_SECONDS:
                    continue
                claimed = self._keys(f"{now}:{secrets.token_hex(6)}")[2]
                if self._claim(keys=[name, claimed, every]):  # unless another flusher claimed it first
                    batches.append(claimed)
            for batch in batches:
                for field, value in self._redis.hgetall(batch).items():
                    key_id, day, endpoint, name = field.decode().split("|")
                    totals[(int(key_id), day, endpoint)][FIELDS.index(name)] += int(value)
        except redis.RedisError as error:
            self._redis_failed(error)
        return batches

    @property
    def holds_counts(self) -> bool:
        return self._pending_requests > 0

    @staticmethod
    def _write(totals: dict[Row, list[int]]) -> int:
        rows = [
            (key_id, day, endpoint, *counts)
            for (key_id, day, endpoint), counts in totals.items()
            if counts[0]
        ]
        # A key deleted since its requests were counted (admin deletes only unused keys) takes
        # its counts along: the rest must not wait on a row that can never be written.
        keys = set(ApiKey.objects.filter(pk__in={row[0] for row in rows}).values_list("pk", flat=True))
        rows = [row for row in rows if row[0] in keys]
        if not rows:
            return 0
        table = connection.ops.quote_name(ApiUsage._meta.db_table)
        columns = ", ".join(FIELDS)
        adds = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in FIELDS)
        values = ", ".join(["(%s, %s::date, %s, %s, %s, %s, %s, %s)"] * len(rows))
        sql = (
            f"INSERT INTO {table} (key_id, day, endpoint, {columns}) VALUES {values} "
            f"ON CONFLICT (key_id, day, endpoint) DO UPDATE SET {adds}"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [value for row in rows for value in row])
        return len(rows)


_counters: dict[tuple[str, str], UsageCounter] = {}
_counters_lock = threading.Lock()


def counter() -> UsageCounter:
    """This process's counter for the configured Redis (or none) and key prefix."""
    where = (settings.RATE_LIMIT_REDIS_URL, settings.RATE_LIMIT_KEY_PREFIX)
    with _counters_lock:
        if where not in _counters:
            _counters[where] = UsageCounter(*where)
        return _counters[where]


def flush() -> int:
    return counter().flush()


def reset_counters() -> None:
    """Forget this process's counters and what they hold (tests: each starts with none)."""
    with _counters_lock:
        _counters.clear()


@atexit.register
def _flush_at_exit() -> None:
    """A process that ends writes what its memory still holds (gunicorn's workers end this
    way); what Redis holds waits for the next flush of any process."""
    for usage in list(_counters.values()):
        if not usage.holds_counts:
            continue
        try:
            usage.flush(redis_too=False)
        except Exception:  # the interpreter is going away: say so and go on
            logger.exception("API usage: the last counts of this process could not be written")
