import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from core.widgets import OneOrMoreSelect, QuickSelect
from policies.choices import PremiumCategory, SalesChannel
from policies.models import Branch

DEFAULT_DAYS = 90
MAX_DAYS = 366
_DATE = {"type": "date", "class": "form-control form-control-sm"}
_SELECT = {"class": "form-select form-select-sm"}


class PeriodForm(forms.Form):
    """The planning dates of the reminders whose conversion is shown."""

    first = forms.DateField(label="计划日期自", widget=forms.DateInput(format="%Y-%m-%d", attrs=_DATE))
    last = forms.DateField(label="至", widget=forms.DateInput(format="%Y-%m-%d", attrs=_DATE))

    @staticmethod
    def default_initial(day: dt.date) -> dict:
        return {"first": day - dt.timedelta(days=DEFAULT_DAYS - 1), "last": day}

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise ValidationError("开始日期不能晚于结束日期。")
            if (last - first).days >= MAX_DAYS:
                raise ValidationError(f"统计区间最长 {MAX_DAYS} 天。")
        return data

    def period(self, day: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen period, or the last 90 days when none (or an invalid one) was given."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["first"], self.cleaned_data["last"]
        initial = self.default_initial(day)
        return initial["first"], initial["last"]


class ConversionForm(PeriodForm):
    """The conversion page's period and the reminded policies' segment, as the dashboard's
    conversion chart filters it: branches (several when compared), sales channel, category."""

    branch = forms.ModelMultipleChoiceField(
        label="承保网点", queryset=Branch.objects.none(), required=False,
        widget=OneOrMoreSelect(attrs=_SELECT, empty_label="全部网点"),
        error_messages={"invalid_choice": "网点不存在或不在您的管辖范围内。", "invalid_pk_value": "网点参数有误。"},
    )  # fmt: skip
    channel = forms.ChoiceField(
        label="销售渠道", choices=[("", "全部渠道"), *SalesChannel.choices], required=False,
        widget=QuickSelect(attrs=_SELECT), error_messages={"invalid_choice": "销售渠道有误。"},
    )  # fmt: skip
    category = forms.ChoiceField(
        label="车辆类别", choices=[("", "全部类别"), *PremiumCategory.choices], required=False,
        widget=QuickSelect(attrs=_SELECT), error_messages={"invalid_choice": "车辆类别有误。"},
    )  # fmt: skip

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches

    def segment(self) -> dict:
        """The segment chosen, as `conversion_figures` takes it (every segment when none was,
        or the filters are wrong)."""
        if not (self.is_bound and self.is_valid()):
            return {}
        data = self.cleaned_data
        return {
            "branch_ids": [b.pk for b in data["branch"]] or None,
            "sales_channel": data["channel"],
            "category": data["category"],
        }

    def described(self) -> str:
        """The segment chosen in words, for the figures' caption ("" when every policy)."""
        if not (self.is_bound and self.is_valid()):
            return ""
        data = self.cleaned_data
        parts = ["、".join(b.name for b in data["branch"])]
        parts += [SalesChannel(data["channel"]).label if data["channel"] else ""]
        parts += [PremiumCategory(data["category"]).label if data["category"] else ""]
        return "，".join(p for p in parts if p)
