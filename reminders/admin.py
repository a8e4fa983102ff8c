"""Admin for the reminders: the cadence supervisors edit, opt-outs, reminders, stops and
the renewal call list."""

from django.contrib import admin

from core.admin import CappedInline, HardenedAdmin, LargeTableAdmin, PrivateSearchAdmin, ReadOnlyAdmin
from core.masking import mask_phone, mask_plate
from policies.audit import log_person_view
from reminders import models as reminder_models


@admin.register(reminder_models.CadenceStep)
class CadenceStepAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["channel", "days_left", "when", "is_active", "note", "updated_at"]
    list_display_links = ["channel", "days_left"]
    list_editable = ["is_active"]
    list_filter = ["channel", "is_active"]
    ordering = ["channel", "-days_left"]

    @admin.display(description="提醒时点")
    def when(self, obj):
        return obj.when


@admin.register(reminder_models.ReminderOptOut)
class ReminderOptOutAdmin(PrivateSearchAdmin, LargeTableAdmin, admin.ModelAdmin):
    list_display = ["person_name", "masked_phone", "channel", "reason", "created_by", "created_at"]
    list_filter = ["channel"]
    list_select_related = ["person", "created_by"]
    raw_id_fields = ["person"]
    readonly_fields = ["created_by", "created_at"]
    search_fields = ["=person__phone", "=person__id_number"]
    search_help_text = "输入客户手机号或身份证号"
    ordering = ["-pk"]

    @admin.display(description="客户")
    def person_name(self, obj):
        return obj.person.name

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return mask_phone(obj.person.phone)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(reminder_models.Reminder)
class ReminderAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["planned_for", "channel", "days_left", "policy", "message_status"]
    list_filter = ["channel", "days_left", "planned_for"]
    list_select_related = ["policy", "message"]
    raw_id_fields = ["policy", "person", "message", "step"]
    search_fields = ["=policy__number"]
    search_help_text = "输入保单号"
    ordering = ["-pk"]

    @admin.display(description="消息状态")
    def message_status(self, obj):
        return obj.message.get_status_display() if obj.message else "—"


@admin.register(reminder_models.ReminderStop)
class ReminderStopAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["policy", "channel", "reason", "created_at"]
    list_filter = ["channel", "reason"]
    raw_id_fields = ["policy", "call"]
    search_fields = ["=policy__number"]
    ordering = ["-pk"]


class CallAttemptInline(CappedInline, admin.TabularInline):
    model = reminder_models.RenewalCallAttempt
    extra = 0
    fields = ["created_at", "agent", "outcome", "call_back_at", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(reminder_models.RenewalCall)
class RenewalCallAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = [
        "due_date", "branch", "plate", "masked_phone", "days_left", "assigned_to", "status", "outcome",
        "attempts", "call_after",
    ]  # fmt: skip
    list_filter = ["status", "outcome", "branch"]
    list_select_related = ["branch", "vehicle", "assigned_to"]
    raw_id_fields = ["reminder", "policy", "vehicle", "person", "assigned_to"]
    readonly_fields = ["attempts", "first_attempt_at", "last_attempt_at", "closed_at", "created_at"]
    search_fields = ["=vehicle__plate", "=policy__number"]
    search_help_text = "输入号牌号码或保单号"
    inlines = [CallAttemptInline]
    ordering = ["-pk"]

    @admin.display(description="号牌号码")
    def plate(self, obj):
        return mask_plate(obj.vehicle.plate)

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        call = self.get_object(request, object_id)
        if call is not None and response.status_code == 200:  # the full phone number is on the page
            log_person_view(request, call.person, "admin")
        return response
