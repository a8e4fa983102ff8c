"""scripts/backup and scripts/restore against a scratch database of the test's own on the
test server: seeded with the demo, dumped, restored into a new database, and compared
table by table — row counts and a checksum of every row — and sequence by sequence."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.faults.conftest import free_port

pytestmark = pytest.mark.slow  # migrates and seeds a database of its own

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "scripts" / "backup"
RESTORE = ROOT / "scripts" / "restore"


def server_url(database: str) -> str:
    """The test server's URL (DATABASE_URL, as pytest's config gives it) for `database`."""
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}"))


def admin():
    return psycopg.connect(server_url("postgres"), autocommit=True)


def drop(name: str) -> None:
    with admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def portal(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_POOL": "0"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def script(path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(path), *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


def fingerprint(url: str) -> dict[str, tuple]:
    """Every table's row count and md5 of its rows in a fixed order; every sequence's state."""
    out = {}
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            out[table] = conn.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {} t"
                ).format(sql.Identifier(table))
            ).fetchone()
        sequences = [
            r[0] for r in conn.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ]
        for sequence in sequences:
            out[f"sequence {sequence}"] = conn.execute(
                sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(sequence))
            ).fetchone()
    return out


@pytest.fixture(scope="module")
def seeded():
    """A scratch database on the test server, migrated and seeded with 200 demo policies."""
    name = f"jqx_fault_src_{uuid.uuid4().hex[:10]}"
    with admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = server_url(name)
    try:
        for step in (["migrate", "--no-input", "-v0"], ["seed_demo", "--policies", "200", "--no-progress"]):
            result = portal(*step, url=url)
            assert result.returncode == 0, result.stderr
        yield url
    finally:
        drop(name)


@pytest.fixture
def new_database():
    """The name of a database that does not exist yet; dropped after the test."""
    name = f"jqx_fault_copy_{uuid.uuid4().hex[:10]}"
    yield name
    drop(name)


def test_a_backup_restores_into_a_new_database_row_for_row(seeded, new_database, tmp_path):
    before = fingerprint(seeded)

    backed_up = script(BACKUP, str(tmp_path), "--url", seeded)
    assert backed_up.returncode == 0, backed_up.stderr
    dump = Path(backed_up.stdout.strip())
    assert dump.parent == tmp_path
    assert dump.name.startswith("jqx-") and dump.suffix == ".dump"
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert not list(tmp_path.glob("*.partial"))

    restored = script(RESTORE, str(dump), "--into", server_url(new_database))
    assert restored.returncode == 0, restored.stderr
    after = fingerprint(server_url(new_database))

    assert before["policies_policy"][0] >= 200  # the demo was there to back up
    assert sum(1 for key, value in before.items() if not key.startswith("sequence") and value[0]) >= 20
    assert after == before
    # The portal finds every migration applied on the copy.
    check = portal("migrate", "--check", url=server_url(new_database))
    assert check.returncode == 0, check.stdout + check.stderr


def test_restore_refuses_a_database_that_holds_tables_and_changes_nothing(seeded, tmp_path):
    dump = Path(script(BACKUP, str(tmp_path / "one.dump"), "--url", seeded).stdout.strip())
    before = fingerprint(seeded)

    refused = script(RESTORE, str(dump), "--into", seeded)

    assert refused.returncode == 2
    assert "refusing to restore" in refused.stderr and "--clean" in refused.stderr
    assert fingerprint(seeded) == before


def test_restore_with_clean_replaces_what_the_database_holds(seeded, new_database, tmp_path):
    dump = Path(script(BACKUP, str(tmp_path / "one.dump"), "--url", seeded).stdout.strip())
    assert script(RESTORE, str(dump), "--into", server_url(new_database)).returncode == 0
    with psycopg.connect(server_url(new_database), autocommit=True) as conn:
        conn.execute("TRUNCATE support_ticketevent CASCADE")
        conn.execute("UPDATE policies_branch SET name = name || '（改）'")

    cleaned = script(RESTORE, str(dump), "--into", server_url(new_database), "--clean")

    assert cleaned.returncode == 0, cleaned.stderr
    assert fingerprint(server_url(new_database)) == fingerprint(seeded)


def test_restore_of_a_file_that_is_no_dump_fails_and_creates_nothing(new_database, tmp_path):
    bogus = tmp_path / "jqx-bogus.dump"
    bogus.write_text("not a dump")

    failed = script(RESTORE, str(bogus), "--into", server_url(new_database))

    assert failed.returncode == 1
    assert "not a pg_dump custom-format archive" in failed.stderr
    with admin() as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [new_database]
        ).fetchone() == (0,)


def test_backup_of_an_unreachable_database_exits_non_zero_and_leaves_no_file(tmp_path):
    dead = f"postgres://postgres@127.0.0.1:{free_port()}/jqx"

    failed = script(BACKUP, str(tmp_path), "--url", dead)

    assert failed.returncode != 0
    assert "backup failed" in failed.stderr
    assert list(tmp_path.iterdir()) == []


def test_backup_keeps_the_newest_backup_keep_dumps(seeded, tmp_path):
    old = []
    for day in (1, 2, 3):
        path = tmp_path / f"jqx-2020010{day}-023000.dump"
        path.write_bytes(b"PGDMP old")
        stamp = time.time() - (10 - day) * 86400
        os.utime(path, (stamp, stamp))
        old.append(path)
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("kept")

    result = script(BACKUP, str(tmp_path), "--url", seeded, BACKUP_KEEP="2")

    assert result.returncode == 0, result.stderr
    new = Path(result.stdout.strip())
    assert sorted(tmp_path.iterdir()) == sorted([new, old[2], unrelated])
    assert "BACKUP_KEEP=2" in result.stderr


def test_backup_picks_a_pg_dump_at_least_as_new_as_the_server(seeded, tmp_path):
    result = script(BACKUP, str(tmp_path / "x.dump"), "--url", seeded)
    with psycopg.connect(seeded) as conn:
        server_major = conn.info.server_version // 10000
    used = result.stderr.split(" with ", 1)[1].split(" into ", 1)[0]
    version = subprocess.run([used, "--version"], capture_output=True, text=True).stdout
    assert int(version.split("(PostgreSQL) ")[1].split(".")[0]) >= server_major
