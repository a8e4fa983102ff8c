"""The counter's result page: the person, their licences, every vehicle with its status,
history, lapse exposure and renewal quote — in a fixed number of queries, and logged."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.clock import today
from policies.choices import CancelReason, EnergyType, PolicyStatus
from policies.models import PersonAccessLog, Policy
from tests.factories import (
    DrivingLicenceFactory,
    PersonFactory,
    PolicyFactory,
    VehicleFactory,
    person_with_fleet,
    policy_chain,
)
from tests.grants import counter_lookup, grant_customers

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def vehicle_html(page: str, plate: str) -> str:
    """The HTML of one vehicle's card on the page."""
    match = re.search(rf'<article[^>]*data-plate="{plate}".*?</article>', page, re.S)
    assert match, f"no card for {plate}"
    return match.group(0)


@pytest.fixture
def li_na(branch, other_branch):
    """李娜: two licences (one expired) and a car in each renewal status."""
    t = today()
    person = PersonFactory(name="李娜", phone="13812345678")
    DrivingLicenceFactory(holder=person, classes="C1", valid_from=t - 2000 * DAY, valid_to=t + 1650 * DAY)
    DrivingLicenceFactory(holder=person, classes="A2,D", valid_from=t - 4000 * DAY, valid_to=t - 10 * DAY)
    DrivingLicenceFactory(holder=person, classes="B2", valid_from=t - 5000 * DAY, valid_to=None)

    due = VehicleFactory(owner=person, plate="苏A10001")
    policy_chain(due, first_start=t - 1030 * DAY, years=3, branch=branch, claims={0: (1, 0)})
    in_force = VehicleFactory(owner=person, plate="苏A10002")
    PolicyFactory(vehicle=in_force, branch=branch, start_date=t - 100 * DAY)
    lapsed = VehicleFactory(owner=person, plate="苏A10003")
    policy_chain(lapsed, first_start=t - 800 * DAY, years=2, branch=other_branch)
    renewed = VehicleFactory(owner=person, plate="苏A10004")
    policy_chain(renewed, first_start=t - 300 * DAY, years=2, branch=branch)
    cancelled = VehicleFactory(owner=person, plate="苏A10005")
    PolicyFactory(
        vehicle=cancelled, branch=branch, start_date=t - 200 * DAY, end_date=t - 30 * DAY,
        status=PolicyStatus.CANCELLED, cancelled_on=t - 30 * DAY, cancel_reason=CancelReason.DEREGISTERED,
        refund=D("298.36"),
    )  # fmt: skip
    VehicleFactory(owner=person, plate="苏A10006")  # never insured with us
    return person


def page_of(client, person, **params):
    """The customer's page, as opened from a lookup that found them (tests.grants)."""
    grant_customers(client, person.pk)
    return client.get(reverse("counter:person", args=[person.pk]), params).content.decode()


def test_the_person_is_shown_with_masked_id_number_and_phone(clerk_client, li_na):
    page = page_of(clerk_client, li_na)
    assert "李娜" in page
    assert li_na.masked_id_number in page and li_na.id_number not in page
    assert "138****5678" in page and "13812345678" not in page
    assert "显示完整号码" in page


def test_licences_show_classes_validity_expired_and_long_term(clerk_client, li_na):
    page = page_of(clerk_client, li_na)
    cards = re.findall(r'<li class="list-group-item py-1 licence.*?</li>', page, re.S)
    assert len(cards) == 3
    expired = next(c for c in cards if ">A2<" in c)
    assert "licence-expired" in expired and "已过期" in expired and ">D<" in expired
    long_term = next(c for c in cards if ">B2<" in c)
    assert "长期有效" in long_term and "至 长期" in long_term
    valid = next(c for c in cards if ">C1<" in c)
    assert "已过期" not in valid and f"至 {(today() + 1650 * DAY):%Y-%m-%d}" in valid


def test_every_vehicle_the_person_owns_is_shown_with_its_status(clerk_client, li_na):
    page = page_of(clerk_client, li_na)
    statuses = dict(re.findall(r'data-plate="(\S+)" data-status="(\w+)"', page))
    assert statuses == {
        "苏A10001": "due",
        "苏A10002": "in_force",
        "苏A10003": "lapsed",
        "苏A10004": "renewed",
        "苏A10005": "cancelled",
        "苏A10006": "none",
    }
    for label in ("待续保", "保障中", "已脱保", "已续保", "已退保", "未投保"):
        assert label in page


def test_a_due_vehicle_shows_days_left_the_quote_and_the_renew_button(clerk_client, li_na):
    card = vehicle_html(page_of(clerk_client, li_na), "苏A10001")
    current = Policy.objects.filter(vehicle__plate="苏A10001").latest("start_date")
    assert f"剩余 <strong>{(current.end_date - today()).days}</strong> 天" in card
    # Clean for the last two years (an accident three years ago): A2, plan E of the clerk's 江苏 branch.
    assert "浮动 A2 · 方案E" in card and "−20%" in card
    assert 'data-testid="quote-premium">¥760.00' in card
    assert 'data-testid="quote-tax">¥300.00' in card
    assert 'data-testid="quote-total">¥1,060.00' in card
    assert "承保网点所在地江苏适用浮动方案 E" in card
    assert "与上年保费 950.00 元（A0，不浮动）相比下降 190.00 元" in card  # why it changed
    assert f'name="from_policy" value="{current.pk}"' in card
    assert "确认续保并出单 · 收费 ¥1,060.00" in card


def test_the_quote_uses_the_clerks_branch(client, li_na, other_branch_clerk):
    """The same car quoted in 海口 (plan A): clean two years → −40 %."""
    client.force_login(other_branch_clerk)
    card = vehicle_html(page_of(client, li_na), "苏A10001")
    assert "海南适用浮动方案 A" in card
    assert 'data-testid="quote-premium">¥570.00' in card


def test_an_in_force_vehicle_shows_when_the_renewal_window_opens_and_no_button(clerk_client, li_na):
    card = vehicle_html(page_of(clerk_client, li_na), "苏A10002")
    end = Policy.objects.get(vehicle__plate="苏A10002").end_date
    assert f"<strong>{(end - 89 * DAY):%Y-%m-%d}</strong> 起可办理" in card
    assert "续保报价（参考）" in card
    assert 'data-testid="renew-form"' not in card


def test_a_lapsed_vehicle_shows_days_lapsed_the_fine_and_what_lapse_means(clerk_client, li_na):
    card = vehicle_html(page_of(clerk_client, li_na), "苏A10003")
    end = Policy.objects.filter(vehicle__plate="苏A10003").latest("start_date").end_date
    lapsed_days = (today() - end).days
    assert f"已脱保 {lapsed_days} 天" in card
    assert 'data-testid="lapse-fine">¥1,900.00' in card  # docs/regulation.md §4: 2 × the base premium 950
    assert "扣留车辆" in card and "年检" in card and "自行赔偿" in card
    tomorrow = today() + DAY
    assert f"保险期间 {tomorrow:%Y-%m-%d} 0 时至" in card  # lapsed: cover from 00:00 tomorrow
    assert 'data-testid="renew-form"' in card


def test_a_renewed_vehicle_shows_its_successor_and_no_quote(clerk_client, li_na):
    card = vehicle_html(page_of(clerk_client, li_na), "苏A10004")
    successor = Policy.objects.filter(vehicle__plate="苏A10004").latest("start_date")
    assert f'已续保：<span class="mono">{successor.number}</span>' in card
    assert reverse("counter:confirmation", args=[successor.pk]) in card
    assert 'data-testid="quote"' not in card and 'data-testid="renew-form"' not in card


def test_a_cancelled_vehicle_shows_why_and_offers_no_renewal_or_reminder(clerk_client, li_na):
    card = vehicle_html(page_of(clerk_client, li_na), "苏A10005")
    assert "已退保：车辆注销登记（报废、出口、灭失）" in card
    assert f"退保生效日 {(today() - 30 * DAY):%Y-%m-%d}" in card and "¥298.36" in card
    assert "不再发送续保提醒" in card
    assert 'data-testid="quote"' not in card and 'data-testid="renew-form"' not in card


def test_a_never_insured_vehicle_shows_a_reference_quote_without_a_button(clerk_client, li_na):
    card = vehicle_html(page_of(clerk_client, li_na), "苏A10006")
    assert "本公司无保单记录" in card
    assert "新保参考报价" in card and "A0" in card and 'data-testid="quote-premium">¥950.00' in card
    assert 'data-testid="renew-form"' not in card


def test_a_trailer_is_refused_a_quote(clerk_client, branch):
    owner = PersonFactory()
    trailer = VehicleFactory(owner=owner, plate="苏A0007挂", premium_category="TRUCK_GE10")
    PolicyFactory(vehicle=trailer, branch=branch, start_date=today() - 300 * DAY)
    card = vehicle_html(page_of(clerk_client, owner), "苏A0007挂")
    assert "挂车自 2013 年 3 月 1 日起不再投保交强险" in card
    assert 'data-testid="quote"' not in card and 'data-testid="renew-form"' not in card


def test_history_follows_the_renewal_chain_with_lapses_and_claims(clerk_client, branch, other_branch):
    owner = PersonFactory()
    car = VehicleFactory(owner=owner, plate="苏A20001", energy_type=EnergyType.ELECTRIC)
    chain = policy_chain(
        car, first_start=today() - 1400 * DAY, years=4, branch=branch, gaps={2: 40},
        claims={1: (2, 1)}, channel="website",
    )  # fmt: skip
    Policy.objects.filter(pk=chain[3].pk).update(
        branch=other_branch, floating_reason="A6", floating_rate=D("0.30")
    )

    card = vehicle_html(page_of(clerk_client, owner), "苏A20001")

    rows = re.findall(r'data-testid="history-(row|gap)"', card)
    assert rows == ["row", "row", "gap", "row", "row"]  # newest first, the lapse between years 2 and 3
    assert "脱保 40 天" in card
    numbers = re.findall(r"JQXT\d{12}", card.split('data-testid="history"')[1])
    assert numbers == [p.number for p in reversed(chain)]
    assert "有责 2 次（含死亡 1 次）" in card
    assert "海口龙华营业部" in card and "官网" in card and "A6 +30%" in card
    assert card.count('title="续保自上一张保单"') == 3


def test_the_vehicle_looked_up_comes_first(clerk_client, li_na):
    lapsed = li_na.vehicles.get(plate="苏A10003")
    page = counter_lookup(clerk_client, vehicle=lapsed).content.decode()  # plate + VIN, as a clerk does
    assert re.findall(r'data-plate="(\S+)"', page)[0] == "苏A10003"
    assert "vehicle-focus" in vehicle_html(page, "苏A10003")


def test_every_full_view_is_written_to_the_access_log(clerk_client, li_na, counter_clerk):
    grant_customers(clerk_client, li_na.pk)
    url = reverse("counter:person", args=[li_na.pk])
    clerk_client.get(url)
    clerk_client.get(url)
    rows = list(PersonAccessLog.objects.filter(person=li_na))
    assert len(rows) == 2
    assert {(r.user, r.page, r.path) for r in rows} == {(counter_clerk, "counter_person", url)}
    assert rows[0].accessed_at is not None and rows[0].ip_address == "127.0.0.1"


def test_show_full_numbers_is_deliberate_and_logged(clerk_client, li_na, counter_clerk):
    grant_customers(clerk_client, li_na.pk)
    url = reverse("counter:reveal", args=[li_na.pk])
    assert clerk_client.get(url).status_code == 405  # a link or prefetch cannot reveal

    fragment = clerk_client.post(url, HTTP_HX_REQUEST="true").content.decode()

    assert li_na.id_number in fragment and "13812345678" in fragment
    assert "<html" not in fragment  # the htmx fragment, not a page
    log = PersonAccessLog.objects.get(person=li_na)
    assert (log.user, log.page) == (counter_clerk, "counter_reveal")


def test_show_full_numbers_without_javascript_renders_the_page(clerk_client, li_na):
    grant_customers(clerk_client, li_na.pk)
    page = clerk_client.post(reverse("counter:reveal", args=[li_na.pk])).content.decode()
    assert li_na.id_number in page and "已显示完整号码" in page and "苏A10001" in page
    assert PersonAccessLog.objects.filter(person=li_na, page="counter_reveal").count() == 1


def test_an_unknown_person_is_404(clerk_client):
    grant_customers(clerk_client, 999999)  # even granted, an id that does not exist is 404
    assert clerk_client.get(reverse("counter:person", args=[999999])).status_code == 404


def test_the_page_runs_the_same_queries_for_1_vehicle_as_for_8_vehicles_of_4_years(
    clerk_client, branch, django_assert_max_num_queries
):
    small = person_with_fleet(vehicles=1, years=1, branch=branch, today=today(), licences=1)
    large = person_with_fleet(vehicles=8, years=4, branch=branch, today=today(), licences=3)
    assert Policy.objects.filter(vehicle__owner=large).count() == 32
    grant_customers(clerk_client, small.pk, large.pk)
    clerk_client.get(reverse("counter:person", args=[small.pk]))  # tariff book and session warm

    counts = {}
    for name, person in (("small", small), ("large", large)):
        with django_assert_max_num_queries(10) as captured:  # incl. the claims record and open tickets
            page = clerk_client.get(reverse("counter:person", args=[person.pk])).content.decode()
        counts[name] = len(captured.captured_queries)
        assert page.count('data-testid="quote"') == (1 if name == "small" else 8)
    assert counts["small"] == counts["large"]
