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


def test_without_database_url_the_demo_runs_on_sqlite():
    result = manage(
        "shell", "-c", "from django.db import connection; print(connection.vendor)",
        env={"DEBUG": "1", "DATABASE_URL": ""},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "sqlite"
