import django_filters

from desks.reminders.tables import PURPOSE_LABELS
from outbox.models import MessageChannel, MessageStatus, OutboundMessage

_SELECT = {"class": "form-select form-select-sm"}


def failed_purposes() -> list[tuple[str, str]]:
    """The purposes (reminders, ticket notifications, …) that have failed messages."""
    purposes = (
        OutboundMessage.objects.filter(status=MessageStatus.FAILED)
        .order_by("purpose")
        .values_list("purpose", flat=True)
        .distinct()
    )
    return [(p, PURPOSE_LABELS.get(p, p)) for p in purposes]


class FailedMessageFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(
        label="渠道", choices=MessageChannel.choices, empty_label="全部渠道"
    )
    purpose = django_filters.ChoiceFilter(label="用途", choices=failed_purposes, empty_label="全部用途")

    class Meta:
        model = OutboundMessage
        fields = ["channel", "purpose"]
