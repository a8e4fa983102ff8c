"""Pricing against docs/regulation.md, row by row, through the seeded tariff tables (`tariff_book()`).

Every expected figure below is copied from docs/regulation.md; the section and row are named in
each test. The tables under test are the rows the data migration seeded, read through
the same `tariff_book()` the counter, hotline and API use.
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from policies import pricing
from policies.choices import EnergyType, FloatingReason, PremiumCategory, Province, TermKind
from policies.models import Policy
from policies.pricing import PolicyYear, PreviousPremium, cover_months, floating_reason, to_fen
from policies.quotes import claims_history, renewal_quote_on
from policies.renewal import one_year_end
from policies.tariffs import tariff_book
from tests.factories import PolicyFactory, VehicleFactory, policy_chain

pytestmark = pytest.mark.django_db

AFTER_REFORM = dt.date(2026, 3, 1)
BEFORE_REFORM = dt.date(2019, 6, 1)

# docs/regulation.md §1, the 2008 base-premium table (yuan a year), one entry per row and band.
SECTION_1 = {
    "FAMILY_LT6": 950, "FAMILY_GE6": 1100,
    "ENTERPRISE_LT6": 1000, "ENTERPRISE_6_10": 1130, "ENTERPRISE_10_20": 1220, "ENTERPRISE_GE20": 1270,
    "GOVT_LT6": 950, "GOVT_6_10": 1070, "GOVT_10_20": 1140, "GOVT_GE20": 1320,
    "TAXI_LT6": 1800, "TAXI_6_10": 2360, "TAXI_10_20": 2400, "TAXI_20_36": 2560, "TAXI_GE36": 3530,
    "BUS_6_10": 2250, "BUS_10_20": 2520, "BUS_20_36": 3020, "BUS_GE36": 3140,
    "COACH_6_10": 2350, "COACH_10_20": 2620, "COACH_20_36": 3420, "COACH_GE36": 4690,
    "TRUCK_LT2": 1200, "TRUCK_2_5": 1470, "TRUCK_5_10": 1650, "TRUCK_GE10": 2220,
    "FREIGHT_LT2": 1850, "FREIGHT_2_5": 3070, "FREIGHT_5_10": 3450, "FREIGHT_GE10": 4480,
    "SPECIAL_1": 3710, "SPECIAL_2": 2430, "SPECIAL_3": 1080, "SPECIAL_4": 3980,
    "MOTO_LE50": 80, "MOTO_50_250": 120, "MOTO_GT250": 400,
}  # fmt: skip

# docs/regulation.md §2, the plans by region (2020 scheme).
SECTION_2_PLANS = {
    "A": ["内蒙古", "海南", "青海", "西藏"],
    "B": ["陕西", "云南", "广西"],
    "C": ["甘肃", "吉林", "山西", "黑龙江", "新疆"],
    "D": ["北京", "天津", "河北", "宁夏"],
    "E": [
        "江苏", "浙江", "安徽", "上海", "湖南", "湖北", "江西", "辽宁", "河南", "福建", "重庆",
        "山东", "广东", "四川", "贵州",
    ],
}  # fmt: skip
PLAN_E_CITIES = {"深圳": "广东", "厦门": "福建", "大连": "辽宁", "青岛": "山东", "宁波": "浙江"}

# docs/regulation.md §2, the floating-rate table: reason → X for plans A, B, C, D, E.
SECTION_2_RATES = {
    "A1": ("-0.30", "-0.25", "-0.20", "-0.15", "-0.10"),
    "A2": ("-0.40", "-0.35", "-0.30", "-0.25", "-0.20"),
    "A3": ("-0.50", "-0.45", "-0.40", "-0.35", "-0.30"),
    "A4": ("0", "0", "0", "0", "0"),
    "A5": ("0.10", "0.10", "0.10", "0.10", "0.10"),
    "A6": ("0.30", "0.30", "0.30", "0.30", "0.30"),
    "A0": ("0", "0", "0", "0", "0"),
}
# docs/regulation.md §2, "Before 2020-09-19 one national table applied".
NATIONAL_RATES = {
    "A1": "-0.10",
    "A2": "-0.20",
    "A3": "-0.30",
    "A4": "0",
    "A5": "0.10",
    "A6": "0.30",
    "A0": "0",
}

# A history that yields each reason code (most recent policy year first).
HISTORY_FOR = {
    "A0": [],
    "A1": [PolicyYear()],
    "A2": [PolicyYear(), PolicyYear()],
    "A3": [PolicyYear(), PolicyYear(), PolicyYear()],
    "A4": [PolicyYear(at_fault=1)],
    "A5": [PolicyYear(at_fault=2)],
    "A6": [PolicyYear(at_fault=1, fatal=1)],
}

# docs/regulation.md §3, the short-term table: months → % of the annual premium.
SECTION_3 = {1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60, 7: 70, 8: 80, 9: 85, 10: 90, 11: 95, 12: 100}

# docs/regulation.md §8, the demo schedule of passenger cars: (displacement, yuan a year), at every band edge.
SECTION_8 = [
    ("0.80", 180), ("1.00", 180), ("1.01", 300), ("1.60", 300), ("1.61", 360), ("2.00", 360),
    ("2.01", 720), ("2.50", 720), ("2.51", 1800), ("3.00", 1800), ("3.01", 3000), ("4.00", 3000),
    ("4.01", 4500), ("6.75", 4500),
]  # fmt: skip


def price(
    *,
    category="FAMILY_LT6",
    plan="E",
    region="江苏",
    history=(),
    start=AFTER_REFORM,
    end=None,
    term_kind=TermKind.ANNUAL,
    energy=EnergyType.ELECTRIC,
    displacement=None,
    registration_date=dt.date(2018, 4, 10),
    previous=None,
):
    """A quote from the seeded tables; tax-free (electric) unless a test is about tax."""
    return pricing.quote(
        tariff_book(),
        category=category,
        plan=plan,
        region=region,
        history=list(history),
        start=start,
        end=end or one_year_end(start),
        term_kind=term_kind,
        tax_province="江苏",
        energy=energy,
        displacement=displacement,
        registration_date=registration_date,
        previous=previous,
    )


# --- §1 Base premium ------------------------------------------------------------------------------


def test_section_1_table_covers_every_premium_category():
    assert set(SECTION_1) == set(PremiumCategory.values)


@pytest.mark.parametrize(("category", "yuan"), SECTION_1.items())
def test_section_1_base_premium_row(category, yuan):
    book = tariff_book()
    assert book.base_premium(category, AFTER_REFORM) == D(yuan)
    assert book.base_premium(category, BEFORE_REFORM) == D(yuan)  # the 2008 table, in force throughout
    first_year = price(category=category)  # a first policy: A0, no floating
    assert first_year.base_premium == D(yuan)
    assert first_year.premium == D(yuan).quantize(D("0.01"))
    assert first_year.floating_reason == FloatingReason.A0


def test_section_1_no_base_premium_before_the_2008_table():
    with pytest.raises(ValidationError, match="没有适用于"):
        tariff_book().base_premium("FAMILY_LT6", dt.date(2008, 1, 31))


# --- §2 Floating rate -------------------------------------------------------------------------------


def test_section_2_plan_table_covers_all_31_provinces():
    listed = {p for provinces in SECTION_2_PLANS.values() for p in provinces}
    assert listed == set(Province.values)


@pytest.mark.parametrize(
    ("province", "plan"), [(p, plan) for plan, provinces in SECTION_2_PLANS.items() for p in provinces]
)
def test_section_2_each_province_follows_its_plan(province, plan):
    assert tariff_book().plan_for(province=province, city="", day=AFTER_REFORM) == (plan, province)


@pytest.mark.parametrize(("city", "province"), PLAN_E_CITIES.items())
def test_section_2_the_five_cities_have_plan_e(city, province):
    assert tariff_book().plan_for(province=province, city=f"{city}市", day=AFTER_REFORM) == ("E", city)


def test_section_2_before_the_reform_one_national_plan_applied():
    assert tariff_book().plan_for(province="海南", city="海口", day=BEFORE_REFORM) == ("N", "全国")
    assert tariff_book().plan_for(province="海南", city="海口", day=dt.date(2020, 9, 18))[0] == "N"
    assert tariff_book().plan_for(province="海南", city="海口", day=dt.date(2020, 9, 19))[0] == "A"


@pytest.mark.parametrize(
    ("plan", "reason", "rate"),
    [(plan, reason, rates[i]) for reason, rates in SECTION_2_RATES.items() for i, plan in enumerate("ABCDE")],
)
def test_section_2_floating_rate_row(plan, reason, rate):
    """docs/regulation.md §2 table: plan × reason → X, and premium = 950 × (1 + X)."""
    assert tariff_book().floating_rate(plan, reason, AFTER_REFORM) == D(rate)
    quote = price(plan=plan, history=HISTORY_FOR[reason])
    assert quote.floating_reason == reason
    assert quote.floating_rate == D(rate)
    assert quote.premium == to_fen(D(950) * (1 + D(rate)))


@pytest.mark.parametrize(("reason", "rate"), NATIONAL_RATES.items())
def test_section_2_national_table_before_2020_09_19(reason, rate):
    quote = price(plan="N", region="全国", history=HISTORY_FOR[reason], start=BEFORE_REFORM)
    assert quote.floating_rate == D(rate)
    assert quote.premium == to_fen(D(950) * (1 + D(rate)))


def test_section_2_example_three_clean_years_in_jiangsu_is_665():
    assert price(plan="E", history=HISTORY_FOR["A3"]).premium == D("665.00")


def test_section_2_example_three_clean_years_in_hainan_is_475():
    assert price(plan="A", region="海南", history=HISTORY_FOR["A3"]).premium == D("475.00")


@pytest.mark.parametrize("plan", "ABCDE")
def test_section_2_example_fatal_accident_last_year_is_1235_anywhere(plan):
    assert price(plan=plan, history=HISTORY_FOR["A6"]).premium == D("1235.00")


@pytest.mark.parametrize(
    ("last_year", "reason"),
    [
        (PolicyYear(at_fault=3, fatal=1), FloatingReason.A6),  # A6 wins over A5
        (PolicyYear(at_fault=1, fatal=1), FloatingReason.A6),  # A6 wins over A4
        (PolicyYear(at_fault=2), FloatingReason.A5),  # A5 wins over A4
        (PolicyYear(at_fault=1), FloatingReason.A4),
    ],
)
def test_section_2_a6_wins_over_a5_over_a4(last_year, reason):
    assert floating_reason([last_year, PolicyYear(), PolicyYear()]) == reason


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        ([PolicyYear(), PolicyYear(at_fault=1)], FloatingReason.A1),  # the clean run stops at the accident
        ([PolicyYear(), PolicyYear(), PolicyYear(at_fault=1)], FloatingReason.A2),
        ([PolicyYear()] * 3 + [PolicyYear(at_fault=2)], FloatingReason.A3),
        ([PolicyYear()] * 7, FloatingReason.A3),  # "3 or more"
    ],
)
def test_section_2_clean_years_count_back_while_consecutive(history, reason):
    assert floating_reason(history) == reason


def test_section_2_no_fault_accidents_never_raise_the_rate():
    """Only at-fault accidents are recorded in a policy year (条例 Art. 8): a year with none is clean."""
    assert floating_reason([PolicyYear(at_fault=0)]) == FloatingReason.A1


def test_section_2_a_lapse_does_not_erase_the_record(branch):
    """Three clean policy years with a 200-day lapse between the 2nd and 3rd: still A3."""
    vehicle = VehicleFactory()
    policies = policy_chain(vehicle, first_start=dt.date(2022, 3, 1), years=3, branch=branch, gaps={2: 200})
    history = claims_history(policies, before=dt.date(2026, 1, 1))
    assert history == [PolicyYear()] * 3
    assert floating_reason(history) == FloatingReason.A3


def test_section_2_the_record_follows_the_vehicle_not_the_owner(branch):
    vehicle = VehicleFactory()
    policy_chain(vehicle, first_start=dt.date(2024, 3, 1), years=2, branch=branch, claims={1: (1, 1)})
    vehicle.owner = VehicleFactory().owner  # sold to someone with a clean record
    vehicle.save()
    quote = renewal_quote_on(
        dt.date(2026, 2, 1), vehicle=vehicle, policies=list(vehicle.policies.all()), branch=branch
    )
    assert quote.floating_reason == FloatingReason.A6


def test_section_2_first_policy_is_a0_and_first_clean_renewal_is_a1(branch):
    vehicle = VehicleFactory()
    first = renewal_quote_on(dt.date(2026, 2, 1), vehicle=vehicle, policies=[], branch=branch)
    assert (first.floating_reason, first.premium) == (FloatingReason.A0, D("950.00"))
    policy = PolicyFactory(vehicle=vehicle, branch=branch, start_date=first.start_date)
    renewal = renewal_quote_on(dt.date(2027, 1, 15), vehicle=vehicle, policies=[policy], branch=branch)
    assert renewal.start_date == policy.end_date + dt.timedelta(days=1)
    assert (renewal.floating_reason, renewal.premium) == (FloatingReason.A1, D("855.00"))


def test_section_2_the_renewing_branch_picks_the_plan(branch, other_branch):
    """Same vehicle, same clean three years: 665.00 quoted in 南京 (E), 475.00 in 海口 (A)."""
    vehicle = VehicleFactory(energy_type=EnergyType.ELECTRIC)
    policies = policy_chain(vehicle, first_start=dt.date(2023, 3, 1), years=3, branch=branch)
    day = dt.date(2026, 2, 1)
    assert renewal_quote_on(day, vehicle=vehicle, policies=policies, branch=branch).premium == D("665.00")
    assert renewal_quote_on(day, vehicle=vehicle, policies=policies, branch=other_branch).premium == D(
        "475.00"
    )


def test_section_2_short_term_and_uneventful_cancelled_covers_are_not_policy_years(branch):
    vehicle = VehicleFactory()
    annual = PolicyFactory(vehicle=vehicle, branch=branch, start_date=dt.date(2024, 3, 1))
    short = PolicyFactory.build(
        vehicle=vehicle, start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 5, 31),
        term_kind=TermKind.NEAR_SCRAP, at_fault_claims=2,
    )  # fmt: skip
    cancelled = PolicyFactory.build(
        vehicle=vehicle, start_date=dt.date(2025, 6, 1), end_date=dt.date(2025, 7, 1),
        status="cancelled", cancelled_on=dt.date(2025, 7, 1),
    )  # fmt: skip
    assert claims_history([annual, short, cancelled], before=dt.date(2026, 1, 1)) == [PolicyYear()]


def test_section_2_an_accident_in_a_cancelled_policy_year_counts_in_the_next_policy(branch):
    """docs/regulation.md §2: an accident counts in the record of the vehicle's next policy
    whatever became of the policy it happened under (here: laid up after a fatal accident)."""
    vehicle = VehicleFactory()
    annual = PolicyFactory(vehicle=vehicle, branch=branch, start_date=dt.date(2024, 3, 1))
    cancelled = PolicyFactory.build(
        vehicle=vehicle, start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 7, 1),
        status="cancelled", cancelled_on=dt.date(2025, 7, 1), at_fault_claims=1, fatal_claims=1,
    )  # fmt: skip
    history = claims_history([annual, cancelled], before=dt.date(2026, 1, 1))
    assert history == [PolicyYear(at_fault=1, fatal=1), PolicyYear()]
    assert floating_reason(history) == "A6"


# --- The explanation the clerk reads out ---------------------------------------------------------------


def test_explanation_says_why_the_premium_went_down():
    quote = price(history=HISTORY_FOR["A2"], previous=PreviousPremium(D("855.00"), "A1", D("-0.10")))
    text = quote.explanation_text
    assert "江苏适用浮动方案 E" in text
    assert "连续 2 个保单年度未发生有责道路交通事故（A2）" in text
    assert "950.00 × (1 − 20%) = 760.00 元" in text
    assert "相比下降 95.00 元" in text
    assert "连续无有责事故的年数增加了" in text


def test_explanation_says_why_the_premium_went_up():
    quote = price(history=HISTORY_FOR["A4"], previous=PreviousPremium(D("760.00"), "A2", D("-0.20")))
    assert quote.premium == D("950.00")
    assert "相比上升 190.00 元" in quote.explanation_text
    assert "上一保单年度发生了有责事故；无责事故不影响费率" in quote.explanation_text


def test_fingerprint_changes_with_the_claims_record():
    assert price(history=HISTORY_FOR["A1"]).fingerprint != price(history=HISTORY_FOR["A4"]).fingerprint
    assert price(history=HISTORY_FOR["A1"]).fingerprint == price(history=HISTORY_FOR["A1"]).fingerprint


# --- §3 Short-term cover and cancellation -------------------------------------------------------------


@pytest.mark.parametrize(("months", "percent"), SECTION_3.items())
def test_section_3_short_term_table_row(months, percent):
    start = dt.date(2026, 3, 1)
    end = pricing.months_end(start, months)
    quote = price(start=start, end=end, term_kind=TermKind.TEMPORARY_ROAD)
    assert quote.months == months
    assert quote.short_term_percent == D(percent)
    assert quote.premium == to_fen(D(950) * D(percent) / 100)
    assert tariff_book().short_term_percent(months, start) == D(percent)
    assert f"短期保险 {months} 个月，按年保费的 {percent}% 计收：950.00 × (1 + 0%) × {percent}% = " in (
        quote.explanation_text
    )


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1), 1),  # one day is a whole month
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31), 1),
        (dt.date(2026, 3, 1), dt.date(2026, 4, 1), 2),  # one day into the next month counts it whole
        (dt.date(2026, 3, 15), dt.date(2026, 6, 14), 3),
        (dt.date(2026, 3, 15), dt.date(2026, 6, 15), 4),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28), 1),  # 31 January + 1 month ends 28 February
        (dt.date(2026, 1, 31), dt.date(2026, 3, 1), 2),
        (dt.date(2024, 1, 30), dt.date(2024, 2, 29), 1),
        (dt.date(2026, 3, 1), dt.date(2027, 2, 27), 12),
    ],
)
def test_section_3_a_part_month_counts_as_a_whole_month(start, end, months):
    assert cover_months(start, end) == months


def test_section_3_part_month_is_priced_up_to_the_next_month():
    quote = price(start=dt.date(2026, 3, 1), end=dt.date(2026, 5, 2), term_kind=TermKind.TEMPORARY_ENTRY)
    assert (quote.months, quote.premium) == (3, D("285.00"))


@pytest.mark.parametrize("term_kind", [TermKind.TEMPORARY_ENTRY, TermKind.TEMPORARY_ROAD])
def test_section_3_temporary_entry_and_road_cover_does_not_float(term_kind):
    quote = price(
        history=HISTORY_FOR["A6"], start=dt.date(2026, 3, 1), end=dt.date(2026, 5, 31), term_kind=term_kind
    )
    assert (quote.floating_reason, quote.floating_rate, quote.floating_plan) == ("A0", D("0.00"), "")
    assert quote.premium == D("285.00")  # 950 × 30 %
    assert "不实行费率浮动" in quote.explanation_text


def test_section_3_near_scrap_cover_floats_on_the_record():
    quote = price(
        plan="E", history=HISTORY_FOR["A6"], start=dt.date(2026, 3, 1), end=dt.date(2026, 8, 31),
        term_kind=TermKind.NEAR_SCRAP,
    )  # fmt: skip
    assert quote.floating_reason == "A6"
    assert quote.premium == D("741.00")  # 950 × 1.30 × 60 %


@pytest.mark.parametrize(
    ("premium", "cancelled_on", "refund"),
    [
        # 2026-03-01 → 2027-02-28 is 365 days; cover runs through 24:00 of the cancellation date.
        (D("665.00"), dt.date(2026, 9, 16), D("300.62")),  # 665 × 165 / 365 = 300.6164…
        (D("950.00"), dt.date(2026, 3, 1), D("947.40")),  # 950 × 364 / 365 = 947.3972…
        (D("855.00"), dt.date(2027, 2, 28), D("0.00")),
        (D("1235.00"), dt.date(2026, 8, 31), D("612.42")),  # 1235 × 181 / 365 = 612.4246…
        (D("730.00"), dt.date(2026, 3, 2), D("726.00")),  # 730 × 363 / 365 = 726.0000
    ],
)
def test_section_3_cancellation_refund_to_the_fen(premium, cancelled_on, refund):
    start = dt.date(2026, 3, 1)
    assert pricing.cancellation_refund(
        premium, start=start, end=one_year_end(start), cancelled_on=cancelled_on
    ) == (refund)


# --- §4 Period of cover and lapse -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [(dt.date(2026, 3, 1), dt.date(2027, 2, 28)), (dt.date(2024, 2, 29), dt.date(2025, 2, 28))],
)
def test_section_4_one_year_ends_the_day_before_the_same_date(start, end):
    assert one_year_end(start) == end


def test_section_4_lapse_fine_is_twice_the_base_premium():
    assert pricing.lapse_fine(D("950")) == D("1900.00")
    assert pricing.lapse_fine(tariff_book().base_premium("TAXI_LT6", AFTER_REFORM)) == D("3600.00")


# --- §8 Vehicle and vessel tax -------------------------------------------------------------------------


def tax(
    displacement,
    *,
    energy=EnergyType.FUEL,
    category="FAMILY_LT6",
    registered=dt.date(2018, 4, 10),
    start=AFTER_REFORM,
):
    return pricing.vehicle_tax(
        tariff_book(), province="江苏", category=category, energy=energy,
        displacement=None if displacement is None else D(displacement), registration_date=registered, start=start,
    )  # fmt: skip


@pytest.mark.parametrize(("displacement", "yuan"), SECTION_8)
def test_section_8_band_includes_its_upper_bound(displacement, yuan):
    assert tax(displacement).amount == D(yuan)


@pytest.mark.parametrize("energy", [EnergyType.ELECTRIC, EnergyType.FUEL_CELL])
def test_section_8_electric_and_fuel_cell_cars_pay_none(energy):
    assessment = tax("2.0", energy=energy)
    assert assessment.amount == D("0.00")
    assert "免征" in assessment.note


def test_section_8_hybrids_pay_by_displacement():
    assert tax("1.5", energy=EnergyType.HYBRID).amount == D("300.00")


@pytest.mark.parametrize(
    ("registered", "start", "displacement", "yuan"),
    [
        (dt.date(2026, 4, 10), dt.date(2026, 4, 11), "1.5", "225.00"),  # 300 ÷ 12 × 9 (April–December)
        (dt.date(2026, 1, 5), dt.date(2026, 1, 6), "1.8", "360.00"),  # bought in January: the whole year
        (dt.date(2026, 12, 20), dt.date(2026, 12, 21), "2.4", "60.00"),  # 720 ÷ 12 × 1
        (dt.date(2025, 12, 20), dt.date(2026, 12, 21), "2.4", "720.00"),  # bought last year: annual
    ],
)
def test_section_8_a_car_bought_this_year_pays_from_its_purchase_month(registered, start, displacement, yuan):
    assert tax(displacement, registered=registered, start=start).amount == D(yuan)


def test_section_8_vehicles_outside_the_passenger_car_schedule_are_not_assessed_here():
    assessment = tax(None, category="TRUCK_2_5")
    assert (assessment.amount, assessment.assessed) == (D("0.00"), False)


def test_section_8_a_fuel_car_without_displacement_cannot_be_taxed():
    with pytest.raises(ValidationError, match="须登记排量"):
        tax(None)


def test_section_8_quote_total_is_premium_plus_tax():
    quote = price(history=HISTORY_FOR["A3"], energy=EnergyType.FUEL, displacement=D("1.6"))
    assert (quote.premium, quote.vehicle_tax, quote.total) == (D("665.00"), D("300.00"), D("965.00"))


# --- Money: round half up to the fen, once, at the end -----------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fen"), [("624.325", "624.33"), ("2.675", "2.68"), ("0.005", "0.01"), ("0.0049", "0.00")]
)
def test_to_fen_rounds_half_up(amount, fen):
    assert to_fen(D(amount)) == D(fen)


def test_premium_is_rounded_once_half_up_at_the_end():
    """企业非营业 6-10座 1130 × (1 − 35 %) × 85 % (9 months) = 624.325 → 624.33 (half up, not half even)."""
    quote = price(
        category="ENTERPRISE_6_10", plan="B", region="陕西", history=HISTORY_FOR["A2"],
        start=dt.date(2026, 3, 1), end=dt.date(2026, 11, 30), term_kind=TermKind.NEAR_SCRAP,
    )  # fmt: skip
    assert (quote.months, quote.floating_rate, quote.short_term_percent) == (9, D("-0.35"), D("85"))
    assert quote.premium == D("624.33")


def test_money_is_decimal_throughout():
    quote = price(history=HISTORY_FOR["A1"], energy=EnergyType.FUEL, displacement=D("1.5"))
    for value in (quote.base_premium, quote.premium, quote.vehicle_tax, quote.total):
        assert isinstance(value, D)
        assert value.as_tuple().exponent == -2


def test_policy_records_can_be_made_from_a_quote(branch):
    """The parts of a quote satisfy the policy table's own constraint: total = premium + tax."""
    quote = price(history=HISTORY_FOR["A2"], energy=EnergyType.FUEL, displacement=D("2.0"))
    policy = PolicyFactory(
        branch=branch, start_date=quote.start_date, base_premium=quote.base_premium,
        premium=quote.premium, vehicle_tax=quote.vehicle_tax,
    )  # fmt: skip
    assert Policy.objects.get(pk=policy.pk).total == quote.total == D("1120.00")
