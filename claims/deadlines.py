"""The legal deadlines of a claim (条例 Art. 27–29, docs/regulation.md §6), as plain functions.

- 告知单证: list the documents needed within 1 day of receiving the claim;
- 核定: decide (approve or refuse) within 5 days of complete documents;
- 支付: pay within 10 days of agreeing the amount.

The numbers of days are data with effective dates (`ClaimDeadline` rows, seeded from
docs/regulation.md §6 and kept by supervisors in admin): the row in force on the day a clock
starts sets its period. They come in as a `DeadlineTable`; `deadline_table()` reads it
once per process (reloaded after `TARIFF_CACHE_SECONDS`, at once after an admin save).

Periods are counted in calendar days in Asia/Shanghai as the civil code counts them
(民法典 Art. 201, 203): the day the clock starts is not counted, and the period ends at
24:00 of its last day. A claim received on 3 March at 10:00 must have its documents
listed by 24:00 on 4 March.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import TextChoices

from claims.choices import ClaimState, Clock
from core.clock import SHANGHAI

if TYPE_CHECKING:
    from claims.models import Claim


@dataclass(frozen=True)
class Rule:
    clock: Clock
    label: str
    days: int  # from the deadline table (the defaults below are docs/regulation.md §6's)
    starts: str  # what starts the clock, in words
    ends: str  # what stops it, in words
    source: str


# The wording of each clock; its number of days comes from the deadline table.
RULES: dict[Clock, Rule] = {
    Clock.DOCUMENTS: Rule(Clock.DOCUMENTS, "告知索赔单证", 1, "收到报案", "立案并告知单证", "条例第二十七条"),
    Clock.DECISION: Rule(Clock.DECISION, "核定赔付", 5, "单证齐全", "核赔通过或拒赔", "条例第二十八条"),
    Clock.PAYMENT: Rule(
        Clock.PAYMENT, "支付赔款", 10, "核赔通过（达成赔偿协议）", "支付赔款", "条例第二十八条"
    ),
}


class DeadlineMissing(ValidationError):
    """No deadline row is in force for the day a clock starts."""


@dataclass(frozen=True)
class DeadlineRow:
    """One row of the deadline table: `days` for `clock`, from `valid_from` to `valid_to`
    inclusive (open-ended when `valid_to` is None)."""

    clock: str
    days: int
    valid_from: dt.date
    valid_to: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class DeadlineTable:
    rows: tuple[DeadlineRow, ...]

    def rule(self, clock: Clock, day: dt.date) -> Rule:
        """The clock's rule for a clock started on `day`: its days from the row in force."""
        rows = [r for r in self.rows if r.clock == clock and r.in_force(day)]
        if not rows:
            raise DeadlineMissing(
                "%(day)s 没有适用的“%(clock)s”时限，请主管在管理后台维护理赔时限表。",
                code="no_deadline",
                params={"day": day.isoformat(), "clock": Clock(clock).label},
            )
        return replace(RULES[clock], days=max(rows, key=lambda r: r.valid_from).days)


def load_deadline_table() -> DeadlineTable:
    """The deadline table as plain rows (one query)."""
    from claims.models import ClaimDeadline

    return DeadlineTable(
        tuple(DeadlineRow(r.clock, r.days, r.valid_from, r.valid_to) for r in ClaimDeadline.objects.all())
    )


_lock = threading.Lock()
_cached: tuple[float, DeadlineTable] | None = None


def deadline_table() -> DeadlineTable:
    """The deadline table of this process, reloaded after `TARIFF_CACHE_SECONDS` (and at
    once after a row is saved or deleted: `clear_deadline_cache`)."""
    global _cached
    with _lock:
        now = time.monotonic()
        if _cached is None or _cached[0] < now:
            _cached = (now + settings.TARIFF_CACHE_SECONDS, load_deadline_table())
        return _cached[1]


def clear_deadline_cache(**kwargs) -> None:
    global _cached
    with _lock:
        _cached = None


class DeadlineStatus(TextChoices):
    NOT_STARTED = "not_started", "未开始"  # the clock has not started
    DONE_UNTIMED = (
        "done_untimed",
        "已完成",
    )  # done before its clock started (e.g. decided before complete documents)
    RUNNING = "running", "计时中"
    MET = "met", "按时完成"
    BREACHED = "breached", "超时完成"  # done, but after the deadline
    OVERDUE = "overdue", "已逾期"  # not done, and the deadline has passed
    STOPPED = "stopped", "不适用"  # the claim ended (withdrawn, rejected) before the clock mattered


def due_at(start: dt.datetime, days: int) -> dt.datetime:
    """24:00 (Asia/Shanghai) of the `days`-th day after the day of `start`."""
    local_day = start.astimezone(SHANGHAI).date()
    return dt.datetime.combine(local_day + dt.timedelta(days=days + 1), dt.time(0), tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Deadline:
    rule: Rule
    started_at: dt.datetime | None
    due: dt.datetime | None
    done_at: dt.datetime | None
    status: DeadlineStatus

    @property
    def label(self) -> str:
        return self.rule.label

    @property
    def explanation(self) -> str:
        rule = self.rule
        text = f"{rule.starts}后 {rule.days} 日内{rule.ends}（{rule.source}）"
        if self.due is not None:
            last_day = (self.due - dt.timedelta(days=1)).astimezone(SHANGHAI)
            text += f"，期限至 {last_day:%Y-%m-%d} 24:00"
        if self.status == DeadlineStatus.DONE_UNTIMED:
            text += f"；本环节在{rule.starts}之前已完成，时限未起算"
        return text + "。"

    @property
    def done_at_local(self) -> dt.datetime | None:
        """When the step was done, in Beijing time."""
        return self.done_at.astimezone(SHANGHAI) if self.done_at is not None else None

    def remaining(self, now: dt.datetime) -> dt.timedelta | None:
        return self.due - now if self.due is not None and self.status == DeadlineStatus.RUNNING else None


def deadline(
    clock: Clock,
    *,
    started_at: dt.datetime | None,
    done_at: dt.datetime | None,
    now: dt.datetime,
    ended_at: dt.datetime | None = None,
    table: DeadlineTable | None = None,
) -> Deadline:
    """The state of one deadline at `now`. `ended_at`: when the claim left the open
    states without this step being done (rejected, withdrawn) — in time, the clock just
    stops; after the deadline, it was breached. A step done before its clock started
    (a decision before the documents were complete) is done, not "not started"."""
    if started_at is None:
        status = DeadlineStatus.NOT_STARTED if done_at is None else DeadlineStatus.DONE_UNTIMED
        return Deadline(RULES[clock], None, None, done_at, status)
    table = deadline_table() if table is None else table
    rule = table.rule(clock, started_at.astimezone(SHANGHAI).date())
    due = due_at(started_at, rule.days)
    if done_at is not None:
        status = DeadlineStatus.MET if done_at < due else DeadlineStatus.BREACHED
    elif ended_at is not None:
        status = DeadlineStatus.STOPPED if ended_at < due else DeadlineStatus.BREACHED
    else:
        status = DeadlineStatus.RUNNING if now < due else DeadlineStatus.OVERDUE
    return Deadline(rule, started_at, due, done_at, status)


def claim_deadlines(claim: Claim, *, now: dt.datetime, table: DeadlineTable | None = None) -> list[Deadline]:
    """The three legal deadlines of a claim at `now` (no query but the deadline table's,
    once per process)."""
    table = deadline_table() if table is None else table
    ended = claim.closed_at if claim.state in (ClaimState.REJECTED, ClaimState.WITHDRAWN) else None
    withdrawn = claim.closed_at if claim.state == ClaimState.WITHDRAWN else None
    # A refusal decides the claim (the decision clock is done) and stops the payment clock
    # of a settlement approved before it.
    return [
        deadline(
            Clock.DOCUMENTS,
            started_at=claim.reported_at,
            done_at=claim.documents_listed_at,
            now=now,
            ended_at=ended,
            table=table,
        ),
        deadline(
            Clock.DECISION,
            started_at=claim.documents_complete_at,
            done_at=claim.decided_at,
            now=now,
            ended_at=withdrawn,
            table=table,
        ),
        deadline(
            Clock.PAYMENT,
            started_at=claim.agreed_at,
            done_at=claim.paid_at,
            now=now,
            ended_at=ended,
            table=table,
        ),
    ]


def documents_promise(claim: Claim) -> str:
    """What a reporter is told happens next: the documents listed within the days of the
    deadline row in force when the claim came in."""
    day = claim.reported_at.astimezone(SHANGHAI).date()
    days = deadline_table().rule(Clock.DOCUMENTS, day).days
    return f"理赔人员将在 {days} 日内告知需提供的索赔单证"
