"""Memory and time of a 1,000,000-row list export (core.exports), CSV and XLSX.

    DATABASE_URL=postgres://… python scripts/bench_exports.py [--rows 1000000]

Seeds the access log with `--rows` full views (once: rows already there are reused; a bulk
INSERT … SELECT generate_series, spread over the last 20 days) by one clerk of 1,000 customers,
then exports the access log of those days through Django's full stack in-process, once per
format, each in a fresh process so its peak resident memory is its own. Prints rows, bytes,
seconds and the process's peak RSS before and after the export. Leaves the rows in place
(delete them with --drop).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from core.clock import today  # noqa: E402
from core.models import ExportLog  # noqa: E402
from policies.identifiers import id_check_char  # noqa: E402
from policies.models import Branch, Person, PersonAccessLog, User  # noqa: E402

READER, CLERK, PAGE = "bench_export_reader", "bench_export_clerk", "bench-export"
DAYS = 20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(rows: int) -> None:
    branch, _ = Branch.objects.get_or_create(
        code="999901", defaults={"name": "导出压测网点", "province": "江苏", "city": "南京"}
    )
    clerk, _ = User.objects.get_or_create(username=CLERK, defaults={"branch": branch})
    reader, created = User.objects.get_or_create(username=READER, defaults={"branch": None})
    if created:
        reader.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_personaccesslog", "view_dashboards", "export_lists"]
            )
        )
    people = list(Person.objects.filter(address=PAGE).values_list("pk", flat=True))
    if len(people) < 1000:
        made = []
        for n in range(1000 - len(people)):
            first17 = f"3201021980{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
            made.append(Person(name=f"压测{n}", id_number=first17 + id_check_char(first17),
                               phone=f"137{n:08d}", address=PAGE))  # fmt: skip
        Person.objects.bulk_create(made, ignore_conflicts=True)
        people = list(Person.objects.filter(address=PAGE).values_list("pk", flat=True))
    have = PersonAccessLog.objects.filter(user=clerk, page=PAGE).count()
    if have >= rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO policies_personaccesslog (user_id, person_id, page, path, accessed_at, other_branch) "
            "SELECT %s, (%s::bigint[])[1 + n %% %s], %s, '/counter/', "
            "now() - (n %% (%s * 86400)) * interval '1 second', false "
            "FROM generate_series(1, %s) AS n",
            [clerk.pk, people, len(people), PAGE, DAYS, rows - have],
        )
        cursor.execute("ANALYZE policies_personaccesslog")


def one(fmt: str) -> None:
    """Export in this process and print its figures (the child's side)."""
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(User.objects.get(username=READER))
    before = peak_rss_mib()
    started = time.perf_counter()
    since = today() - dt.timedelta(days=DAYS)
    response = client.get(
        "/dashboard/access-log/export/",
        {"staff": CLERK, "since": since.isoformat(), "export": fmt},
    )
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    log = ExportLog.objects.get(pk=int(response["X-Export-Id"]))
    print(
        f"{fmt:>4}: {log.row_count:>9,} rows  {size / 2**20:8.1f} MiB  {seconds:7.1f} s  "
        f"peak RSS {before:6.1f} MiB before, {peak_rss_mib():6.1f} MiB after"
        + ("  (truncated at the sheet's limit)" if log.truncated else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--one", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--drop", action="store_true", help="delete the seeded rows and stop")
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return
    if args.drop:
        PersonAccessLog.objects.filter(page=PAGE).delete()
        print("seeded rows deleted")
        return
    started = time.perf_counter()
    seed(args.rows)
    print(f"seeded {args.rows:,} access-log rows in {time.perf_counter() - started:.1f} s")
    for fmt in args.formats.split(","):
        subprocess.run([sys.executable, __file__, "--one", fmt], check=True)


if __name__ == "__main__":
    main()
