from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html

from core.admin import LargeTableAdmin, PrivateSearchAdmin, RecentValuesListFilter, RevealAdmin
from outbox import purposes
from outbox.models import OutboundMessage
from policies import search
from policies.audit import log_person_view


class MessagePurposeFilter(RecentValuesListFilter):
    title = "用途"
    parameter_name = "purpose"

    def lookups(self, request, model_admin):
        return [(code, purposes.label(code)) for code, _ in super().lookups(request, model_admin)]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(RevealAdmin, PrivateSearchAdmin, LargeTableAdmin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "purpose_label",
        "masked_recipient",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel", MessagePurposeFilter]
    raw_id_fields = ["person"]
    search_fields = ["=recipient", "=dedupe_key"]
    search_help_text = "输入客户手机号、身份证号，或去重键"
    ordering = ["-pk"]
    # The outbox is a record of what was sent: read-only here (resending is on the failed list),
    # and the text is shown without one-time links, which only their customer may open. The
    # recipient (a phone or an email address) is masked; "显示完整信息" shows it once and
    # writes the access log (core.admin.RevealAdmin).
    exclude = ["text", "recipient"]
    readonly_fields = ["recipient_with_reveal", "shown_text"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @admin.display(description="用途", ordering="purpose")
    def purpose_label(self, obj):
        return purposes.label(obj.purpose)

    @admin.display(description="内容")
    def shown_text(self, obj):
        return obj.redacted_text

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        kinds = dict(search.classify(search_term))
        if search.TermKind.PHONE in kinds:
            return queryset.filter(person__phone=kinds[search.TermKind.PHONE]), False
        if search.TermKind.ID_NUMBER in kinds:
            return queryset.filter(person__id_number=kinds[search.TermKind.ID_NUMBER]), False
        return queryset.filter(dedupe_key=search_term.strip()), False

    @admin.display(description="接收方")
    def masked_recipient(self, obj):
        return obj.masked_recipient

    @admin.display(description="接收方")
    def recipient_with_reveal(self, obj):
        button = self.reveal_button(obj) if obj.person_id else ""
        return format_html("{}{}", self.masked_recipient(obj), button)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:  # the page's title and breadcrumbs name the message, masked
            subtitle = (
                f"{obj.get_channel_display()} → {self.masked_recipient(obj)}（{obj.get_status_display()}）"
            )
            extra_context = {**(extra_context or {}), "subtitle": subtitle}
        return super().change_view(request, object_id, form_url, extra_context)

    def reveal_rows(self, obj):
        return [("客户", obj.person.name), ("接收方", obj.recipient)]

    def log_reveal(self, request, obj):
        if obj.person is None:  # a view that cannot be written down is not given
            raise PermissionDenied("该消息未关联客户，无法记录查看，不显示完整接收方。")
        log_person_view(request, obj.person, "admin_reveal")
