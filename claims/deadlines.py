"""The legal deadlines of a claim (条例 Art. 27–29, docs/regulation.md §6), as plain functions.

- 告知单证: list the documents needed within 1 day of receiving the claim;
- 核定: decide (approve or refuse) within 5 days of complete documents;
- 支付: pay within 10 days of agreeing the amount.

Periods are counted in calendar days in Asia/Shanghai as the civil code counts them
(民法典 Art. 201, 203): the day the clock starts is not counted, and the period ends at
24:00 of its last day. A claim received on 3 March at 10:00 must have its documents
listed by 24:00 on 4 March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import TextChoices

from claims.choices import ClaimState
from core.clock import SHANGHAI

if TYPE_CHECKING:
    from claims.models import Claim


class Clock(TextChoices):
    DOCUMENTS = "documents"
    DECISION = "decision"
    PAYMENT = "payment"


@dataclass(frozen=True)
class Rule:
    clock: Clock
    label: str
    days: int
    starts: str  # what starts the clock, in words
    ends: str  # what stops it, in words
    source: str


RULES: dict[Clock, Rule] = {
    Clock.DOCUMENTS: Rule(Clock.DOCUMENTS, "告知索赔单证", 1, "收到报案", "立案并告知单证", "条例第二十七条"),
    Clock.DECISION: Rule(Clock.DECISION, "核定赔付", 5, "单证齐全", "核赔通过或拒赔", "条例第二十八条"),
    Clock.PAYMENT: Rule(
        Clock.PAYMENT, "支付赔款", 10, "核赔通过（达成赔偿协议）", "支付赔款", "条例第二十八条"
    ),
}


class DeadlineStatus(TextChoices):
    NOT_STARTED = "not_started", "未开始"  # the clock has not started
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
        return text + "。"

    def remaining(self, now: dt.datetime) -> dt.timedelta | None:
        return self.due - now if self.due is not None and self.status == DeadlineStatus.RUNNING else None


def deadline(
    clock: Clock,
    *,
    started_at: dt.datetime | None,
    done_at: dt.datetime | None,
    now: dt.datetime,
    ended_at: dt.datetime | None = None,
) -> Deadline:
    """The state of one deadline at `now`. `ended_at`: when the claim left the open
    states without this step being done (rejected, withdrawn) — in time, the clock just
    stops; after the deadline, it was breached."""
    rule = RULES[clock]
    if started_at is None:
        return Deadline(rule, None, None, done_at, DeadlineStatus.NOT_STARTED)
    due = due_at(started_at, rule.days)
    if done_at is not None:
        status = DeadlineStatus.MET if done_at < due else DeadlineStatus.BREACHED
    elif ended_at is not None:
        status = DeadlineStatus.STOPPED if ended_at < due else DeadlineStatus.BREACHED
    else:
        status = DeadlineStatus.RUNNING if now < due else DeadlineStatus.OVERDUE
    return Deadline(rule, started_at, due, done_at, status)


def claim_deadlines(claim: Claim, *, now: dt.datetime) -> list[Deadline]:
    """The three legal deadlines of a claim at `now` (no query)."""
    ended = claim.closed_at if claim.state in (ClaimState.REJECTED, ClaimState.WITHDRAWN) else None
    withdrawn = claim.closed_at if claim.state == ClaimState.WITHDRAWN else None
    return [
        deadline(
            Clock.DOCUMENTS,
            started_at=claim.reported_at,
            done_at=claim.documents_listed_at,
            now=now,
            ended_at=ended,
        ),
        deadline(
            Clock.DECISION,
            started_at=claim.documents_complete_at,
            done_at=claim.decided_at,
            now=now,
            ended_at=withdrawn,
        ),
        deadline(
            Clock.PAYMENT, started_at=claim.agreed_at, done_at=claim.paid_at, now=now, ended_at=withdrawn
        ),
    ]
