"""Fraud and quality signals, each raised at its threshold and explained in Chinese."""

import datetime as dt
from decimal import Decimal as D

import pytest

from claims import risk
from claims.models import RiskThreshold
from claims.screening import claim_signals, risk_thresholds
from core.clock import SHANGHAI
from tests import factories

T = risk.Thresholds()


def at(y, m, d, h=12):
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def facts(**kwargs):
    """An accident on 1 June 2026, reported an hour later, under a 2026-03-01 policy."""
    kwargs.setdefault("accident_at", at(2026, 6, 1, 9))
    kwargs.setdefault("reported_at", kwargs["accident_at"] + dt.timedelta(hours=1))
    return risk.Facts(cover_start=dt.date(2026, 3, 1), cover_end=dt.date(2027, 2, 28), **kwargs)


def codes(found):
    return [s.code for s in found]


def test_an_ordinary_claim_raises_no_signal():
    assert risk.signals(facts(), T) == []


def test_accident_within_days_of_cover_starting():
    assert codes(risk.signals(facts(accident_at=at(2026, 3, 7)), T)) == ["early_in_cover"]  # day 6
    assert risk.signals(facts(accident_at=at(2026, 3, 8)), T) == []  # day 7
    found = risk.signals(facts(accident_at=at(2026, 3, 1, 0)), T)
    assert "距保险起期 2026-03-01 仅 0 天" in found[0].explanation


def test_accident_just_before_cover_ends():
    assert codes(risk.signals(facts(accident_at=at(2027, 2, 22)), T)) == ["late_in_cover"]  # 6 days left
    assert risk.signals(facts(accident_at=at(2027, 2, 21)), T) == []  # 7 days left
    assert "仅 0 天" in risk.signals(facts(accident_at=at(2027, 2, 28)), T)[0].explanation


def test_report_long_after_the_accident():
    accident = at(2026, 6, 1, 9)
    assert risk.signals(facts(reported_at=accident + dt.timedelta(hours=48)), T) == []
    assert codes(risk.signals(facts(reported_at=accident + dt.timedelta(hours=48, seconds=1)), T)) == [
        "late_report"
    ]
    found = risk.signals(facts(reported_at=accident + dt.timedelta(hours=75)), T)
    assert codes(found) == ["late_report"]
    assert "出险后 3 天 3 小时才报案" in found[0].explanation


def test_several_claims_on_one_vehicle_within_a_year():
    one_before = [risk.OtherClaim("LP202600000001", at(2025, 6, 2))]
    found = risk.signals(facts(other_vehicle_claims=one_before), T)
    assert codes(found) == ["repeat_vehicle"] and "共出险 2 次" in found[0].explanation
    long_ago = [risk.OtherClaim("LP202400000001", at(2025, 5, 31))]
    assert risk.signals(facts(other_vehicle_claims=long_ago), T) == []


def test_one_injured_person_in_several_claims():
    person = risk.RepeatedPerson("李*", "3201**********0012", ("LP202600000007",))
    found = risk.signals(facts(repeated_people=[person]), T)
    assert codes(found) == ["repeat_person"] and "LP202600000007" in found[0].explanation


@pytest.mark.parametrize(
    ("amount", "flagged"), [("17099.99", False), ("17100.00", True), ("18000.00", True), ("18000.01", False)]
)
def test_an_amount_at_or_just_under_a_limit(amount, flagged):
    found = risk.signals(facts(amounts={"medical": D(amount)}, limits={"medical": D("18000")}), T)
    assert (codes(found) == ["near_limit"]) is flagged
    if flagged:
        assert "医疗费用损失" in found[0].explanation and "95" in found[0].explanation


@pytest.mark.django_db
def test_thresholds_are_data_a_supervisor_can_change():
    assert risk_thresholds() == risk.Thresholds()
    RiskThreshold.objects.filter(code="early_days").update(value=30)
    assert risk_thresholds().early_days == 30
    assert codes(risk.signals(facts(accident_at=at(2026, 3, 25)), risk_thresholds())) == ["early_in_cover"]


@pytest.mark.django_db
def test_the_claim_page_finds_repeat_vehicles_and_people_in_the_database(policy, hotline_agent):
    injured = factories.third_party_person(7)
    now = at(2026, 11, 20, 10)
    first = factories.make_claim(policy, parties=[injured], by=hotline_agent, now=now - dt.timedelta(days=30))
    second = factories.make_claim(policy, parties=[injured], by=hotline_agent, now=now)
    found = claim_signals(
        second, parties=list(second.parties.all()), losses=list(second.losses.select_related("party"))
    )
    assert set(codes(found)) == {"repeat_vehicle", "repeat_person"}
    assert first.number in next(s for s in found if s.code == "repeat_person").explanation
    assert set(second.risk_codes) == {"repeat_vehicle", "repeat_person"}
