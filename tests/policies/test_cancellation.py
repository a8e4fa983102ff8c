"""Cancellation (退保, docs/regulation.md §3): `services.policy_cancel`, the refund in the premium
ledger, the vehicle's status from that day, no reminders, and a laid-up vehicle insured again."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from claims.figures import earned_premium
from policies import services
from policies.choices import CancelReason, PaymentMethod, PolicyStatus, PremiumEntryKind, RenewalStatus
from policies.models import Policy, PremiumEntry
from policies.quotes import renewal_quote_on, vehicle_renewal_state
from policies.tariffs import tariff_book
from reminders.planning import due_policies, reference_target
from tests.factories import PolicyFactory, VehicleFactory, policy_chain

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def policy(branch):
    """docs/regulation.md §3's example: premium 855.00, term 2026-03-01 to 2027-02-28 (365 days)."""
    return PolicyFactory(
        branch=branch, start_date=dt.date(2026, 3, 1), premium=D("855.00"), floating_reason="A1"
    )


def cancel(policy, by, *, day=dt.date(2026, 9, 30), reason=CancelReason.LAID_UP, **kwargs):
    args = {"document": "停驶证明 No.2026-0930", "refund_method": PaymentMethod.TRANSFER} | kwargs
    return services.policy_cancel(policy_id=policy.pk, by=by, reason=reason, day=day, **args)


def test_section_3_refund_is_premium_times_unexpired_days_over_the_term(policy, counter_clerk):
    result = cancel(policy, counter_clerk, refund_reference="TR20260930001")

    cancelled = Policy.objects.get(pk=policy.pk)
    assert result.created
    assert cancelled.refund == D("353.71")  # 855.00 × 151 ÷ 365, docs/regulation.md §3
    assert (cancelled.status, cancelled.cancelled_on, cancelled.end_date, cancelled.original_end_date) == (
        PolicyStatus.CANCELLED, dt.date(2026, 9, 30), dt.date(2026, 9, 30), dt.date(2027, 2, 28)
    )  # fmt: skip
    assert (cancelled.cancel_reason, cancelled.cancel_document, cancelled.cancelled_by) == (
        CancelReason.LAID_UP, "停驶证明 No.2026-0930", counter_clerk
    )  # fmt: skip
    entry = PremiumEntry.objects.get(policy=policy)
    assert (entry.kind, entry.amount, entry.method, entry.reference, entry.by) == (
        PremiumEntryKind.REFUND, D("353.71"), PaymentMethod.TRANSFER, "TR20260930001", counter_clerk
    )  # fmt: skip
    assert "车辆办理停驶" in entry.note and "停驶证明" in entry.note


def test_a_retry_returns_the_cancellation_already_made_and_refunds_once(policy, counter_clerk):
    first = cancel(policy, counter_clerk)
    again = cancel(policy, counter_clerk, day=dt.date(2026, 10, 5))

    assert not again.created
    assert again.policy.cancelled_on == dt.date(2026, 9, 30) and again.refund.pk == first.refund.pk
    assert PremiumEntry.objects.filter(policy=policy).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": "sold"}, "请选择退保原因"),
        ({"document": "   "}, "请登记证明材料"),
        ({"refund_method": "cheque"}, "请选择退费方式"),
        ({"day": dt.date(2026, 2, 1)}, "尚未生效"),
        ({"day": dt.date(2027, 3, 1)}, "已于 2027-02-28 到期"),
    ],
)
def test_a_cancellation_the_law_or_the_record_does_not_allow_is_refused_in_chinese(
    policy, counter_clerk, kwargs, message
):
    with pytest.raises(ValidationError, match=message):
        cancel(policy, counter_clerk, **kwargs)
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_FORCE
    assert not PremiumEntry.objects.exists()


def test_only_a_role_with_the_permission_cancels(policy, hotline_agent):
    with pytest.raises(ValidationError, match="不能办理退保"):
        cancel(policy, hotline_agent)
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_FORCE


def test_a_policy_cancelled_by_import_is_not_cancelled_again(branch, counter_clerk):
    imported = PolicyFactory(
        branch=branch, start_date=dt.date(2026, 3, 1), status=PolicyStatus.CANCELLED,
        cancelled_on=dt.date(2026, 6, 1), end_date=dt.date(2026, 6, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="已于 2026-06-01 退保"):
        cancel(imported, counter_clerk)


def test_section_4_the_vehicle_is_cancelled_from_that_day_and_gets_no_reminder(policy, counter_clerk):
    day = dt.date(2026, 12, 30)  # 60 days left: due, and a reminder step
    vehicle = policy.vehicle
    assert vehicle_renewal_state([policy], day=day).status == RenewalStatus.DUE
    assert reference_target([policy], day=day, book=tariff_book()) == (policy.pk, 60)
    assert due_policies(day=day, days_left=[60]) == {(policy.pk, 60)}

    cancel(policy, counter_clerk, day=day)

    policies = list(vehicle.policies.select_related("branch"))
    assert vehicle_renewal_state(policies, day=day).status == RenewalStatus.CANCELLED
    assert vehicle_renewal_state(policies, day=day + 30 * DAY).status == RenewalStatus.CANCELLED
    assert reference_target(policies, day=day, book=tariff_book()) is None
    assert due_policies(day=day, days_left=[60, 30, 7, 1, -1]) == set()
    assert due_policies(day=day + 31 * DAY, days_left=[-1]) == set()


def test_earned_premium_of_a_cancelled_policy_leaves_out_the_refund(policy, counter_clerk):
    cancel(policy, counter_clerk)
    earned = earned_premium(start=dt.date(2026, 3, 1), end=dt.date(2027, 2, 28))
    assert earned == D("855.00") - D("353.71")


# --- A laid-up vehicle returning to the road ------------------------------------------------------


def test_a_laid_up_vehicle_back_on_the_road_is_insured_again_at_the_counter(branch, counter_clerk):
    vehicle = VehicleFactory()
    current = policy_chain(vehicle, first_start=dt.date(2025, 3, 1), years=2, branch=branch)[-1]
    cancel(current, counter_clerk, day=dt.date(2026, 5, 31))
    back = dt.date(2026, 11, 2)
    quote = renewal_quote_on(back, vehicle=vehicle, policies=list(vehicle.policies.all()), branch=branch)

    result = services.policy_renew(
        vehicle=vehicle, clerk=counter_clerk, from_policy_id=current.pk, fingerprint=quote.fingerprint,
        payment_method=PaymentMethod.CASH, day=back,
    )  # fmt: skip

    new = result.policy
    assert result.created and new.renewed_from_id == current.pk
    assert new.start_date == back + DAY and new.floating_reason == "A1"  # the cancelled year had no accident
    state = vehicle_renewal_state(list(vehicle.policies.all()), day=back + DAY)
    assert state.status == RenewalStatus.IN_FORCE


def test_a_deregistered_vehicle_is_not_insured_again(branch, counter_clerk):
    vehicle = VehicleFactory()
    current = PolicyFactory(vehicle=vehicle, branch=branch, start_date=dt.date(2026, 3, 1))
    cancel(current, counter_clerk, reason=CancelReason.DEREGISTERED, document="机动车注销证明书 No.88")
    with pytest.raises(ValidationError, match="注销登记"):
        services.policy_renew(
            vehicle=vehicle, clerk=counter_clerk, from_policy_id=current.pk, fingerprint="x",
            payment_method=PaymentMethod.CASH, day=dt.date(2026, 11, 2),
        )  # fmt: skip


def test_section_2_an_accident_in_the_cancelled_year_counts_in_the_next_policy(branch, counter_clerk):
    """docs/regulation.md §2: the at-fault accident of a policy year later cancelled stays in
    the vehicle's record: the next policy floats on it (A4), not on the clean year before."""
    vehicle = VehicleFactory()
    current = policy_chain(
        vehicle, first_start=dt.date(2025, 3, 1), years=2, branch=branch, claims={1: (1, 0)}
    )[-1]
    cancel(current, counter_clerk, day=dt.date(2026, 5, 31))
    quote = renewal_quote_on(
        dt.date(2026, 11, 2), vehicle=vehicle, policies=list(vehicle.policies.all()), branch=branch
    )
    assert (quote.floating_reason, quote.premium) == ("A4", D("950.00"))
