"""The benchmark database: millions of policies written by SQL (`generate_series`), shared by
the benchmarks that need a book of realistic size (scripts/bench_hotline.py, scripts/bench_http.py).

`use_database(name)` creates the database (next to the one in DATABASE_URL) and points this
process's DATABASE_URL at it, before `django.setup()`; `build(policies)` then migrates it and,
when it holds no policy yet, fills it: `policies` policies over about a third as many vehicles
(one to five policy years each, every renewal status represented) and their owners. The
indexes and unique constraints of the three big tables are dropped for the load and built again
afterwards, as a bulk import would.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from urllib.parse import urlsplit, urlunsplit

PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯健俊帆帅旭宁龙林欢阳佳琳晨雪颖倩婷"
    "鑫波亮飞海峰云莉梅琴丹玲燕慧巧美娇晶妍茜秋珊莎锦黛青倩婕馨瑶怡婉雅悦嘉琪思露语欣彤宁诗曼"
)
CATEGORIES = ["FAMILY_LT6"] * 17 + ["FAMILY_GE6", "TRUCK_LT2", "FREIGHT_2_5", "TAXI_LT6", "SPECIAL_4"]
CHANNELS = ["counter", "hotline", "website", "app", "mini_program", "dealer", "agent"]
PROVINCES = [
    ("江苏", "南京"), ("浙江", "杭州"), ("广东", "广州"), ("海南", "海口"), ("北京", "北京"),
    ("四川", "成都"), ("陕西", "西安"), ("吉林", "长春"), ("山东", "济南"), ("湖北", "武汉"),
]  # fmt: skip
BIG_TABLES = ("policies_person", "policies_vehicle", "policies_policy")


def bench_url(database: str) -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jqx"))
    return urlunsplit(parts._replace(path=f"/{database}"))


def prepare_database(database: str, rebuild: bool) -> None:
    """Create (or recreate) the benchmark's own database through the maintenance database."""
    import psycopg

    admin = urlunsplit(urlsplit(bench_url(database))._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def check_sum_sql(column: str, weights: list[int], *, vin: bool = False) -> str:
    """Σ digit × weight over the first characters of `column`, written out (no per-row set)."""
    terms = []
    for i, weight in enumerate(weights, start=1):
        if weight == 0:
            continue
        char = f"substr({column}, {i}, 1)"
        value = (
            f"translate({char}, 'ABCDEFGHJKLMNPRSTUVWXYZ', '12345678123457923456789')::int"
            if vin
            else f"{char}::int"
        )
        terms.append(f"{value} * {weight}")
    return " + ".join(terms)


def fill(cursor, *, policies: int, day: dt.date, branch_ids: list[int]) -> dict[str, int]:
    """Persons, vehicles and policies by INSERT … SELECT over generate_series."""
    from policies.identifiers import ID_WEIGHTS, VIN_WEIGHTS

    vehicles = policies // 3
    persons = max(1, vehicles * 10 // 11)
    cursor.execute("SET session_replication_role = replica")  # no FK trigger per row; the data is consistent
    cursor.execute("SET synchronous_commit = off")
    started = time.perf_counter()
    id_sum = check_sum_sql("f17", list(ID_WEIGHTS))
    names = (
        f"CASE WHEN g % 97 = 0 THEN '阿依古丽·' || substr('{GIVEN}', 1 + (g * 11) % {len(GIVEN)}, 1) || '买买提'"
        f" ELSE substr('{SURNAMES}', 1 + (g * 7 + g / 101) % {len(SURNAMES)}, 1)"
        f" || substr('{GIVEN}', 1 + (g * 13 + g / 7) % {len(GIVEN)}, 1)"
        f" || CASE WHEN g % 3 = 0 THEN substr('{GIVEN}', 1 + (g * 31) % {len(GIVEN)}, 1) ELSE '' END END"
    )
    cursor.execute(
        f"""
        INSERT INTO policies_person (id, name, id_number, phone, email, app_account, address, created_at, updated_at)
        SELECT g, {names}, f17 || substr('10X98765432', ({id_sum}) % 11 + 1, 1),
               '13' || lpad(((g::bigint * 7919) % 1000000000)::text, 9, '0'), '', '', '', now(), now()
        FROM (SELECT g, '320102' || to_char(date '1950-01-01' + g % 20000, 'YYYYMMDD')
                        || lpad((g / 20000 % 1000)::text, 3, '0') AS f17
              FROM generate_series(1, {persons}) g) s
        """
    )
    print(f"  {persons:>11,} persons   {time.perf_counter() - started:7.1f} s", flush=True)

    vin_sum = check_sum_sql("body", list(VIN_WEIGHTS), vin=True)
    categories = "ARRAY[" + ",".join(f"'{c}'" for c in CATEGORIES) + "]"
    started = time.perf_counter()
    cursor.execute(
        f"""
        INSERT INTO policies_vehicle (id, plate, vin, engine_number, vehicle_type, brand_model, premium_category,
                                      seats, displacement_l, energy_type, registration_date, owner_id, created_at)
        SELECT v, substr('{PROVINCE_CHARS}', 1 + v % 31, 1) || substr('{PLATE_LETTERS}', 1 + (v / 31) % 24, 1)
                  || lpad(((v / 744) % 100000)::text, 5, '0'),
               substr(body, 1, 8) || CASE WHEN ({vin_sum}) % 11 = 10 THEN 'X' ELSE (({vin_sum}) % 11)::text END
                  || substr(body, 10),
               'E' || v, '小型普通客车', '大众牌 SVW7155', ({categories})[1 + (v * 7) % {len(CATEGORIES)}],
               5, 1.5, 'fuel', date '2012-01-01' + v % 4000, 1 + (v - 1) % {persons}, now()
        FROM (SELECT v, 'LSVAB2C00R' || lpad(v::text, 7, '0') AS body FROM generate_series(1, {vehicles}) v) s
        """
    )
    print(f"  {vehicles:>11,} vehicles  {time.perf_counter() - started:7.1f} s", flush=True)

    channels = "ARRAY[" + ",".join(f"'{c}'" for c in CHANNELS) + "]"
    branches = "ARRAY[" + ",".join(str(b) for b in branch_ids) + "]"
    chunk = 500_000
    started = time.perf_counter()
    for first in range(1, vehicles + 1, chunk):
        last = min(vehicles, first + chunk - 1)
        # Each vehicle: 1–5 consecutive yearly policies. For six in seven the latest starts
        # between 419 days ago (lapsed) and 60 days ahead (renewed); the seventh left us one to
        # nine years ago (sold, insured elsewhere), its first policy no earlier than the book's
        # first year. Every 50th vehicle's latest policy is cancelled.
        cursor.execute(
            f"""
            INSERT INTO policies_policy (number, vehicle_id, policyholder_id, insured_id, branch_id, channel,
                term_kind, start_date, end_date, base_premium, floating_plan, floating_reason, floating_rate,
                premium, vehicle_tax, total, at_fault_claims, fatal_claims, status, cancelled_on, cancel_reason,
                issued_at, imported)
            SELECT 'JQX' || to_char(s.start, 'YYYY') || lpad((s.v * 8 + s.j)::text, 10, '0'), s.v, s.owner, s.owner,
                   ({branches})[1 + (s.v * 13) % {len(branch_ids)}], ({channels})[1 + (s.v + s.j) % 7], 'annual',
                   s.start, CASE WHEN s.cancelled THEN s.start + 100 ELSE s.start + 364 END,
                   950, 'E', 'A0', 0, 950, 300, 1250, 0, 0,
                   CASE WHEN s.cancelled THEN 'cancelled' ELSE 'in_force' END,
                   CASE WHEN s.cancelled THEN s.start + 100 END, CASE WHEN s.cancelled THEN 'laid_up' ELSE '' END,
                   s.start - 10, true
            FROM (SELECT v.id AS v, v.owner_id AS owner, j, k,
                         date '{day.isoformat()}' + (60 - (k - j) * 365 - CASE WHEN v.id % 7 = 0
                             THEN 480 + (v.id * 7907) % (3000 - 365 * (k - 1))
                             ELSE (v.id * 7907) % 480 END)::int AS start,
                         (v.id % 50 = 0 AND j = k) AS cancelled
                  FROM policies_vehicle v, LATERAL (SELECT 1 + (v.id * 37) % 5 AS k) kk, generate_series(1, kk.k) j
                  WHERE v.id BETWEEN {first} AND {last}) s
            """
        )
        done = cursor.rowcount
        print(f"  … vehicles {first:,}–{last:,}: {done:,} policies", flush=True)
    cursor.execute("SELECT count(*) FROM policies_policy")
    total = cursor.fetchone()[0]
    print(f"  {total:>11,} policies  {time.perf_counter() - started:7.1f} s", flush=True)
    for table in BIG_TABLES:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    cursor.execute("SET session_replication_role = DEFAULT")
    return {"persons": persons, "vehicles": vehicles, "policies": total}


def drop_indexes(cursor) -> list[str]:
    """Drop the three tables' indexes and unique/exclusion constraints (not the primary keys);
    return the statements that build them again."""
    rebuild: list[str] = []
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'x')
        """,
        [list(BIG_TABLES)],
    )
    constraints = cursor.fetchall()
    for table, name, definition in constraints:
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(
        """
        SELECT indexname, indexdef FROM pg_indexes
        WHERE tablename = ANY(%s) AND indexname NOT LIKE '%%_pkey'
        """,
        [list(BIG_TABLES)],
    )
    for name, definition in cursor.fetchall():
        rebuild.append(definition)
        cursor.execute(f'DROP INDEX "{name}"')
    return rebuild


def build_indexes(cursor, statements: list[str]) -> None:
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute("SET max_parallel_maintenance_workers = 2")
    for sql in statements:
        started = time.perf_counter()
        cursor.execute(sql)
        name = re.search(r'(?:INDEX|CONSTRAINT) "?([\w]+)"?', sql).group(1)
        print(f"  {name:<44} {time.perf_counter() - started:7.1f} s", flush=True)
    for table in BIG_TABLES:
        cursor.execute(f"VACUUM ANALYZE {table}")


def use_database(database: str, *, rebuild: bool = False) -> str:
    """Create the database if needed and make it this process's DATABASE_URL (call before
    django.setup()); no pool and no statement timeout: the load runs for minutes."""
    prepare_database(database, rebuild)
    url = bench_url(database)
    os.environ["DATABASE_URL"] = url
    os.environ["DATABASE_POOL"] = "0"
    os.environ["DATABASE_STATEMENT_TIMEOUT_MS"] = "0"
    return url


def build(policies: int) -> None:
    """Migrate the database in DATABASE_URL and fill it unless it already holds policies."""
    from django.core.management import call_command
    from django.db import connection

    from core.clock import today
    from policies.models import Branch, Policy

    call_command("migrate", verbosity=0)
    if Policy.objects.exists():
        return
    branches = [
        Branch.objects.get_or_create(
            code=f"B{i:03d}", defaults={"name": f"{city}第{i}营业部", "province": province, "city": city}
        )[0].pk
        for i, (province, city) in enumerate(PROVINCES * 6)
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        print("dropping indexes for the load …", flush=True)
        rebuild = drop_indexes(cursor)
        sizes = fill(cursor, policies=policies, day=today(), branch_ids=branches)
        print("building indexes …", flush=True)
        build_indexes(cursor, rebuild)
    print(f"filled {sizes['policies']:,} policies in {(time.perf_counter() - started) / 60:.1f} min")


def table_sizes(tables: tuple[str, ...] = BIG_TABLES) -> list[tuple[str, int, str]]:
    """(table, estimated rows, total size with indexes and TOAST) of `tables`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname = ANY(%s) AND relkind = 'r' ORDER BY relname",
            [list(tables)],
        )
        return cursor.fetchall()
