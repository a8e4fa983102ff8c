"""`/healthz`: can this process serve, and how well — for load balancers and monitoring.

GET /healthz answers JSON without login, e.g.

    {"status": "ok", "database": "ok", "rate_limits": "redis"}

- `database`: "ok" when a `SELECT 1` answers within `DATABASE_TIMEOUT_SECONDS` (taken from
  the connection pool with that timeout, so a dead server never holds the check for the
  pool's full wait), else "fail".
- every other field comes from a probe another app registers (`register`): the channels
  app registers `rate_limits` — "redis" (shared by every process), "degraded" (Redis
  unreachable, counted per process until it answers again) or "not_configured".
- `status`: "fail" (HTTP 503) when the database fails; "degraded" (HTTP 200) when a probe
  is degraded; else "ok" (HTTP 200).

Nothing personal and no secret is in the answer (no host, no URL, no error text: those go
to the log). The page runs no Django query: the database is asked on a pooled connection
of its own, and a probe may ask its own store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

import psycopg
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from psycopg_pool import PoolTimeout

logger = logging.getLogger(__name__)

DATABASE_TIMEOUT_SECONDS = 2.0


class Health(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    FAIL = "fail"


Probe = Callable[[], tuple[str, Health]]  # → (what the field says, what it means for the status)

_probes: dict[str, Probe] = {}


def register(name: str, probe: Probe) -> None:
    """Add the field `name` to /healthz, filled by `probe()` on every check."""
    _probes[name] = probe


def check(db: BaseDatabaseWrapper = connection) -> tuple[Health, dict[str, str]]:
    """The overall health and the answer's fields."""
    database = database_health(db)
    fields = {"database": database.value}
    worst = database
    for name, probe in _probes.items():
        try:
            value, health = probe()
        except Exception:
            logger.warning("healthz: the %s probe failed", name, exc_info=True)
            value, health = "error", Health.DEGRADED
        fields[name] = value
        if health is not Health.OK and worst is Health.OK:
            worst = Health.DEGRADED
    return worst, fields


def database_health(db: BaseDatabaseWrapper = connection) -> Health:
    """OK when `SELECT 1` answers within DATABASE_TIMEOUT_SECONDS, FAIL otherwise."""
    milliseconds = int(DATABASE_TIMEOUT_SECONDS * 1000)
    try:
        pool = db.pool
        if pool is None:
            with db.cursor() as cursor:
                cursor.execute("SELECT 1")
                return Health.OK
        pool.open()  # Django opens its pool on first use; a no-op once open
        with pool.connection(timeout=DATABASE_TIMEOUT_SECONDS) as conn, conn.transaction():
            conn.execute(f"SET LOCAL statement_timeout = {milliseconds}")
            conn.execute("SELECT 1")
        return Health.OK
    except (DatabaseError, psycopg.Error, PoolTimeout) as error:
        logger.warning("healthz: database check failed: %s: %s", type(error).__name__, error)
        return Health.FAIL


@never_cache
@login_not_required
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    health, fields = check()
    return JsonResponse({"status": health.value, **fields}, status=503 if health is Health.FAIL else 200)
