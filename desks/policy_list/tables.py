"""The supervisors' policy list as a table: one row per policy, the plate and the owner masked,
and what became of the cover at its end (renewed within the grace, later, or not at all)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.clock import today
from core.keyset import Keyset
from core.masking import mask_name, mask_plate
from desks.policy_list.filters import ListKind
from policies.figures import RENEWAL_GRACE
from policies.models import Policy

# Each kind's order is an index's full order — (end_date, id) and (start_date, id), also behind
# the branch and channel filters — so a page starts where the previous one stopped.
KEYSETS = {
    ListKind.LAPSED: Keyset(("end_date", "pk")),
    ListKind.RENEWED: Keyset(("end_date", "pk")),
    ListKind.STARTED: Keyset(("start_date", "pk")),
}
COUNT_CAP = 1000  # past this the list says "more than 1,000": no count over the whole book


class PolicyListTable(tables.Table):
    number = tables.Column("保单号", attrs={"td": {"class": "mono"}})
    plate = tables.Column("号牌", accessor="vehicle__plate")
    owner = tables.Column("车主", accessor="vehicle__owner__name")
    category = tables.Column("车辆类别", accessor="vehicle__premium_category")
    branch = tables.Column("承保网点", accessor="branch__name")
    channel = tables.Column("销售渠道")
    start_date = tables.DateColumn(verbose_name="保险起期", format="Y-m-d")
    end_date = tables.DateColumn(verbose_name="保险止期", format="Y-m-d")
    renewal = tables.Column("期满后", empty_values=())

    class Meta:
        model = Policy
        fields = ()
        sequence = ("number", "plate", "owner", "category", "branch", "channel", "start_date", "end_date",
                    "renewal")  # fmt: skip
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle mb-0", "data-testid": "policy-list"}
        row_attrs = {"data-policy": lambda record: record.number, "data-testid": "policy-row"}
        empty_text = "没有符合条件的保单。"
        template_name = "desks/policy_list/_table.html"

    def render_plate(self, value):
        return mask_plate(value)

    def render_owner(self, value):
        return mask_name(value)

    def render_category(self, record):
        return record.vehicle.get_premium_category_display()

    def render_channel(self, record):
        return record.get_channel_display()

    def render_renewal(self, record):
        successor = getattr(record, "successor", None)
        if successor is None:
            ended = record.end_date < today()
            return mark_safe(f'<span class="text-secondary">{"未续保" if ended else "尚未期满"}</span>')
        days = (successor.start_date - record.end_date).days
        late = successor.start_date - record.end_date > RENEWAL_GRACE
        return format_html(
            '<span class="{}" data-renewed="{}">{} 起续保（止期后 {} 天）</span>',
            "text-warning-emphasis" if late else "",
            "late" if late else "within",
            f"{successor.start_date:%Y-%m-%d}",
            days,
        )
