"""The dashboard's monthly summaries equal the live figures they stand for (docs/regulation.md §9)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from claims import figures as claim_figures
from claims.choices import ClaimState as S
from core.clock import SHANGHAI, today
from insights import figures
from insights.forms import Scope
from insights.models import ClaimMonth, ClaimStepMonth, PolicyMonth, SummaryRun, TicketMonth
from insights.refresh import summaries_refresh
from policies import figures as policy_figures
from policies.models import Policy
from policies.pricing import add_months
from support import reports
from tests import factories

pytestmark = pytest.mark.django_db

DAY = today()
THIS_MONTH = DAY.replace(day=1)


def _policy(*, branch, end: dt.date, channel="counter", category="FAMILY_LT6", **kwargs) -> Policy:
    vehicle = factories.VehicleFactory(premium_category=category)
    start = add_months(end, -12) + dt.timedelta(days=1)
    return factories.PolicyFactory(
        vehicle=vehicle, branch=branch, channel=channel, start_date=start, end_date=end, **kwargs
    )


def _renew(policy: Policy, *, after_days: int) -> Policy:
    start = policy.end_date + dt.timedelta(days=after_days)
    return factories.PolicyFactory(
        vehicle=policy.vehicle, branch=policy.branch, channel=policy.channel, renewed_from=policy,
        start_date=start, end_date=add_months(start, 12) - dt.timedelta(days=1),
    )  # fmt: skip


@pytest.fixture
def book(branch, other_branch):
    """Policies ending over the last six months at two branches, in two channels and two
    categories: renewed on time, late (31 days), not at all, and cancelled."""
    made = []
    for back in range(6):
        month = add_months(THIS_MONTH, -back)
        for i, br in enumerate((branch, other_branch)):
            on_time = _policy(branch=br, end=month + dt.timedelta(days=2 + i), channel="counter")
            made.append(on_time)
            if on_time.end_date + dt.timedelta(days=1) <= DAY:
                _renew(on_time, after_days=1)
            late = _policy(branch=br, end=month + dt.timedelta(days=5), channel="app", category="TAXI_LT6")
            if late.end_date + dt.timedelta(days=31) <= DAY:
                _renew(late, after_days=31)
            _policy(branch=br, end=month + dt.timedelta(days=6), premium=D("1100.00"), vehicle_tax=D("0"))
    cancelled = _policy(branch=branch, end=add_months(THIS_MONTH, -2) + dt.timedelta(days=9))
    Policy.objects.filter(pk=cancelled.pk).update(
        status="cancelled", cancelled_on=cancelled.start_date + dt.timedelta(days=40), cancel_reason="laid_up",
        refund=D("100.00"),
    )  # fmt: skip
    summaries_refresh(first=add_months(THIS_MONTH, -18))
    return made


def _scope(**kwargs) -> Scope:
    defaults = {"first": add_months(THIS_MONTH, -5), "last": THIS_MONTH, "branches": (), "allowed": None}
    return Scope(**(defaults | kwargs))


def test_renewal_and_lapse_by_month_equal_the_live_figures(book):
    live = policy_figures.renewal_by_month(months=6, day=DAY)
    (summed,) = figures.monthly(_scope())
    assert [(m.month, m.ended, m.renewed) for m in summed.months] == [
        (r.month, r.ended, r.renewed) for r in live
    ]
    assert [m.renewal_rate for m in summed.months] == [r.renewal_rate for r in live]
    assert [m.lapse_rate for m in summed.months] == [r.lapse_rate for r in live]
    assert any(m.lapsed for m in summed.months)  # the late renewals count as lapses


def test_each_filter_equals_the_live_count_with_the_same_filter(book, branch):
    scope = _scope(branches=(branch,), channel="app", category="TAXI_LT6")
    (summed,) = figures.monthly(scope)
    live = (
        Policy.objects.not_cancelled()
        .filter(
            end_date__gte=scope.first,
            end_date__lte=DAY,
            branch=branch,
            channel="app",
            vehicle__premium_category="TAXI_LT6",
        )  # fmt: skip
        .count()
    )
    assert sum(m.ended for m in summed.months) == live >= 5


def test_premium_earned_each_month_equals_the_live_pro_rata_figure(book):
    (summed,) = figures.monthly(_scope())
    for m in summed.months:
        end = min(add_months(m.month, 1) - dt.timedelta(days=1), DAY)
        assert abs(m.earned - claim_figures.earned_premium(start=m.month, end=end)) <= D("0.01"), m.month


def test_channel_mix_counts_policies_started_each_month(book):
    scope = _scope(first=add_months(THIS_MONTH, -11))
    mix = figures.channel_mix(scope)
    live = dict(
        Policy.objects.not_cancelled()
        .filter(start_date__gte=scope.first, start_date__lte=DAY)
        .values_list("channel")
        .annotate(n=Count("id"))
    )
    assert {c: sum(v) for c, v in mix.items()} == live


def test_a_second_refresh_changes_nothing(book):
    before = sorted(
        PolicyMonth.objects.values_list(
            "month", "branch", "channel", "category", "ended", "renewed", "earned"
        )
    )
    summaries_refresh(first=add_months(THIS_MONTH, -18))
    after = sorted(
        PolicyMonth.objects.values_list(
            "month", "branch", "channel", "category", "ended", "renewed", "earned"
        )
    )
    assert before == after and SummaryRun.objects.count() == 2


def test_a_refresh_of_recent_months_keeps_older_ones(book):
    older = PolicyMonth.objects.filter(month__lt=add_months(THIS_MONTH, -2)).count()
    summaries_refresh(first=add_months(THIS_MONTH, -2))
    assert PolicyMonth.objects.filter(month__lt=add_months(THIS_MONTH, -2)).count() == older > 0


def test_claims_paid_and_step_times_equal_the_live_figures(claim, walk_to, branch):
    from tests.claims.conftest import NOW

    walk_to(claim, S.PAID)  # paid on 2026-11-20, one hour a step
    summaries_refresh(first=dt.date(2026, 1, 1), day=dt.date(2026, 12, 31), now=NOW + dt.timedelta(days=1))
    month = dt.date(2026, 11, 1)
    scope = _scope(first=month, last=month)
    (summed,) = figures.monthly(scope)
    live = claim_figures.loss_ratio(start=month, end=dt.date(2026, 11, 30), reserves=D(0))
    assert summed.months[0].paid == live.paid == D("4500.00")
    average, paid, steps = claim_figures.cycle_times(start=month, end=dt.date(2026, 11, 30))
    assert summed.months[0].paid_claims == paid == 1
    assert dt.timedelta(seconds=summed.months[0].cycle_seconds / paid) == average
    assert [(s.state, s.claims, s.average_seconds) for s in figures.step_times(scope)] == [
        (s.state, s.claims, s.average_seconds) for s in steps
    ]
    assert ClaimMonth.objects.filter(branch=branch).exists() and ClaimStepMonth.objects.exists()


def test_a_claim_undecided_past_five_days_counts_as_breached(claim, branch):
    from tests.claims.conftest import NOW

    claim.decision_due_at = NOW + dt.timedelta(days=5)
    claim.save(update_fields=["decision_due_at"])
    summaries_refresh(first=dt.date(2026, 11, 1), day=dt.date(2026, 12, 31), now=NOW + dt.timedelta(days=6))
    (summed,) = figures.monthly(_scope(first=dt.date(2026, 11, 1), last=dt.date(2026, 11, 1)))
    assert (summed.months[0].reported, summed.months[0].decision_breached) == (1, 1)


def test_ticket_sla_by_channel_equals_the_live_compliance(branch, hotline_agent, counter_clerk):
    from support.models import Queue

    queue = Queue.objects.create(name="南京综合", branch=branch)
    for channel in ("hotline", "hotline", "walk_in"):
        factories.TicketFactory(channel=channel, queue=queue, created_by=hotline_agent)
    now = timezone.now()
    summaries_refresh(first=THIS_MONTH, now=now)
    days = (now.astimezone(SHANGHAI).date() - THIS_MONTH).days + 1
    live = {c.key: c for c in reports.compliance("channel", days=days, now=now)}
    summed = figures.ticket_sla(_scope(first=THIS_MONTH, last=THIS_MONTH))
    assert {c.key for c in summed} == set(live) == {"hotline", "walk_in"}
    for row in summed:
        expected = live[row.key]
        assert (row.tickets, row.responded, row.responded_within, row.resolved, row.resolved_within) == (
            expected.tickets, expected.responded, expected.responded_within, expected.resolved,
            expected.resolved_within,
        )  # fmt: skip
    assert TicketMonth.objects.aggregate(n=Sum("tickets"))["n"] == 3


def test_a_backfill_in_batches_gives_the_rows_of_one_refresh(book):
    from insights.refresh import refresh_in_batches

    def rows():
        return sorted(
            PolicyMonth.objects.values_list(
                "month", "branch", "channel", "category", "started", "ended", "renewed", "earned"
            )
        )

    whole = rows()
    runs = list(refresh_in_batches(first=add_months(THIS_MONTH, -18), months=4))
    assert len(runs) == 5 and rows() == whole
