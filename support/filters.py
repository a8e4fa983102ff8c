import datetime as dt
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from core.clock import start_of_day
from core.widgets import OneOrMoreSelect
from policies.branches import branch_choices
from policies.models import Person, Policy, Vehicle
from policies.search import TermKind, classify
from support import access
from support.choices import Category, Channel, Priority, Status
from support.models import Ticket
from support.reports import resolution_missed, response_missed
from support.workflow import UNFINISHED

MAX_MATCHES = 200  # customers (or vehicles) one search term may stand for


def _ids(queryset) -> list[int]:
    return list(queryset.order_by().values_list("pk", flat=True)[:MAX_MATCHES])


SLA_CHOICES = [
    ("breached", "已超时"),
    ("warning", "即将超时"),
    ("paused", "已暂停"),
    # as the SLA report and the dashboard count them: also the tickets answered or solved late
    ("missed_response", "首次响应未达标"),
    ("missed_resolution", "解决未达标"),
]
ASSIGNED_CHOICES = [("me", "我的"), ("none", "未分派")]
STATUS_CHOICES = [("unfinished", "未关闭（全部）"), *Status.choices]


class TicketFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            raise forms.ValidationError("创建日期范围有误：起始日期晚于结束日期。")
        return data


TICKET_NUMBER = re.compile(r"T[0-9]{1,20}")


class TicketFilter(django_filters.FilterSet):
    """The filters of a queue page. `q` is a ticket number or a customer's plate, ID
    number or phone (exact look-ups), or the beginning of a name."""

    q = django_filters.CharFilter(label="搜索", method="filter_q")
    status = django_filters.ChoiceFilter(
        label="状态", choices=STATUS_CHOICES, method="filter_status", empty_label="全部状态"
    )
    queue = django_filters.ModelChoiceFilter(label="队列", queryset=None, empty_label="全部队列")
    category = django_filters.ChoiceFilter(label="类别", choices=Category.choices, empty_label="全部类别")
    channel = django_filters.ChoiceFilter(label="渠道", choices=Channel.choices, empty_label="全部渠道")
    priority = django_filters.ChoiceFilter(label="优先级", choices=Priority.choices, empty_label="全部优先级")
    assigned = django_filters.ChoiceFilter(
        label="处理人", choices=ASSIGNED_CHOICES, method="filter_assigned", empty_label="全部处理人"
    )
    sla = django_filters.ChoiceFilter(
        label="时限", choices=SLA_CHOICES, method="filter_sla", empty_label="全部时限"
    )
    branch = django_filters.MultipleChoiceFilter(
        label="网点", field_name="queue__branch", choices=branch_choices,
        widget=OneOrMoreSelect(empty_label="全部网点"),
    )  # fmt: skip
    created_from = django_filters.DateFilter(label="创建日期 自", method="created_since")
    created_to = django_filters.DateFilter(label="创建日期 至", method="created_until")

    class Meta:
        model = Ticket
        form = TicketFilterForm
        fields = ["q", "status", "queue", "category", "channel", "priority", "assigned", "sla", "branch",
                  "created_from", "created_to"]  # fmt: skip

    def __init__(self, data=None, *args, request=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", "unfinished")
        super().__init__(data, *args, request=request, **kwargs)
        self.filters["queue"].queryset = access.queues_for_user(request.user).filter(is_active=True)
        self.form.fields["q"].widget.attrs["placeholder"] = "工单号、号牌、手机号、身份证号或姓名"
        for name in ("created_from", "created_to"):
            self.form.fields[name].widget.attrs.update(
                {"placeholder": self.form.fields[name].label, "size": 11}
            )
        for field in self.form.fields.values():
            text = field.widget.input_type == "text"
            field.widget.attrs["class"] = (
                "form-control form-control-sm" if text else "form-select form-select-sm"
            )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if TICKET_NUMBER.fullmatch(value.upper()):
            return queryset.filter(number=value.upper())
        # Look the customer, vehicle or policy up first (exact, indexed), then the tickets
        # by their foreign keys: an OR of indexed columns, not of joins.
        condition = Q()
        for kind, normal in classify(value):
            if kind == TermKind.PLATE:
                condition |= Q(vehicle_id__in=_ids(Vehicle.objects.filter(plate=normal)))
            elif kind == TermKind.POLICY_NUMBER:
                condition |= Q(policy_id__in=_ids(Policy.objects.filter(number=normal)))
            elif kind == TermKind.ID_NUMBER:
                condition |= Q(customer_id__in=_ids(Person.objects.filter(id_number=normal)))
            elif kind == TermKind.PHONE:
                condition |= Q(customer_id__in=_ids(Person.objects.filter(phone=normal))) | Q(
                    contact_phone=normal
                )
            elif kind == TermKind.NAME:
                condition |= Q(customer_id__in=_ids(Person.objects.filter(name__startswith=normal)))
        return queryset.filter(condition) if condition else queryset.none()

    def filter_status(self, queryset, name, value):
        if value == "unfinished":
            return queryset.filter(status__in=sorted(UNFINISHED))
        return queryset.filter(status=value)

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        return queryset.filter(assignee__isnull=True)

    def created_since(self, queryset, name, value):
        return queryset.filter(created_at__gte=start_of_day(value))  # Beijing days

    def created_until(self, queryset, name, value):
        return queryset.filter(created_at__lt=start_of_day(value + dt.timedelta(days=1)))

    def filter_sla(self, queryset, name, value):
        now = timezone.now()
        if value == "missed_response":
            return queryset.filter(response_missed(now))
        if value == "missed_resolution":
            return queryset.filter(resolution_missed(now))
        if value == "breached":
            return queryset.filter(sla_due__lt=now)
        if value == "warning":
            return queryset.filter(sla_due__gte=now).filter(
                Q(first_responded_at__isnull=True, first_response_warn_at__lte=now)
                | Q(first_responded_at__isnull=False, resolution_warn_at__lte=now)
            )
        return queryset.filter(status=Status.WAITING)
