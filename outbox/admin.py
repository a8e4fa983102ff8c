from django.contrib import admin

from core.admin import LargeTableAdmin, RecentValuesListFilter
from core.masking import mask_name, mask_phone
from outbox.models import OutboundMessage
from policies import search


class MessagePurposeFilter(RecentValuesListFilter):
    title = "用途"
    parameter_name = "purpose"


@admin.register(OutboundMessage)
class OutboundMessageAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["created_at", "channel", "purpose", "masked_recipient", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", MessagePurposeFilter]
    raw_id_fields = ["person"]
    search_fields = ["=recipient", "=dedupe_key"]
    search_help_text = "输入客户手机号、身份证号，或去重键"
    ordering = ["-pk"]
    # The outbox is a record of what was sent: read-only here (resending is on the failed list),
    # and the text is shown without one-time links, which only their customer may open.
    exclude = ["text"]
    readonly_fields = ["shown_text"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

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
        name, at, domain = obj.recipient.partition("@")
        return f"{mask_name(name)}@{domain}" if at else mask_phone(obj.recipient)
