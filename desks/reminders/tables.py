import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html

from core.masking import mask_plate, mask_recipient
from outbox import purposes
from outbox.models import OutboundMessage

# What each app's messages are for (outbox `purpose`), as supervisors read it: the labels the
# apps registered with the outbox (outbox.purposes), filled at start-up.
PURPOSE_LABELS = purposes.LABELS


class FailedMessageTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="创建时间", format="Y-m-d H:i")
    channel = tables.Column(verbose_name="渠道")
    purpose = tables.Column(verbose_name="用途")
    plate = tables.Column(verbose_name="车辆", accessor="pk", orderable=False)
    recipient = tables.Column(verbose_name="接收方", orderable=False)
    attempts = tables.Column(verbose_name="尝试", attrs={"td": {"class": "text-end"}})
    last_error = tables.Column(verbose_name="失败原因", orderable=False)
    actions = tables.Column(
        verbose_name="", accessor="pk", orderable=False, attrs={"td": {"class": "text-end"}}
    )

    class Meta:
        model = OutboundMessage
        fields = ["created_at", "channel", "purpose", "plate", "recipient", "attempts", "last_error"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0", "data-testid": "failed-messages"}
        row_attrs = {"data-message-id": lambda record: record.pk}
        orderable = False
        empty_text = "没有发送失败的消息。"

    def render_purpose(self, value):
        return PURPOSE_LABELS.get(value, value)

    def render_plate(self, record):
        reminder = getattr(record, "reminder", None)
        return mask_plate(reminder.policy.vehicle.plate) if reminder else "—"

    def render_recipient(self, record):
        return mask_recipient(record.channel, record.recipient)

    def render_last_error(self, value):
        return format_html(
            '<span class="small text-danger d-inline-block text-truncate" style="max-width: 28rem" title="{}">{}</span>',
            value,
            value,
        )

    def render_actions(self, record):
        return render_to_string(
            "desks/reminders/_resend_button.html", {"message": record}, request=self.request
        )
