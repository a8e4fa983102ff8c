"""Rate limits shared by every process of the portal, kept in Redis.

Each limit is a counter per bucket (a key, a plate, a client address) that starts with
the bucket's first request and expires `period` seconds later (a fixed window that opens
on first use). One Lua script counts all of a request's buckets atomically in one round
trip and returns each count with the time left, which becomes `Retry-After`.

Without a Redis URL (a demo without Redis) the counters live in this process only; the
`channels.checks` system check says so whenever DEBUG is off. If Redis cannot be reached
the limits never open: they fall back to the same per-process counters (degraded — each
process counts on its own — but still enforced), the fault is logged as one warning at
most once a minute, Redis is tried again after a short back-off, and `/healthz` reports
the state (`store_state()`) until Redis answers again. The limits protect the service,
and plate + VIN stays the secret that guards each vehicle's status.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

_COUNT_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local period = tonumber(ARGV[i])
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if count == 1 or ttl < 0 then
    redis.call('PEXPIRE', key, period)
    ttl = period
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out
"""


@dataclass(frozen=True)
class Rate:
    """At most `count` requests per `period` seconds."""

    count: int
    period: int

    @classmethod
    def parse(cls, value: str) -> Rate:
        """ "30/3600" → 30 per hour."""
        count, _, period = str(value).partition("/")
        rate = cls(int(count), int(period))
        if rate.count <= 0 or rate.period <= 0:
            raise ValueError(f"rate {value!r} must be two positive numbers, count/seconds")
        return rate

    def __str__(self) -> str:
        return f"{self.count}/{self.period}"


@dataclass(frozen=True)
class Limit:
    bucket: str  # e.g. "key:17", "plate:苏A12345"
    rate: Rate


@dataclass(frozen=True)
class Exceeded:
    bucket: str
    retry_after: int  # whole seconds until the bucket's window closes


def hit(*limits: Limit) -> Exceeded | None:
    """Count one request against each limit; the first limit now exceeded, or None."""
    keys = [f"{settings.RATE_LIMIT_KEY_PREFIX}{limit.bucket}" for limit in limits]
    periods_ms = [limit.rate.period * 1000 for limit in limits]
    counts = _counter().count(keys, periods_ms)
    for limit, (count, ttl_ms) in zip(limits, counts, strict=True):
        if count > limit.rate.count:
            return Exceeded(limit.bucket, max(1, math.ceil(ttl_ms / 1000)))
    return None


class StoreState(StrEnum):
    """Where the limits are counted now, as `/healthz` reports it."""

    REDIS = "redis"  # shared by every process
    DEGRADED = "degraded"  # Redis configured but unreachable: per process until it answers
    NOT_CONFIGURED = "not_configured"  # no Redis URL: per process by configuration


def store_state() -> StoreState:
    """The rate-limit store's state; asks Redis (one PING, 0.5 s at most) unless it is
    configured away or known to be down and still in its back-off."""
    counter = _counter()
    if isinstance(counter, LocalCounter):
        return StoreState.NOT_CONFIGURED
    return StoreState.REDIS if counter.probe() else StoreState.DEGRADED


class RedisCounter:
    def __init__(self, url: str):
        # One attempt per call, no retries of its own: a Redis that is down must cost a
        # request at most the 0.5 s timeouts, never redis-py's default backed-off retries.
        self._client = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
        self._script = self._client.register_script(_COUNT_SCRIPT)

    def count(self, keys: list[str], periods_ms: list[int]) -> list[tuple[int, int]]:
        flat = self._script(keys=keys, args=periods_ms)
        return [(int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]

    def ping(self) -> None:
        self._client.ping()


class LocalCounter:
    """The same counting in this process's memory, for runs without Redis and while
    Redis cannot be reached."""

    def __init__(self):
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[int, float]] = {}

    def count(self, keys: list[str], periods_ms: list[int]) -> list[tuple[int, int]]:
        now = time.monotonic()
        out = []
        with self._lock:
            if len(self._buckets) > 100_000:
                self._buckets = {k: v for k, v in self._buckets.items() if v[1] > now}
            for key, period_ms in zip(keys, periods_ms, strict=True):
                count, expires = self._buckets.get(key, (0, 0.0))
                if expires <= now:
                    count, expires = 0, now + period_ms / 1000
                self._buckets[key] = (count + 1, expires)
                out.append((count + 1, int((expires - now) * 1000)))
        return out


# While Redis is down: how long before it is tried again, and how often the fault is logged.
RETRY_AFTER_SECONDS = 5.0
LOG_EVERY_SECONDS = 60.0


class FallbackCounter:
    """Redis while it answers; this process's own counters while it does not.

    A failed Redis call switches to the local counters for `retry_after` seconds (no
    request waits on a dead Redis meanwhile); the next call after that tries Redis again
    and stays there once it answers. The outage is logged as one warning when it starts
    and then at most once every `log_every` seconds, without a traceback; the recovery
    once. `clock` is the monotonic clock (a parameter so the timing can be tested)."""

    def __init__(
        self,
        url: str,
        *,
        retry_after: float = RETRY_AFTER_SECONDS,
        log_every: float = LOG_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.where = _where(url)
        self.redis = RedisCounter(url)
        self.local = LocalCounter()
        self._retry_after = retry_after
        self._log_every = log_every
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._logged_at: float | None = None
        self._failures = 0  # calls that found Redis down since the last warning

    @property
    def degraded(self) -> bool:
        return self._down_since is not None

    def count(self, keys: list[str], periods_ms: list[int]) -> list[tuple[int, int]]:
        if self._should_try():
            try:
                counts = self.redis.count(keys, periods_ms)
            except redis.RedisError as error:
                self._failed(error)
            else:
                self._answered()
                return counts
        else:
            with self._lock:
                self._failures += 1
        return self.local.count(keys, periods_ms)

    def probe(self) -> bool:
        """Whether Redis counts the limits now: False within the back-off, else one PING."""
        if not self._should_try():
            return False
        try:
            self.redis.ping()
        except redis.RedisError as error:
            self._failed(error, request=False)
            return False
        self._answered()
        return True

    def _should_try(self) -> bool:
        return self._down_since is None or self._clock() >= self._retry_at

    def _failed(self, error: redis.RedisError, *, request: bool = True) -> None:
        now = self._clock()
        with self._lock:
            self._failures += request
            if self._down_since is None:
                self._down_since = now
            self._retry_at = now + self._retry_after
            if self._logged_at is not None and now - self._logged_at < self._log_every:
                return
            self._logged_at, failures, down_for = now, self._failures, now - self._down_since
            self._failures = 0
        logger.warning(
            "rate limits: Redis at %s unreachable for %.0f s (%s: %s); %d request(s) counted "
            "per process meanwhile; retrying every %.0f s",
            self.where,
            down_for,
            type(error).__name__,
            error,
            failures,
            self._retry_after,
        )

    def _answered(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            down_for = self._clock() - self._down_since
            self._down_since, self._failures = None, 0
        logger.info(
            "rate limits: Redis at %s answers again after %.0f s; limits shared again", self.where, down_for
        )


def _where(url: str) -> str:
    """host:port/db of a Redis URL, without its password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}"


_counters: dict[str, FallbackCounter | LocalCounter] = {}
_counters_lock = threading.Lock()


def _counter() -> FallbackCounter | LocalCounter:
    url = settings.RATE_LIMIT_REDIS_URL
    with _counters_lock:
        if url not in _counters:
            _counters[url] = FallbackCounter(url) if url else LocalCounter()
        return _counters[url]


def reset_counters() -> None:
    """Forget every counter and Redis state of this process (tests that start their own Redis)."""
    with _counters_lock:
        _counters.clear()
