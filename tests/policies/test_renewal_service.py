"""`services.policy_renew`: the successor policy, exactly once, exactly as quoted (docs/regulation.md §4)."""

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction

from policies import services
from policies.choices import CancelReason, PolicyStatus, SalesChannel
from policies.models import FloatingRate, Policy
from policies.quotes import renewal_quote_on
from policies.renewal import one_year_end
from policies.roles import COUNTER_CLERK
from tests.factories import PolicyFactory, UserFactory, VehicleFactory, make_plate, policy_chain

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 2, 1)  # the current policy runs 2025-03-01 → 2026-02-28: due, 27 days left


@pytest.fixture
def chain(branch):
    """Three clean consecutive years of one 1.5 L family car; the last is due for renewal."""
    return policy_chain(VehicleFactory(), first_start=dt.date(2023, 3, 1), years=3, branch=branch)


def quote_for(policy, clerk, day=DAY):
    vehicle = policy.vehicle
    return renewal_quote_on(day, vehicle=vehicle, policies=list(vehicle.policies.all()), branch=clerk.branch)


def renew(policy, clerk, *, fingerprint=None, day=DAY):
    fingerprint = fingerprint or quote_for(policy, clerk, day).fingerprint
    return services.policy_renew(
        vehicle=policy.vehicle,
        clerk=clerk,
        from_policy_id=policy.pk,
        fingerprint=fingerprint,
        day=day,
        payment_method="cash",
    )


def test_renewal_issues_the_successor_exactly_as_quoted(chain, counter_clerk):
    current = chain[-1]
    quote = quote_for(current, counter_clerk)

    result = renew(current, counter_clerk, fingerprint=quote.fingerprint)

    policy = result.policy
    assert result.created
    assert policy.renewed_from == current
    assert policy.start_date == dt.date(2026, 3, 1) == current.end_date + dt.timedelta(days=1)
    assert policy.end_date == dt.date(2027, 2, 28)
    assert policy.number.startswith("JQX2026") and len(policy.number) == 17
    assert policy.channel == SalesChannel.COUNTER
    assert policy.branch == counter_clerk.branch
    assert policy.issued_by == counter_clerk
    assert policy.insured == policy.policyholder == current.vehicle.owner
    assert (policy.base_premium, policy.floating_plan, policy.floating_reason, policy.floating_rate) == (
        D("950.00"), "E", "A3", D("-0.30")
    )  # fmt: skip
    assert (policy.premium, policy.vehicle_tax, policy.total) == (
        quote.premium,
        quote.vehicle_tax,
        quote.total,
    )
    assert (policy.premium, policy.vehicle_tax, policy.total) == (D("665.00"), D("300.00"), D("965.00"))
    assert policy.status == PolicyStatus.IN_FORCE


def test_each_renewal_gets_a_fresh_policy_number(branch, counter_clerk):
    numbers = set()
    for _ in range(3):
        current = policy_chain(VehicleFactory(), first_start=dt.date(2025, 3, 1), years=1, branch=branch)[0]
        numbers.add(renew(current, counter_clerk).policy.number)
    assert len(numbers) == 3


def test_a_lapsed_vehicle_is_covered_from_0000_tomorrow(branch, counter_clerk):
    lapsed = policy_chain(VehicleFactory(), first_start=dt.date(2024, 3, 1), years=1, branch=branch)[0]
    day = dt.date(2025, 6, 10)  # 102 days after the end

    policy = renew(lapsed, counter_clerk, day=day).policy

    assert policy.start_date == dt.date(2025, 6, 11)
    assert policy.end_date == one_year_end(dt.date(2025, 6, 11)) == dt.date(2026, 6, 10)
    assert policy.renewed_from == lapsed  # the chain (and the record) runs across the lapse
    assert policy.floating_reason == "A1"


def test_a_double_click_issues_one_policy_and_answers_both_with_it(chain, counter_clerk):
    fingerprint = quote_for(chain[-1], counter_clerk).fingerprint

    first = renew(chain[-1], counter_clerk, fingerprint=fingerprint)
    second = renew(chain[-1], counter_clerk, fingerprint=fingerprint)

    assert first.created and not second.created
    assert first.policy.pk == second.policy.pk
    assert Policy.objects.filter(renewed_from=chain[-1]).count() == 1


def test_a_retry_after_the_claims_record_changed_still_returns_the_issued_policy(chain, counter_clerk):
    """The retry is of a request that succeeded: it answers with that policy, not a stale-quote error."""
    fingerprint = quote_for(chain[-1], counter_clerk).fingerprint
    issued = renew(chain[-1], counter_clerk, fingerprint=fingerprint).policy
    Policy.objects.filter(pk=chain[-1].pk).update(at_fault_claims=1)

    retry = renew(chain[-1], counter_clerk, fingerprint=fingerprint)

    assert (retry.created, retry.policy.pk) == (False, issued.pk)


def test_a_stale_quote_is_quoted_again_and_never_charged(chain, counter_clerk):
    shown = quote_for(chain[-1], counter_clerk)
    Policy.objects.filter(pk=chain[-1].pk).update(at_fault_claims=1)  # a claim registered meanwhile

    with pytest.raises(services.StaleQuote) as raised:
        renew(chain[-1], counter_clerk, fingerprint=shown.fingerprint)

    fresh = raised.value.quote
    assert (shown.floating_reason, fresh.floating_reason) == ("A3", "A4")
    assert fresh.total == D("1250.00")
    assert "1250.00" in raised.value.messages[0]
    assert not Policy.objects.filter(renewed_from=chain[-1]).exists()
    # The fresh quote, once shown, is the one that is charged.
    assert renew(chain[-1], counter_clerk, fingerprint=fresh.fingerprint).policy.total == D("1250.00")


def test_a_tariff_change_makes_the_quote_stale(chain, counter_clerk):
    shown = quote_for(chain[-1], counter_clerk)
    row = FloatingRate.objects.get(plan="E", reason="A3", valid_to__isnull=True)
    row.rate = D("-0.25")
    row.save()  # clears the tariff cache

    with pytest.raises(services.StaleQuote):
        renew(chain[-1], counter_clerk, fingerprint=shown.fingerprint)
    assert Policy.objects.count() == 3


def test_cover_with_more_than_89_days_left_is_not_yet_renewable(chain, counter_clerk):
    day = dt.date(2025, 11, 30)  # 90 days left: in force
    with pytest.raises(ValidationError, match="尚未进入续保期") as raised:
        renew(chain[-1], counter_clerk, day=day)
    assert raised.value.code == "not_due"
    # The next day the renewal window is open.
    assert renew(chain[-1], counter_clerk, day=dt.date(2025, 12, 1)).created


def test_a_cancelled_vehicle_is_not_renewed(chain, counter_clerk):
    Policy.objects.filter(pk=chain[-1].pk).update(
        status=PolicyStatus.CANCELLED, cancelled_on=dt.date(2025, 10, 1), end_date=dt.date(2025, 10, 1),
        cancel_reason=CancelReason.DEREGISTERED,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="已退保"):
        renew(chain[-1], counter_clerk, fingerprint="x")
    assert Policy.objects.count() == 3


def test_renewing_a_policy_renewed_long_ago_answers_with_its_successor_and_writes_nothing(
    chain, counter_clerk
):
    result = renew(chain[0], counter_clerk, fingerprint="from-an-old-page")
    assert (result.created, result.policy) == (False, chain[1])
    assert Policy.objects.count() == 3


def test_renewing_from_another_vehicles_policy_is_refused(chain, counter_clerk, branch):
    stranger = policy_chain(VehicleFactory(), first_start=dt.date(2025, 3, 1), years=1, branch=branch)[0]
    with pytest.raises(ValidationError, match="保单信息已变化"):
        services.policy_renew(
            vehicle=chain[-1].vehicle, clerk=counter_clerk, from_policy_id=stranger.pk,
            fingerprint=quote_for(chain[-1], counter_clerk).fingerprint, day=DAY, payment_method="cash",
        )  # fmt: skip
    assert Policy.objects.count() == 4


def test_a_vehicle_renewed_elsewhere_is_not_renewed_again(chain, counter_clerk, other_branch):
    successor = PolicyFactory(vehicle=chain[-1].vehicle, branch=other_branch, start_date=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="无需续保"):
        renew(chain[-1], counter_clerk, fingerprint="x")
    assert Policy.objects.filter(vehicle=chain[-1].vehicle).latest("start_date") == successor


def test_trailers_are_refused(branch, counter_clerk):
    trailer = VehicleFactory(plate=make_plate(77, prefix="苏A")[:-1] + "挂", premium_category="TRUCK_GE10")
    current = policy_chain(trailer, first_start=dt.date(2025, 3, 1), years=1, branch=branch)[0]
    with pytest.raises(ValidationError, match="挂车"):
        renew(current, counter_clerk, fingerprint="x")


def test_a_clerk_without_a_branch_cannot_issue(chain):
    clerk = UserFactory(role=COUNTER_CLERK, branch=None)
    with pytest.raises(ValidationError, match="未设置所属网点"):
        services.policy_renew(
            vehicle=chain[-1].vehicle,
            clerk=clerk,
            from_policy_id=chain[-1].pk,
            fingerprint="x",
            day=DAY,
            payment_method="cash",
        )


def test_the_database_allows_one_successor_per_policy(chain, counter_clerk):
    """The one-to-one `renewed_from` holds even for a writer that skips the service."""
    renew(chain[-1], counter_clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyFactory(
            vehicle=chain[-1].vehicle, branch=chain[-1].branch, start_date=dt.date(2027, 3, 1),
            renewed_from=chain[-1],
        )  # fmt: skip


def test_the_database_refuses_overlapping_cover_of_one_vehicle(chain, counter_clerk):
    """The PostgreSQL exclusion constraint: two live policies of a vehicle may not share a day."""
    renew(chain[-1], counter_clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyFactory(vehicle=chain[-1].vehicle, branch=chain[-1].branch, start_date=dt.date(2026, 9, 1))


# --- Real concurrency on PostgreSQL ----------------------------------------------------------------


def run_together(jobs):
    """Run the callables in threads released at the same instant; return results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_six_simultaneous_requests_issue_exactly_one_policy(branch):
    clerk = UserFactory(role=COUNTER_CLERK, branch=branch)
    current = policy_chain(VehicleFactory(), first_start=dt.date(2023, 3, 1), years=3, branch=branch)[-1]
    fingerprint = quote_for(current, clerk).fingerprint

    results = run_together([lambda: renew(current, clerk, fingerprint=fingerprint)] * 6)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.created for r in results) == 1
    assert len({r.policy.pk for r in results}) == 1
    assert Policy.objects.filter(vehicle=current.vehicle).count() == 4
    assert Policy.objects.filter(renewed_from=current).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clerks_of_different_provinces_renewing_at_once_issue_one_policy(branch, other_branch):
    """南京 quotes plan E (665.00), 海口 plan A (475.00); whoever locks first issues, the other is told."""
    nanjing = UserFactory(role=COUNTER_CLERK, branch=branch)
    haikou = UserFactory(role=COUNTER_CLERK, branch=other_branch)
    current = policy_chain(VehicleFactory(), first_start=dt.date(2023, 3, 1), years=3, branch=branch)[-1]
    shown = {clerk: quote_for(current, clerk).fingerprint for clerk in (nanjing, haikou)}
    jobs = [lambda clerk=clerk: renew(current, clerk, fingerprint=shown[clerk]) for clerk in shown]

    results = run_together(jobs)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.created for r in results) == [False, True]
    winner = next(r for r in results if r.created).policy
    assert {r.policy.pk for r in results} == {winner.pk}
    assert Policy.objects.filter(renewed_from=current).count() == 1
    assert winner.premium in (D("665.00"), D("475.00"))
    assert (winner.premium == D("665.00")) == (winner.branch == branch)
