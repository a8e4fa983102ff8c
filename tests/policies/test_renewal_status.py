"""The renewal status of a vehicle on a day, docs/regulation.md §4, at every edge."""

import datetime as dt

import pytest

from policies.choices import RenewalStatus
from policies.renewal import Term, next_start_date, one_year_end, renewal_state

D = dt.date


def annual(start: dt.date, **kwargs) -> Term:
    return Term(start=start, end=one_year_end(start), **kwargs)


class TestOneYearEnd:
    """§4: a one-year policy ends the day before the same date next year."""

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (D(2026, 3, 1), D(2027, 2, 28)),  # the example of docs/regulation.md
            (D(2024, 2, 29), D(2025, 2, 28)),  # the example of docs/regulation.md: leap day start
            (D(2023, 3, 1), D(2024, 2, 29)),  # ends on a leap day
            (D(2026, 1, 1), D(2026, 12, 31)),
            (D(2026, 12, 31), D(2027, 12, 30)),
        ],
    )
    def test_end_dates(self, start, end):
        assert one_year_end(start) == end


class TestStatusOnTheDay:
    policy = annual(D(2026, 3, 1))  # covers 2026-03-01 00:00 to 2027-02-28 24:00

    def state(self, day, *terms):
        return renewal_state(terms or (self.policy,), day)

    def test_last_day_of_cover_is_due_with_zero_days_left(self):
        state = self.state(D(2027, 2, 28))
        assert (state.status, state.days_left) == (RenewalStatus.DUE, 0)

    def test_first_day_of_lapse_is_lapsed_with_minus_one(self):
        state = self.state(D(2027, 3, 1))
        assert (state.status, state.days_left, state.days_lapsed) == (RenewalStatus.LAPSED, -1, 1)

    def test_ninety_days_left_is_still_in_force(self):
        day = D(2027, 2, 28) - dt.timedelta(days=90)
        state = self.state(day)
        assert (state.status, state.days_left) == (RenewalStatus.IN_FORCE, 90)

    def test_eighty_nine_days_left_is_due(self):
        day = D(2027, 2, 28) - dt.timedelta(days=89)
        state = self.state(day)
        assert (state.status, state.days_left) == (RenewalStatus.DUE, 89)

    def test_first_day_of_cover_is_in_force(self):
        state = self.state(D(2026, 3, 1))
        assert state.status == RenewalStatus.IN_FORCE
        assert state.cover_end == D(2027, 2, 28)

    def test_renewed_when_a_successor_starts_after_the_day(self):
        successor = annual(D(2027, 3, 1))
        state = self.state(D(2027, 1, 10), self.policy, successor)
        assert state.status == RenewalStatus.RENEWED
        assert state.renewal_start == D(2027, 3, 1)
        assert state.cover_end == D(2027, 2, 28)
        assert state.days_left == 49

    def test_on_the_successors_first_day_the_vehicle_is_in_force_again(self):
        successor = annual(D(2027, 3, 1))
        state = self.state(D(2027, 3, 1), self.policy, successor)
        assert state.status == RenewalStatus.IN_FORCE
        assert state.cover_end == D(2028, 2, 29)

    def test_lapsed_vehicle_bought_a_policy_starting_tomorrow_is_renewed(self):
        late = annual(D(2027, 4, 2))
        state = self.state(D(2027, 4, 1), self.policy, late)
        assert state.status == RenewalStatus.RENEWED
        assert state.days_left == -32  # counted from the lapsed cover's end

    def test_lapse_keeps_counting_from_the_last_end(self):
        state = self.state(D(2027, 12, 31))
        assert state.status == RenewalStatus.LAPSED
        assert state.cover_end == D(2027, 2, 28)
        assert state.days_left == -306

    def test_cancelled_latest_policy_is_cancelled_and_counts_from_cancellation(self):
        cancelled = Term(start=D(2026, 3, 1), end=D(2026, 8, 15), cancelled=True)
        state = renewal_state([cancelled], D(2026, 9, 1))
        assert state.status == RenewalStatus.CANCELLED
        assert state.cover_end == D(2026, 8, 15)
        assert state.days_left == -17

    def test_an_earlier_cancelled_policy_does_not_hide_a_later_one(self):
        cancelled = Term(start=D(2025, 3, 1), end=D(2025, 6, 1), cancelled=True)
        state = renewal_state([cancelled, self.policy], D(2026, 5, 1))
        assert state.status == RenewalStatus.IN_FORCE

    def test_never_insured_vehicle_has_no_status(self):
        state = renewal_state([], D(2026, 5, 1))
        assert state.status is None

    def test_month_end_february_in_a_leap_year(self):
        policy = annual(D(2023, 3, 1))  # ends 2024-02-29
        assert renewal_state([policy], D(2024, 2, 29)).days_left == 0
        assert renewal_state([policy], D(2024, 3, 1)).status == RenewalStatus.LAPSED

    def test_advance_window_is_a_setting(self):
        day = D(2027, 2, 28) - dt.timedelta(days=60)
        assert renewal_state([self.policy], day, advance_days=60).status == RenewalStatus.IN_FORCE
        assert renewal_state([self.policy], day, advance_days=61).status == RenewalStatus.DUE


class TestRenewalStart:
    def test_renewal_starts_the_day_after_the_current_end(self):
        state = renewal_state([annual(D(2026, 3, 1))], D(2027, 1, 5))
        assert next_start_date(state) == D(2027, 3, 1)

    def test_lapsed_vehicle_is_covered_from_00_00_the_next_day(self):
        state = renewal_state([annual(D(2025, 3, 1))], D(2026, 11, 25))
        assert next_start_date(state) == D(2026, 11, 26)

    def test_never_insured_vehicle_is_covered_from_the_next_day(self):
        assert next_start_date(renewal_state([], D(2026, 11, 25))) == D(2026, 11, 26)
