"""The reminders' failed-message list exported (core.exports), with the page's filters."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from core.exports import Column, ExportSpec, asked_export, export_response
from core.masking import mask_plate, mask_recipient
from desks.reminders.filters import FailedMessageFilter
from desks.reminders.tables import PURPOSE_LABELS
from desks.reminders.views import MANAGE
from policies.audit import log_people_exported
from reminders import selectors


def _plate(message) -> str:
    reminder = getattr(message, "reminder", None)
    return reminder.policy.vehicle.plate if reminder else ""


def _owner(message) -> int | None:
    reminder = getattr(message, "reminder", None)
    return reminder.policy.vehicle.owner_id if reminder else None


FAILED_MESSAGES = ExportSpec(
    name="reminders_failed",
    title="提醒发送失败清单",
    columns=[
        Column("创建时间", lambda m: m.created_at),
        Column("渠道", lambda m: m.get_channel_display()),
        Column("用途", lambda m: PURPOSE_LABELS.get(m.purpose, m.purpose)),
        Column("号牌号码", lambda m: mask_plate(_plate(m)), full=_plate),
        Column("接收方", lambda m: mask_recipient(m.channel, m.recipient), full=lambda m: m.recipient),
        Column("尝试次数", lambda m: m.attempts),
        Column("失败原因", lambda m: m.last_error),
    ],
    person_ids=lambda m: [_owner(m)],
)


@require_GET
@permission_required(MANAGE, raise_exception=True)
def failed_export(request: HttpRequest) -> HttpResponse:
    fmt, full = asked_export(request)
    if fmt is None:
        return redirect("reminders:failed")
    queryset = selectors.failed_messages()
    filters = FailedMessageFilter(request.GET, queryset=queryset)
    rows = filters.qs if filters.is_valid() else queryset.none()
    return export_response(
        request=request, spec=FAILED_MESSAGES, rows=rows, fmt=fmt, full=full,
        log_full_views=partial(log_people_exported, request, page="导出：提醒发送失败清单"),
    )  # fmt: skip
