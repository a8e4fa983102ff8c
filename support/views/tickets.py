"""The agents' pages: my tickets, the queues, a ticket and everything done on it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from core.inputs import paginate
from core.private_search import recall_term, remember_term
from policies import access as policy_access
from policies.audit import log_person_view
from support import access, notifications, selectors, services, workflow
from support.choices import Category, Priority, Status
from support.filters import TicketFilter
from support.forms import (
    AssignForm,
    LogCallForm,
    MergeForm,
    NoteForm,
    ReclassifyForm,
    ReplyForm,
    TicketCreateForm,
    TransitionForm,
)
from support.models import Survey, Ticket
from support.tables import MyTicketTable, TicketTable


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


@access.required(access.can_work_tickets)
def my_tickets(request: HttpRequest) -> HttpResponse:
    mine = selectors.my_tickets(request.user)
    table = MyTicketTable(mine, prefix="mine-")
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    now = timezone.now()
    counts = (
        Ticket.objects.filter(assignee=request.user)
        .unfinished()
        .aggregate(
            total=Count("id"),
            breached=Count("id", filter=Q(sla_due__lt=now)),
            waiting=Count("id", filter=Q(status=Status.WAITING)),
            resolved=Count("id", filter=Q(status=Status.RESOLVED)),
        )
    )
    escalated = None
    if access.can_view_all_tickets(request.user):
        escalated = TicketTable(selectors.escalated_to(request.user), prefix="esc-", orderable=False)
        RequestConfig(request, paginate={"per_page": 10}).configure(escalated)
    return render(
        request, "support/my_tickets.html", {"table": table, "counts": counts, "escalated": escalated}
    )


@method_decorator(access.required(access.can_work_tickets), name="dispatch")
class QueueView(SingleTableMixin, FilterView):
    """My team's queues: the tickets the user may see, filtered, most urgent first."""

    table_class = TicketTable
    filterset_class = TicketFilter
    template_name = "support/queue.html"
    table_pagination = {"per_page": 25}
    search_page = "support_queue"

    def get_queryset(self):
        return selectors.queue_tickets(self.request.user)

    def get_table(self, **kwargs):
        """The page size is the view's and the page number bounded (`core.inputs.paginate`):
        django-tables2 would otherwise read `?per_page=` and `?page=` as they come."""
        table = self.get_table_class()(data=self.get_table_data(), **self.get_table_kwargs(), **kwargs)
        return paginate(self.request, table, per_page=self.table_pagination["per_page"])

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """The filter form is posted: its search term (maybe an ID number or a phone) is kept
        in the session and the list's URL carries a key instead."""
        params = {  # every value of a field: several branches may be chosen
            name: kept
            for name, values in request.POST.lists()
            if name in TicketFilter.base_filters and name != "q" and (kept := [v for v in values if v])
        }
        term = request.POST.get("q", "").strip()[:100]
        if term:
            params["s"] = remember_term(request, self.search_page, term)
        return redirect(
            f"{reverse('support:queue')}?{urlencode(params, doseq=True)}"
            if params
            else reverse("support:queue")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = kwargs["data"].copy() if kwargs["data"] is not None else QueryDict(mutable=True)
        data.pop("q", None)  # a term typed into the address bar is not searched: post it
        term = recall_term(self.request, self.search_page, self.request.GET.get("s"))
        if term:
            data["q"] = term
        kwargs["data"] = data
        return kwargs


@access.required(access.can_work_tickets)
def ticket_new(request: HttpRequest) -> HttpResponse:
    initial = {"channel": access.default_ticket_channel(request.user)}
    form = TicketCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = data["customer"]
        try:
            ticket = services.ticket_create(
                subject=data["subject"],
                channel=data["channel"],
                category=data["category"],
                priority=data["priority"],
                description=data["description"],
                customer=found.person if found else None,
                vehicle=found.vehicle if found else None,
                policy=found.policy if found else None,
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                branch=access.ticket_branch_for(request.user, data["channel"]),
                created_by=request.user,
                assignee=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已创建工单 {ticket.number}。")
            return redirect("support:ticket", pk=ticket.pk)
    return render(request, "support/ticket_new.html", {"form": form})


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the form was on: a path of this site, never a URL name or another host."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect("support:mine")


@require_POST
@access.required(access.can_work_tickets)
def ticket_log_call(request: HttpRequest) -> HttpResponse:
    """ "Log this call" from the hotline desk: saved as resolved (answered on the spot) in one
    click, back on the page it came from; "需跟进" keeps it open and opens the ticket."""
    form = LogCallForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return _back(request)
    data = form.cleaned_data
    try:
        ticket = services.ticket_log_call(
            agent=request.user,
            customer=data["person"],
            vehicle=data["vehicle"],
            policy=data["policy"],
            category=data["category"],
            note=data["note"],
            follow_up=data["follow_up"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(request)
    if data["follow_up"]:
        messages.success(request, f"来电已记录为工单 {ticket.number}，状态为处理中，请跟进。")
        return redirect("support:ticket", pk=ticket.pk)
    messages.success(request, f"来电已记录为工单 {ticket.number}，已当场解答，标记为已解决。")
    return _back(request)


def _detail(request: HttpRequest, ticket: Ticket, status: int = 200, **forms) -> HttpResponse:
    history = selectors.ticket_history(ticket)
    vehicle_ids = selectors.vehicle_ids_of(ticket.customer) if ticket.customer else []
    # The ticket names its customer: this session may open their customer page from here.
    customer_desk = next(
        (
            desk
            for desk in ("hotline", "counter")
            if ticket.customer_id and policy_access.can_use_desk(request.user, desk)
        ),
        None,
    )
    if customer_desk:
        policy_access.grant_person(request, ticket.customer_id)
    route = notifications.ticket_route(ticket)
    context = {
        "ticket": ticket,
        "customer_desk": customer_desk,
        "history": history,
        "notifications": [e for e in history if e.message_id],
        "survey": Survey.objects.filter(ticket=ticket).select_related("message").first(),
        "policies": selectors.customer_policies(ticket.customer, vehicle_ids=vehicle_ids)
        if vehicle_ids
        else [],
        "claims": selectors.customer_claims(ticket.customer, vehicle_ids=vehicle_ids) if vehicle_ids else [],
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "assignees": list(access.assignable_users(ticket.queue)),
        "next_statuses": [(s, Status(s).label) for s in workflow.next_statuses(ticket.status)],
        "queues": list(
            access.queues_for_user(request.user).filter(Q(is_active=True) | Q(pk=ticket.queue_id))
        ),
        "categories": Category.choices,
        "priorities": Priority.choices,
        "merge_candidates": list(selectors.mergeable_into(ticket, request.user)[:20]),
        "open": ticket.status != Status.CLOSED,
        "reply_route": notifications.describe(route),
        "sms_frame": notifications.sms_reply_frame(ticket.number)
        if route and route.channel == "sms"
        else None,
        "service_hotline": settings.SERVICE_HOTLINE,
    }
    return render(request, "support/ticket_detail.html", context, status=status)


def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail()))


@require_GET
def ticket_customer(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's full contact details, on request; every such view is logged."""
    ticket = access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail())
    if ticket.customer is not None:
        log_person_view(request, ticket.customer, "support_ticket")
    return render(request, "support/includes/customer_full.html", {"ticket": ticket})


@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail())
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_reply(
                ticket=ticket, by=request.user, body=form.cleaned_data["body"], key=form.cleaned_data["key"],
                then_status=form.cleaned_data["then_status"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "回复已提交，发送状态见处理记录。")
            return redirect("support:ticket", pk=ticket.pk)
    return _detail(request, ticket, status=400, reply_form=form)


@require_POST
def ticket_note(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail())
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_add_note(
                ticket=ticket, by=request.user, body=form.cleaned_data["body"], key=form.cleaned_data["key"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "备注已保存。")
            return redirect("support:ticket", pk=ticket.pk)
    return _detail(request, ticket, status=400, note_form=form)


def _act(request: HttpRequest, ticket: Ticket, action, success: str) -> HttpResponse:
    """Run one service; its refusal becomes an error message on the ticket page."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return redirect("support:ticket", pk=ticket.pk)


@require_POST
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail())
    form = AssignForm(request.POST, ticket=ticket)
    if not form.is_valid():
        messages.error(request, "请选择有效的处理人。")
        return redirect("support:ticket", pk=ticket.pk)
    to = form.cleaned_data["assignee"]
    return _act(
        request, ticket, lambda: services.ticket_assign(ticket=ticket, to=to, by=request.user),
        f"已分派给 {to}。" if to else "已退回队列。",
    )  # fmt: skip


@require_POST
def ticket_take(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail())
    return _act(
        request, ticket, lambda: services.ticket_assign(ticket=ticket, to=request.user, by=request.user),
        "已领取工单。",
    )  # fmt: skip


@require_POST
def ticket_transition(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail())
    form = TransitionForm(request.POST, ticket=ticket)
    if not form.is_valid():
        messages.error(request, "工单当前状态不能改为所选状态。")
        return redirect("support:ticket", pk=ticket.pk)
    to = form.cleaned_data["to"]
    return _act(
        request, ticket,
        lambda: services.ticket_transition(ticket=ticket, to=to, by=request.user, note=form.cleaned_data["note"]),
        f"工单已改为“{Status(to).label}”。",
    )  # fmt: skip


@require_POST
def ticket_reclassify(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail())
    form = ReclassifyForm(request.POST, ticket=ticket, user=request.user)
    if not form.is_valid():
        messages.error(request, "请选择有效的队列、类别和优先级。")
        return redirect("support:ticket", pk=ticket.pk)
    data = form.cleaned_data
    return _act(
        request, ticket,
        lambda: services.ticket_reclassify(
            ticket=ticket, by=request.user, queue=data["queue"], category=data["category"], priority=data["priority"]
        ),
        "工单已调整。",
    )  # fmt: skip


@require_POST
def ticket_merge(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = access.get_ticket_for_user(request.user, pk, selectors.ticket_for_detail())
    form = MergeForm(request.POST, candidates=selectors.mergeable_into(ticket, request.user))
    if not form.is_valid():
        messages.error(request, "请选择同一客户的另一张未关闭工单。")
        return redirect("support:ticket", pk=ticket.pk)
    survivor = form.cleaned_data["survivor"]
    try:
        services.ticket_merge(duplicate=ticket, survivor=survivor, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("support:ticket", pk=ticket.pk)
    messages.success(request, f"工单 {ticket.number} 已合并至 {survivor.number}。")
    return redirect("support:ticket", pk=survivor.pk)
