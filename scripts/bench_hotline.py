"""Benchmark of the hotline desk over millions of policies, in a database of its own.

Builds (once; `--rebuild` to start again) the database `--database` (default
jqx_bench_hotline) next to the one in DATABASE_URL, migrates it and fills it with SQL
(`generate_series`): `--policies` policies (default 10,000,000) over about a third as many
vehicles (one to five policy years each, every renewal status represented) and their
owners. The indexes and unique constraints of the three big tables are dropped for the
load and built again afterwards, as a bulk import would. Then every search kind, filter and
sort of the desk, the customer page and the renewal-call list (3,000 open calls of one branch
written by SQL, as the reminders' planner would) are timed through Django's test client:
median and 95th percentile in milliseconds, with the number of queries and of rows shown.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/jqx python scripts/bench_hotline.py
    … --policies 2000000 --rebuild --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")

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


def timed(client, label: str, repeat: int, request, *, rows_pattern=r'data-testid="result-row"') -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, shown = [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = request()
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (label, response.status_code)
        queries = len(captured.captured_queries)
        page = response.content.decode()
        shown = len(re.findall(rows_pattern, page))
        count = re.search(r'data-testid="result-count">(.*?)</span>', page, re.S)
    total = re.sub(r"<[^>]+>", "", count.group(1)).strip() if count else ""
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"{label:<40} median {statistics.median(times):8.1f} ms  p95 {p95:8.1f} ms  "
        f"{queries:2d} queries  {shown:3d} rows  {total}"
    )


def run_timings(repeat: int) -> None:
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse

    from core.clock import today
    from policies.models import Branch, Person, Policy, User, Vehicle
    from policies.roles import HOTLINE_AGENT, SUPERVISOR
    from reminders.models import RenewalCall

    agent, _ = User.objects.get_or_create(username="bench_agent", defaults={"branch": Branch.objects.first()})
    agent.groups.add(Group.objects.get(name=HOTLINE_AGENT))
    client = Client(HTTP_HOST="localhost")
    client.force_login(agent)
    home = reverse("hotline:home")

    def search(term, **filters):
        location = client.post(home, {"q": term, **filters})["Location"]
        return lambda: client.get(location)

    def listing(**params):
        return lambda: client.get(home, params)

    vehicle = Vehicle.objects.get(pk=min(123457, Vehicle.objects.order_by("-pk").first().pk // 2))
    person = Person.objects.get(pk=vehicle.owner_id)
    policy = Policy.objects.filter(vehicle=vehicle).order_by("start_date").first()
    common = Person.objects.get(pk=100)
    branch = Branch.objects.order_by("pk").first()
    day = today()
    client.get(home)  # the session and the tariff book

    print(f"\n{'':<40} {'(each ' + str(repeat) + ' times, through the test client)'}")
    timed(client, "search: policy number (old policy)", repeat, search(policy.number))
    timed(client, "search: plate", repeat, search(vehicle.plate))
    timed(client, "search: VIN", repeat, search(vehicle.vin.lower()))
    timed(client, "search: ID number (ID or policy no.)", repeat, search(person.id_number))
    timed(client, "search: phone", repeat, search(f"+86 {person.phone}"))
    timed(client, f"search: name, exact ({common.name})", repeat, search(common.name))
    timed(client, f"search: name prefix ({common.name[0]})", repeat, search(common.name[0]))
    timed(client, "search: name alike (no middle dot)", repeat, search("阿依古丽娜买买提"))
    timed(client, "search: phone not found", repeat, search("19900000000"))
    timed(client, "search: phone + renewal=due", repeat, search(person.phone, renewal="due"))
    for status in ("due", "in_force", "lapsed", "renewed", "cancelled"):
        timed(client, f"filter: renewal={status}", repeat, listing(renewal=status))
    timed(client, "filter: renewal=due, branch", repeat, listing(renewal="due", branch=branch.pk))
    timed(client, "filter: renewed, latest start first", repeat, listing(renewal="renewed", sort="-renewal"))
    timed(client, "filter: renewal=due, page 50", repeat, listing(renewal="due", page=50))
    timed(client, "filter: channel=app (latest end first)", repeat, listing(channel="app"))
    timed(client, "filter: channel=app, earliest end first", repeat, listing(channel="app", sort="end_date"))
    timed(client, "filter: category=SPECIAL_4 (rare)", repeat, listing(category="SPECIAL_4"))
    rare_branch = (
        Policy.objects.filter(
            vehicle__premium_category="SPECIAL_4", end_date__range=(day, day + dt.timedelta(days=60))
        )
        .values_list("branch", flat=True)
        .first()
    )
    timed(client, "filter: category=SPECIAL_4, due, branch", repeat,
          listing(category="SPECIAL_4", renewal="due", branch=rare_branch))  # fmt: skip
    end_from, end_to = day.isoformat(), (day + dt.timedelta(days=30)).isoformat()
    timed(client, "filter: cover ends in the next 30 days", repeat, listing(end_from=end_from, end_to=end_to))
    timed(
        client,
        "filter: lapsed, sort by end date ascending",
        repeat,
        listing(renewal="lapsed", sort="end_date"),
    )
    customer = reverse("hotline:customer", args=[person.pk])
    timed(
        client, "customer page", repeat, lambda: client.get(customer), rows_pattern=r'data-testid="vehicle"'
    )

    calls = call_list(agent, day)
    boss, _ = User.objects.get_or_create(username="bench_supervisor", defaults={"branch": agent.branch})
    boss.groups.add(Group.objects.get(name=SUPERVISOR))
    supervisor = Client(HTTP_HOST="localhost")
    supervisor.force_login(boss)
    call_rows = r'data-testid="call-row"'
    timed(client, f"calls: my list ({calls['mine']} open)", repeat,
          lambda: client.get(reverse("hotline:calls")), rows_pattern=call_rows)  # fmt: skip
    first = RenewalCall.objects.filter(assigned_to=agent).order_by("pk").first()
    timed(client, "calls: work a call (customer page)", repeat,
          lambda: client.get(reverse("hotline:call", args=[first.pk])), rows_pattern=r'data-testid="vehicle"')  # fmt: skip
    timed(supervisor, f"calls: branch page ({calls['open']} open)", repeat,
          lambda: supervisor.get(reverse("hotline:team")), rows_pattern=call_rows)  # fmt: skip


def call_list(agent, day: dt.date, *, open_calls: int = 3000, mine: int = 60) -> dict[str, int]:
    """Open renewal calls for the agent's branch (the reminders' planner writes them in the
    product): `open_calls` vehicles due within 30 days, the first `mine` assigned to the agent."""
    from django.db import connection

    from reminders.models import RenewalCall

    if not RenewalCall.objects.filter(branch=agent.branch).exists():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO policies_renewalcall (policy_id, vehicle_id, person_id, phone, branch_id,
                    assigned_to_id, due_date, days_left, status, outcome, outcome_note, attempts, created_at)
                SELECT p.id, p.vehicle_id, p.policyholder_id, pe.phone, p.branch_id,
                       CASE WHEN row_number() OVER (ORDER BY p.end_date, p.id) <= {mine} THEN {agent.pk} END,
                       date '{day.isoformat()}', p.end_date - date '{day.isoformat()}', 'open', '', '', 0, now()
                FROM policies_policy p JOIN policies_person pe ON pe.id = p.policyholder_id
                WHERE p.branch_id = {agent.branch_id} AND p.status = 'in_force'
                  AND p.end_date BETWEEN date '{day.isoformat()}' AND date '{day.isoformat()}' + 30
                ORDER BY p.end_date, p.id LIMIT {open_calls}
                """
            )
            cursor.execute("ANALYZE policies_renewalcall")
    open_ = RenewalCall.objects.filter(branch=agent.branch, status="open")
    return {"open": open_.count(), "mine": open_.filter(assigned_to=agent).count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="jqx_bench_hotline")
    parser.add_argument("--policies", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the benchmark database and fill it again"
    )
    args = parser.parse_args()

    prepare_database(args.database, args.rebuild)
    os.environ["DATABASE_URL"] = bench_url(args.database)
    os.environ["DATABASE_POOL"] = "0"
    os.environ["DATABASE_STATEMENT_TIMEOUT_MS"] = "0"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from core.clock import today
    from policies.models import Branch, Policy

    call_command("migrate", verbosity=0)
    print(f"database {args.database}")
    if not Policy.objects.exists():
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
            sizes = fill(cursor, policies=args.policies, day=today(), branch_ids=branches)
            print("building indexes …", flush=True)
            build_indexes(cursor, rebuild)
        print(f"filled {sizes['policies']:,} policies in {(time.perf_counter() - started) / 60:.1f} min")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname = ANY(%s) ORDER BY relname",
            [list(BIG_TABLES)],
        )
        for name, live, size in cursor.fetchall():
            print(f"  {name:<20} {live:>12,} rows  {size} with indexes")
    run_timings(args.repeat)


if __name__ == "__main__":
    main()
