"""The claim queue's filters: state, branch, deadline, channel, risk, and one search box."""

from __future__ import annotations

import datetime as dt
from functools import partial

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from claims.choices import ClaimChannel, ClaimState
from claims.models import Claim, ClaimEvent, Recovery
from claims.workflow import OPEN_STATES, UNDECIDED_STATES
from core.clock import local, start_of_day
from core.widgets import OneOrMoreSelect
from policies.branches import branch_choices
from policies.choices import PremiumCategory, SalesChannel
from policies.identifiers import normalize
from policies.search import TermKind, classify

STATE_CHOICES = [("open", "未决赔案"), ("all", "全部赔案"), *ClaimState.choices]
DEADLINE_CHOICES = [
    ("overdue", "已逾期"),
    ("today", "今日到期"),
    ("three_days", "3 日内到期"),
    ("breached", "曾超时"),
    ("decision", "超 5 日核定时限"),
]


class ClaimFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        since, until = data.get("left_from"), data.get("left_to")
        if since and until and since > until:
            self.add_error("left_to", "离开日期的结束日不能早于开始日。")
        return data


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="查找", method="search",
        widget=forms.TextInput(attrs={"placeholder": "赔案号、号牌、VIN 或保单号"}),
    )  # fmt: skip
    state = django_filters.ChoiceFilter(
        label="状态", choices=STATE_CHOICES, method="by_state", empty_label=None
    )
    # The open branches from this process's copy, drawn in Python (core.widgets): no query and
    # no template per option on every page of the queue.
    # Several only from the dashboard comparing branches (core.widgets.OneOrMoreSelect).
    branch = django_filters.MultipleChoiceFilter(
        label="网点",
        choices=partial(branch_choices, active_only=True),
        widget=OneOrMoreSelect(empty_label="全部网点"),
    )
    deadline = django_filters.ChoiceFilter(
        label="时限", choices=DEADLINE_CHOICES, method="by_deadline", empty_label="全部"
    )
    channel = django_filters.ChoiceFilter(
        label="报案渠道", choices=ClaimChannel.choices, empty_label="全部渠道"
    )
    # The dashboard's drill-downs: the month a figure counts, the policy's segment.
    reported_from = django_filters.DateFilter(label="报案日期 自", method="reported_since")
    reported_to = django_filters.DateFilter(label="报案日期 至", method="reported_until")
    paid_from = django_filters.DateFilter(label="支付日期 自", method="paid_since")
    paid_to = django_filters.DateFilter(label="支付日期 至", method="paid_until")
    recovered_from = django_filters.DateFilter(label="追偿到账 自", method="recovered_between")
    recovered_to = django_filters.DateFilter(label="追偿到账 至", method="recovered_between")
    # A step-time point: the claims that left the step within the dates (a claim that left it
    # twice is listed once, while the figure counts both departures).
    left_step = django_filters.ChoiceFilter(
        label="离开环节", choices=ClaimState.choices, method="left_between", empty_label="全部"
    )
    left_from = django_filters.DateFilter(label="离开日期 自", method="left_between")
    left_to = django_filters.DateFilter(label="离开日期 至", method="left_between")
    sales_channel = django_filters.ChoiceFilter(
        label="销售渠道", field_name="policy__channel", choices=SalesChannel.choices, empty_label="全部"
    )
    category = django_filters.ChoiceFilter(
        label="车辆类别", field_name="vehicle__premium_category", choices=PremiumCategory.choices,
        empty_label="全部",
    )  # fmt: skip
    risk = django_filters.BooleanFilter(
        label="风险提示", method="by_risk",
        widget=forms.Select(choices=[("", "全部"), ("true", "有风险提示"), ("false", "无风险提示")]),
    )  # fmt: skip

    class Meta:
        model = Claim
        fields = [
            "q", "state", "branch", "deadline", "channel", "risk",
            "reported_from", "reported_to", "paid_from", "paid_to", "recovered_from", "recovered_to",
            "left_step", "left_from", "left_to", "sales_channel", "category",
        ]  # fmt: skip
        form = ClaimFilterForm

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("state", "open")  # the queue is the open claims unless asked otherwise
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        term = normalize(value)
        if not term:
            return queryset
        condition = Q(number=term)
        for kind, normalised in classify(value):
            if kind == TermKind.PLATE:
                condition |= Q(vehicle__plate=normalised)
            elif kind == TermKind.VIN:
                condition |= Q(vehicle__vin=normalised)
            elif kind == TermKind.POLICY_NUMBER:
                condition |= Q(policy__number=normalised)
        return queryset.filter(condition)

    def by_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if value == "all":
            return queryset
        return queryset.filter(state=value)

    def by_deadline(self, queryset, name, value):
        now = timezone.now()
        midnight = start_of_day(local(now).date() + dt.timedelta(days=1))
        match value:
            case "overdue":
                return queryset.filter(next_due_at__lte=now)
            case "today":
                return queryset.filter(next_due_at__gt=now, next_due_at__lte=midnight)
            case "three_days":
                return queryset.filter(next_due_at__gt=now, next_due_at__lte=midnight + dt.timedelta(days=2))
            case "breached":
                return queryset.filter(
                    Q(documents_breached=True) | Q(decision_breached=True) | Q(payment_breached=True)
                )
            case "decision":  # decided late, or still undecided past the 5 days (docs/regulation.md §6)
                return queryset.filter(
                    Q(decision_breached=True)
                    | Q(decided_at__isnull=True, decision_due_at__lte=now, state__in=UNDECIDED_STATES)
                )
        return queryset

    def reported_since(self, queryset, name, value):
        return queryset.filter(reported_at__gte=start_of_day(value))

    def reported_until(self, queryset, name, value):
        return queryset.filter(reported_at__lt=start_of_day(value + dt.timedelta(days=1)))

    def paid_since(self, queryset, name, value):
        return queryset.filter(paid_at__gte=start_of_day(value))

    def paid_until(self, queryset, name, value):
        return queryset.filter(paid_at__lt=start_of_day(value + dt.timedelta(days=1)))

    def recovered_between(self, queryset, name, value):
        """The claims with a recovery registered within the dates (both bounds on one recovery:
        applied once, with the start when there is one)."""
        data = self.form.cleaned_data
        if name == "recovered_to" and data.get("recovered_from"):
            return queryset
        rows = Recovery.objects.filter(claim=OuterRef("pk"))
        if data.get("recovered_from"):
            rows = rows.filter(at__gte=start_of_day(data["recovered_from"]))
        if data.get("recovered_to"):
            rows = rows.filter(at__lt=start_of_day(data["recovered_to"] + dt.timedelta(days=1)))
        return queryset.filter(Exists(rows))

    def left_between(self, queryset, name, value):
        """The claims with a step departure (insights.refresh's rule: an event that moved the claim
        out of a state, timed by `step_seconds`) of the step, within the dates; applied once."""
        data = self.form.cleaned_data
        present = [n for n in ("left_step", "left_from", "left_to") if data.get(n)]
        if name != present[0]:
            return queryset
        rows = ClaimEvent.objects.filter(claim=OuterRef("pk"), step_seconds__isnull=False)
        if data.get("left_step"):
            rows = rows.filter(from_state=data["left_step"])
        if data.get("left_from"):
            rows = rows.filter(at__gte=start_of_day(data["left_from"]))
        if data.get("left_to"):
            rows = rows.filter(at__lt=start_of_day(data["left_to"] + dt.timedelta(days=1)))
        return queryset.filter(Exists(rows))

    def by_risk(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(risk_codes=[]) if value else queryset.filter(risk_codes=[])
