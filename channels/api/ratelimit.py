"""Rate limits shared by every process of the portal, kept in Redis.

Each limit is a counter per bucket (a key, a plate, a client address) that starts with
the bucket's first request and expires `period` seconds later (a fixed window that opens
on first use). One Lua script counts all of a request's buckets atomically in one round
trip and returns each count with the time left, which becomes `Retry-After`.

Without a Redis URL (a demo without Redis) the counters live in this process only; the
`channels.checks` system check says so whenever DEBUG is off. If Redis cannot be
reached the request is let through and the failure logged: the limits protect the
service, and plate + VIN stays the secret that guards each vehicle's status.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings

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
    try:
        counts = _counter().count(keys, periods_ms)
    except redis.RedisError:
        logger.exception("rate limiter unavailable; request let through")
        return None
    for limit, (count, ttl_ms) in zip(limits, counts, strict=True):
        if count > limit.rate.count:
            return Exceeded(limit.bucket, max(1, math.ceil(ttl_ms / 1000)))
    return None


class RedisCounter:
    def __init__(self, url: str):
        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = client.register_script(_COUNT_SCRIPT)

    def count(self, keys: list[str], periods_ms: list[int]) -> list[tuple[int, int]]:
        flat = self._script(keys=keys, args=periods_ms)
        return [(int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]


class LocalCounter:
    """The same counting in this process's memory, for runs without Redis."""

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


_counters: dict[str, RedisCounter | LocalCounter] = {}
_counters_lock = threading.Lock()


def _counter() -> RedisCounter | LocalCounter:
    url = settings.RATE_LIMIT_REDIS_URL
    with _counters_lock:
        if url not in _counters:
            _counters[url] = RedisCounter(url) if url else LocalCounter()
        return _counters[url]
