"""Admin of API client keys (supervisors issue and revoke them) and their usage."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone

from channels.api.services import api_key_issue, api_key_revoke
from channels.models import ApiKey, ApiUsage
from core.admin import HardenedAdmin, LargeTableAdmin, ReadOnlyAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(HardenedAdmin, admin.ModelAdmin):
    list_display = ["name", "channel", "prefix", "requests_per_minute", "created_at", "created_by", "state"]
    list_filter = ["channel", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["created_by"]
    search_fields = ["=prefix", "name"]
    actions = ["revoke"]
    ordering = ["-created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "channel", "requests_per_minute"]
        return [
            "name",
            "channel",
            "prefix",
            "requests_per_minute",
            "created_at",
            "created_by",
            "revoked_at",
            "revoked_by",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["channel", "prefix", "created_at", "created_by", "revoked_at", "revoked_by"]

    @admin.display(description="状态")
    def state(self, obj: ApiKey) -> str:
        return "有效" if obj.is_active else f"已停用（{timezone.localtime(obj.revoked_at):%Y-%m-%d %H:%M}）"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # The raw key lives only in this request, for the page that shows it once.
            request.issued_api_key = api_key_issue(key=obj, created_by=request.user).raw

    def response_add(self, request, obj, post_url_continue=None):
        raw = getattr(request, "issued_api_key", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "key": obj,
            "raw_key": raw,
            "title": "API 密钥已创建",
        }
        response = TemplateResponse(request, "channels/admin_key_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="停用所选密钥", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(key=key, by=request.user)
            revoked += 1
        self.message_user(
            request, f"已停用 {revoked} 个密钥，使用这些密钥的请求将返回 401。", messages.SUCCESS
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the usage figures keep pointing at the key


@admin.register(ApiUsage)
class ApiUsageAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "day",
        "key",
        "channel",
        "endpoint",
        "requests",
        "succeeded",
        "not_found",
        "rejected",
        "limited",
    ]
    list_filter = ["key__channel", "endpoint", "day"]
    list_select_related = ["key"]
    date_hierarchy = "day"
    ordering = ["-day", "key"]

    @admin.display(description="渠道")
    def channel(self, obj: ApiUsage) -> str:
        return obj.key.get_channel_display()
