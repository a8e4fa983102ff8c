"""The province's rules, read where they apply: immediate cover (即时生效, docs/regulation.md §4), the
drink-driving surcharge (酒驾上浮, docs/regulation.md §2) and the advance-renewal window (docs/regulation.md §4)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.clock import SHANGHAI, today
from policies import services
from policies.choices import PaymentMethod, RenewalStatus
from policies.models import DrinkDrivingRecord, Policy, ProvinceRule
from policies.quotes import renewal_quote, renewal_quote_on, vehicle_renewal_state
from policies.renewal import RenewalState, cover_start
from tests.factories import PolicyFactory, VehicleFactory, policy_chain
from tests.grants import counter_lookup

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
D_DAY = dt.date(2026, 12, 5)


def at(hour: int, minute: int = 0, day: dt.date = D_DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def jiangsu_rule(**values) -> ProvinceRule:
    return ProvinceRule.objects.create(
        province="江苏", valid_from=dt.date(2020, 1, 1), source="docs/regulation.md §4（测试）", **values
    )


# --- Immediate cover (docs/regulation.md §4) -------------------------------------------------------------


def lapsed_state() -> RenewalState:
    return RenewalState(status=RenewalStatus.LAPSED, day=D_DAY, days_left=-10, cover_end=D_DAY - 10 * DAY)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(14, 20), (D_DAY, 15)),  # the next full hour
        (at(14, 0), (D_DAY, 15)),
        (at(0, 5), (D_DAY, 1)),
        (at(23, 10), (D_DAY + DAY, 0)),  # past 23:00: 00:00 tomorrow either way
    ],
)
def test_section_4_a_lapsed_vehicle_is_covered_from_the_next_full_hour_where_allowed(now, expected):
    start = cover_start(lapsed_state(), immediate=True, now=now)
    assert (start.day, start.hour) == expected


def test_section_4_elsewhere_a_lapsed_vehicle_is_covered_from_0000_tomorrow():
    start = cover_start(lapsed_state(), immediate=False, now=at(14, 20))
    assert (start.day, start.hour) == (D_DAY + DAY, 0)


def test_section_4_without_the_province_rule_the_quote_starts_at_0000_tomorrow(lapsed, branch):
    state = vehicle_renewal_state([lapsed], day=D_DAY, province="江苏")
    quote = renewal_quote(
        vehicle=lapsed.vehicle, policies=[lapsed], branch=branch, state=state, now=at(14, 20)
    )
    assert (quote.start_date, quote.start_hour, quote.end_date) == (D_DAY + DAY, 0, dt.date(2027, 12, 5))


def test_section_4_immediate_cover_never_moves_a_renewal_of_cover_still_running():
    due = RenewalState(status=RenewalStatus.DUE, day=D_DAY, days_left=30, cover_end=D_DAY + 30 * DAY)
    start = cover_start(due, immediate=True, now=at(14, 20))
    assert (start.day, start.hour) == (D_DAY + 31 * DAY, 0)


@pytest.fixture
def lapsed(branch):
    car = VehicleFactory(plate="苏A70001")
    return policy_chain(car, first_start=D_DAY - 380 * DAY, years=1, branch=branch)[-1]


def test_the_quote_confirmation_state_and_overlap_follow_immediate_cover(lapsed, counter_clerk, branch):
    jiangsu_rule(immediate_cover=True)
    vehicle = lapsed.vehicle
    state = vehicle_renewal_state([lapsed], day=D_DAY, province="江苏")
    quote = renewal_quote(vehicle=vehicle, policies=[lapsed], branch=branch, state=state, now=at(14, 20))
    assert (quote.start_date, quote.start_hour, quote.end_date) == (D_DAY, 15, dt.date(2027, 12, 4))
    assert "即时生效：江苏允许脱保车辆出单后即时生效，保险期间自 2026-12-05 15 时起" in quote.explanation_text

    result = services.policy_renew(
        vehicle=vehicle, clerk=counter_clerk, from_policy_id=lapsed.pk, fingerprint=quote.fingerprint,
        payment_method=PaymentMethod.CASH, day=D_DAY, now=at(14, 20),
    )  # fmt: skip
    policy = result.policy
    assert (policy.start_date, policy.start_hour) == (D_DAY, 15)
    state = vehicle_renewal_state(list(vehicle.policies.all()), day=D_DAY, province="江苏")
    assert state.status == RenewalStatus.IN_FORCE  # covered from today: never `lapsed` again today
    with pytest.raises(ValidationError, match="保险期间不能重叠"):
        services.check_no_overlap(vehicle=vehicle, start=D_DAY, end=D_DAY)


def test_a_quote_shown_before_the_hour_turned_is_stale_after_it(lapsed, counter_clerk, branch):
    jiangsu_rule(immediate_cover=True)
    state = vehicle_renewal_state([lapsed], day=D_DAY, province="江苏")
    shown = renewal_quote(
        vehicle=lapsed.vehicle, policies=[lapsed], branch=branch, state=state, now=at(14, 59)
    )
    with pytest.raises(services.StaleQuote):
        services.policy_renew(
            vehicle=lapsed.vehicle, clerk=counter_clerk, from_policy_id=lapsed.pk, fingerprint=shown.fingerprint,
            payment_method=PaymentMethod.CASH, day=D_DAY, now=at(15, 1),
        )  # fmt: skip
    assert not Policy.objects.filter(renewed_from=lapsed).exists()


def test_the_counter_shows_immediate_cover_and_prints_its_hour(clerk_client, branch):
    jiangsu_rule(immediate_cover=True)
    car = VehicleFactory(plate="苏A70002")
    PolicyFactory(vehicle=car, branch=branch, start_date=today() - 400 * DAY)
    page = counter_lookup(clerk_client, vehicle=car).content.decode()
    assert 'data-testid="immediate-cover"' in page
    assert f"保险期间 {today():%Y-%m-%d} " in page  # starts today, at the next full hour


# --- Drink-driving surcharge (docs/regulation.md §2) --------------------------------------------------------


@pytest.fixture
def three_clean_years(branch):
    """A3 in 江苏 (plan E): 950 × 0.70 = 665.00 without a surcharge (docs/regulation.md §2)."""
    car = VehicleFactory(plate="苏A70003")
    return policy_chain(car, first_start=D_DAY - 1030 * DAY, years=3, branch=branch)


def record(vehicle, offence_date, by, number="苏公交决字〔2026〕第0001号"):
    return services.drink_driving_record_add(
        vehicle=vehicle, offence_date=offence_date, kind="drinking", decision_number=number, by=by
    )


def test_a_drink_driving_record_counts_in_the_policy_that_covered_its_day(three_clean_years, supervisor):
    current = three_clean_years[-1]
    first = record(current.vehicle, current.start_date + 40 * DAY, supervisor)
    again = record(current.vehicle, current.start_date + 40 * DAY, supervisor)
    assert first.pk == again.pk and DrinkDrivingRecord.objects.count() == 1
    assert [p.drink_driving_offences for p in Policy.objects.filter(vehicle=current.vehicle).order_by("start_date")] == [
        0, 0, 1
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="不能晚于今天"):
        record(current.vehicle, today() + DAY, supervisor, number="X-2")


def test_section_2_the_province_surcharge_applies_to_a_record_in_the_last_policy_year(
    three_clean_years, supervisor, branch
):
    jiangsu_rule(drink_driving_surcharge=D("0.15"))
    current = three_clean_years[-1]
    vehicle = current.vehicle
    plain = renewal_quote_on(D_DAY, vehicle=vehicle, policies=list(vehicle.policies.all()), branch=branch)
    assert (plain.premium, plain.drink_driving_rate) == (D("665.00"), D("0.00"))

    record(vehicle, current.start_date + 40 * DAY, supervisor)
    quote = renewal_quote_on(D_DAY, vehicle=vehicle, policies=list(vehicle.policies.all()), branch=branch)
    assert (quote.premium, quote.drink_driving_rate) == (D("764.75"), D("0.15"))  # 950 × 0.70 × 1.15
    assert "酒驾上浮：该车上一保单年度有 1 次酒驾记录，江苏规定上浮 15%" in quote.explanation_text
    assert "950.00 × (1 − 30%) × (1 + 15%) = 764.75 元" in quote.explanation_text


def test_section_2_a_record_of_an_earlier_year_or_a_province_without_surcharge_changes_nothing(
    three_clean_years, supervisor, branch
):
    vehicle = three_clean_years[0].vehicle
    record(vehicle, three_clean_years[-1].start_date + 40 * DAY, supervisor)
    quote = renewal_quote_on(D_DAY, vehicle=vehicle, policies=list(vehicle.policies.all()), branch=branch)
    assert quote.premium == D("665.00")  # 江苏 sets no surcharge by default

    jiangsu_rule(drink_driving_surcharge=D("0.15"))
    Policy.objects.filter(vehicle=vehicle).update(drink_driving_offences=0)
    Policy.objects.filter(pk=three_clean_years[0].pk).update(drink_driving_offences=1)
    quote = renewal_quote_on(D_DAY, vehicle=vehicle, policies=list(vehicle.policies.all()), branch=branch)
    assert quote.premium == D("665.00")  # two policy years ago: not "the last policy year"


def test_a_surcharged_renewal_prints_the_surcharge(
    three_clean_years, supervisor, counter_clerk, clerk_client, branch
):
    jiangsu_rule(drink_driving_surcharge=D("0.15"))
    current = three_clean_years[-1]
    record(current.vehicle, current.start_date + 40 * DAY, supervisor)
    quote = renewal_quote_on(
        D_DAY, vehicle=current.vehicle, policies=list(current.vehicle.policies.all()), branch=branch
    )
    policy = services.policy_renew(
        vehicle=current.vehicle, clerk=counter_clerk, from_policy_id=current.pk, fingerprint=quote.fingerprint,
        payment_method=PaymentMethod.CASH, day=D_DAY,
    ).policy  # fmt: skip
    assert (policy.drink_driving_rate, policy.premium) == (D("0.15"), D("764.75"))
    counter_lookup(clerk_client, vehicle=current.vehicle)
    printout = clerk_client.get(reverse("counter:confirmation", args=[policy.pk])).content.decode()
    assert "950.00 × (1 − 30%) × (1 + 15%)（酒驾上浮） = 764.75 元" in printout


# --- The advance window is the province's (docs/regulation.md §4) ------------------------------------------


def test_the_refusal_and_the_counter_name_the_provinces_window(clerk_client, counter_clerk, branch):
    jiangsu_rule(advance_renewal_days=60)
    car = VehicleFactory(plate="苏A70004")
    current = PolicyFactory(vehicle=car, branch=branch, start_date=today() - 250 * DAY)  # 114 days left
    with pytest.raises(ValidationError, match="止期前 60 天内可续保"):
        services.policy_renew(
            vehicle=car, clerk=counter_clerk, from_policy_id=current.pk, fingerprint="x",
            payment_method=PaymentMethod.CASH,
        )  # fmt: skip
    page = counter_lookup(clerk_client, vehicle=car).content.decode()
    assert "距止期 60 天内可续保" in page and "90 天" not in page
