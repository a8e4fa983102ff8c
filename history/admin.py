"""The change history in admin: each tracked record's 历史 page shows its changes (old → new,
who, through which page or service), and 变更记录查询 searches them all.

The tracked models' admins are registered by their own apps; this app, listed after them in
INSTALLED_APPS, gives those admins its history page (as core.admin hardens the libraries'
admins), so no domain app imports it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse

from core.inputs import ascii_int
from history.models import EVENT_MODELS
from history.timeline import SEARCH_LIMIT, Query, object_history, search
from policies import access
from policies.models import User

MODEL_CHOICES = [("", "全部")] + [
    (model._meta.label_lower, str(model._meta.verbose_name)) for model in EVENT_MODELS
]
BY_LABEL = {model._meta.label_lower: model for model in EVENT_MODELS}

FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # days a search may name


class TrackedHistoryAdmin:
    """The admin's 历史 page of a tracked record: its change history from the triggers'
    tables instead of the admin's own log (which misses every change made elsewhere)."""

    object_history_template = "history/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("记录不存在，或不在您的权限范围内。")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"变更记录：{obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "changes": object_history(obj),
            "preserved_filters": self.get_preserved_filters(request),
        }
        return TemplateResponse(request, self.object_history_template, context)


def track_registered_admins(site: admin.AdminSite = admin.site) -> list[type]:
    """Give `TrackedHistoryAdmin` to the registered admins of the tracked models."""
    tracked = []
    for model in EVENT_MODELS:
        model_admin = site._registry.get(model)
        if model_admin is None or isinstance(model_admin, TrackedHistoryAdmin):
            continue
        base = type(model_admin)
        site.unregister(model)
        site.register(
            model, type(base.__name__, (TrackedHistoryAdmin, base), {"__module__": base.__module__})
        )
        tracked.append(model)
    return tracked


class SearchForm(forms.Form):
    model = forms.ChoiceField(label="记录类型", choices=MODEL_CHOICES, required=False)
    object_id = forms.CharField(label="记录编号（ID）", required=False, max_length=19)
    username = forms.CharField(label="操作人用户名", required=False, max_length=150)
    since = forms.DateField(
        label="日期 自", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    until = forms.DateField(
        label="至", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def clean_object_id(self):
        value = self.cleaned_data["object_id"].strip()
        if not value:
            return None
        number = ascii_int(value)
        if number is None:
            raise forms.ValidationError("记录编号应为数字。")
        return number

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        if not value:
            return None
        user = User.objects.filter(username=value).first()
        if user is None:
            raise forms.ValidationError("没有该用户名的员工。")
        return user

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("日期范围有误：起始日期晚于结束日期。")
        for name in ("since", "until"):
            day = data.get(name)
            if day and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, f"日期应在 {FIRST_DAY:%Y} 年至 {LAST_DAY:%Y} 年之间。")
        return data

    def query(self) -> Query:
        data = self.cleaned_data
        return Query(
            model=BY_LABEL.get(data["model"]), object_id=data["object_id"], user=data["username"],
            since=data["since"], until=data["until"],
        )  # fmt: skip


def can_search_history(user) -> bool:
    return user.is_active and user.is_staff and access.can_view_dashboards(user)


def search_view(request):
    """变更记录查询: the newest changes by record type, record, person and days."""
    if not can_search_history(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET or None)
    changes = (
        search(form.query())
        if form.is_bound and form.is_valid()
        else search(Query())
        if not form.is_bound
        else []
    )
    context = {
        **admin.site.each_context(request),
        "title": "变更记录查询",
        "form": form,
        "changes": changes,
        "limit": SEARCH_LIMIT,
    }
    return TemplateResponse(request, "history/search.html", context)


track_registered_admins()
