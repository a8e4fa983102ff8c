"""Benchmark of the hotline desk over millions of policies, in a database of its own.

Builds (once; `--rebuild` to start again) the database `--database` (default
jqx_bench_hotline) next to the one in DATABASE_URL, migrates it and fills it with SQL
(`generate_series`, scripts/benchdb.py): `--policies` policies (default 10,000,000) over about a third as many
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")

from scripts.benchdb import build, table_sizes, use_database


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
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

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
    # A customer's page opens only for a customer a search of this session showed
    # (policies.access.grant_person): search the phone first, as the agent does when they ring.
    customer = reverse("hotline:customer", args=[person.pk])
    assert customer in search(person.phone)().content.decode(), "the search did not show the customer"
    timed(
        client, "customer page", repeat, lambda: client.get(customer), rows_pattern=r'data-testid="vehicle"'
    )

    calls = call_list(agent, day)
    boss, _ = User.objects.get_or_create(username="bench_supervisor", defaults={"branch": agent.branch})
    boss.groups.add(Group.objects.get(name=SUPERVISOR))
    supervisor = Client(HTTP_HOST="localhost")
    supervisor.force_login(boss)
    # Supervisors sign in with a second factor: an authenticator, and its code on the 2FA page.
    device, _ = TOTPDevice.objects.get_or_create(
        user=boss, name="基准测试验证器", defaults={"confirmed": True}
    )
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"
    assert supervisor.post(reverse("two_factor"), {"code": code}).status_code == 302, "two-factor step failed"
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

    use_database(args.database, rebuild=args.rebuild)

    import django

    django.setup()
    print(f"database {args.database}")
    build(args.policies)
    for name, live, size in table_sizes():
        print(f"  {name:<20} {live:>12,} rows  {size} with indexes")
    run_timings(args.repeat)


if __name__ == "__main__":
    main()
