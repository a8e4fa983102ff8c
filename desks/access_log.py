"""客户信息查看记录 (the access log of personal data) for supervisors: searched by member of
staff, by customer and by days, exported, and its unusual patterns on the dashboard.

A customer is looked for by the hotline's one search box (ID number, phone, plate, VIN,
policy number or name): the term is posted and kept in the session (core.private_search), so
no ID number or phone ever reaches the URL."""

from __future__ import annotations

import datetime as dt
from functools import partial
from urllib.parse import urlencode

import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.clock import local, today
from core.decorators import required
from core.exports import Column, ExportSpec, asked_export, export_response
from core.inputs import paginate
from core.masking import mask_id_number, mask_name
from core.private_search import recall_term, remember_term
from desks.hotline.filters import DateInput
from desks.hotline.search import search as find_customers
from policies import access
from policies.access_log import last_scan, search_access_log
from policies.audit import log_people_exported
from policies.models import User, Vehicle

PAGE = "access_log"  # the session's kept customer terms for this page
DEFAULT_DAYS = 7  # with no dates, the last week
MAX_PEOPLE = 200
PANEL_BURSTS = 20  # the most people first

FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # days a search may name


class AccessLogForm(forms.Form):
    staff = forms.CharField(label="员工用户名", required=False, max_length=150)
    customer = forms.CharField(
        label="客户", required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "证件号、手机号、号牌、车架号、保单号或姓名"}),
    )  # fmt: skip
    since = forms.DateField(label="日期 自", required=False, widget=DateInput())
    until = forms.DateField(label="至", required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean_staff(self):
        name = self.cleaned_data["staff"].strip()
        if not name:
            return None
        user = User.objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError("没有该用户名的员工。")
        return user

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("日期范围有误：起始日期晚于结束日期。")
        for name in ("since", "until"):
            day = data.get(name)
            if day and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, f"日期应在 {FIRST_DAY:%Y} 年至 {LAST_DAY:%Y} 年之间。")
        return data


class AccessLogTable(tables.Table):
    accessed_at = tables.DateTimeColumn(verbose_name="查看时间", format="Y-m-d H:i:s", orderable=False)
    user = tables.Column(verbose_name="员工", orderable=False)
    person = tables.Column(verbose_name="被查看客户", accessor="person__name", orderable=False)
    id_number = tables.Column(verbose_name="证件号码", accessor="person__id_number", orderable=False)
    page = tables.Column(verbose_name="页面", orderable=False)
    other_branch = tables.BooleanColumn(verbose_name="他网点客户", yesno="是,—", orderable=False)
    ip_address = tables.Column(verbose_name="IP 地址", orderable=False)

    class Meta:
        template_name = "django_tables2/bootstrap5.html"
        attrs = {"class": "table table-sm table-hover align-middle mb-0", "data-testid": "access-log"}
        row_attrs = {"data-testid": "access-row"}
        empty_text = "没有符合条件的查看记录"

    def render_user(self, record):
        return f"{record.user.username}（{record.user.last_name}{record.user.first_name}）"

    def render_person(self, value):
        return mask_name(value)

    def render_id_number(self, value):
        return mask_id_number(value)


ACCESS_LOG = ExportSpec(
    name="access_log",
    title="客户信息查看记录",
    columns=[
        Column("查看时间", lambda r: r.accessed_at),
        Column("员工用户名", lambda r: r.user.username),
        Column("员工姓名", lambda r: f"{r.user.last_name}{r.user.first_name}"),
        Column("被查看客户", lambda r: mask_name(r.person.name), full=lambda r: r.person.name),
        Column("证件号码", lambda r: mask_id_number(r.person.id_number), full=lambda r: r.person.id_number),
        Column("页面", lambda r: r.page),
        Column("他网点客户", lambda r: r.other_branch),
        Column("IP 地址", lambda r: r.ip_address),
    ],
    person_ids=lambda r: [r.person_id],
)


def _people(term: str) -> list[int]:
    """The customers a term names: people it found, and the owners of vehicles it found."""
    result = find_customers(term, day=today())
    ids = [p.pk for p in result.people]
    vehicle_ids = result.vehicle_ids
    if vehicle_ids:
        ids += Vehicle.objects.filter(pk__in=list(vehicle_ids)[:MAX_PEOPLE]).values_list(
            "owner_id", flat=True
        )
    return list(dict.fromkeys(ids))[:MAX_PEOPLE]


def _rows(request: HttpRequest, data: dict):
    """The rows a search asks for (`data`: the form's cleaned values), the customer term
    kept in the session, and the first day searched."""
    term = recall_term(request, PAGE, request.GET.get("s"))
    if request.GET.get("s") and term is None:
        messages.warning(request, "该查询已过期，请重新输入客户。")
    people = _people(term) if term else None
    since = data.get("since")
    if since is None and data.get("until") is None:
        since = today() - dt.timedelta(days=DEFAULT_DAYS - 1)
    rows = search_access_log(
        access.access_log_for_user(request.user),
        staff=data.get("staff"), people=people, since=since, until=data.get("until"),
    )  # fmt: skip
    return rows, term, since


@require_http_methods(["GET", "POST"])
@required(access.can_view_access_log)
def access_log(request: HttpRequest) -> HttpResponse:
    """Search the log. The search is posted (the customer may be an ID number or a phone) and
    answered with a redirect whose URL holds only the staff name, the days and a key."""
    if request.method == "POST":
        form = AccessLogForm(request.POST)
        if form.is_valid():
            params = {k: request.POST[k] for k in ("staff", "since", "until") if request.POST.get(k)}
            customer = form.cleaned_data["customer"].strip()
            if customer:
                params["s"] = remember_term(request, PAGE, customer)
            return redirect(f"{reverse('access_log')}?{urlencode(params)}")
    else:
        form = AccessLogForm(request.GET or None)
    table, term, since = None, None, None
    if request.method == "GET" and (not form.is_bound or form.is_valid()):
        rows, term, since = _rows(request, form.cleaned_data if form.is_bound else {})
        table = paginate(request, AccessLogTable(rows), per_page=50, lazy=True)
    if term:
        form.initial["customer"] = term
    context = {"form": form, "table": table, "term": term, "since": since, "days": DEFAULT_DAYS}
    return render(request, "desks/access_log.html", context)


@require_GET
@required(access.can_view_access_log)
def access_log_export(request: HttpRequest) -> HttpResponse:
    fmt, full = asked_export(request)
    form = AccessLogForm(request.GET)
    if fmt is None or not form.is_valid():
        return redirect("access_log")
    rows, _, _ = _rows(request, form.cleaned_data)
    return export_response(
        request=request, spec=ACCESS_LOG, rows=rows, fmt=fmt, full=full,
        log_full_views=partial(log_people_exported, request, page="导出：客户信息查看记录"),
    )  # fmt: skip


def unusual_access_panel(board) -> dict:
    """The dashboard's panel (`board`: desks.dashboard.Board): the bursts of the viewer's scope
    the background scan found (`policies.access_log.detect_bursts`) in the last days, each
    linked to its account's log, and when the log was last scanned. Two queries, no scan."""
    spec = settings.ACCESS_LOG_UNUSUAL
    since = timezone.now() - dt.timedelta(days=spec["days"])
    bursts = (
        access.access_bursts_for_user(board.user)
        .ending_after(since)
        .select_related("user")
        .order_by("-people", "-window_start")[:PANEL_BURSTS]
    )
    rows = []
    for burst in bursts:
        query = {
            "staff": burst.user.username,
            "since": local(burst.window_start).date(),
            "until": local(burst.window_end).date(),
        }
        rows.append((burst, f"{reverse('access_log')}?{urlencode(query)}"))
    return {"key": "unusual_access", "bursts": rows, "thresholds": spec, "scanned_to": last_scan()}
