"""PgBouncer in transaction pooling (Debian's pgbouncer, started here on a free port with a pool of
two server connections) in front of a throwaway copy of the test database: the portal's critical
paths run through it in a process of their own (tests/scaling/pgbouncer_paths.py) with
DATABASE_PGBOUNCER=1, while another thread's transactions take the same server connections."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scaling.pgcluster import ROOT, django_env

pytestmark = pytest.mark.django_db

CODE = (
    "accounts",
    "channels",
    "claims",
    "core",
    "desks",
    "jqx_portal",
    "outbox",
    "policies",
    "reminders",
    "support",
)


@pytest.fixture(scope="module")
def run(pgbouncer, tmp_path_factory, pg_binaries):
    messages = tmp_path_factory.mktemp("messages")
    env = django_env(
        pgbouncer.url(),
        DATABASE_PGBOUNCER="1",
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="4",
        MESSAGE_FILE_DIR=str(messages),
        SMS_BACKEND="outbox.backends.FileBackend",
        PUSH_BACKEND="outbox.backends.FileBackend",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.scaling.pgbouncer_paths"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    pools = pgbouncer.show("POOLS", pg_binaries[0] / "psql")
    stats = pgbouncer.show("STATS", pg_binaries[0] / "psql")
    return json.loads(line.removeprefix("RESULT ")), pools, stats


def test_the_settings_for_transaction_pooling(run):
    out, _, _ = run
    assert out["settings"] == {
        "prepare_threshold": None,
        "server_side_cursors_disabled": True,
        "startup_options": None,
    }


def test_the_traffic_went_through_pgbouncer_in_transaction_mode_on_two_server_connections(run):
    _, pools, stats = run
    [pool] = [p for p in pools if p["database"] == "jqx"]
    assert pool["pool_mode"] == "transaction"
    assert int(pool["sv_active"]) + int(pool["sv_idle"]) + int(pool["sv_used"]) <= 2
    [jqx] = [s for s in stats if s["database"] == "jqx"]
    assert int(jqx["total_xact_count"]) > 200


def test_another_clients_transactions_and_iterators_ran_alongside(run):
    out, _, _ = run
    assert "error" not in out["churn"], out["churn"]
    assert out["churn"]["rounds"] >= 2 and out["churn"]["iterated"] >= 1


def test_a_renewal_through_pgbouncer_issues_once(run):
    out, _, _ = run
    assert out["renewal"]["created"] is True and out["renewal"]["again_created"] is False
    assert out["renewal"]["same"] is True


def test_reminders_are_planned_once_and_sent_through_pgbouncer(run):
    out, _, _ = run
    assert out["reminders"]["planned"] >= 1 and out["reminders"]["replanned"] == 0
    assert out["reminders"]["sent"] >= 1 and out["reminders"]["unsent"] == 0


def test_an_import_with_its_temporary_tables_runs_through_pgbouncer(run):
    out, _, _ = run
    assert out["import"]["created"] == 6
    assert out["import"]["persons_updated"] == 1 and out["import"]["phone"] == "13800138000"


def test_a_claim_is_reported_and_approved_and_a_ticket_opened_through_pgbouncer(run):
    out, _, _ = run
    assert out["claim"]["state"] == "approved" and out["claim"]["events"] >= 7
    assert out["ticket"]["number"] and out["ticket"]["events"] == 2


def test_unusual_access_is_scanned_once_through_pgbouncer(run):
    out, _, _ = run
    assert out["bursts"]["created"][0] >= 1 and out["bursts"]["created"][1] == 0
    assert out["bursts"]["kept"] == 1


def test_a_long_export_streams_in_keyset_chunks_through_pgbouncer(run):
    """Server-side cursors are off behind PgBouncer (psycopg would read a whole result at once):
    9,000 rows come in chunks of 2,000, one query each, in the list's order."""
    out, _, _ = run
    assert out["export"] == {"rows": 9000, "reads": 5, "chunked": True, "newest_first": True}


def test_the_code_takes_no_session_level_advisory_lock_and_keeps_no_session_state():
    """What PgBouncer's transaction pooling forbids: session advisory locks, SET without LOCAL,
    temporary tables outside a transaction's scope, LISTEN, WITH HOLD cursors."""
    offending = []
    for app in CODE:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
            for pattern in (r"pg_advisory_lock\(", r"pg_try_advisory_lock\(", r"\bLISTEN\b", r"WITH HOLD",
                            r"\"SET (?!LOCAL)(?!session_replication)[a-z_]+ *=", r"assume_role"):  # fmt: skip
                if re.search(pattern, text):
                    offending.append(f"{Path(path).relative_to(ROOT)}: {pattern}")
    assert offending == []
