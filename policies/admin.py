from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import (
    CappedInline,
    HardenedAdmin,
    LargeTableAdmin,
    PrivateSearchAdmin,
    ReadOnlyAdmin,
    RecentValuesListFilter,
    RevealAdmin,
)
from core.masking import mask_id_number, mask_phone
from policies import access, models, search, services
from policies.audit import log_person_view
from policies.identifiers import normalize
from policies.roles import role_of


def _search_by_kind(queryset, term: str, fields_by_kind: dict):
    """Exact, indexed lookups for what the term is (an ID number, a plate, …)."""
    condition = Q()
    for kind, value in search.classify(term):
        field = fields_by_kind.get(kind)
        if field:
            condition |= Q(**{field: value})
    return queryset.filter(condition) if condition else queryset.none()


@admin.register(models.Branch)
class BranchAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "province", "city", "is_active"]
    list_filter = ["province", "is_active"]
    search_fields = ["code", "name", "city"]


STAFF_HELP = (
    "主管可为本网点（总部主管：各网点）创建和管理柜面人员、热线坐席、理赔人员账号，只能通过岗位授权；"
    "主管岗位、超级管理员、管理后台权限（职员状态）、单项权限和其他用户组只能由超级管理员设置。"
    "修改密码请用密码页面。"
)


class _StaffRoleFields(forms.Form):
    """The role and branch a supervisor gives, limited to what they may give (policies.access)."""

    by: models.User  # the supervisor, bound by UserAdmin.get_form

    role = forms.ChoiceField(label="岗位", help_text=STAFF_HELP)
    branch = forms.ModelChoiceField(label="所属网点", queryset=models.Branch.objects.none())

    def _limit_to_scope(self) -> None:
        self.fields["role"].choices = [("", "---------")] + [(r, r) for r in access.roles_for_user(self.by)]
        self.fields["branch"].queryset = access.branches_for_user(self.by).order_by("code")

    def _check_scope(self, cleaned: dict) -> None:
        role, branch = cleaned.get("role"), cleaned.get("branch")
        if role and branch and not access.can_give_role(self.by, role, branch):
            self.add_error("role", services.STAFF_ROLE_REFUSED)
        if self.instance.pk and not access.can_manage_staff(self.by, self.instance):
            raise forms.ValidationError(services.STAFF_NOT_YOURS)


class StaffAccountChangeForm(_StaffRoleFields, UserChangeForm):
    """A supervisor's change form: role, branch, active flag and names; the password only
    through Django's password-change form (the hash is shown read-only)."""

    class Meta(UserChangeForm.Meta):
        model = models.User
        fields = ["username", "password", "last_name", "first_name", "email", "is_active", "branch"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_to_scope()
        self.initial.setdefault("role", role_of(self.instance) or "")

    def clean(self):
        cleaned = super().clean()
        self._check_scope(cleaned)
        return cleaned


class StaffAccountAddForm(_StaffRoleFields, AdminUserCreationForm):
    """A supervisor's add form: login, password, role, branch and names — nothing else."""

    class Meta(AdminUserCreationForm.Meta):
        model = models.User
        fields = ["username", "last_name", "first_name", "email", "branch"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_to_scope()

    def clean(self):
        cleaned = super().clean()
        self._check_scope(cleaned)
        return cleaned


@admin.register(models.User)
class UserAdmin(HardenedAdmin, BaseUserAdmin):
    """Superusers edit every account in full. A supervisor sees and edits only the accounts
    `policies.access.staff_for_user` gives them, through the role and branch (StaffAccount*Form),
    and every save goes through `policies.services.staff_account_save`, which checks again."""

    list_display = ["username", "last_name", "first_name", "branch", "is_active", "is_staff"]
    list_filter = ["groups", "branch", "is_active", "is_staff"]
    list_select_related = ["branch"]
    autocomplete_fields = ["branch"]
    fieldsets = BaseUserAdmin.fieldsets + (("岗位", {"fields": ("branch",), "description": STAFF_HELP}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("岗位", {"fields": ("branch", "groups"), "description": STAFF_HELP}),
    )
    staff_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("岗位", {"fields": ("role", "branch", "is_active"), "description": STAFF_HELP}),
        ("个人信息", {"fields": ("last_name", "first_name", "email")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    staff_add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("岗位", {"fields": ("role", "branch"), "description": STAFF_HELP}),
        ("个人信息", {"fields": ("last_name", "first_name", "email")}),
    )

    def _full(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._full(request):
            return queryset
        return queryset.filter(pk__in=access.staff_for_user(request.user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        if self._full(request):
            return super().get_fieldsets(request, obj)
        return self.staff_fieldsets if obj is not None else self.staff_add_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if self._full(request):
            return super().get_readonly_fields(request, obj)
        return ("username", "last_login", "date_joined") if obj is not None else ()

    def get_form(self, request, obj=None, **kwargs):
        if not self._full(request):
            base = StaffAccountChangeForm if obj is not None else StaffAccountAddForm
            kwargs["form"] = type(base.__name__, (base,), {"by": request.user})
        return super().get_form(request, obj, **kwargs)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and access.can_manage_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and access.can_manage_staff(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and access.can_manage_staff(request.user, obj)

    def save_model(self, request, obj, form, change):
        if self._full(request):
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        try:
            services.staff_account_save(
                by=request.user,
                user=obj,
                role=data["role"],
                branch=data["branch"],
                is_active=data.get("is_active", obj.is_active),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
        except ValidationError as error:  # the form checked the same rules; a race lands here
            raise PermissionDenied(" ".join(error.messages)) from error


class LicenceInline(CappedInline, admin.TabularInline):
    model = models.DrivingLicence
    extra = 0
    fields = ["number", "file_number", "classes", "first_issued", "valid_from", "valid_to"]
    widths = {"number": "13em", "file_number": "9em", "classes": "6em"}  # admin CSS makes each 20em

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in self.widths:
            field.widget.attrs["style"] = f"width: {self.widths[db_field.name]}"
        return field


@admin.register(models.Person)
class PersonAdmin(PrivateSearchAdmin, LargeTableAdmin, admin.ModelAdmin):
    list_display = ["name", "masked_id", "masked_phone_number", "created_at"]
    search_fields = ["name"]
    search_help_text = "输入身份证号、手机号，或姓名开头"
    inlines = [LicenceInline]
    ordering = ["-pk"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "address":
            field.widget.attrs["style"] = "width: 36em"
        return field

    @admin.display(description="身份证号码")
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description="手机号码")
    def masked_phone_number(self, obj):
        return mask_phone(obj.phone)

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        kinds = dict(search.classify(search_term))
        if search.TermKind.NAME in kinds:
            return queryset.filter(name__startswith=kinds[search.TermKind.NAME]), False
        return _search_by_kind(
            queryset, search_term, {search.TermKind.ID_NUMBER: "id_number", search.TermKind.PHONE: "phone"}
        ), False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        person = self.get_object(request, object_id)
        if person is not None and response.status_code == 200:
            log_person_view(request, person, "admin")
        return response


@admin.register(models.DrivingLicence)
class DrivingLicenceAdmin(RevealAdmin, PrivateSearchAdmin, LargeTableAdmin, admin.ModelAdmin):
    list_display = ["masked_number", "file_number", "classes", "valid_from", "valid_to"]
    list_select_related = ["holder"]
    raw_id_fields = ["holder"]
    search_fields = ["=file_number", "=number"]
    search_help_text = "输入档案编号或证号（身份证号码）"
    sortable_by = ("file_number",)
    ordering = ["-pk"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        term = normalize(search_term)
        return queryset.filter(Q(file_number=term) | Q(number=term)), False

    @admin.display(description="证号")
    def masked_number(self, obj):
        return mask_id_number(obj.number)

    # The change page shows the licence number (= the holder's ID number) masked; the full
    # number only through "显示完整信息", which writes the access log (core.admin.RevealAdmin).
    @admin.display(description="证号（身份证号码）")
    def masked_number_with_reveal(self, obj):
        return format_html("{}{}", mask_id_number(obj.number), self.reveal_button(obj))

    def get_exclude(self, request, obj=None):
        return ["number"] if obj is not None else super().get_exclude(request, obj)

    def get_readonly_fields(self, request, obj=None):
        shown = list(super().get_readonly_fields(request, obj))
        return ["masked_number_with_reveal", *shown] if obj is not None else shown

    def reveal_rows(self, obj):
        return [
            ("持证人", obj.holder.name),
            ("证号（身份证号码）", obj.number),
            ("档案编号", obj.file_number),
        ]

    def log_reveal(self, request, obj):
        log_person_view(request, obj.holder, "admin_reveal")


@admin.register(models.Vehicle)
class VehicleAdmin(PrivateSearchAdmin, LargeTableAdmin, admin.ModelAdmin):
    list_display = ["plate", "vin", "premium_category", "energy_type", "registration_date", "owner_name"]
    list_filter = ["premium_category", "energy_type"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    search_fields = ["=plate", "=vin"]
    search_help_text = "输入号牌号码或车辆识别代号（VIN）"
    sortable_by = ("plate", "vin")
    ordering = ["-pk"]

    @admin.display(description="所有人")
    def owner_name(self, obj):
        return obj.owner.name

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return _search_by_kind(
            queryset, search_term, {search.TermKind.PLATE: "plate", search.TermKind.VIN: "vin"}
        ), False


FINANCIAL_FIELDS = [
    "start_date", "start_hour", "end_date", "original_end_date", "status", "cancelled_on", "cancel_reason",
    "cancel_document", "cancelled_by", "refund", "base_premium", "floating_plan", "floating_reason",
    "floating_rate", "drink_driving_rate", "drink_driving_offences", "premium", "vehicle_tax", "total",
    "at_fault_claims", "fatal_claims",
]  # fmt: skip


class PolicyCorrectionForm(forms.Form):
    premium = forms.DecimalField(label="交强险保费（元）", max_digits=10, decimal_places=2, min_value=0)
    vehicle_tax = forms.DecimalField(label="车船税（元）", max_digits=10, decimal_places=2, min_value=0)
    start_date = forms.DateField(
        label="保险起期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label="保险止期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    reason = forms.CharField(
        label="更正原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )

    def __init__(self, *args, policy, **kwargs):
        initial = {
            name: getattr(policy, name) for name in ("premium", "vehicle_tax", "start_date", "end_date")
        }
        super().__init__(*args, initial=initial, **kwargs)


@admin.register(models.Policy)
class PolicyAdmin(PrivateSearchAdmin, LargeTableAdmin, admin.ModelAdmin):
    list_display = [
        "number", "plate", "holder_name", "branch_name", "cover_end", "floating", "premium", "status",
    ]  # fmt: skip
    list_filter = ["status", "channel", "term_kind", "floating_reason", "branch"]
    list_select_related = ["vehicle", "branch", "policyholder"]
    raw_id_fields = ["vehicle", "policyholder", "insured", "renewed_from", "issued_by"]
    autocomplete_fields = ["branch"]
    search_fields = ["=number"]
    search_help_text = "输入保单号、号牌号码或车辆识别代号"
    # Money, cover dates and status change only through the services (renewal, cancellation,
    # correction with a reason), never by editing the row here.
    readonly_fields = ["correction", *FINANCIAL_FIELDS, "issued_at"]
    sortable_by = ("number", "cover_end")
    ordering = ["-pk"]

    def get_urls(self):
        correct = path(
            "<path:object_id>/correct/",
            self.admin_site.admin_view(self.correct_view),
            name="policies_policy_correct",
        )
        return [correct, *super().get_urls()]

    @admin.display(description="更正")
    def correction(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a class="button" href="{}" data-testid="correct-policy">更正保费、车船税或保险期间</a>'
            '<div class="help">须说明原因；更正前后的数值、操作人和原因记入变更记录。</div>',
            reverse("admin:policies_policy_correct", args=[obj.pk]),
        )

    def correct_view(self, request, object_id):
        """更正保单: the correction form, one call of `policy_correct`, back to the policy."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("记录不存在，或不在您的权限范围内。")
        if not access.can_correct_policy(request.user):
            raise PermissionDenied
        form = PolicyCorrectionForm(request.POST or None, policy=obj)
        if request.method == "POST" and form.is_valid():
            try:
                changed = services.policy_correct(policy=obj, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if changed:
                    messages.success(
                        request, f"已更正保单 {obj.number} 的{'、'.join(changed)}，已记入变更记录。"
                    )
                else:
                    messages.info(request, "填写的数值与保单现有数值相同，未作修改。")
                return redirect("admin:policies_policy_change", obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"更正保单 {obj.number}",
            "form": form,
        }
        return TemplateResponse(request, "admin/policies/policy_correct.html", context)

    @admin.display(description="号牌号码")
    def plate(self, obj):
        return obj.vehicle.plate

    @admin.display(description="投保人")
    def holder_name(self, obj):
        return obj.policyholder.name

    @admin.display(description="承保网点")
    def branch_name(self, obj):
        return obj.branch.name

    @admin.display(description="保险止期", ordering="end_date")
    def cover_end(self, obj):
        return obj.end_date.isoformat()

    @admin.display(description="浮动")
    def floating(self, obj):
        return format_html(
            '<span title="{}">{} {}</span>',
            obj.get_floating_reason_display(), obj.floating_reason, f"{obj.floating_percent:+d}%",
        )  # fmt: skip

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return _search_by_kind(
            queryset,
            search_term,
            {
                search.TermKind.POLICY_NUMBER: "number",
                search.TermKind.PLATE: "vehicle__plate",
                search.TermKind.VIN: "vehicle__vin",
            },
        ), False


@admin.register(models.PremiumEntry)
class PremiumEntryAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    """The premium ledger: what the counter charged and refunded, how, and by whom (append-only)."""

    list_display = ["at", "policy_number", "kind", "amount", "method", "reference", "by"]
    list_filter = ["kind", "method"]
    list_select_related = ["policy", "by"]
    raw_id_fields = ["policy", "by"]
    sortable_by = ("at",)
    ordering = ["-at"]

    @admin.display(description="保单号")
    def policy_number(self, obj):
        return obj.policy.number


@admin.register(models.DrinkDrivingRecord)
class DrinkDrivingRecordAdmin(HardenedAdmin, admin.ModelAdmin):
    """Drink-driving offences (docs/regulation.md §2): added through `drink_driving_record_add`,
    which counts each in the record of the policy that covered its day; never edited."""

    list_display = ["offence_date", "vehicle", "kind", "decision_number", "recorded_by", "recorded_at"]
    list_filter = ["kind"]
    list_select_related = ["vehicle", "recorded_by"]
    raw_id_fields = ["vehicle", "driver"]
    fields = ["vehicle", "driver", "offence_date", "kind", "decision_number"]
    search_fields = ["=decision_number"]
    ordering = ["-offence_date", "-pk"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        record = services.drink_driving_record_add(
            vehicle=obj.vehicle,
            offence_date=obj.offence_date,
            kind=obj.kind,
            decision_number=obj.decision_number,
            driver=obj.driver,
            by=request.user,
        )
        obj.pk = record.pk


class AccessPageFilter(RecentValuesListFilter):
    title = "页面"
    parameter_name = "page"
    order_field = "-accessed_at"


@admin.register(models.PersonAccessLog)
class PersonAccessLogAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["accessed_at", "user", "person_name", "page", "path", "ip_address"]
    list_filter = [AccessPageFilter]
    list_select_related = ["user", "person"]
    raw_id_fields = ["user", "person"]
    sortable_by = ("accessed_at",)
    ordering = ["-accessed_at"]

    @admin.display(description="被查看客户")
    def person_name(self, obj):
        return obj.person.name


@admin.register(models.NumberSequence)
class NumberSequenceAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["name", "last_value"]

    def has_change_permission(self, request, obj=None):
        return False


class TariffAdmin(HardenedAdmin, admin.ModelAdmin):
    list_filter = ["valid_from", "valid_to"]
    date_hierarchy = None


@admin.register(models.BasePremiumRate)
class BasePremiumRateAdmin(TariffAdmin):
    list_display = ["category", "amount", "valid_from", "valid_to", "source"]
    list_filter = ["category"]


@admin.register(models.FloatingPlanRegion)
class FloatingPlanRegionAdmin(TariffAdmin):
    list_display = ["region", "plan", "valid_from", "valid_to"]
    list_filter = ["plan"]


@admin.register(models.FloatingRate)
class FloatingRateAdmin(TariffAdmin):
    list_display = ["plan", "reason", "rate", "valid_from", "valid_to", "source"]
    list_filter = ["plan", "reason"]


@admin.register(models.ShortTermRate)
class ShortTermRateAdmin(TariffAdmin):
    list_display = ["months", "percent", "valid_from", "valid_to", "source"]


@admin.register(models.VehicleTaxRate)
class VehicleTaxRateAdmin(TariffAdmin):
    list_display = [
        "province",
        "displacement_above",
        "displacement_up_to",
        "annual_amount",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["province"]


@admin.register(models.ProvinceRule)
class ProvinceRuleAdmin(TariffAdmin):
    list_display = [
        "province",
        "advance_renewal_days",
        "immediate_cover",
        "drink_driving_surcharge",
        "valid_from",
    ]
