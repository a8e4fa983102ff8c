"""Benchmark of the supervisors' dashboard (经营看板) on the benchmark books of 1,000,000 and
10,000,000 policies (the databases jqx_bench_1m and jqx_bench_10m that scripts/benchdb.py
builds — this script never builds them: run a benchmark that does, e.g.
`python scripts/bench_hotline.py --policies 1000000`, first).

For each database: migrates it (the summary tables), times a backfill of the monthly summaries
(`--backfill` months, 24 by default, in batches as `refresh_insights --all` builds them) and the
nightly refresh of the last 3 months (`refresh_insights`, also the 立即刷新 button), then times the dashboard page through
Django's test client for a head-office supervisor — all branches, two branches compared, one
branch with a channel filter — printing median and 95th percentile and the number of queries.
The staff accounts it creates are rolled back; the summaries stay (they are derived data).

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/jqx python scripts/bench_dashboard.py
    DEBUG=1 python scripts/bench_dashboard.py --database jqx_bench_1m --skip-full
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")

from scripts.benchdb import table_sizes, use_database

DATABASES = ("jqx_bench_1m", "jqx_bench_10m")


class Rollback(Exception):
    pass


def timed(label: str, repeat: int, request) -> float:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = request()
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (label, response.status_code)
        queries = len(captured.captured_queries)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    median = statistics.median(times)
    print(f"  {label:<44} median {median:7.1f} ms  p95 {p95:7.1f} ms  {queries:2d} queries", flush=True)
    return median


def bench(database: str, *, repeat: int, skip_full: bool, backfill: int) -> None:
    use_database(database)
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.clock import today
    from insights.models import PolicyMonth
    from insights.refresh import RECENT_MONTHS, refresh_in_batches, summaries_refresh
    from policies.models import Branch, Policy, User
    from policies.pricing import add_months
    from policies.roles import SUPERVISOR

    if not Policy.objects.exists():
        print(f"{database}: no policies — build it first (scripts/benchdb.py, e.g. bench_hotline.py)")
        return
    call_command("migrate", verbosity=0)
    sizes = {name: rows for name, rows, _ in table_sizes()}
    print(f"{database}: {sizes.get('policies_policy', 0):,} policies (estimate)", flush=True)

    if skip_full and PolicyMonth.objects.exists():
        print("  backfill skipped (summaries present)")
    else:
        started = time.perf_counter()
        first = add_months(today().replace(day=1), -(backfill - 1))
        rows = sum(run.rows for run in refresh_in_batches(first=first))
        print(
            f"  backfill of {backfill} months (refresh_insights, {RECENT_MONTHS} months a batch): {rows:,} rows "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    started = time.perf_counter()
    run = summaries_refresh(first=add_months(today().replace(day=1), -(RECENT_MONTHS - 1)))
    print(
        f"  nightly refresh (last {RECENT_MONTHS} months): {run.rows:,} rows in {time.perf_counter() - started:.1f} s"
    )
    print(f"  summary rows: {PolicyMonth.objects.count():,} policy-months", flush=True)

    branches = list(Branch.objects.order_by("pk").values_list("pk", flat=True)[:2])
    try:
        with transaction.atomic():
            boss = User.objects.create_user("bench_dashboard_hq", password="x", branch=None)
            boss.groups.add(Group.objects.get(name=SUPERVISOR))
            client = Client(HTTP_HOST="localhost")
            client.force_login(boss)
            # Supervisors sign in with a second factor: an authenticator, and its code on the 2FA page.
            device = TOTPDevice.objects.create(user=boss, name="基准测试验证器", confirmed=True)
            code = totp(
                device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
            )
            assert client.post(reverse("two_factor"), {"code": f"{code:06d}"}).status_code == 302
            url = reverse("dashboard")
            client.get(url)  # warm the process (templates, tariff caches)
            timed("dashboard, all branches, 12 months", repeat, lambda: client.get(url))
            timed(
                "dashboard, 2 branches compared, 24 months",
                repeat,
                lambda: client.get(url, {"branch": branches, "start": f"{add_months(today(), -23):%Y-%m}"}),
            )
            timed(
                "dashboard, 1 branch, channel app",
                repeat,
                lambda: client.get(url, {"branch": branches[:1], "channel": "app"}),
            )
            raise Rollback
    except Rollback:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="one benchmark database (default: both, 1M then 10M)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-full", action="store_true", help="keep summaries already built")
    parser.add_argument("--backfill", type=int, default=24, help="months to build first (default 24)")
    args = parser.parse_args()
    if args.database:
        bench(args.database, repeat=args.repeat, skip_full=args.skip_full, backfill=args.backfill)
        return
    for database in DATABASES:  # one process each: the database is chosen before django.setup()
        extra = ["--backfill", str(args.backfill)] + (["--skip-full"] if args.skip_full else [])
        subprocess.run(
            [sys.executable, __file__, "--database", database, "--repeat", str(args.repeat), *extra],
            check=True,
        )


if __name__ == "__main__":
    main()
