"""Admin for supervisors: the limit table and signal thresholds as data, approval
authority per reviewer, and read-only, fast lists of claims, their history and ledger."""

from django.contrib import admin

from claims import models
from core.admin import CappedInline, HardenedAdmin, LargeTableAdmin, ReadOnlyAdmin
from core.masking import mask_id_number, mask_name
from policies.audit import log_person_view


@admin.register(models.LiabilityLimit)
class LiabilityLimitAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["category", "at_fault", "amount", "valid_from", "valid_to", "source"]
    list_filter = ["at_fault", "category", "valid_from"]
    ordering = ["valid_from", "-at_fault", "category"]


@admin.register(models.ClaimDeadline)
class ClaimDeadlineAdmin(HardenedAdmin, admin.ModelAdmin):
    """The legal deadlines of docs/regulation.md §6 as data: a change from the regulator is a new
    row from its effective date (the old row gets its `valid_to`)."""

    list_display = ["clock", "days", "valid_from", "valid_to", "source"]
    list_filter = ["clock"]
    ordering = ["clock", "valid_from"]


@admin.register(models.RiskThreshold)
class RiskThresholdAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["code", "value", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ApprovalAuthority)
class ApprovalAuthorityAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["user", "user_branch", "max_amount", "note", "updated_at"]
    list_select_related = ["user__branch"]
    list_filter = ["user__branch"]
    raw_id_fields = ["user"]
    search_fields = ["=user__username", "user__last_name"]
    search_help_text = "输入用户名或姓氏"

    @admin.display(description="网点")
    def user_branch(self, obj):
        return obj.user.branch


class EventInline(CappedInline, admin.TabularInline):
    model = models.ClaimEvent
    fields = ["seq", "at", "action", "from_state", "to_state", "by", "reason", "note", "step_seconds"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["seq"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class PartyInline(CappedInline, admin.TabularInline):
    model = models.Party
    fields = ["kind", "relation", "masked_name", "masked_id", "plate", "outcome", "description"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="姓名或名称")
    def masked_name(self, obj):
        return mask_name(obj.name) if obj.kind == "person" else obj.name

    @admin.display(description="身份证号码")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(models.Claim)
class ClaimAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    # Fits 1366 px beside the filters; newest first, sortable by the indexed columns.
    list_display = [
        "number",
        "state",
        "plate",
        "branch",
        "reported_at",
        "next_due_at",
        "reserve",
        "paid_total",
    ]
    sortable_by = ("number", "reported_at", "next_due_at")
    list_filter = ["state", "channel", "at_fault", "reject_reason", "late_report", "branch"]
    list_select_related = ["vehicle", "branch"]
    search_fields = ["=number", "=vehicle__plate", "=policy__number"]
    search_help_text = "输入赔案号、号牌号码或保单号"
    date_hierarchy = None
    ordering = ["-reported_at"]
    inlines = [PartyInline, EventInline]
    exclude = ["idempotency_key", "idempotency_fingerprint"]

    @admin.display(description="号牌号码")
    def plate(self, obj):
        return obj.vehicle.plate

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        claim = self.get_object(request, object_id)
        if claim is not None and response.status_code == 200:
            # The page shows the reporter's and the insured's contact details in full.
            log_person_view(request, claim.policy.insured, "admin")
        return response


@admin.register(models.Payment)
class PaymentAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "claim",
        "kind",
        "amount",
        "status",
        "recoverable",
        "approved_by",
        "approved_at",
        "paid_at",
    ]
    list_filter = ["kind", "status", "recoverable"]
    list_select_related = ["claim", "approved_by"]
    search_fields = ["=claim__number", "=reference"]
    ordering = ["-pk"]


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["claim", "payment", "category", "amount", "reverses", "at", "by"]
    list_filter = ["category"]
    list_select_related = ["claim", "payment", "by"]
    search_fields = ["=claim__number"]
    ordering = ["-pk"]


@admin.register(models.Recovery)
class RecoveryAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["claim", "amount", "debtor", "reference", "at", "by"]
    list_select_related = ["claim", "by"]
    search_fields = ["=claim__number", "=reference"]
    ordering = ["-pk"]


@admin.register(models.ClaimEvent)
class ClaimEventAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["claim", "seq", "action", "from_state", "to_state", "at", "by", "reason"]
    list_filter = ["action", "reason"]
    list_select_related = ["claim", "by"]
    search_fields = ["=claim__number"]
    ordering = ["-pk"]
