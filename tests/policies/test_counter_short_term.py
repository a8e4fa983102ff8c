"""Short-term cover at the counter (docs/regulation.md §3): the three lawful cases, the short-term table."""

import datetime as dt

import pytest
from django.urls import reverse

from core.clock import today
from policies.choices import EnergyType
from policies.pricing import months_end
from tests.factories import PersonFactory, VehicleFactory, policy_chain
from tests.grants import grant_customers

pytestmark = pytest.mark.django_db

URL = reverse("counter:short_term")
DAY = dt.timedelta(days=1)


def ask(client, vehicle=None, htmx=False, **fields):
    start = today() + DAY
    two_months_and_a_day = months_end(start, 2) + DAY
    params = {
        "term_kind": "temporary_road", "start_date": start.isoformat(), "end_date": two_months_and_a_day.isoformat(),
        "category": "FAMILY_LT6", "energy_type": EnergyType.FUEL, "displacement_l": "1.5",
        "registration_date": "2018-04-10", **fields,
    }  # fmt: skip
    if vehicle is not None:
        grant_customers(client, vehicle.owner_id)  # the car's owner was found by a lookup
        params["vehicle"] = vehicle.pk
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.get(URL, params, **headers).content.decode()


def test_the_form_lists_only_the_three_lawful_cases(clerk_client):
    page = clerk_client.get(URL).content.decode()
    for label in ("境外机动车临时入境", "机动车临时上道路行驶", "距报废期限不足一年"):
        assert label in page
    assert "一年期" not in page.split('name="term_kind"')[1].split("</select>")[0]


def test_temporary_road_use_for_two_months_and_a_day_is_priced_as_three_months(clerk_client):
    page = ask(clerk_client)  # two months and a day: a part month counts whole
    assert 'data-testid="short-term-percent">30%' in page
    assert 'data-testid="short-term-premium">¥285.00' in page  # 950 × 30 %
    assert "不实行费率浮动" in page


def test_temporary_entry_does_not_float(clerk_client):
    page = ask(
        clerk_client, term_kind="temporary_entry", category="TAXI_LT6", energy_type=EnergyType.ELECTRIC
    )
    assert 'data-testid="short-term-premium">¥540.00' in page  # 1800 × 30 %
    assert 'data-testid="short-term-total">¥540.00' in page


def test_near_scrap_cover_floats_on_the_vehicles_own_record(clerk_client, branch):
    owner = PersonFactory()
    car = VehicleFactory(owner=owner, energy_type=EnergyType.ELECTRIC)
    chain = policy_chain(car, first_start=today() - 700 * DAY, years=2, branch=branch, claims={1: (1, 1)})
    start = chain[-1].end_date + DAY

    end = months_end(start, 5) + DAY
    page = ask(
        clerk_client,
        vehicle=car,
        term_kind="near_scrap",
        start_date=start.isoformat(),
        end_date=end.isoformat(),
    )

    assert "浮动 A6" in page and "+30%" in page
    assert 'data-testid="short-term-premium">¥741.00' in page  # 950 × 1.30 × 60 % (5 months and a part)


def test_the_vehicle_form_starts_after_the_current_cover(clerk_client, branch):
    car = VehicleFactory(owner=PersonFactory())
    current = policy_chain(car, first_start=today() - 100 * DAY, years=1, branch=branch)[0]
    grant_customers(clerk_client, car.owner_id)
    page = clerk_client.get(URL, {"vehicle": car.pk}).content.decode()
    assert f'value="{(current.end_date + DAY).isoformat()}"' in page
    assert car.plate in page


def test_near_scrap_cover_may_not_overlap_the_current_policy(clerk_client, branch):
    car = VehicleFactory(owner=PersonFactory())
    current = policy_chain(car, first_start=today() - 100 * DAY, years=1, branch=branch)[0]
    page = ask(clerk_client, vehicle=car, term_kind="near_scrap")
    assert f"已有保单 {current.number}，短期保险期间不能与之重叠" in page
    assert 'data-testid="short-term-quote"' not in page


def test_near_scrap_without_a_vehicle_is_sent_to_the_lookup(clerk_client):
    assert "请从车辆查询结果进入报价" in ask(clerk_client, term_kind="near_scrap")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start_date": today().isoformat()}, "起保日期最早为明天"),
        ({"end_date": (today() + 400 * DAY).isoformat()}, "短期保险的期间须短于一年"),
        ({"end_date": today().isoformat()}, "保险止期不能早于起期"),
        ({"displacement_l": ""}, "请填写排量"),
    ],
)
def test_bad_periods_and_missing_facts_are_said_in_chinese(clerk_client, fields, message):
    page = ask(clerk_client, **fields)
    assert message in page
    assert 'data-testid="short-term-quote"' not in page


def test_htmx_gets_the_form_and_result_without_the_page(clerk_client):
    fragment = ask(clerk_client, htmx=True)
    assert "<html" not in fragment and 'id="short-term"' in fragment and "¥285.00" in fragment
