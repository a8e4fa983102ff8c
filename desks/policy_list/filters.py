"""The filters of the supervisors' policy list — the policies behind a figure of the dashboard:
which figure (`kind`), its months, and the dashboard's branch, sales channel and category."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db import models
from django.db.models import QuerySet

from core.widgets import OneOrMoreSelect, QuickSelect
from insights.access import branches_for_user
from insights.forms import MonthField, check_month_range
from policies.choices import PremiumCategory, SalesChannel
from policies.figures import renewed_within_grace
from policies.models import Branch, Policy
from policies.pricing import add_months

_SELECT = {"class": "form-select form-select-sm"}


class ListKind(models.TextChoices):
    LAPSED = "lapsed", "期满脱保（30 日内未续保）"
    RENEWED = "renewed", "期满续保（30 日内续保）"
    STARTED = "started", "起保"


def in_months(kind: str, queryset: QuerySet[Policy], *, first: dt.date, last: dt.date, day: dt.date):
    """The policies of the dashboard's figure `kind` in the months `first`..`last` (first days),
    to `day` — the rows `insights.refresh` counts (cancelled policies left out): ended in the
    months and renewed within the grace or not (lapsed, also when insured again later), or
    started in them."""
    until = min(add_months(last, 1) - dt.timedelta(days=1), day)
    queryset = queryset.not_cancelled()
    if kind == ListKind.STARTED:
        return queryset.filter(start_date__gte=first, start_date__lte=until)
    ended = queryset.filter(end_date__gte=first, end_date__lte=until)
    renewed = renewed_within_grace()
    return ended.filter(renewed) if kind == ListKind.RENEWED else ended.filter(~renewed)


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(
        label="统计口径", choices=ListKind.choices, widget=forms.Select(attrs=_SELECT),
        error_messages={"required": "请选择统计口径。", "invalid_choice": "统计口径有误。"},
    )  # fmt: skip
    start = MonthField(label="起始月份")
    end = MonthField(label="截止月份")

    def clean(self):
        data = super().clean()
        first, last = data.get("start"), data.get("end")
        if "start" in data and "end" in data:  # both parsed (or empty)
            if not first and not last:
                self.add_error("start", "请选择月份。")
                return data
            first, last = first or last, last or first
            check_month_range(self, first, last)
            data["start"], data["end"] = first, last
        return data


def _branches(request) -> QuerySet[Branch]:
    return branches_for_user(request.user) if request else Branch.objects.none()


class PolicyListFilter(django_filters.FilterSet):
    branch = django_filters.ModelMultipleChoiceFilter(
        label="承保网点", queryset=_branches, widget=OneOrMoreSelect(attrs=_SELECT, empty_label="全部网点"),
        error_messages={"invalid_choice": "网点不存在或不在您的管辖范围内。", "invalid_pk_value": "网点参数有误。"},
    )  # fmt: skip
    channel = django_filters.ChoiceFilter(
        label="销售渠道", choices=SalesChannel.choices, empty_label="全部渠道", widget=QuickSelect(attrs=_SELECT),
        error_messages={"invalid_choice": "销售渠道有误。"},
    )  # fmt: skip
    category = django_filters.ChoiceFilter(
        label="车辆类别", field_name="vehicle__premium_category", choices=PremiumCategory.choices,
        empty_label="全部类别", widget=QuickSelect(attrs=_SELECT),
        error_messages={"invalid_choice": "车辆类别有误。"},
    )  # fmt: skip

    class Meta:
        model = Policy
        form = PeriodForm
        fields = ["branch", "channel", "category"]

    def __init__(self, data=None, *args, day: dt.date, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.day = day
        for name in ("start", "end"):
            self.form.fields[name].widget.attrs["class"] = "form-control form-control-sm"

    @property
    def kind(self) -> str:
        return self.form.cleaned_data["kind"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        for name, selected in self.filters.items():  # kind and months are the form's, not filters
            queryset = selected.filter(queryset, data.get(name))
        return in_months(data["kind"], queryset, first=data["start"], last=data["end"], day=self.day)
