"""The database settings the scaling features read from the environment: replica aliases with the
primary's options, and what DATABASE_PGBOUNCER=1 changes. Settings are read at start: each case
runs in a process of its own."""

import json
import subprocess
import sys

from tests.scaling.pgcluster import ROOT, django_env

SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'databases': settings.DATABASES, 'routers': settings.DATABASE_ROUTERS, "
    "'sticky': settings.REPLICA_STICKY_SECONDS, 'middleware': settings.MIDDLEWARE}, default=str))"
)


def settings_with(**env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT, env=django_env("postgres://app@db1.internal:5432/jqx", **env),
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_each_replica_url_becomes_an_alias_with_the_primarys_pool_and_timeout():
    shown = settings_with(
        DATABASE_REPLICA_URLS="postgres://app@db2.internal:5432/jqx,postgres://app@%2Fvar%2Frun%2Fpg:5433/jqx",
        DATABASE_POOL_MAX="7",
        REPLICA_STICKY_SECONDS="4",
    )
    databases = shown["databases"]
    assert sorted(databases) == ["default", "replica_0", "replica_1"]
    primary, first, second = databases["default"], databases["replica_0"], databases["replica_1"]
    assert (first["HOST"], first["PORT"], first["NAME"]) == ("db2.internal", 5432, "jqx")
    assert (second["HOST"], second["PORT"]) == ("/var/run/pg", 5433)  # a socket folder, decoded
    for replica in (first, second):
        assert (
            replica["OPTIONS"]["pool"]
            == primary["OPTIONS"]["pool"]
            == {"min_size": 2, "max_size": 7, "timeout": 10}
        )
        assert replica["OPTIONS"]["options"] == primary["OPTIONS"]["options"] == "-c statement_timeout=30000"
        assert replica["TEST"]["MIRROR"] == "default"  # the test runner makes no database for it
    assert shown["routers"] == ["jqx_portal.db_router.ReplicaRouter"]
    assert shown["sticky"] == 4
    assert "jqx_portal.db_router.ReplicaRoutingMiddleware" in shown["middleware"]


def test_without_replica_urls_there_is_only_the_primary():
    shown = settings_with()
    assert list(shown["databases"]) == ["default"]
    assert shown["sticky"] == 10


def test_pgbouncer_mode_sends_no_startup_options_prepares_nothing_and_uses_no_server_cursors():
    shown = settings_with(
        DATABASE_PGBOUNCER="1", DATABASE_REPLICA_URLS="postgres://app@db2.internal:6432/jqx"
    )
    for alias in ("default", "replica_0"):
        database = shown["databases"][alias]
        assert "options" not in database["OPTIONS"]
        assert database["OPTIONS"]["prepare_threshold"] is None
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
