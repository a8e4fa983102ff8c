"""Benchmark of the self-service API: latency of renewal-status and quotes over a table of
many vehicles, and of the two 404s (unknown plate, wrong VIN) side by side.

    DATABASE_URL=postgres://… python scripts/bench_api.py [--vehicles 20000] [--requests 400]

The vehicles, their policies (three years each) and a client key are made inside one
transaction that is rolled back at the end, so the database is left as it was. Requests
go through Django's full stack in-process (middleware, auth, rate limits, usage upsert).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from channels.api.services import api_key_create  # noqa: E402
from core.clock import today  # noqa: E402
from policies.identifiers import id_check_char, vin_check_char  # noqa: E402
from policies.models import Branch, Person, Policy, Vehicle  # noqa: E402


class Rollback(Exception):
    pass


def vin(n: int) -> str:
    body = f"LBV{n:06d}X{n:07d}"[:17]
    return body[:8] + vin_check_char(body) + body[9:]


def id_number(n: int) -> str:
    first17 = f"320102{dt.date(1970, 1, 1) + dt.timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def plate(n: int) -> str:
    return f"{'苏浙沪皖'[n // 100000]}{'ABCDE'[n // 20000 % 5]}{n % 100000:05d}"


def seed(vehicles: int) -> list[Vehicle]:
    branch, _ = Branch.objects.get_or_create(
        code="BENCH01", defaults={"name": "基准测试营业部", "province": "江苏", "city": "南京"}
    )
    people = Person.objects.bulk_create(
        Person(name=f"测试{n}", id_number=id_number(n), phone=f"139{n:08d}") for n in range(vehicles)
    )
    cars = Vehicle.objects.bulk_create(
        Vehicle(
            plate=plate(n), vin=vin(n), premium_category="FAMILY_LT6", seats=5,
            displacement_l=Decimal("1.50"), registration_date=dt.date(2018, 4, 10), owner=people[n],
        )
        for n in range(vehicles)
    )  # fmt: skip
    day = today()
    policies = []
    for n, car in enumerate(cars):
        end = day + dt.timedelta(days=n % 400 - 60)
        for year in range(3):
            year_end = end - dt.timedelta(days=365 * (2 - year))
            policies.append(
                Policy(
                    number=f"BENCH{n:08d}{year}",
                    vehicle=car,
                    policyholder=car.owner,
                    insured=car.owner,
                    branch=branch,
                    channel="counter",
                    start_date=year_end - dt.timedelta(days=364),
                    end_date=year_end,
                    base_premium=Decimal("950.00"),
                    floating_plan="E",
                    premium=Decimal("950.00"),
                    vehicle_tax=Decimal("300.00"),
                    total=Decimal("1250.00"),
                )  # fmt: skip
            )
    Policy.objects.bulk_create(policies, batch_size=5000)
    with connection.cursor() as cursor:
        for table in ("policies_person", "policies_vehicle", "policies_policy"):
            cursor.execute(f"ANALYZE {table}")
    return cars


def timed(client: Client, key: str, endpoint: str, body: dict) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.post(
        f"/api/v1/{endpoint}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    return (time.perf_counter() - started) * 1000, response.status_code


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    print(
        f"{name:<26} n={len(samples):>5}  mean {statistics.mean(samples):6.2f} ms  "
        f"p50 {p(0.50):6.2f}  p95 {p(0.95):6.2f}  p99 {p(0.99):6.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404s are the point, not news
    settings.API_PLATE_RATE = "1000000/60"
    settings.ALLOWED_HOSTS = ["testserver"]
    print(
        f"PostgreSQL {connection.pg_version}, rate limits in {settings.RATE_LIMIT_REDIS_URL or 'process memory'}"
    )

    try:
        with transaction.atomic():
            started = time.perf_counter()
            cars = seed(args.vehicles)
            print(
                f"seeded {len(cars)} vehicles, {3 * len(cars)} policies in {time.perf_counter() - started:.1f} s"
            )
            key = api_key_create(channel="app", name="bench", requests_per_minute=10_000_000).raw
            client = Client()
            rng = random.Random(7)
            timed(client, key, "renewal-status", {"plate": cars[0].plate, "vin": cars[0].vin})  # warm up
            results: dict[str, list[float]] = {}
            statuses: dict[str, set[int]] = {}
            for _ in range(args.requests):
                car = rng.choice(cars)
                other = rng.choice(cars)
                cases = {
                    "renewal-status 200": ("renewal-status", {"plate": car.plate, "vin": car.vin}),
                    "quotes 200": ("quotes", {"plate": car.plate, "vin": car.vin}),
                    "404 unknown plate": ("renewal-status", {"plate": "苏Z99999", "vin": car.vin}),
                    "404 wrong VIN": ("renewal-status", {"plate": car.plate, "vin": other.vin}),
                }
                for name, (endpoint, body) in rng.sample(list(cases.items()), len(cases)):
                    elapsed, status = timed(client, key, endpoint, body)
                    results.setdefault(name, []).append(elapsed)
                    statuses.setdefault(name, set()).add(status)
            for name, samples in results.items():
                report(f"{name} {sorted(statuses[name])}", samples)
            raise Rollback
    except Rollback:
        print("rolled back: the database is as it was")


if __name__ == "__main__":
    main()
