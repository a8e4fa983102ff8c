"""Benchmark of the claims desk: demo seeding, reporting, the steps, the queue and the
claim page, and the payout engine — printed as figures.

    DEBUG=1 DATABASE_URL=postgres://… python scripts/bench_claims.py --policies 20000

Everything runs in one transaction that is rolled back: the database is left as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from claims import demo, payout, services  # noqa: E402
from claims.choices import ClaimState, LossCategory  # noqa: E402
from claims.models import ApprovalAuthority, Claim  # noqa: E402
from policies.identifiers import id_check_char, vin_check_char  # noqa: E402
from policies.models import Branch, Person, Policy, User, Vehicle  # noqa: E402
from policies.renewal import one_year_end  # noqa: E402
from policies.roles import CLAIMS_ADJUSTER, HOTLINE_AGENT  # noqa: E402


class Rollback(Exception):
    pass


def timed(label: str, fn, repeat: int = 1):
    samples = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    if repeat == 1:
        print(f"{label:<44} {samples[0]:9.3f} s")
    else:
        print(f"{label:<44} median {statistics.median(samples) * 1000:8.1f} ms  (n={repeat})")
    return result


def profile(client: Client, url: str) -> None:
    """Where the time of one page goes (BENCH_PROFILE=1)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(client.get, url)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def make_policies(n: int, branch: Branch, today: dt.date) -> None:
    people, vehicles, policies = [], [], []
    for i in range(n):
        first17 = f"320102{dt.date(1970, 1, 1) + dt.timedelta(days=i // 1000):%Y%m%d}{i % 1000:03d}"
        people.append(
            Person(name=f"客户{i}", id_number=first17 + id_check_char(first17), phone=f"139{i:08d}")
        )
    Person.objects.bulk_create(people, batch_size=5000)
    for i, person in enumerate(people):
        body = f"LSVAB2C0RA{i:07d}"
        vehicles.append(
            Vehicle(plate=f"苏A{i % 100000:05d}", vin=body[:8] + vin_check_char(body) + body[9:], owner=person,
                    premium_category="FAMILY_LT6", seats=5, displacement_l=Decimal("1.5"),
                    registration_date=dt.date(2018, 1, 1))
        )  # fmt: skip
    Vehicle.objects.bulk_create(vehicles, batch_size=5000)
    for i, vehicle in enumerate(vehicles):
        start = today - dt.timedelta(days=i % 360)
        policies.append(
            Policy(number=f"JQXB{i:012d}", vehicle=vehicle, policyholder=vehicle.owner, insured=vehicle.owner,
                   branch=branch, channel="counter", start_date=start, end_date=one_year_end(start),
                   base_premium=Decimal("950"), premium=Decimal("950"), vehicle_tax=Decimal("300"),
                   total=Decimal("1250"), at_fault_claims=int(i % 12 == 0))
        )  # fmt: skip
    Policy.objects.bulk_create(policies, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=20000)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False  # no query log growing in memory
    today = timezone.localdate()
    print(f"PostgreSQL {connection.pg_version}, "
          f"{args.policies} policies, scale {args.scale}")  # fmt: skip
    try:
        with transaction.atomic():
            branch = Branch.objects.create(
                code="BENCH01", name="基准测试营业部", province="江苏", city="南京"
            )
            adjuster = User.objects.create(
                username="bench_adjuster", last_name="周", first_name="敏", branch=branch
            )
            reviewer = User.objects.create(
                username="bench_reviewer", last_name="吴", first_name="强", branch=branch
            )
            agent = User.objects.create(
                username="bench_agent", last_name="陈", first_name="静", branch=branch
            )
            for user, role in (
                (adjuster, CLAIMS_ADJUSTER),
                (reviewer, CLAIMS_ADJUSTER),
                (agent, HOTLINE_AGENT),
            ):
                user.groups.add(Group.objects.get(name=role))
            ApprovalAuthority.objects.create(user=reviewer, max_amount=Decimal("1000000"))
            timed("create policies (bulk)", lambda: make_policies(args.policies, branch, today))
            count = timed(
                "demo.seed",
                lambda: demo.seed(rng=random.Random(1), today=today, stdout=StringIO(), scale=args.scale),
            )
            print(f"{'':<44} {count} claims")

            policies = list(
                Policy.objects.filter(branch=branch, start_date__lte=today - dt.timedelta(days=2))[:200]
            )
            now = timezone.now()
            reports = iter(policies)

            def report():
                policy = next(reports)
                return services.claim_report(
                    vehicle=policy.vehicle.plate, accident_at=now - dt.timedelta(hours=5), place="南京市中山路",
                    description="追尾", at_fault=True, channel="hotline", reported_by=agent,
                    parties=[{"kind": "person", "medical": "8000"}, {"kind": "vehicle", "plate": "苏B12345", "property": "3000"}],
                )  # fmt: skip

            claims = [timed("claim_report (one report)", report, repeat=1)]
            claims += [report() for _ in range(49)]
            timed("claim_report, median of 50", report, repeat=50)

            def walk(claim):
                claim = services.claim_register(claim=claim, by=adjuster, documents=["policy", "claim_form"])
                claim = services.claim_documents(claim=claim, by=adjuster, received=["policy", "claim_form"])
                claim = services.claim_survey(claim=claim, by=adjuster, at_fault=True, note="查勘")
                amounts = {loss.pk: (loss.reported_amount, "") for loss in claim.losses.all()}
                claim = services.claim_assess(claim=claim, by=adjuster, amounts=amounts)
                claim = services.claim_calculate(claim=claim, by=adjuster)
                services.claim_approve(claim=claim, by=reviewer)
                services.claim_pay(claim=claim, by=adjuster, reference="T1")

            steps = iter(claims)
            timed("report → paid, 7 steps, median of 40", lambda: walk(next(steps)), repeat=40)

            paid = Claim.objects.filter(state=ClaimState.PAID, branch=branch).first()
            detail = reverse("claims:detail", args=[paid.pk])
            client = Client()
            client.force_login(adjuster)
            queue = reverse("claims:queue")
            client.get(queue)
            if os.environ.get("BENCH_PROFILE"):
                profile(client, queue)
                profile(client, detail)
            with CaptureQueriesContext(connection) as queries:
                client.get(queue)
            timed(f"queue page ({len(queries)} queries)", lambda: client.get(queue), repeat=20)
            overdue = queue + "?deadline=overdue&state=all"
            timed("queue page, overdue filter", lambda: client.get(overdue), repeat=20)
            detail = reverse(
                "claims:detail", args=[Claim.objects.filter(state=ClaimState.PAID, branch=branch).first().pk]
            )
            with CaptureQueriesContext(connection) as queries:
                client.get(detail)
            if os.environ.get("BENCH_SHOW_QUERIES"):
                for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
                    print(f"  {q['time']} s  {q['sql'][:160]}")
            timed(f"claim page ({len(queries)} queries)", lambda: client.get(detail), repeat=20)

            limits = {LossCategory.DEATH_DISABILITY: Decimal("180000"), LossCategory.MEDICAL: Decimal("18000"),
                      LossCategory.PROPERTY: Decimal("2000")}  # fmt: skip
            lines = [payout.LossLine(key=i, party=i, category=LossCategory.MEDICAL, amount=Decimal(1000 + i) / 7)
                     for i in range(1000)]  # fmt: skip
            lines = [payout.LossLine(key=x.key, party=x.party, category=x.category, amount=x.amount.quantize(Decimal("0.01")))
                     for x in lines]  # fmt: skip
            timed(
                "payout.calculate, 1,000 victims",
                lambda: payout.calculate(limits=limits, lines=lines, at_fault=True),
                repeat=20,
            )
            raise Rollback
    except Rollback:
        print("rolled back: the database is as it was")


if __name__ == "__main__":
    main()
