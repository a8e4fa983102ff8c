"""Benchmark of the support desk: the lists, a ticket, knowledge-base search, the SLA
check and the reports, timed through Django's test client against the database in
DATABASE_URL.

Fills the database with `--customers` customers (one car and policy each) and about
`--tickets` demo tickets over them (`support.demo.seed`, with their histories, messages
and surveys), times each request `--repeat` times and prints median and 95th percentile
in milliseconds with the number of queries. Everything it writes is rolled back.

    DEBUG=1 DATABASE_URL=postgres://… python scripts/bench_support.py --tickets 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from core.clock import today  # noqa: E402
from policies.identifiers import id_check_char, vin_check_char  # noqa: E402
from policies.models import Branch, Person, Policy, User, Vehicle  # noqa: E402
from policies.renewal import one_year_end  # noqa: E402
from policies.roles import HOTLINE_AGENT, SUPERVISOR  # noqa: E402
from support import demo, services  # noqa: E402
from support.models import Ticket  # noqa: E402


class Rollback(Exception):
    pass


def fill(customers: int, branch: Branch) -> None:
    t = today()
    people = Person.objects.bulk_create(
        Person(name=f"客户{n}", id_number=_id(n), phone=f"138{n:08d}") for n in range(customers)
    )
    vehicles = Vehicle.objects.bulk_create(
        Vehicle(
            plate=f"苏B{n % 100000:05d}",
            vin=_vin(n),
            premium_category="FAMILY_LT6",
            seats=5,
            displacement_l=Decimal("1.5"),
            registration_date=dt.date(2018, 4, 10),
            owner=people[n],
        )  # fmt: skip
        for n in range(customers)
    )
    Policy.objects.bulk_create(
        Policy(
            number=f"JQXB{n:012d}",
            vehicle=v,
            policyholder=v.owner,
            insured=v.owner,
            branch=branch,
            channel="counter",
            start_date=(s := t - dt.timedelta(days=n % 360)),
            end_date=one_year_end(s),
            base_premium=Decimal(950),
            premium=Decimal(950),
            vehicle_tax=Decimal(300),
            total=Decimal(1250),
        )  # fmt: skip
        for n, v in enumerate(vehicles)
    )


def _id(n: int) -> str:
    first17 = f"320102{dt.date(1950, 1, 1) + dt.timedelta(days=n // 900):%Y%m%d}{n % 900 + 100:03d}"
    return first17 + id_check_char(first17)


def _vin(n: int) -> str:
    body = f"LBVAB2C0RB{n:07d}"
    return body[:8] + vin_check_char(body) + body[9:]


def timed(label: str, fn, repeat: int) -> None:
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<34} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   {queries:3d} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    try:
        with transaction.atomic():
            branch = Branch.objects.create(
                code="BENCH01", name="基准测试营业部", province="江苏", city="南京"
            )
            agent = User.objects.create_user(
                "bench_agent", password="x", branch=branch, last_name="李", first_name="娜"
            )
            agent.groups.add(Group.objects.get(name=HOTLINE_AGENT))
            boss = User.objects.create_user(
                "bench_boss", password="x", branch=branch, last_name="周", first_name="敏"
            )
            boss.groups.add(Group.objects.get(name=SUPERVISOR))
            start = time.perf_counter()
            fill(args.customers, branch)
            demo.seed(
                rng=random.Random(1),
                today=today(),
                stdout=io.StringIO(),
                scale=args.tickets / demo.TICKETS_PER_SCALE,
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE support_ticket; ANALYZE support_ticketevent; ANALYZE support_article")
            total = Ticket.objects.count()
            print(
                f"filled {args.customers} customers and {total} tickets in {time.perf_counter() - start:.1f} s"
            )

            client = Client(HTTP_HOST="localhost")
            client.force_login(agent)
            ticket = Ticket.objects.filter(assignee=agent).order_by("-created_at").first()
            phone = ticket.customer.phone
            pages = [
                ("my tickets", reverse("support:mine")),
                ("queue, default", reverse("support:queue")),
                ("queue, breached", reverse("support:queue") + "?sla=breached"),
                ("queue, search by phone", reverse("support:queue") + f"?q={phone}"),
                ("queue, page 20", reverse("support:queue") + "?page=20"),
                ("ticket detail", reverse("support:ticket", args=[ticket.pk])),
                ("kb search 脱保", reverse("support:kb_search") + "?q=脱保"),
                ("kb search 保费为什么涨了", reverse("support:kb_search") + "?q=保费为什么涨了"),
            ]
            for label, url in pages:
                timed(label, lambda url=url: client.get(url), args.repeat)
            boss_client = Client(HTTP_HOST="localhost")
            boss_client.force_login(boss)
            timed(
                "reports, 30 days",
                lambda: boss_client.get(reverse("support:reports")),
                max(3, args.repeat // 4),
            )
            timed("dashboard", lambda: boss_client.get(reverse("dashboard")), max(3, args.repeat // 4))
            timed("check_ticket_slas (dry run)", lambda: services.sla_check(dry_run=True), args.repeat)
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
