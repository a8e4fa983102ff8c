"""The hotline's lists: the results (one row per vehicle, its latest policy) and the renewal
calls — personal data masked."""

from __future__ import annotations

import datetime as dt

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.masking import city_of, mask_id_number, mask_name, mask_phone, mask_plate
from policies.choices import RenewalStatus
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


class VehicleTable(tables.Table):
    renewal = tables.Column(verbose_name="续保状态", empty_values=(), orderable=False)
    plate = tables.Column(verbose_name="号牌", accessor="vehicle__plate", orderable=False)
    owner = tables.Column(
        verbose_name="车主 · 手机 · 身份证号", accessor="vehicle__owner__name", orderable=False
    )
    category = tables.Column(verbose_name="车辆类别", accessor="vehicle__premium_category", orderable=False)
    number = tables.Column(verbose_name="保单号", orderable=False)
    end_date = tables.DateColumn(verbose_name="保险止期", format="Y-m-d", order_by=("end_date", "pk"))
    branch = tables.Column(
        verbose_name="承保网点",
        accessor="branch__name",
        orderable=False,
        attrs={"td": {"class": "branch-cell"}},
    )
    channel = tables.Column(verbose_name="渠道", orderable=False)
    open = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Policy
        fields = ()
        sequence = (
            "renewal", "plate", "owner", "category", "number", "end_date", "branch", "channel", "open",
        )  # fmt: skip
        template_name = "desks/hotline/_table.html"
        attrs = {
            "class": "table table-sm table-hover align-middle mb-0 hotline-table",
            "data-testid": "results",
        }
        row_attrs = {
            "data-vehicle": lambda record: record.vehicle_id,
            "data-status": lambda record: record.renewal,
            "data-testid": "result-row",
        }
        empty_text = "没有符合条件的车辆"

    def __init__(self, *args, day: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.day = day

    def render_renewal(self, record):
        return format_html(
            '{}<div class="small text-secondary days-note">{}</div>',
            status_badge(record.renewal),
            days_note(record, self.day),
        )

    def render_plate(self, value):
        return format_html('<span class="mono">{}</span>', mask_plate(value))

    def render_owner(self, record):
        owner = record.vehicle.owner
        city = city_of(owner.address)
        return format_html(
            '{} <span class="mono">{}</span><div class="small text-secondary"><span class="mono">{}</span>{}</div>',
            mask_name(owner.name),
            mask_phone(owner.phone) or "—",
            mask_id_number(owner.id_number),
            format_html(' · <span data-testid="owner-city">{}</span>', city) if city else "",
        )

    def render_category(self, record):
        label = record.vehicle.get_premium_category_display()
        return format_html('<span class="category" title="{}">{}</span>', label, label)

    def render_number(self, value):
        return format_html('<span class="mono">{}</span>', value)

    def render_channel(self, record):
        return record.get_channel_display()

    def render_open(self, record):
        url = reverse("hotline:customer", args=[record.vehicle.owner_id])
        return format_html(
            '<a class="btn btn-sm btn-outline-primary py-0 text-nowrap" href="{}?vehicle={}" data-testid="open-customer">客户视图</a>',
            url,
            record.vehicle_id,
        )


class RenewedVehicleTable(VehicleTable):
    """Renewed vehicles, in the order their new cover starts (an index on the start date): in
    end-date order every current policy ending before them would be read and skipped."""

    renewal = tables.Column(verbose_name="续保起期", empty_values=(), order_by=("start_date", "pk"))
    end_date = tables.DateColumn(verbose_name="保险止期", format="Y-m-d", orderable=False)

    class Meta(VehicleTable.Meta):
        pass


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
