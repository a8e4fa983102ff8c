"""Supervisors manage queues, SLA targets and the knowledge base here; tickets, their
history and survey answers are read-only (they change through the desk's services)."""

from django.contrib import admin

from core.admin import HardenedAdmin, LargeTableAdmin, ReadOnlyAdmin
from support import selectors
from support.models import Article, Queue, SlaTarget, Survey, Ticket, TicketEvent


@admin.register(Queue)
class QueueAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["name", "branch", "category", "supervisor", "is_active"]
    list_filter = ["is_active", "category", "branch__province"]
    list_select_related = ["branch", "supervisor"]
    search_fields = ["name", "branch__name", "branch__code"]
    autocomplete_fields = ["branch"]
    raw_id_fields = ["supervisor"]


@admin.register(SlaTarget)
class SlaTargetAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["category", "priority", "first_response_minutes", "resolution_minutes", "warning_percent"]
    list_editable = ["first_response_minutes", "resolution_minutes", "warning_percent"]
    list_filter = ["category", "priority"]


@admin.register(Article)
class ArticleAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["title", "category", "is_published", "updated_at", "updated_by"]
    list_filter = ["is_published", "category"]
    list_select_related = ["updated_by"]
    search_fields = ["title", "keywords"]
    fields = ["title", "category", "keywords", "body", "is_published"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Ticket)
class TicketAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "number",
        "subject",
        "channel",
        "category",
        "priority",
        "status",
        "queue",
        "assignee",
        "created_at",
    ]
    list_filter = ["status", "channel", "category", "priority"]
    list_select_related = ["queue", "assignee"]
    search_fields = ["=number"]  # the search box; what it finds is `get_search_results`'s
    search_help_text = "输入工单号、主题中的词（至少 2 个字，如“理赔”）、客户姓名（开头）、手机号或身份证号"
    ordering = ["-created_at"]
    exclude = ["contact_phone", "contact_email"]

    def get_search_results(self, request, queryset, search_term):
        return selectors.tickets_matching(queryset, search_term), False

    raw_id_fields = [
        "customer",
        "vehicle",
        "policy",
        "queue",
        "assignee",
        "created_by",
        "escalated_to",
        "merged_into",
    ]


@admin.register(TicketEvent)
class TicketEventAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["ticket", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["ticket", "actor"]
    raw_id_fields = ["ticket", "actor", "message"]
    ordering = ["-created_at"]


@admin.register(Survey)
class SurveyAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["ticket", "channel", "agent", "queue", "sent_at", "answered_at", "score"]
    list_filter = ["channel", "score"]
    list_select_related = ["ticket", "agent", "queue"]
    exclude = ["token_hash"]
    raw_id_fields = ["ticket", "agent", "queue", "message"]
    ordering = ["-sent_at"]
