"""A vehicle's renewal status on a day (docs/regulation.md §4) — derived, never stored.

One pure function, `renewal_state`, over the vehicle's policy terms. Everything that
shows or filters on renewal status (counter, hotline, API, reminders) uses it, or a
query that its tests prove equal to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from policies.choices import RenewalStatus

DEFAULT_ADVANCE_DAYS = 90  # docs/regulation.md §4: renewal may be bought up to 90 days before the end date


@dataclass(frozen=True)
class Term:
    """The cover of one policy: 00:00 of `start` to 24:00 of `end`."""

    start: dt.date
    end: dt.date  # the last day of cover; for a cancelled policy, its cancellation date
    cancelled: bool = False
    policy_id: int | None = None
    resumable: bool = False  # cancelled on a ground the vehicle may come back from (laid up, lost)

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class RenewalState:
    status: RenewalStatus | None  # None: the vehicle has never been insured with us
    day: dt.date
    days_left: int | None = None  # end − day: 0 on the last day, −1 on the first day of lapse
    cover_end: dt.date | None = None
    renewal_start: dt.date | None = None  # the start of the successor, when renewed
    current: Term | None = None  # the term `days_left` is counted from
    advance_days: int = DEFAULT_ADVANCE_DAYS  # the province's advance-renewal window it was computed with

    @property
    def days_lapsed(self) -> int:
        return -self.days_left if self.status == RenewalStatus.LAPSED and self.days_left else 0

    @property
    def is_resuming(self) -> bool:
        """The latest policy was cancelled because the vehicle was laid up or lost, and the
        vehicle may be insured again (docs/regulation.md §3)."""
        return self.status == RenewalStatus.CANCELLED and self.current is not None and self.current.resumable

    @property
    def is_renewable(self) -> bool:
        """A renewal may be issued now: due (inside the advance window), lapsed, or a laid-up
        or recovered vehicle back on the road. Cover with more of the window left is not yet
        renewable (docs/regulation.md §4)."""
        return self.status in (RenewalStatus.DUE, RenewalStatus.LAPSED) or self.is_resuming

    @property
    def uncovered_today(self) -> bool:
        """No cover on `day` (lapsed, never insured, or cancelled before `day`)."""
        if self.status in (None, RenewalStatus.LAPSED):
            return True
        return self.is_resuming and self.cover_end is not None and self.cover_end < self.day


def next_start_date(state: RenewalState) -> dt.date:
    """Where a renewal's cover starts (docs/regulation.md §4): the day after the current end date, or —
    for a lapsed, cancelled or never-insured vehicle — 00:00 of the next day."""
    if state.status in (RenewalStatus.IN_FORCE, RenewalStatus.DUE) and state.cover_end:
        return state.cover_end + dt.timedelta(days=1)
    if state.status == RenewalStatus.CANCELLED and state.cover_end and state.cover_end >= state.day:
        return state.cover_end + dt.timedelta(days=1)
    return state.day + dt.timedelta(days=1)


@dataclass(frozen=True)
class CoverStart:
    day: dt.date
    hour: int = 0  # cover starts at this hour of `day`; 0 is 00:00


def cover_start(state: RenewalState, *, immediate: bool, now: dt.datetime) -> CoverStart:
    """Where new cover starts (docs/regulation.md §4). Where the province allows immediate
    cover (即时生效) and the vehicle has no cover today, at the next full hour after `now`
    (Beijing time); otherwise `next_start_date` at 00:00. A purchase after 23:00 starts at
    00:00 the next day either way."""
    if immediate and state.uncovered_today and now.date() == state.day and now.hour < 23:
        return CoverStart(state.day, now.hour + 1)
    return CoverStart(next_start_date(state))


def renewal_state(
    terms: Iterable[Term], day: dt.date, *, advance_days: int = DEFAULT_ADVANCE_DAYS
) -> RenewalState:
    """The renewal status of a vehicle on `day`, from all its policy terms.

    - cancelled: the latest policy was cancelled (no reminders);
    - renewed: a (non-cancelled) successor policy starts after `day`;
    - in_force: `day` is covered, no successor, at least `advance_days` days left;
    - due: `day` is covered, no successor, in the last `advance_days` days of cover;
    - lapsed: `day` is not covered, no later policy, an earlier one existed;
    - upcoming: the vehicle's only policies start after `day` — cover is coming, nothing
      lapsed and nothing was renewed (never `lapsed`, never `renewed`).
    """
    state = _renewal_state(terms, day, advance_days=advance_days)
    return replace(state, advance_days=advance_days)


def _renewal_state(terms: Iterable[Term], day: dt.date, *, advance_days: int) -> RenewalState:
    terms = sorted(terms, key=lambda t: (t.start, t.end))
    if not terms:
        return RenewalState(status=None, day=day)

    latest = terms[-1]
    if latest.cancelled:
        return _state(RenewalStatus.CANCELLED, day, latest)

    live = [t for t in terms if not t.cancelled]
    covering = next((t for t in reversed(live) if t.covers(day)), None)
    successors = [t for t in live if t.start > day]
    if successors and all(t.start > day for t in terms):
        return RenewalState(status=RenewalStatus.UPCOMING, day=day, renewal_start=successors[0].start)
    if successors:
        reference = covering or _last_ended(terms, day)
        state = _state(RenewalStatus.RENEWED, day, reference)
        return replace(state, renewal_start=successors[0].start)
    if covering:
        days_left = (covering.end - day).days
        status = RenewalStatus.IN_FORCE if days_left >= advance_days else RenewalStatus.DUE
        return _state(status, day, covering)
    return _state(RenewalStatus.LAPSED, day, _last_ended(terms, day))


def _last_ended(terms: list[Term], day: dt.date) -> Term | None:
    ended = [t for t in terms if t.end < day]
    return max(ended, key=lambda t: t.end) if ended else None


def _state(status: RenewalStatus, day: dt.date, term: Term | None) -> RenewalState:
    if term is None:
        return RenewalState(status=status, day=day)
    return RenewalState(
        status=status, day=day, days_left=(term.end - day).days, cover_end=term.end, current=term
    )


def one_year_end(start: dt.date) -> dt.date:
    """The end date of one year's cover: the day before the same date next year
    (2026-03-01 → 2027-02-28; 2024-02-29 → 2025-02-28)."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February → 1 March of a common year
        anniversary = dt.date(start.year + 1, 3, 1)
    return anniversary - dt.timedelta(days=1)


def renewal_window_opens(cover_end: dt.date, *, advance_days: int = DEFAULT_ADVANCE_DAYS) -> dt.date:
    """The first day a renewal may be bought: the vehicle becomes `due` when fewer than
    `advance_days` days are left (docs/regulation.md §4; end 2027-02-28, 90 days → 2026-12-01)."""
    return cover_end - dt.timedelta(days=advance_days - 1)
