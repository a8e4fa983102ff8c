"""Benchmark of renewal reminders: planning a day over 1,000,000 policies in the reminder
window, and sending through the file backend with two senders.

    python scripts/bench_reminders.py [--policies 1000000] [--senders 2] [--keep]

It works in a database of its own, `jqx_bench_reminders` on the server of DATABASE_URL
(override with BENCH_DATABASE_URL), which it DROPS and re-creates at the start: never point
it at a database you want to keep. It migrates it, builds the data with bulk SQL
(generate_series), then:

1. plans one day (`plan_reminders`) — 1,000,000 policies whose cover ends between the day
   before and 60 days after it (so every cadence step has policies due), a tenth of them
   already renewed and a fiftieth cancelled — and times it, then times the idempotent rerun;
2. makes the planned SMS and push messages due now and runs N `send_messages` processes at
   once with the file backend into a temporary directory, timing them, and checks that
   every message was written exactly once.

The machine may be shared: the load average is printed beside each figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "jqx_bench_reminders"
DAY = dt.date(2027, 3, 15)


def bench_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    )
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def setup_django(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DATABASE_POOL="0",
        DATABASE_STATEMENT_TIMEOUT_MS="0",
        DJANGO_SETTINGS_MODULE="jqx_portal.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key"),
        DEBUG="0",
    )
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def build_data(n: int) -> None:
    from django.db import connection

    day = DAY.isoformat()
    statements = [
        (
            "branches",
            """INSERT INTO policies_branch (code, name, province, city, is_active)
               SELECT 'B' || lpad(b::text, 4, '0'), '测试第' || b || '营业部', '江苏', '南京', true
               FROM generate_series(1, 50) b""",
        ),
        (
            "people",
            """INSERT INTO policies_person (name, id_number, phone, email, app_account, address, created_at, updated_at)
               SELECT '客户' || i, lpad(i::text, 18, '0'), '139' || lpad(i::text, 8, '0'),
                      'c' || i || '@example.cn', 'app' || i, '', now(), now()
               FROM generate_series(1, %(n)s) i""",
        ),
        (
            "vehicles",
            """INSERT INTO policies_vehicle (plate, vin, engine_number, vehicle_type, brand_model, premium_category,
                      seats, displacement_l, energy_type, registration_date, owner_id, created_at)
               SELECT '苏' || chr(65 + i %% 26) || lpad((i %% 100000)::text, 5, '0'), 'LBENCH' || lpad(i::text, 11, '0'),
                      '', '小型普通客车', '', 'FAMILY_LT6', 5, 1.5, 'fuel', DATE '2018-01-01', i, now()
               FROM generate_series(1, %(n)s) i""",  # a fresh database: person i has id i
        ),
        (
            "policies",
            """INSERT INTO policies_policy (number, vehicle_id, policyholder_id, insured_id, branch_id, channel,
                      term_kind, start_date, end_date, base_premium, floating_plan, floating_reason, floating_rate,
                      premium, vehicle_tax, total, at_fault_claims, fatal_claims, status, cancelled_on,
                      cancel_reason, refund, renewed_from_id, issued_by_id, issued_at, imported)
               SELECT 'P' || lpad(v.id::text, 15, '0'), v.id, v.owner_id, v.owner_id,
                      (SELECT min(id) FROM policies_branch) + v.id %% 50, 'counter', 'annual',
                      e.end_date - 364,
                      CASE WHEN v.id %% 50 = 1 THEN e.cancelled_on ELSE e.end_date END,
                      950, 'E', 'A1', -0.10, 855, 300, 1155, 0, 0,
                      CASE WHEN v.id %% 50 = 1 THEN 'cancelled' ELSE 'in_force' END,
                      CASE WHEN v.id %% 50 = 1 THEN e.cancelled_on END,
                      CASE WHEN v.id %% 50 = 1 THEN 'laid_up' ELSE '' END,
                      NULL, NULL, NULL, now() - interval '300 days', true
               FROM policies_vehicle v
               CROSS JOIN LATERAL (SELECT DATE %(day)s + (v.id %% 62)::int - 1 AS end_date) e0
               -- cancelled policies end on their cancellation date, here still inside the window
               CROSS JOIN LATERAL (SELECT e0.end_date, GREATEST(e0.end_date - 3, DATE %(day)s - 1) AS cancelled_on) e""",
        ),
        (
            "renewals (a tenth already renewed)",
            """INSERT INTO policies_policy (number, vehicle_id, policyholder_id, insured_id, branch_id, channel,
                      term_kind, start_date, end_date, base_premium, floating_plan, floating_reason, floating_rate,
                      premium, vehicle_tax, total, at_fault_claims, fatal_claims, status, cancelled_on,
                      cancel_reason, refund, renewed_from_id, issued_by_id, issued_at, imported)
               SELECT 'R' || lpad(p.vehicle_id::text, 15, '0'), p.vehicle_id, p.policyholder_id, p.insured_id,
                      p.branch_id, 'website', 'annual', p.end_date + 1, p.end_date + 365, 950, 'E', 'A2', -0.20,
                      760, 300, 1060, 0, 0, 'in_force', NULL, '', NULL, p.id, NULL, now() - interval '1 day', true
               FROM policies_policy p WHERE p.vehicle_id %% 10 = 0 AND p.status = 'in_force'""",
        ),
    ]
    with connection.cursor() as cursor:
        for label, sql in statements:
            started = time.monotonic()
            cursor.execute(sql, {"n": n, "day": day})
            print(
                f"  {label:<36} {cursor.rowcount:>10,} rows  {time.monotonic() - started:6.1f} s", flush=True
            )
        started = time.monotonic()
        cursor.execute("ANALYZE")
        print(f"  {'analyze':<36} {'':>10}       {time.monotonic() - started:6.1f} s", flush=True)


def bench_planning() -> int:
    from django.db import connection

    from reminders.planning import plan_reminders

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM policies_policy WHERE end_date BETWEEN %s AND %s",
            [DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=60)],
        )
        in_window = cursor.fetchone()[0]
    print(f"\nPlanning {DAY}: {in_window:,} policies end in the window ({load()})", flush=True)
    started = time.monotonic()
    result = plan_reminders(day=DAY)
    planned = time.monotonic() - started
    for (channel, days_left), count in sorted(result.by_step.items()):
        print(f"  {channel:<6} {days_left:>3} days: {count:>8,}")
    print(f"  PLAN: {result.total:,} reminders + outbox rows written in {planned:.1f} s", flush=True)
    started = time.monotonic()
    again = plan_reminders(day=DAY)
    print(f"  RERUN: {again.total:,} new rows in {time.monotonic() - started:.1f} s (idempotent)", flush=True)
    return result.total


def bench_sending(url: str, senders: int) -> None:
    from django.db import connection

    from reminders.cadence import is_quiet

    with connection.cursor() as cursor:
        # Email is measured elsewhere: here SMS and push through the file backend.
        cursor.execute(
            "UPDATE policies_outboundmessage SET not_before = now() + interval '1 day' WHERE channel = 'email'"
        )
        cursor.execute(
            "UPDATE policies_outboundmessage SET not_before = now() - interval '1 minute' "
            "WHERE channel IN ('sms', 'push') RETURNING id"
        )
        count = cursor.rowcount
        if is_quiet(dt.datetime.now(dt.UTC)):
            # Now is in the quiet hours: relabel so the senders do not hold the reminders till 08:00.
            cursor.execute(
                "UPDATE policies_outboundmessage SET purpose = 'bench_load' WHERE channel IN ('sms', 'push')"
            )
            print("  (quiet hours now: the messages are relabelled so they go out at once)")
        cursor.execute("VACUUM ANALYZE policies_outboundmessage")
    directory = Path(tempfile.mkdtemp(prefix="jqx-bench-messages-"))
    env = os.environ | {
        "DATABASE_URL": url,
        "MESSAGE_FILE_DIR": str(directory),
        "SMS_BACKEND": "outbox.backends.FileBackend",
        "PUSH_BACKEND": "outbox.backends.FileBackend",
    }
    print(f"\nSending {count:,} SMS and push messages with {senders} senders ({load()})", flush=True)
    started = time.monotonic()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(BASE_DIR / "manage.py"),
                "send_messages",
                "--batch-size",
                "1000",
                "--worker",
                f"bench-{i + 1}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i in range(senders)
    ]
    outputs = [p.communicate() for p in processes]
    wall = time.monotonic() - started
    for out, err in outputs:
        print("  " + (out.strip() or err.strip()[-500:]))
    ids = [json.loads(line)["id"] for path in directory.iterdir() for line in path.read_text().splitlines()]
    duplicates = len(ids) - len(set(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM policies_outboundmessage WHERE channel IN ('sms', 'push') AND status = 'sent'"
        )
        sent = cursor.fetchone()[0]
    print(f"  files: {len(ids):,} lines, {duplicates} duplicates; outbox: {sent:,} of {count:,} sent")
    print(f"  SEND: {sent / wall:,.0f} messages/s with {senders} senders ({sent:,} in {wall:.1f} s wall time, "
          "process start-up included)")  # fmt: skip


def bench_pages(history_days: int) -> None:
    """Plan `history_days` earlier days too, mark everything sent, and time the queries of the
    supervisors' pages (campaign overview, conversion over 90 days, dashboard panel) and the
    nightly recount of the conversion figures."""
    from django.db import connection
    from django.utils import timezone

    from reminders import selectors
    from reminders.conversion import conversion_figures, conversion_refresh
    from reminders.planning import plan_reminders

    started = time.monotonic()
    for back in range(1, history_days + 1):
        plan_reminders(day=DAY - dt.timedelta(days=back))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE policies_outboundmessage SET status = 'sent', sent_at = now() - interval '1 hour'"
        )
        cursor.execute("VACUUM ANALYZE policies_outboundmessage")
        cursor.execute("VACUUM ANALYZE policies_reminder")
        cursor.execute("SELECT count(*) FROM policies_reminder")
        reminders = cursor.fetchone()[0]
    print(f"\nPages over {reminders:,} reminders ({history_days} more days planned in "
          f"{time.monotonic() - started:.0f} s; {load()})")  # fmt: skip
    for label, fn in [
        ("campaign overview, last 7 days", lambda: selectors.campaign_by_day(last=DAY, days=7)),
        ("outbox health", lambda: selectors.outbox_health(now=timezone.now())),
        ("conversion recount, 120 days (nightly)", lambda: conversion_refresh(last=DAY)),
        ("conversion, 90 days (page and panel)",
         lambda: conversion_figures(first=DAY - dt.timedelta(days=89), last=DAY)),
    ]:  # fmt: skip
        started = time.monotonic()
        fn()
        print(f"  {label:<40} {time.monotonic() - started:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--policies", type=int, default=1_000_000)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument(
        "--history-days",
        type=int,
        default=0,
        help="then plan this many earlier days and time the pages' queries",
    )
    args = parser.parse_args()

    url = bench_url()
    print(f"Benchmark database: {urlsplit(url).path.lstrip('/')} (dropped and re-created) — {load()}")
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"  migrate {time.monotonic() - started:.1f} s")
    print(f"Building {args.policies:,} policies with bulk SQL:", flush=True)
    build_data(args.policies)
    bench_planning()
    bench_sending(url, args.senders)
    if args.history_days:
        bench_pages(args.history_days)
    connection.close()
    if not args.keep:
        drop_database(url)
        print(f"\n{BENCH_DB} dropped (use --keep to keep it).")


if __name__ == "__main__":
    main()
