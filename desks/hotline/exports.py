"""The hotline's lists exported (core.exports): the results of a search or of the status
filters (policies due, lapsed, renewed…), and the renewal-call lists."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.clock import today
from core.exports import (
    Column,
    ExportSpec,
    asked_export,
    export_response,
    list_filters,
)
from core.masking import mask_id_number, mask_name, mask_phone, mask_plate
from desks.hotline import calls
from desks.hotline.call_views import SUPERVISOR, _branch, _team_url
from desks.hotline.results import ORDERINGS, hotline_results
from desks.hotline.views import _recall
from policies import access
from policies.audit import log_people_exported
from policies.choices import RenewalStatus

STATUS_LIST = ExportSpec(
    name="hotline_status",
    title="续保状态清单",
    columns=[
        Column("续保状态", lambda p: RenewalStatus(p.renewal).label),
        Column("号牌号码", lambda p: mask_plate(p.vehicle.plate), full=lambda p: p.vehicle.plate),
        Column("车主", lambda p: mask_name(p.vehicle.owner.name), full=lambda p: p.vehicle.owner.name),
        Column("手机号", lambda p: mask_phone(p.vehicle.owner.phone), full=lambda p: p.vehicle.owner.phone),
        Column(
            "证件号码",
            lambda p: mask_id_number(p.vehicle.owner.id_number),
            full=lambda p: p.vehicle.owner.id_number,
        ),
        Column("车辆类别", lambda p: p.vehicle.get_premium_category_display()),
        Column("保单号", lambda p: p.number),
        Column("保险起期", lambda p: p.start_date),
        Column("保险止期", lambda p: p.end_date),
        Column("承保网点", lambda p: p.branch.name),
        Column("销售渠道", lambda p: p.get_channel_display()),
        Column("交强险保费（元）", lambda p: p.premium),
    ],
    person_ids=lambda p: [p.vehicle.owner_id],
)


@require_GET
def status_list(request: HttpRequest) -> HttpResponse:
    """The results the hotline page shows for the same filters (and search), every row."""
    if not access.can_use_desk(request.user, "hotline"):
        raise PermissionDenied
    fmt, full = asked_export(request)
    term = _recall(request, request.GET.get("s", "")) or ""
    results = hotline_results(term=term, data=request.GET, day=today())
    if fmt is None or results.rows is None:
        messages.warning(request, "请先查询或设置筛选条件，再导出结果。")
        return redirect(f"{reverse('hotline:home')}?{urlencode(list_filters(request.GET))}")
    return export_response(
        request=request, spec=STATUS_LIST, rows=results.rows, keyset=ORDERINGS[results.sort],
        fmt=fmt, full=full,
        log_full_views=partial(log_people_exported, request, page="导出：续保状态清单"),
    )  # fmt: skip


CALL_LIST = ExportSpec(
    name="renewal_calls",
    title="续保外呼清单",
    columns=[
        Column("坐席", lambda c: str(c.assigned_to) if c.assigned_to else "未分配"),
        Column("计划外呼日期", lambda c: c.due_date),
        Column("距保险止期天数", lambda c: c.days_left),
        Column("回呼/重拨时间", lambda c: c.call_after),
        Column("客户", lambda c: mask_name(c.person.name), full=lambda c: c.person.name),
        Column("联系电话", lambda c: mask_phone(c.phone), full=lambda c: c.phone),
        Column("号牌号码", lambda c: mask_plate(c.vehicle.plate), full=lambda c: c.vehicle.plate),
        Column("保单号", lambda c: c.policy.number),
        Column("保险止期", lambda c: c.policy.end_date),
        Column("当前续保状态", lambda c: RenewalStatus(c.renewal).label if c.renewal else ""),
        Column("已拨次数", lambda c: c.attempts),
        Column("最近外呼时间", lambda c: c.last_attempt_at),
    ],
    person_ids=lambda c: [c.person_id],
)


@require_GET
@permission_required(SUPERVISOR, raise_exception=True)
def call_list(request: HttpRequest) -> HttpResponse:
    """A branch's open renewal calls, as the supervisor's team page lists them."""
    fmt, full = asked_export(request)
    branch = _branch(request, request.GET.get("branch"))
    if fmt is None:
        return redirect(_team_url(branch))
    rows = calls.branch_calls(branch, now=timezone.now(), day=today())
    return export_response(
        request=request, spec=CALL_LIST, rows=rows, fmt=fmt, full=full,
        log_full_views=partial(log_people_exported, request, page="导出：续保外呼清单"),
    )  # fmt: skip
