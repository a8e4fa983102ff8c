"""The dashboard's filters, read from the URL (GET) so a view can be shared: months, branches,
sales channel, vehicle category. No personal data ever goes in them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet

from core.clock import today
from policies.choices import PremiumCategory, SalesChannel
from policies.models import Branch
from policies.pricing import add_months

MONTH = re.compile(r"(\d{4})-(\d{1,2})")
DEFAULT_MONTHS = 12
MAX_MONTHS = 60


def _month(value: str) -> dt.date:
    match = MONTH.fullmatch(value.strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise forms.ValidationError("月份格式应为 年-月，如 2026-03。")
    return dt.date(int(match[1]), int(match[2]), 1)


def check_month_range(form: forms.Form, first: dt.date, last: dt.date) -> None:
    """The months from `first` to `last` in order and at most MAX_MONTHS of them, or an error
    on the form's "start" field."""
    if first > last:
        form.add_error("start", "起始月份晚于截止月份。")
    elif (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        form.add_error("start", f"一次最多查看 {MAX_MONTHS} 个月。")


class MonthField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            max_length=7,
            widget=forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        return _month(value) if value else None


@dataclass(frozen=True)
class Scope:
    """What the figures are of: months `first`..`last` (first days), the branches chosen (empty:
    every branch the user may see, `allowed`), a sales channel and a vehicle category ("": all)."""

    first: dt.date
    last: dt.date
    branches: tuple[Branch, ...]
    allowed: tuple[int, ...] | None  # None: every branch
    channel: str = ""
    category: str = ""

    @property
    def branch_ids(self) -> list[int] | None:
        """The branch ids to sum over (None: no branch restriction)."""
        if self.branches:
            return [b.pk for b in self.branches]
        return None if self.allowed is None else list(self.allowed)

    @property
    def channel_label(self) -> str:
        return SalesChannel(self.channel).label if self.channel else ""

    @property
    def category_label(self) -> str:
        return PremiumCategory(self.category).label if self.category else ""

    @property
    def compare(self) -> bool:
        return len(self.branches) > 1

    @property
    def months(self) -> list[dt.date]:
        result, month = [], self.first
        while month <= self.last:
            result.append(month)
            month = add_months(month, 1)
        return result

    def params(self) -> dict[str, list[str] | str]:
        """The scope as the dashboard's GET parameters (for links that keep it)."""
        return {
            "start": f"{self.first:%Y-%m}",
            "end": f"{self.last:%Y-%m}",
            "branch": [str(b.pk) for b in self.branches],
            "channel": self.channel,
            "category": self.category,
        }


class DashboardFilterForm(forms.Form):
    start = MonthField(label="起始月份")
    end = MonthField(label="截止月份")
    branch = forms.ModelMultipleChoiceField(
        label="网点",
        queryset=Branch.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": "网点不存在或不在您的管辖范围内。",
            "invalid_pk_value": "网点参数有误。",
        },
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm", "size": 1}),
    )
    channel = forms.ChoiceField(
        label="销售渠道",
        required=False,
        choices=[("", "全部渠道"), *SalesChannel.choices],
        error_messages={"invalid_choice": "销售渠道有误。"},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    category = forms.ChoiceField(
        label="车辆类别",
        required=False,
        choices=[("", "全部类别"), *PremiumCategory.choices],
        error_messages={"invalid_choice": "车辆类别有误。"},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, data, *, branches: QuerySet[Branch], every_branch: bool):
        super().__init__(data)
        self.branches = branches
        self.every_branch = every_branch
        self.fields["branch"].queryset = branches
        if every_branch:
            self.fields["branch"].widget.attrs.update({"size": 4, "multiple": True})
            self.fields["branch"].help_text = "可多选，按住 Ctrl 选择多个网点并排比较"

    def clean(self):
        data = super().clean()
        last = data.get("end") or today().replace(day=1)
        first = data.get("start") or add_months(last, -(DEFAULT_MONTHS - 1))
        check_month_range(self, first, last)
        data["start"], data["end"] = first, last
        return data

    def scope(self) -> Scope:
        """The scope asked for, or — when any filter is wrong — the default one (the errors are
        shown beside the fields)."""
        allowed = None if self.every_branch else tuple(b.pk for b in self.branches)
        last = today().replace(day=1)
        default = Scope(add_months(last, -(DEFAULT_MONTHS - 1)), last, (), allowed)
        if not self.is_valid():
            return default
        data = self.cleaned_data
        return Scope(
            first=data["start"],
            last=data["end"],
            branches=tuple(sorted(data["branch"], key=lambda b: b.code)),
            allowed=allowed,
            channel=data["channel"],
            category=data["category"],
        )
