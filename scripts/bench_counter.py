"""Benchmark of the counter desk: lookup, the customer's page and renewal, timed through
Django's test client against the database in DATABASE_URL.

Fills the database with `--people` customers (one car, two policy years each) plus one
customer owning 8 cars × 4 policy years, times each request `--repeat` times and prints
median and 95th percentile in milliseconds with the number of queries. Everything it
writes is rolled back at the end.

    DEBUG=1 DATABASE_URL=postgres://… python scripts/bench_counter.py --people 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
from policies.quotes import renewal_quote_on  # noqa: E402
from policies.renewal import one_year_end  # noqa: E402
from policies.roles import COUNTER_CLERK  # noqa: E402


class Rollback(Exception):
    pass


def id_number(n: int) -> str:
    first17 = f"320102{dt.date(1950, 1, 1) + dt.timedelta(days=n // 900):%Y%m%d}{n % 900 + 100:03d}"
    return first17 + id_check_char(first17)


def vin(n: int) -> str:
    body = f"LBVAB2C0RA{n:07d}"
    return body[:8] + vin_check_char(body) + body[9:]


def plate(n: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"苏{letters[n // 100000 % len(letters)]}{n % 100000:05d}"


def fill(people: int, branch: Branch) -> tuple[Person, Person]:
    """`people` customers with one car and two policies each, and one with 8 cars × 4 years."""
    t = today()
    persons = Person.objects.bulk_create(
        Person(name=f"客户{n}", id_number=id_number(n), phone=f"139{n:08d}") for n in range(people + 1)
    )
    vehicles = [
        Vehicle(
            plate=plate(n),
            vin=vin(n),
            premium_category="FAMILY_LT6",
            seats=5,
            displacement_l=Decimal("1.5"),
            registration_date=dt.date(2018, 4, 10),
            owner=persons[min(n, people)],
        )  # fmt: skip
        for n in range(people + 8)
    ]
    Vehicle.objects.bulk_create(vehicles)
    policies, serial = [], 0
    for n, vehicle in enumerate(vehicles):
        years = 4 if n >= people else 2
        start = t - dt.timedelta(days=300 + n % 200) - dt.timedelta(days=365 * (years - 1))
        for _ in range(years):
            serial += 1
            policies.append(
                Policy(
                    number=f"JQXB{serial:012d}",
                    vehicle=vehicle,
                    policyholder=vehicle.owner,
                    insured=vehicle.owner,
                    branch=branch,
                    channel="counter",
                    start_date=start,
                    end_date=one_year_end(start),
                    base_premium=Decimal("950.00"),
                    floating_plan="E",
                    premium=Decimal("950.00"),
                    vehicle_tax=Decimal("300.00"),
                    total=Decimal("1250.00"),
                )  # fmt: skip
            )
            start = one_year_end(start) + dt.timedelta(days=1)
    Policy.objects.bulk_create(policies, batch_size=5000)
    return persons[people // 2], persons[people]


def timed(label: str, repeat: int, request) -> None:
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = request()
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (label, response.status_code)
        queries = len(captured.captured_queries)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"{label:<44} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   {queries:2d} queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    try:
        with transaction.atomic():
            branch = Branch.objects.create(
                code="BENCH01", name="南京基准营业部", province="江苏", city="南京"
            )
            clerk = User.objects.create(username="bench_clerk", branch=branch)
            clerk.groups.add(Group.objects.get(name=COUNTER_CLERK))
            started = time.perf_counter()
            one_car, fleet = fill(args.people, branch)
            print(f"filled {Person.objects.count()} people, {Vehicle.objects.count()} vehicles, "
                  f"{Policy.objects.count()} policies in {time.perf_counter() - started:.1f} s")  # fmt: skip
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE policies_person, policies_vehicle, policies_policy, policies_drivinglicence"
                )

            client = Client(HTTP_HOST="localhost")
            client.force_login(clerk)
            lookup = reverse("counter:home")
            car = fleet.vehicles.order_by("pk").first()
            timed(
                "lookup by ID number", args.repeat, lambda: client.post(lookup, {"number": one_car.id_number})
            )
            timed(
                "lookup by plate + VIN",
                args.repeat,
                lambda: client.post(lookup, {"plate": car.plate, "vin": car.vin}),
            )
            # A customer's pages open only for a person found by a lookup of this session
            # (policies.access.grant_person): look both customers up first, as a clerk does.
            for found, data in (
                (one_car, {"number": one_car.id_number}),
                (fleet, {"plate": car.plate, "vin": car.vin}),
            ):
                location = client.post(lookup, data)["Location"]
                assert location.startswith(reverse("counter:person", args=[found.pk])), location
            timed("customer page, 1 car × 2 years", args.repeat,
                  lambda: client.get(reverse("counter:person", args=[one_car.pk])))  # fmt: skip
            timed("customer page, 8 cars × 4 years", args.repeat,
                  lambda: client.get(reverse("counter:person", args=[fleet.pk])))  # fmt: skip

            forms = []
            for vehicle in Vehicle.objects.filter(owner=fleet).order_by("pk"):
                policies = list(vehicle.policies.all())
                quote = renewal_quote_on(today(), vehicle=vehicle, policies=policies, branch=branch)
                current = max(policies, key=lambda p: p.start_date)
                data = {
                    "from_policy": current.pk,
                    "fingerprint": quote.fingerprint,
                    "quoted_total": quote.total,
                }
                forms.append((reverse("counter:renew", args=[vehicle.pk]), data))
            pending = iter(forms)
            timed("renew (issue one policy)", len(forms), lambda: client.post(*next(pending)))
            assert Policy.objects.filter(vehicle__owner=fleet, issued_by=clerk).count() == len(forms)
            timed("renew again (idempotent answer)", len(forms), lambda: client.post(*forms[0]))
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
