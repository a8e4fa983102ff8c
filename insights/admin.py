from django.contrib import admin

from core.admin import HardenedAdmin, ReadOnlyAdmin
from insights.models import SummaryRun


@admin.register(SummaryRun)
class SummaryRunAdmin(HardenedAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["finished_at", "first_month", "last_month", "rows", "by"]
    list_select_related = ["by"]
