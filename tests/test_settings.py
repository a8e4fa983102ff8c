"""Production settings come from the environment and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qm2!vX9@pL4$wR8^tZ1&nB6*cY3(hJ5)eF0_sD-gA+uK=iO~",
    "ALLOWED_HOSTS": "portal.jqx.example.cn",
    "CACHE_URL": "redis://127.0.0.1:6379/1",  # production shares caches and rate limits in Redis
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jqx"),
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.endswith("_SECURE")}
    clean.pop("SECURE_SSL_REDIRECT", None)
    clean.pop("STATICFILES_BACKEND", None)
    clean.pop("WHITENOISE_USE_FINDERS", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"} | {"SECRET_KEY": ""}
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    server = subprocess.run(
        [sys.executable, "-c", "import jqx_portal.wsgi"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )
    assert server.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in server.stderr
    assert manage("check", "--deploy", "--fail-level", "WARNING", env=env).returncode != 0


def test_migrations_can_be_checked_without_any_secret():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"} | {"SECRET_KEY": ""}
    result = manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_without_database_url_settings_refuse_to_load():
    result = manage("check", env={"DEBUG": "1", "DATABASE_URL": ""})
    assert result.returncode != 0
    assert "DATABASE_URL is not set. Run ./scripts/demo" in result.stderr


def embedded_db(*args, pgdata):
    return subprocess.run(
        [sys.executable, "scripts/embedded_db.py", *args],
        cwd=ROOT, env=os.environ | {"JQX_PGDATA": str(pgdata)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_without_database_url_the_scripts_run_an_embedded_postgresql_18(tmp_path):
    """What ./scripts/demo and ./scripts/test start when no DATABASE_URL is given, in a data dir of its own."""
    import psycopg

    pgdata = tmp_path / "pg"
    started = embedded_db("start", pgdata=pgdata)
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        assert url.startswith("postgres://postgres@%2F") and url.endswith("/jqx")
        assert embedded_db("start", pgdata=pgdata).stdout.strip() == url  # already running: the same URL
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SHOW server_version").fetchone()[0].startswith("18.")
            conn.execute("CREATE EXTENSION pg_trgm")  # what the migrations create
            conn.execute("CREATE EXTENSION btree_gist")
            conn.execute("CREATE DATABASE test_jqx_probe")  # pytest-django creates its test database
            conn.execute("DROP DATABASE test_jqx_probe")
        django = manage(
            "shell", "-c", "from django.db import connection as c; c.ensure_connection(); print(c.vendor, c.pg_version)",
            env={"DEBUG": "1", "DATABASE_URL": url},
        )  # fmt: skip
        assert django.returncode == 0, django.stderr
        vendor, version = django.stdout.split()[-2:]
        assert vendor == "postgresql" and version.startswith("18")

        # A server killed without a clean shutdown leaves a stale postmaster.pid (here naming a live
        # process that is not the server): start still works.
        assert embedded_db("stop", pgdata=pgdata).returncode == 0
        assert embedded_db("status", pgdata=pgdata).returncode == 3
        (pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pgdata}\n0\n5432\n{pgdata}\n\n0 0\nready\n")
        restarted = embedded_db("start", pgdata=pgdata)
        assert restarted.returncode == 0, restarted.stderr
        assert "stale postmaster.pid" in restarted.stderr
        with psycopg.connect(restarted.stdout.strip()) as conn:
            assert conn.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'").fetchone()
    finally:
        stopped = embedded_db("stop", pgdata=pgdata)
    assert stopped.returncode == 0, stopped.stderr
    assert not (pgdata / "postmaster.pid").exists()
