"""The advanced filters of the hotline's results (django-filter). Each is served by an index:
branch and channel by (branch, end_date) / (channel, end_date), the cover-end range by
end_date, the renewal status by a range on start or end date (`status.status_condition`),
the vehicle category by an index on the vehicle's category."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms

from core.widgets import QuickSelect
from desks.hotline.status import AdvanceWindows, status_condition
from policies.branches import branch_choices
from policies.choices import PremiumCategory, RenewalStatus, SalesChannel

FORM_ID = "hotline-search"  # the one form the search box and the filters submit together


class DateInput(forms.DateInput):
    """Typed as 2026-05-01: quicker from the keyboard than a date picker."""

    def __init__(self, **kwargs):
        super().__init__(
            format="%Y-%m-%d", attrs={"placeholder": "如 2026-05-01", "inputmode": "numeric"}, **kwargs
        )


class VehicleFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("end_from"), data.get("end_to")
        if start and end and start > end:
            raise forms.ValidationError("保险止期范围有误：起始日期晚于结束日期。")
        return data


class VehicleFilter(django_filters.FilterSet):
    # Selects drawn in Python, the branches from this process's copy (no query, no template
    # per option: the page shows this form with every result).
    branch = django_filters.ChoiceFilter(
        label="承保网点", choices=branch_choices, empty_label="全部网点", widget=QuickSelect
    )
    renewal = django_filters.ChoiceFilter(
        label="续保状态", choices=RenewalStatus.choices, method="filter_renewal", empty_label="全部状态",
        widget=QuickSelect,
    )  # fmt: skip
    end_from = django_filters.DateFilter(
        label="保险止期 自", field_name="end_date", lookup_expr="gte", widget=DateInput()
    )
    end_to = django_filters.DateFilter(
        label="至", field_name="end_date", lookup_expr="lte", widget=DateInput()
    )
    channel = django_filters.ChoiceFilter(
        label="销售渠道", choices=SalesChannel.choices, empty_label="全部渠道", widget=QuickSelect
    )
    category = django_filters.ChoiceFilter(
        label="车辆类别",
        field_name="vehicle__premium_category",
        choices=PremiumCategory.choices,
        empty_label="全部类别",
        widget=QuickSelect,
    )

    class Meta:
        form = VehicleFilterForm
        fields = ["branch", "renewal", "end_from", "end_to", "channel", "category"]

    def __init__(self, data=None, *args, day: dt.date, windows: AdvanceWindows, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.day = day
        self.windows = windows
        for field in self.form.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs.update(
                {
                    "class": "form-select form-select-sm" if select else "form-control form-control-sm",
                    "form": FORM_ID,
                }
            )

    def filter_renewal(self, queryset, name, value):
        return queryset.filter(status_condition(value, self.day, self.windows))

    @property
    def active(self) -> bool:
        """Whether any filter is set (without one and without a term, nothing is listed)."""
        return self.is_bound and any(self.data.get(name) for name in self.filters)

    @classmethod
    def params(cls, data) -> dict[str, str]:
        """The filters' values among `data` (a search posted with them), for the results' URL."""
        return {name: data[name] for name in cls.base_filters if data.get(name)}
