from django.contrib import admin

from core.admin import HardenedAdmin, ReadOnlyAdmin
from insights.models import RefreshJob, SummaryRun


@admin.register(SummaryRun)
class SummaryRunAdmin(HardenedAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["finished_at", "first_month", "last_month", "rows", "by"]
    list_select_related = ["by"]


@admin.register(RefreshJob)
class RefreshJobAdmin(HardenedAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "requested_at",
        "first_month",
        "status",
        "requested_by",
        "started_at",
        "finished_at",
        "error",
    ]
    list_filter = ["status"]
    list_select_related = ["requested_by"]
