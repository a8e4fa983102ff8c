"""The hotline's lists: the results (one row per vehicle, its latest policy) and the renewal
calls — personal data masked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.keyset import KeysetPage, sort_header
from core.masking import city_of, mask_id_number, mask_name, mask_phone, mask_plate
from policies.choices import PremiumCategory, RenewalStatus, SalesChannel
from policies.models import Policy
from policies.templatetags.policy_tags import status_badge
from reminders.models import CallOutcome, RenewalCall


def days_note(record: Policy, day: dt.date) -> str:
    """What the status means in days: "剩 12 天", "脱保 30 天", "05-01 起保"."""
    if record.renewal == RenewalStatus.RENEWED:
        return f"{record.start_date:%Y-%m-%d} 起续保"
    if record.renewal == RenewalStatus.UPCOMING:
        return f"{record.start_date:%Y-%m-%d} 起保"
    if record.renewal == RenewalStatus.CANCELLED:
        return f"{record.end_date:%Y-%m-%d} 退保"
    left = (record.end_date - day).days
    if left < 0:
        return f"脱保 {-left} 天"
    return "今天到期" if left == 0 else f"剩 {left} 天"


CATEGORY_LABELS = dict(PremiumCategory.choices)
CHANNEL_LABELS = dict(SalesChannel.choices)


@cache
def _badge(status: str) -> str:
    return status_badge(status)


@dataclass(frozen=True)
class VehicleRow:
    """One row of the results as shown: personal data masked, every value ready to draw."""

    vehicle_id: int
    status: str
    badge: str
    days_note: str
    plate: str
    owner_name: str
    owner_phone: str
    owner_id_number: str
    owner_city: str
    category: str
    number: str
    end_date: dt.date
    branch: str
    channel: str
    customer_url: str


def vehicle_row(record: Policy, day: dt.date) -> VehicleRow:
    vehicle, owner = record.vehicle, record.vehicle.owner
    return VehicleRow(
        vehicle_id=record.vehicle_id,
        status=record.renewal,
        badge=_badge(record.renewal),
        days_note=days_note(record, day),
        plate=mask_plate(vehicle.plate),
        owner_name=mask_name(owner.name),
        owner_phone=mask_phone(owner.phone),
        owner_id_number=mask_id_number(owner.id_number),
        owner_city=city_of(owner.address),
        category=CATEGORY_LABELS.get(vehicle.premium_category, vehicle.premium_category),
        number=record.number,
        end_date=record.end_date,
        branch=record.branch.name,
        channel=CHANNEL_LABELS.get(record.channel, record.channel),
        customer_url=f"{reverse('hotline:customer', args=[vehicle.owner_id])}?vehicle={record.vehicle_id}",
    )


class VehicleList:
    """The results' table (templates/desks/hotline/_results.html): one page of rows by cursor
    (`keyset`), sortable by the cover's end — renewed vehicles by their new cover's start.
    Drawn by a plain loop over `VehicleRow`s: django-tables2's per-cell rendering cost more than
    the rest of the page together."""

    empty_text = "没有符合条件的车辆"
    columns = 9

    def __init__(self, page: KeysetPage, *, day: dt.date, sort: str, renewed: bool) -> None:
        self.keyset = page
        self.rows = [vehicle_row(record, day) for record in page.rows]
        self.renewed = renewed
        # renewed vehicles sort by the new cover's start (续保起期), the others by the cover's end
        self.start_header = sort_header("renewal", sort) if renewed else None
        self.end_header = None if renewed else sort_header("end_date", sort)


def call_when(record) -> str:
    """ "可拨", or when a call-back or retry comes due."""
    if record.ready == 0:
        return format_html('<span class="badge text-bg-primary">{}</span>', "可拨")
    label = "约定回电" if record.outcome == CallOutcome.CALL_BACK else "重拨"
    return format_html(
        '<span class="badge text-bg-light border">{}</span><div class="small text-secondary">{}</div>',
        label,
        timezone.localtime(record.call_after).strftime("%m-%d %H:%M"),
    )


class CallTable(tables.Table):
    """An agent's open renewal calls, in the order they are made; personal data masked."""

    when = tables.Column(verbose_name="外呼", empty_values=())
    person = tables.Column(verbose_name="客户", accessor="person__name")
    phone = tables.Column(verbose_name="联系电话")
    plate = tables.Column(verbose_name="号牌", accessor="vehicle__plate")
    end = tables.Column(verbose_name="保险止期", accessor="policy__end_date")
    renewal = tables.Column(verbose_name="当前状态", empty_values=())
    attempts = tables.Column(verbose_name="已拨", empty_values=())
    work = tables.Column(verbose_name="", empty_values=())

    class Meta:
        model = RenewalCall
        fields = ()
        orderable = False
        template_name = "desks/hotline/_table.html"
        attrs = {
            "class": "table table-sm table-hover align-middle mb-0 hotline-table",
            "data-testid": "calls",
        }
        row_attrs = {"data-call": lambda record: record.pk, "data-testid": "call-row"}
        empty_text = "没有待拨的续保外呼"

    def __init__(self, *args, day: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.day = day

    def render_when(self, record):
        return call_when(record)

    def render_person(self, value):
        return mask_name(value)

    def render_phone(self, value):
        return format_html('<span class="mono">{}</span>', mask_phone(value))

    def render_plate(self, value):
        return format_html('<span class="mono">{}</span>', mask_plate(value))

    def render_end(self, value):
        left = (value - self.day).days
        note = f"脱保 {-left} 天" if left < 0 else ("今天到期" if left == 0 else f"剩 {left} 天")
        return format_html(
            '{}<div class="small text-secondary days-note">{}</div>', value.strftime("%Y-%m-%d"), note
        )

    def render_renewal(self, record):
        return status_badge(record.renewal)

    def render_attempts(self, record):
        if not record.attempts:
            return "—"
        return format_html(
            "{} 次<div class='small text-secondary'>{}</div>", record.attempts, record.get_outcome_display()
        )

    def render_work(self, record):
        style = "btn-primary" if record.ready == 0 else "btn-outline-primary"
        return format_html(
            '<a class="btn btn-sm {} py-0 text-nowrap" href="{}" data-testid="work-call">开始外呼</a>',
            style,
            reverse("hotline:call", args=[record.pk]),
        )


class BranchCallTable(CallTable):
    """A branch's open calls for its supervisor: tick some and give them to an agent."""

    calls = tables.CheckBoxColumn(accessor="pk", attrs={"th__input": {"aria-label": "全选"}})
    agent = tables.Column(verbose_name="坐席", accessor="assigned_to", empty_values=())

    class Meta(CallTable.Meta):
        sequence = ("calls", "when", "agent", "...")
        attrs = {
            "class": "table table-sm table-hover align-middle mb-0 hotline-table",
            "data-testid": "branch-calls",
        }
        empty_text = "该网点没有未结束的续保外呼"

    def render_agent(self, record):
        if record.assigned_to is None:
            return format_html('<span class="text-warning-emphasis">{}</span>', "未分配")
        return str(record.assigned_to)
