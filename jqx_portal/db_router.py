"""Read replicas: which database each query goes to.

With `DATABASE_REPLICA_URLS` set (settings.py makes DATABASES["replica_0"], ["replica_1"] … of
PostgreSQL streaming replicas), `ReplicaRoutingMiddleware` lets a request read from one replica
(chosen per request, so one page never mixes two replicas' lags) when

* it is a GET, HEAD or OPTIONS, or a POST to a view that only reads (READ_ONLY_POST_VIEWS: the
  hotline and counter searches, the API's renewal status and quote), and
* its user has not written in the last REPLICA_STICKY_SECONDS (read-your-writes: any other POST,
  or any write during a request, sets the cookie `jqx_primary_until`, and until then every read
  of that browser goes to the primary).

Everything else reads from the primary: writes (always), reads in a transaction (an atomic
block on the primary), reads later in a request that wrote, the session and sign-in records
(PRIMARY_MODELS), and all work outside a request — management commands, the outbox senders and
the reminders' planner read what they then write. Migrations run on the primary only.

Without replicas the middleware steps aside and the router answers "default" for everything.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connections

PRIMARY = "default"
STICKY_COOKIE = "jqx_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# POSTs that only read: a search posted to keep its terms out of URLs, the API's read endpoints.
# Their session writes and usage counters (UNPINNED_WRITES) do not make the user sticky.
READ_ONLY_POST_VIEWS = frozenset({"hotline:home", "counter:home", "api:renewal-status", "api:quotes"})

# Read from the primary always: what is written on nearly every request and read back on the next
# (the session), and what must never be stale (lockouts, second-factor devices and their counters).
PRIMARY_MODELS = frozenset(
    {
        "sessions.session",
        "axes.accessattempt",
        "axes.accessfailurelog",
        "axes.accesslog",
        "otp_totp.totpdevice",
        "otp_static.staticdevice",
        "otp_static.statictoken",
    }
)
# Writes that do not pin the user to the primary: rows they never read back (the access log of
# full views of personal data, the API's usage counters) and the session (read from the primary).
UNPINNED_WRITES = PRIMARY_MODELS | {"policies.personaccesslog", "channels.apiusage"}


@dataclass
class Route:
    """Where the current request's reads go: `replica` (an alias) or the primary (None)."""

    replica: str | None = None
    wrote: bool = False


_route: ContextVar[Route | None] = ContextVar("jqx_db_route", default=None)


@cache
def replica_aliases() -> tuple[str, ...]:
    return tuple(alias for alias in settings.DATABASES if alias.startswith("replica_"))


def sticky_seconds() -> int:
    return getattr(settings, "REPLICA_STICKY_SECONDS", 10)


def current_route() -> Route | None:
    return _route.get()


@contextmanager
def reading_from(alias: str | None) -> Iterator[Route]:
    """Route the block's reads as a request's (`alias`: a replica, None: the primary) — for
    read-only jobs outside requests (exports, figures) and for tests."""
    route = Route(replica=alias)
    token = _route.set(route)
    try:
        yield route
    finally:
        _route.reset(token)


def pick_replica() -> str | None:
    aliases = replica_aliases()
    return random.choice(aliases) if aliases else None


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads to the request's replica, everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        route = _route.get()
        if route is None or route.replica is None or route.wrote:
            return PRIMARY
        if model._meta.label_lower in PRIMARY_MODELS or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # a related object follows the row it was reached from
        return route.replica

    def db_for_write(self, model, **hints) -> str:
        route = _route.get()
        if route is not None and model._meta.label_lower not in UNPINNED_WRITES:
            route.wrote = True  # this request's later reads, and the user's next ones, see the write
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replicas are copies of the primary: one database

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY


class ReplicaRoutingMiddleware:
    """Decides per request whether its reads may go to a replica (see the module docstring) and
    keeps a user who just wrote on the primary for REPLICA_STICKY_SECONDS (a cookie)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        request.jqx_sticky = self._sticky(request)
        safe = request.method in SAFE_METHODS
        route = Route(replica=pick_replica() if safe and not request.jqx_sticky else None)
        request.jqx_read_only = safe
        token = _route.set(route)
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        if response.streaming:  # an export streams after this returns: keep its reads routed
            response.streaming_content = _routed(response.streaming_content, route)
        if route.wrote or not request.jqx_read_only:
            seconds = sticky_seconds()
            response.set_cookie(
                STICKY_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        route = _route.get()
        if (
            route is not None
            and request.method not in SAFE_METHODS
            and not request.jqx_sticky
            and request.resolver_match.view_name in READ_ONLY_POST_VIEWS
        ):
            request.jqx_read_only = True
            if not route.wrote:
                route.replica = pick_replica()
        return None

    @staticmethod
    def _sticky(request) -> bool:
        """The user wrote less than REPLICA_STICKY_SECONDS ago (a later time than that is not
        believed: a forged cookie cannot keep anyone on the primary for longer)."""
        try:
            until = int(request.COOKIES.get(STICKY_COOKIE, "0"))
        except ValueError:
            return False
        now = time.time()
        return now < until <= now + sticky_seconds() + 1


def _routed(chunks, route: Route):
    iterator = iter(chunks)
    while True:
        token = _route.set(route)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _route.reset(token)
        yield chunk
