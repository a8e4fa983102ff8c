"""The demo's history and access log: the demo supervisor corrected a policy's vehicle tax
(with the reason, so the policy's 历史 page has a correction), and the demo clerk opened many
customers' records within one hour yesterday (so the dashboard's unusual-access panel — after
the scan run here — and the access-log search have something to find). Deterministic given
`rng` and `today`."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pghistory
from django.utils import timezone

from core.clock import start_of_day
from policies.access_log import detect_bursts
from policies.demo import DEMO_BRANCH_CODES
from policies.models import Person, PersonAccessLog, Policy, User
from policies.services import policy_correct

BURST_PEOPLE = 36  # above the panel's default threshold (settings.ACCESS_LOG_UNUSUAL)


def seed(*, rng: random.Random, today: dt.date, stdout, scale: float = 1.0) -> int:
    supervisor = User.objects.filter(username="supervisor").first()
    clerk = User.objects.filter(username="clerk").first()
    if supervisor is None or clerk is None:
        return 0
    policy = (
        Policy.objects.filter(branch__code__in=DEMO_BRANCH_CODES, status="in_force", start_date__lte=today)
        .order_by("-start_date", "pk")
        .first()
    )
    if policy is not None:
        with pghistory.context(user=supervisor.pk, url=f"/admin/policies/policy/{policy.pk}/correct/"):
            policy_correct(
                policy=policy, by=supervisor, reason="出单时车船税按错误排量录入，按行驶证更正（演示）",
                vehicle_tax=policy.vehicle_tax + Decimal("60.00"),
            )  # fmt: skip
    people = list(
        Person.objects.filter(vehicles__policies__branch__code__in=DEMO_BRANCH_CODES)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()[:200]
    )
    chosen = rng.sample(people, min(BURST_PEOPLE, len(people)))
    start = start_of_day(today - dt.timedelta(days=1)) + dt.timedelta(hours=14)
    rows = [
        PersonAccessLog(
            user=clerk, person_id=pk, page="柜面客户页", path=f"/counter/person/{pk}/", ip_address="10.1.2.34"
        )
        for pk in chosen
    ]
    PersonAccessLog.objects.bulk_create(rows)
    # auto_now_add stamped them now: spread them over 40 minutes yesterday afternoon.
    for n, row in enumerate(rows):
        PersonAccessLog.objects.filter(pk=row.pk).update(accessed_at=start + dt.timedelta(seconds=67 * n))
    # The dashboard shows the bursts the background scan keeps: scan from the burst's start.
    detect_bursts(now=timezone.now(), since=start)
    if stdout is not None:
        stdout.write(f"变更记录与查看记录：更正 1 张保单，{len(rows)} 条集中查看记录。")
    return len(rows)
