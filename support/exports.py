"""The ticket queue exported (core.exports): the tickets the queue lists for the same filters
(the search term kept in the session, as the page does)."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from core.exports import Column, ExportSpec, asked_export, export_response
from core.masking import mask_name, mask_phone, mask_plate
from core.private_search import recall_term
from policies.audit import log_people_exported
from support import access, selectors
from support.filters import TicketFilter
from support.models import Ticket
from support.views.tickets import QueueView

SEARCH_PAGE = QueueView.search_page  # the queue page's kept search terms


def customer_name(ticket: Ticket) -> str:
    return ticket.customer.name if ticket.customer else ticket.contact_name


TICKET_QUEUE = ExportSpec(
    name="support_tickets",
    title="客服工单清单",
    columns=[
        Column("工单号", lambda t: t.number),
        Column("主题", lambda t: t.subject),
        Column("客户", lambda t: mask_name(customer_name(t)), full=customer_name),
        Column("联系电话", lambda t: mask_phone(t.contact_phone), full=lambda t: t.contact_phone),
        Column(
            "号牌号码",
            lambda t: mask_plate(t.vehicle.plate) if t.vehicle else "",
            full=lambda t: t.vehicle.plate if t.vehicle else "",
        ),
        Column("受理渠道", lambda t: t.get_channel_display()),
        Column("类别", lambda t: t.get_category_display()),
        Column("优先级", lambda t: t.get_priority_display()),
        Column("状态", lambda t: t.get_status_display()),
        Column("队列", lambda t: t.queue.name),
        Column("处理人", lambda t: str(t.assignee) if t.assignee else "未分派"),
        Column("时限", lambda t: t.sla_due),
        Column("创建时间", lambda t: t.created_at),
    ],
    person_ids=lambda t: [t.customer_id],
)


@require_GET
@access.required(access.can_work_tickets)
def queue_export(request: HttpRequest) -> HttpResponse:
    fmt, full = asked_export(request)
    if fmt is None:
        return redirect("support:queue")
    data = request.GET.copy() if request.GET else QueryDict(mutable=True)
    data.pop("q", None)  # as the page: only a posted term is searched
    term = recall_term(request, SEARCH_PAGE, request.GET.get("s"))
    if term:
        data["q"] = term
    queryset = selectors.queue_tickets(request.user)
    filters = TicketFilter(data, queryset=queryset, request=request)
    rows = filters.qs if filters.is_valid() else queryset.none()
    return export_response(
        request=request, spec=TICKET_QUEUE, rows=rows, fmt=fmt, full=full,
        log_full_views=partial(log_people_exported, request, page="导出：客服工单清单"),
    )  # fmt: skip
