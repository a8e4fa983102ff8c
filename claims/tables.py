"""The claim queue as a django-tables2 table: personal data masked, deadlines coloured."""

from __future__ import annotations

import datetime as dt

import django_tables2 as tables
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from claims.choices import ClaimState
from claims.models import Claim
from claims.risk import SignalCode
from core import text
from core.keyset import Keyset
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


class ClaimTable(tables.Table):
    number = tables.Column("赔案号", linkify=lambda record: reverse("claims:detail", args=[record.pk]),
                           attrs={"td": {"class": "mono"}}, orderable=False)  # fmt: skip
    state = tables.Column("状态", orderable=False)
    plate = tables.Column("号牌", accessor="vehicle__plate", orderable=False)
    insured = tables.Column("被保险人", accessor="policy__insured__name", orderable=False)
    branch = tables.Column("网点", accessor="branch__name", orderable=False)
    accident_at = tables.DateTimeColumn(verbose_name="出险时间", format="Y-m-d H:i", orderable=False)
    reported_at = tables.DateTimeColumn(
        verbose_name="报案时间", format="Y-m-d H:i", order_by=("reported_at", "pk")
    )
    at_fault = tables.BooleanColumn(verbose_name="责任", yesno="有责,无责", orderable=False)
    amount = tables.Column(
        "金额（元）",
        empty_values=(),
        orderable=False,
        attrs={"td": {"class": "money"}, "th": {"class": "text-end"}},
    )
    next_due_at = tables.Column("最近时限", empty_values=(), order_by=("due", "pk"))
    risk = tables.Column("风险", accessor="risk_codes", orderable=False)

    class Meta:
        model = Claim
        fields = ["number", "state", "plate", "insured", "branch", "accident_at", "reported_at", "at_fault",
                  "amount", "next_due_at", "risk"]  # fmt: skip
        attrs = {
            "class": "table table-sm table-hover align-middle mb-0 claim-queue",
            "data-testid": "claim-queue",
        }
        row_attrs = {"data-claim": lambda record: record.number}
        empty_text = "没有符合条件的赔案。"
        orderable = True  # by the columns an index orders (QUEUE_SORTS); pages by keyset
        template_name = "claims/_queue_table.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = timezone.now()

    def render_state(self, value, record):
        return state_badge(record.state)

    def render_insured(self, value):
        return mask_name(value)

    def render_amount(self, record):
        if record.state in (ClaimState.PAID, ClaimState.CLOSED):
            amount, label = record.paid_total, "已付"
        elif record.calculated_total is not None:
            amount, label = record.calculated_total, "理算"
        elif record.assessed_total is not None:
            amount, label = record.assessed_total, "核定"
        else:
            amount, label = record.reported_total, "报损"
        return format_html('{} <small class="text-secondary">{}</small>', text.amount(amount), label)

    def render_next_due_at(self, record):
        return due_label(record, self.now)

    def render_risk(self, value):
        if not value:
            return ""
        labels = "、".join(SignalCode(c).label for c in value)
        return format_html('<span class="badge text-bg-warning" title="{}">{} 项</span>', labels, len(value))
