"""The claim queue's table: personal data masked, deadlines coloured."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from claims.choices import ClaimState
from claims.models import Claim
from claims.risk import SignalCode
from core import text
from core.keyset import Keyset, KeysetPage, sort_header
from core.masking import mask_name

STATE_STYLES = {
    ClaimState.REPORTED: "info",
    ClaimState.REGISTERED: "primary",
    ClaimState.SURVEYED: "primary",
    ClaimState.ASSESSED: "primary",
    ClaimState.CALCULATED: "warning",
    ClaimState.APPROVED: "success",
    ClaimState.PAID: "success",
    ClaimState.CLOSED: "secondary",
    ClaimState.REJECTED: "danger",
    ClaimState.WITHDRAWN: "light",
}


def state_badge(state: str) -> str:
    return format_html(
        '<span class="badge status-badge text-bg-{} {}" data-state="{}">{}</span>',
        STATE_STYLES[state],
        "border" if state == ClaimState.WITHDRAWN else "",
        state,
        ClaimState(state).label,
    )


def due_label(claim: Claim, now) -> str:
    if claim.next_due_at is None:
        return mark_safe('<span class="text-secondary">—</span>')
    local = timezone.localtime(claim.next_due_at)
    last_day = f"{local - dt.timedelta(minutes=1):%m-%d} 24:00"
    if claim.next_due_at <= now:
        return format_html(
            '<span class="badge text-bg-danger" data-due="overdue">已逾期</span> <small>{}</small>', last_day
        )
    hours = (claim.next_due_at - now).total_seconds() / 3600
    style = "text-warning-emphasis fw-semibold" if hours <= 24 else ""
    return format_html('<span class="{}" data-due="running">{}</span>', style, last_day)


# The queue's sorts, each an index's full order (claim_queue_due_idx, claim_reported_id_idx), so
# a page starts where the previous one stopped: no OFFSET, no sort of every claim.
DUE = (("due", models.DateTimeField()),)
QUEUE_SORTS = {
    "next_due_at": Keyset(("due", "pk"), types=DUE),
    "-next_due_at": Keyset(("due", "pk"), descending=True, types=DUE),
    "reported_at": Keyset(("reported_at", "pk")),
    "-reported_at": Keyset(("reported_at", "pk"), descending=True),
}
QUEUE_COUNT_CAP = 500  # past this the queue says "more than 500": no count of every claim


@cache
def _state_badge(state: str) -> str:
    return state_badge(state)


def shown_amount(claim: Claim) -> tuple[Decimal | None, str]:
    """The amount the queue shows for a claim, and what it is (paid, calculated, assessed, reported)."""
    if claim.state in (ClaimState.PAID, ClaimState.CLOSED):
        return claim.paid_total, "已付"
    if claim.calculated_total is not None:
        return claim.calculated_total, "理算"
    if claim.assessed_total is not None:
        return claim.assessed_total, "核定"
    return claim.reported_total, "报损"


@dataclass(frozen=True)
class ClaimRow:
    """One row of the queue as shown: the insured's name masked, every value ready to draw."""

    number: str
    url: str
    state: str
    plate: str
    insured: str
    branch: str
    accident_at: dt.datetime
    reported_at: dt.datetime
    at_fault: bool
    amount: str
    amount_kind: str
    due: str
    risks: int
    risk_labels: str


def claim_row(claim: Claim, now: dt.datetime) -> ClaimRow:
    amount, kind = shown_amount(claim)
    return ClaimRow(
        number=claim.number,
        url=reverse("claims:detail", args=[claim.pk]),
        state=_state_badge(claim.state),
        plate=claim.vehicle.plate,
        insured=mask_name(claim.policy.insured.name),
        branch=claim.branch.name,
        accident_at=claim.accident_at,
        reported_at=claim.reported_at,
        at_fault=claim.at_fault,
        amount=text.amount(amount),
        amount_kind=kind,
        due=due_label(claim, now),
        risks=len(claim.risk_codes or ()),
        risk_labels="、".join(SignalCode(c).label for c in claim.risk_codes or ()),
    )


class ClaimList:
    """The claim queue's table (templates/claims/_queue_table.html): one page of rows by cursor
    (`keyset`), sortable by report time and by the next deadline. Drawn by a plain loop over
    `ClaimRow`s: django-tables2's per-cell rendering cost more than the rest of the page."""

    empty_text = "没有符合条件的赔案。"
    columns = 11

    def __init__(self, page: KeysetPage, *, sort: str) -> None:
        now = timezone.now()
        self.keyset = page
        self.rows = [claim_row(claim, now) for claim in page.rows]
        self.reported_header = sort_header("reported_at", sort)
        self.due_header = sort_header("next_due_at", sort)
