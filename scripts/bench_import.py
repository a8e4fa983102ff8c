"""Time `import_policies` on a generated legacy file, on PostgreSQL, in a database of its own.

    python scripts/bench_import.py --rows 100000

Writes a valid file of --rows policies (the demo generator's records, rows of each
vehicle scattered through the file) into a temporary folder, then in the database
`<name of DATABASE_URL's database>_bench_import` — dropped and created afresh, migrated,
dropped again at the end unless --keep — imports the branches, imports the policies, and
imports them a second time (which must change nothing). Prints seconds and rows per second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_seed import drop_database, fresh_database, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    url, server = fresh_database("bench_import")
    print(f"基准数据库：{urlsplit(url).path.lstrip('/')}（新建，结束后{'保留' if args.keep else '删除'}）")
    try:
        setup_django(url)
        from django.core.management import call_command

        from policies.demo.export import export_legacy_files
        from policies.models import Policy
        from policies.tariffs import load_tariff_book

        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            branches, policies = export_legacy_files(
                policies=args.rows, seed=args.seed, today=dt.date.today(), book=load_tariff_book(),
                directory=Path(folder),
            )  # fmt: skip
            size = policies.stat().st_size / 2**20
            print(f"生成 {args.rows:,} 行（{size:.1f} MB）：{time.perf_counter() - started:.1f} 秒")
            call_command("import_branches", str(branches), stdout=StringIO())
            for attempt in ("首次导入", "重复导入"):
                out = StringIO()
                started = time.perf_counter()
                call_command("import_policies", str(policies), stdout=out)
                elapsed = time.perf_counter() - started
                print(f"{attempt}：{elapsed:.1f} 秒，{args.rows / elapsed:,.0f} 行/秒")
                print("  " + out.getvalue().strip().splitlines()[-1])
            print(f"数据库中保单 {Policy.objects.count():,} 张。")
    finally:
        if not args.keep:
            drop_database(url, server)


if __name__ == "__main__":
    main()
