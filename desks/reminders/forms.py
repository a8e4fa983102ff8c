import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

DEFAULT_DAYS = 90
MAX_DAYS = 366
_DATE = {"type": "date", "class": "form-control form-control-sm"}


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
