"""Invariants of policies kept by the database and by the services (docs/regulation.md §4)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from policies.choices import PolicyStatus
from policies.quotes import renewal_quote_on
from policies.services import check_no_overlap, new_policy_number, policy_issue
from tests.factories import PolicyFactory, VehicleFactory

pytestmark = pytest.mark.django_db

D = dt.date


class TestOverlapExclusionConstraint:
    """PostgreSQL's exclusion constraint (migration 0002); the suite runs on PostgreSQL."""

    def test_two_live_policies_of_one_vehicle_cannot_overlap(self):
        first = PolicyFactory(start_date=D(2026, 3, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            PolicyFactory(vehicle=first.vehicle, start_date=D(2027, 2, 28))  # shares 2027-02-28

    def test_back_to_back_policies_are_allowed(self):
        first = PolicyFactory(start_date=D(2026, 3, 1))
        second = PolicyFactory(vehicle=first.vehicle, start_date=D(2027, 3, 1), renewed_from=first)
        assert second.start_date == first.end_date + dt.timedelta(days=1)

    def test_a_cancelled_policy_does_not_block_new_cover(self):
        first = PolicyFactory(
            start_date=D(2026, 3, 1), status=PolicyStatus.CANCELLED, cancelled_on=D(2026, 6, 1)
        )
        again = PolicyFactory(vehicle=first.vehicle, start_date=D(2026, 5, 1))
        assert again.pk

    def test_other_vehicles_may_share_dates(self):
        PolicyFactory(start_date=D(2026, 3, 1))
        assert PolicyFactory(start_date=D(2026, 3, 1)).pk


class TestServiceOverlapCheck:
    """The service refuses overlaps on every backend, with a message a clerk can read."""

    def test_overlap_is_refused_in_chinese(self):
        first = PolicyFactory(start_date=D(2026, 3, 1))
        with pytest.raises(ValidationError) as excinfo:
            check_no_overlap(vehicle=first.vehicle, start=D(2027, 1, 1), end=D(2027, 12, 31))
        assert first.number in excinfo.value.messages[0]
        assert "不能重叠" in excinfo.value.messages[0]

    def test_adjacent_cover_passes(self):
        first = PolicyFactory(start_date=D(2026, 3, 1))
        check_no_overlap(vehicle=first.vehicle, start=D(2027, 3, 1), end=D(2028, 2, 29))


class TestPolicyConstraints:
    def test_total_must_be_premium_plus_tax(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            PolicyFactory(premium=Decimal("950.00"), vehicle_tax=Decimal("300.00"), total=Decimal("1000.00"))

    def test_cancelled_policy_needs_its_cancellation_date(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            PolicyFactory(status=PolicyStatus.CANCELLED, cancelled_on=None)

    def test_end_cannot_precede_start(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            PolicyFactory(start_date=D(2026, 3, 1), end_date=D(2026, 2, 1))

    def test_one_policy_has_at_most_one_successor(self):
        first = PolicyFactory(start_date=D(2025, 3, 1))
        PolicyFactory(vehicle=first.vehicle, start_date=D(2026, 3, 1), renewed_from=first)
        with pytest.raises(IntegrityError), transaction.atomic():
            PolicyFactory(start_date=D(2026, 3, 1), renewed_from=first)


class TestPolicyIssue:
    def test_policy_numbers_are_unique_and_sequential_per_year(self):
        a, b = new_policy_number(start=D(2027, 3, 1)), new_policy_number(start=D(2027, 3, 1))
        assert a.startswith("JQX2027") and len(a) == 17
        assert int(b[-10:]) == int(a[-10:]) + 1

    def test_issues_a_successor_with_the_quoted_parts(self, branch, counter_clerk):
        current = PolicyFactory(start_date=D(2026, 3, 1), branch=branch)
        quote = renewal_quote_on(D(2027, 1, 10), vehicle=current.vehicle, policies=[current], branch=branch)
        policy = policy_issue(
            vehicle=current.vehicle,
            policyholder=current.policyholder,
            insured=current.insured,
            branch=branch,
            channel="counter",
            quote=quote,
            issued_by=counter_clerk,
            renewed_from=current,
        )
        assert (policy.start_date, policy.end_date) == (D(2027, 3, 1), D(2028, 2, 29))
        assert policy.floating_reason == "A1"
        assert policy.premium == Decimal("855.00")  # 950 × (1 − 10%), plan E (docs/regulation.md §2 A1/E)
        assert policy.total == policy.premium + policy.vehicle_tax

    def test_trailers_are_refused(self, branch):
        vehicle = VehicleFactory(plate="粤B1234挂")
        current = PolicyFactory(vehicle=vehicle, start_date=D(2026, 3, 1), branch=branch)
        quote = renewal_quote_on(D(2027, 1, 10), vehicle=vehicle, policies=[current], branch=branch)
        with pytest.raises(ValidationError, match="挂车"):
            policy_issue(
                vehicle=vehicle, policyholder=vehicle.owner, insured=vehicle.owner, branch=branch,
                channel="counter", quote=quote,
            )  # fmt: skip
