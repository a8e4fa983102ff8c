"""Time `seed_demo --policies N` on PostgreSQL, in a database of its own.

    python scripts/bench_seed.py --policies 1000000

The database is `<name of DATABASE_URL's database>_bench_seed` on the same server (default
server and name: postgres://postgres@127.0.0.1:5432/jqx). It is dropped and created afresh,
migrated, seeded, and dropped again at the end (keep it with --keep). No other database is
touched. Prints the seconds taken and policies per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jqx"


def fresh_database(suffix: str) -> tuple[str, str]:
    """Drop and create `<db>_<suffix>`; return (its URL, the URL of the server's admin db)."""
    import psycopg

    url = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_URL)
    name = f"{url.path.lstrip('/')}_{suffix}"
    server = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(url._replace(path=f"/{name}")), server


def drop_database(url: str, server: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["DATABASE_POOL"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    url, server = fresh_database("bench_seed")
    print(f"基准数据库：{urlsplit(url).path.lstrip('/')}（新建，结束后{'保留' if args.keep else '删除'}）")
    try:
        setup_django(url)
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("seed_demo", policies=args.policies, seed=args.seed)
        elapsed = time.perf_counter() - started
        print(f"seed_demo --policies {args.policies}：{elapsed:.1f} 秒，{args.policies / elapsed:,.0f} 单/秒")
    finally:
        if not args.keep:
            drop_database(url, server)


if __name__ == "__main__":
    main()
