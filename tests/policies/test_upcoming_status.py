"""A vehicle whose only policy starts after day D (docs/regulation.md §4): `upcoming` — cover is
coming, nothing lapsed and nothing was renewed. Never `lapsed`, never `renewed`, wherever the
status is computed (renewal_state, the counter, the API; the hotline's SQL is proved equal to
renewal_state in test_hotline_status.py)."""

import datetime as dt

import pytest

from core.clock import today
from policies.choices import RenewalStatus
from policies.renewal import Term, renewal_state
from tests.factories import PolicyFactory, VehicleFactory
from tests.grants import counter_lookup

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
D_DAY = dt.date(2026, 12, 5)


def test_section_4_a_first_policy_starting_after_the_day_is_upcoming_not_renewed_nor_lapsed():
    first = Term(start=D_DAY + DAY, end=dt.date(2027, 12, 5), policy_id=1)
    state = renewal_state([first], D_DAY)
    assert (state.status, state.renewal_start, state.days_left) == (RenewalStatus.UPCOMING, D_DAY + DAY, None)
    assert not state.is_renewable
    assert renewal_state([first], D_DAY + DAY).status == RenewalStatus.IN_FORCE


def test_section_4_after_an_earlier_policy_a_later_start_is_still_renewed():
    earlier = Term(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), policy_id=1)
    later = Term(start=D_DAY + DAY, end=dt.date(2027, 12, 5), policy_id=2)
    assert renewal_state([earlier, later], D_DAY).status == RenewalStatus.RENEWED


def test_the_counter_shows_cover_coming_and_offers_no_renewal(clerk_client, branch):
    car = VehicleFactory(plate="苏A80001")
    policy = PolicyFactory(vehicle=car, branch=branch, start_date=today() + 3 * DAY)
    page = counter_lookup(clerk_client, vehicle=car).content.decode()
    assert 'data-status="upcoming"' in page
    assert f"{policy.start_date:%Y-%m-%d} 起保，保障即将开始" in page
    assert "待生效（首张保单，无脱保）" in page
    assert 'data-testid="renew-form"' not in page and 'data-testid="lapse"' not in page
