"""POST /api/v1/quotes: the counter's renewal quote (docs/regulation.md §1, §2, §8), priced for the
branch that issued the vehicle's current policy."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from core.clock import today
from desks.counter.view_models import vehicle_desk
from policies.choices import CancelReason, EnergyType, PolicyStatus
from policies.models import Policy
from policies.refusals import TRAILER_REFUSAL
from policies.tariffs import tariff_book
from tests import factories
from tests.api.conftest import days_from_today, insure, insure_years

pytestmark = pytest.mark.django_db

MONEY = re.compile(r"^\d+\.\d{2}$")


def quote_of(api, vehicle, **overrides):
    return api.post("quotes", {"plate": vehicle.plate, "vin": vehicle.vin, **overrides})


def counter_desk(vehicle, branch):
    """What the counter desk shows for `vehicle` to a clerk of `branch`."""
    policies = list(Policy.objects.filter(vehicle=vehicle).select_related("branch"))
    return vehicle_desk(vehicle, policies, branch=branch, day=today(), book=tariff_book())


def counter_quote(vehicle, branch):
    quote = counter_desk(vehicle, branch).quote
    assert quote is not None
    return quote


@pytest.mark.parametrize(
    ("records", "reason", "rate"),
    [
        ([(0, 0)] * 3, "A3", "-0.50"),
        ([(0, 0)] * 2, "A2", "-0.40"),
        ([(0, 0), (1, 0)], "A4", "0.00"),
        ([(0, 0), (2, 0)], "A5", "+0.10"),
        ([(0, 0), (1, 1)], "A6", "+0.30"),
    ],
)
def test_api_quote_equals_the_counters_for_the_issuing_branch(api, other_branch, records, reason, rate):
    vehicle = insure_years(branch=other_branch, end=days_from_today(40), years=len(records), records=records)

    answer = quote_of(api, vehicle)

    assert answer.status == 200
    expected = counter_quote(vehicle, other_branch)
    body = answer.json()
    assert body == {
        "base_premium": f"{expected.base_premium:.2f}",
        "floating_group": expected.floating_plan,
        "floating_reason": expected.floating_reason,
        "floating_rate": rate,
        "premium": f"{expected.premium:.2f}",
        "vehicle_tax": f"{expected.vehicle_tax:.2f}",
        "total": f"{expected.total:.2f}",
        "explanation": expected.explanation_text,
    }
    assert body["floating_group"] == "A"  # 海南 (docs/regulation.md §2)
    assert body["floating_reason"] == reason
    assert Decimal(body["floating_rate"]) == expected.floating_rate


def test_domain_example_three_clean_years_in_jiangsu_and_in_hainan(api, branch, other_branch):
    # docs/regulation.md §2: 家庭自用 5 seats, 3 clean years: 950 × 0.70 = 665.00 in 江苏 (E); 475.00 in 海南 (A).
    jiangsu = insure_years(branch=branch, end=days_from_today(40), years=3)
    hainan = insure_years(branch=other_branch, end=days_from_today(40), years=3)

    assert quote_of(api, jiangsu).json()["premium"] == "665.00"
    assert quote_of(api, hainan).json()["premium"] == "475.00"


def test_fatal_accident_last_year_raises_the_premium_by_30_percent(api, branch):
    vehicle = insure_years(branch=branch, end=days_from_today(40), years=2, records=[(0, 0), (1, 1)])

    body = quote_of(api, vehicle).json()

    assert (body["floating_reason"], body["floating_rate"], body["premium"]) == ("A6", "+0.30", "1235.00")


def test_plan_comes_from_the_branch_of_the_current_policy_not_an_earlier_one(api, branch, other_branch):
    vehicle = insure_years(branch=other_branch, end=days_from_today(40 - 365), years=2)
    insure(vehicle, branch=branch, end=days_from_today(40))

    body = quote_of(api, vehicle).json()

    assert body["floating_group"] == "E"
    assert body == {**body, "premium": f"{counter_quote(vehicle, branch).premium:.2f}"}


def test_money_is_two_decimal_strings_and_total_is_premium_plus_tax(api, due_vehicle):
    body = quote_of(api, due_vehicle).json()

    for field in ("base_premium", "premium", "vehicle_tax", "total"):
        assert MONEY.match(body[field]), field
    assert Decimal(body["total"]) == Decimal(body["premium"]) + Decimal(body["vehicle_tax"])
    assert "合计应缴" in body["explanation"]


def test_electric_car_pays_no_vehicle_tax(api, branch):
    vehicle = factories.VehicleFactory(
        energy_type=EnergyType.ELECTRIC, displacement_l=None, plate="苏AD12345"
    )
    insure(vehicle, branch=branch, end=days_from_today(40))

    body = quote_of(api, vehicle).json()

    assert body["vehicle_tax"] == "0.00"
    assert body["total"] == body["premium"]


def test_trailer_is_refused_a_quote_whether_or_not_it_is_known(api, branch):
    trailer = factories.VehicleFactory(plate="苏A1234挂")
    insure(trailer, branch=branch, end=days_from_today(40))

    known = quote_of(api, trailer)
    unknown = api.post("quotes", {"plate": "苏B9876挂", "vin": factories.make_vin(777)})

    assert known.status == unknown.status == 422
    assert known.body == unknown.body
    assert known.json()["error"] == {"code": "not_insurable", "message": TRAILER_REFUSAL}
    assert counter_desk(trailer, branch).quote_error == TRAILER_REFUSAL


def test_renewed_vehicle_is_not_quoted_again(api, branch):
    current = insure(branch=branch, end=days_from_today(30))
    insure(current.vehicle, branch=branch, end=days_from_today(395), renewed_from=current)

    answer = quote_of(api, current.vehicle)

    assert answer.status == 409
    assert answer.error_code == "already_renewed"
    assert days_from_today(31).isoformat() in answer.json()["error"]["message"]


def test_car_that_cannot_be_priced_gets_the_pricing_message(api, branch):
    vehicle = factories.VehicleFactory(displacement_l=None)  # a fuel car: its tax needs the displacement
    insure(vehicle, branch=branch, end=days_from_today(40))

    answer = quote_of(api, vehicle)

    assert answer.status == 422
    assert answer.json()["error"] == {
        "code": "quote_unavailable",
        "message": "燃油及混合动力乘用车须登记排量，才能计算车船税。",
    }


def test_unknown_vehicle_gets_the_same_404_as_the_status_endpoint(api, due_vehicle):
    quote = api.post("quotes", {"plate": due_vehicle.plate, "vin": factories.make_vin(31337)})
    status = api.post("renewal-status", {"plate": "苏A99999", "vin": due_vehicle.vin})

    assert quote.status == 404
    assert quote.body == status.body


def test_lapsed_vehicle_is_quoted_from_tomorrow(api, branch):
    vehicle = insure_years(branch=branch, end=days_from_today(-30), years=1)

    answer = quote_of(api, vehicle)

    assert answer.status == 200
    assert answer.json()["floating_reason"] == "A1"
    assert answer.json() == {**answer.json(), "premium": f"{counter_quote(vehicle, branch).premium:.2f}"}


@pytest.mark.parametrize("years", [1, 8])
def test_quote_queries_do_not_grow_with_the_vehicles_history(
    api, branch, django_assert_max_num_queries, years
):
    vehicle = insure_years(branch=branch, end=days_from_today(45), years=years)
    tariff_book()

    with django_assert_max_num_queries(4):
        answer = quote_of(api, vehicle)

    assert answer.status == 200


def test_cancelled_vehicle_is_not_quoted_as_at_the_counter(api, branch):
    cancelled_on = days_from_today(-20)
    vehicle = insure(
        branch=branch, end=cancelled_on, status=PolicyStatus.CANCELLED, cancelled_on=cancelled_on,
        cancel_reason=CancelReason.DEREGISTERED,
    ).vehicle  # fmt: skip

    answer = quote_of(api, vehicle)

    assert answer.status == 409
    assert answer.error_code == "policy_cancelled"
    assert counter_desk(vehicle, branch).quote is None


@pytest.mark.parametrize("days_left", [200, 45, 0, -1, -400])
def test_api_and_counter_agree_on_every_quotable_status(api, branch, days_left):
    vehicle = insure_years(branch=branch, end=days_from_today(days_left), years=2, records=[(0, 0), (1, 0)])

    answer = quote_of(api, vehicle)

    expected = counter_quote(vehicle, branch)
    assert answer.status == 200
    assert (answer.json()["premium"], answer.json()["total"]) == (
        f"{expected.premium:.2f}",
        f"{expected.total:.2f}",
    )
    assert answer.json()["explanation"] == expected.explanation_text
