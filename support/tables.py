import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from core.masking import mask_name, mask_plate
from support.models import Ticket
from support.templatetags.support_tags import priority_badge, sla_badge, ticket_status


class TicketTable(tables.Table):
    """A queue of tickets: most urgent first; customers' names and plates masked."""

    sla = tables.Column(verbose_name="时限", accessor="sla_due", order_by=("sla_due",), empty_values=())
    number = tables.Column(verbose_name="工单号", attrs={"td": {"class": "mono text-nowrap"}})
    subject = tables.Column(verbose_name="主题", attrs={"td": {"class": "ticket-subject"}})
    customer = tables.Column(verbose_name="客户", empty_values=(), orderable=False)
    channel = tables.Column(verbose_name="渠道")
    category = tables.Column(verbose_name="类别")
    priority = tables.Column(verbose_name="优先级", order_by=("-priority_rank",))
    status = tables.Column(verbose_name="状态")
    queue = tables.Column(verbose_name="队列", accessor="queue__name", order_by=("queue__name",))
    assignee = tables.Column(verbose_name="处理人", empty_values=(), order_by=("assignee__last_name",))
    created_at = tables.DateTimeColumn(verbose_name="创建", format="m-d H:i")

    class Meta:
        model = Ticket
        fields = ()
        sequence = (
            "sla", "number", "subject", "customer", "channel", "category", "priority", "status",
            "queue", "assignee", "created_at",
        )  # fmt: skip
        attrs = {"class": "table table-sm table-hover align-middle mb-0 ticket-table"}
        row_attrs = {"data-ticket": lambda record: record.number}
        order_by = ("sla",)
        empty_text = "没有工单"

    def render_sla(self, record):
        return sla_badge(record)

    def order_sla(self, queryset, is_descending):
        """Either way, tickets whose clock stands still stay at the end (PostgreSQL would put
        their empty deadlines first when sorting descending)."""
        return queryset.by_urgency(descending=is_descending), True

    def render_number(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("support:ticket", args=[record.pk]), value)

    def render_subject(self, record, value):
        merged = (
            format_html(' <span class="badge text-bg-light border">{}</span>', "已合并")
            if record.is_merged
            else ""
        )
        return format_html(
            '<a class="link-body-emphasis" href="{}">{}</a>{}',
            reverse("support:ticket", args=[record.pk]),
            value,
            merged,
        )

    def render_customer(self, record):
        if record.customer is None:
            return format_html(
                '<span class="text-secondary">{}</span>', mask_name(record.contact_name) or "未识别"
            )
        plate = f" · {mask_plate(record.vehicle.plate)}" if record.vehicle else ""
        return f"{mask_name(record.customer.name)}{plate}"

    def render_channel(self, record):
        return record.get_channel_display()

    def render_category(self, record):
        return record.get_category_display()

    def render_priority(self, record):
        return priority_badge(record.priority)

    def render_status(self, record):
        return ticket_status(record.status)

    def render_assignee(self, record):
        return (
            str(record.assignee)
            if record.assignee
            else format_html('<span class="text-secondary">{}</span>', "未分派")
        )


class MyTicketTable(TicketTable):
    class Meta(TicketTable.Meta):
        exclude = ("assignee",)
