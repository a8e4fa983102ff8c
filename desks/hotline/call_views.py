"""The outbound renewal-call list (续保外呼) of the hotline desk: an agent's own list, working
one call on the customer's page and recording its outcome, and the supervisor's view of a
branch's calls shared among its agents."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.clock import today
from core.inputs import ascii_int, paginate
from desks.hotline import calls as selectors
from desks.hotline.calls import FEEDBACK
from desks.hotline.customer import hotline_person_queryset
from desks.hotline.forms import CallAssignForm, CallOutcomeForm
from desks.hotline.tables import BranchCallTable, CallTable
from desks.hotline.views import customer_page
from policies import access
from policies.audit import log_person_view
from policies.models import Branch
from reminders import access as reminder_access
from reminders.models import CallOutcome, CallStatus, RenewalCall
from reminders.services import (
    MAX_CALL_ATTEMPTS,
    call_list_reassign,
    call_list_spread,
    call_list_take,
    call_record_outcome,
)

AGENT = [access.HOTLINE_DESK, reminder_access.WORK_CALLS]
SUPERVISOR = [access.HOTLINE_DESK, reminder_access.MANAGE_REMINDERS]


def _day_start() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today(), dt.time.min))


@require_GET
@permission_required(AGENT, raise_exception=True)
def calls(request: HttpRequest) -> HttpResponse:
    """The agent's own call list: who to call now, and the call-backs still to come."""
    now, day = timezone.now(), today()
    table = CallTable(selectors.my_calls(request.user, now=now, day=day), day=day)
    paginate(request, table, per_page=25, lazy=True)
    counts = selectors.my_counts(request.user, now=now, day_start=_day_start())
    return render(request, "desks/hotline/calls.html", {"table": table, "counts": counts})


@require_POST
@permission_required(AGENT, raise_exception=True)
def take(request: HttpRequest) -> HttpResponse:
    try:
        taken = call_list_take(agent=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if taken:
            messages.success(request, f"已领取 {taken} 个外呼，按到期先后排在列表中。")
        else:
            messages.info(request, "本网点暂无未分配的外呼。")
    return redirect("hotline:calls")


def _call_page(request: HttpRequest, call: RenewalCall, form: CallOutcomeForm, *, status: int = 200):
    # A call the agent may work (reminders.access) is the portal's own link to its customer:
    # granted, so the page's reveal and customer links open too.
    access.grant_person(request, call.person_id)
    person = access.get_person_for_user(
        request.user,
        call.person_id,
        desk="hotline",
        granted=access.granted_people(request),
        queryset=hotline_person_queryset(request.user),
    )
    log_person_view(request, person, "hotline_call")
    context = {
        "call": call,
        "call_step": selectors.step_label(call.days_left),
        "attempts": selectors.call_attempts(call),
        "outcome_form": form,
        "outcomes": CallOutcome,
        "max_attempts": MAX_CALL_ATTEMPTS,
        "effects": {k.value: v for k, v in FEEDBACK.items()},
    }
    return customer_page(request, person, focus=call.vehicle_id, extra=context, status=status)


@require_GET
@permission_required(AGENT, raise_exception=True)
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """Work one call: the customer's whole picture with the number to dial and the outcome."""
    return _call_page(request, reminder_access.get_call_for_user(request.user, pk), CallOutcomeForm())


def _outcome_message(call: RenewalCall) -> str:
    said = f"已登记外呼结果：{call.get_outcome_display()}。"
    if call.status == CallStatus.OPEN:
        when = timezone.localtime(call.call_after).strftime("%m-%d %H:%M")
        if call.outcome == CallOutcome.CALL_BACK:
            return f"{said}{when} 回电，届时出现在您的外呼列表顶部。"
        return f"{said}将于 {when} 重拨（已拨 {call.attempts}/{MAX_CALL_ATTEMPTS} 次）。"
    if call.outcome == CallOutcome.UNREACHABLE:
        return f"{said}已拨 {call.attempts} 次未接通，本次外呼结束；短信等提醒照常发送。"
    return said + FEEDBACK.get(call.outcome, "")


@require_POST
@permission_required(AGENT, raise_exception=True)
def call_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the attempt; on to the agent's next call that may be made now."""
    call = reminder_access.get_call_for_user(request.user, pk)
    form = CallOutcomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            call = call_record_outcome(
                call=call,
                agent=request.user,
                outcome=data["outcome"],
                note=data["note"],
                call_back_at=data["call_back_at"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _outcome_message(call))
            following = selectors.next_call(request.user, now=timezone.now(), day=today())
            return redirect("hotline:call", pk=following.pk) if following else redirect("hotline:calls")
    call.refresh_from_db()
    return _call_page(request, call, form, status=400)


# --- Supervisors ------------------------------------------------------------------------------------


def _branch(request: HttpRequest, value: str | None) -> Branch:
    """The branch asked for, else (none asked) the supervisor's own, else the first. A
    branch asked for that is no branch id ("²", "abc", 20 digits) is none: 404, never
    the supervisor's own branch in its place (a POST would then act on it)."""
    if value:
        branch_id = ascii_int(value)
        if branch_id is None:
            raise Http404("没有该营业网点。")
        return get_object_or_404(Branch, pk=branch_id)
    branch = request.user.branch or Branch.objects.order_by("code").first()
    if branch is None:
        raise Http404("没有营业网点。")
    return branch


def _team_url(branch: Branch) -> str:
    return f"{reverse('hotline:team')}?branch={branch.pk}"


@require_GET
@permission_required(SUPERVISOR, raise_exception=True)
def team(request: HttpRequest) -> HttpResponse:
    """A branch's open calls, each agent's load, and sharing out the unassigned calls."""
    branch = _branch(request, request.GET.get("branch"))
    now, day = timezone.now(), today()
    table = BranchCallTable(selectors.branch_calls(branch, now=now, day=day), day=day)
    paginate(request, table, per_page=50, lazy=True)
    context = {
        "branch": branch,
        "branches": Branch.objects.filter(is_active=True).order_by("code"),
        "load": selectors.branch_load(branch, now=now),
        "table": table,
        "agents": reminder_access.branch_agents(branch),
    }
    return render(request, "desks/hotline/team.html", context)


@require_POST
@permission_required(SUPERVISOR, raise_exception=True)
def team_spread(request: HttpRequest) -> HttpResponse:
    branch = _branch(request, request.POST.get("branch"))
    try:
        shares = call_list_spread(branch=branch, by=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        if shares:
            detail = "、".join(
                f"{agent} {n} 个" for agent, n in sorted(shares.items(), key=lambda s: str(s[0]))
            )
            messages.success(request, f"已将 {sum(shares.values())} 个外呼平均分配：{detail}。")
        else:
            messages.info(request, "没有未分配的外呼。")
    return redirect(_team_url(branch))


@require_POST
@permission_required(SUPERVISOR, raise_exception=True)
def team_assign(request: HttpRequest) -> HttpResponse:
    branch = _branch(request, request.POST.get("branch"))
    open_ids = RenewalCall.objects.for_branch(branch).open().values_list("pk", flat=True)
    form = CallAssignForm(request.POST, calls=list(open_ids), agents=reminder_access.branch_agents(branch))
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(_team_url(branch))
    agent = form.cleaned_data["agent"]
    try:
        moved = call_list_reassign(
            call_ids=form.cleaned_data["calls"], agent=agent, by=request.user, branch=branch
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已将 {moved} 个外呼{'分配给 ' + str(agent) if agent else '退回未分配'}。")
    return redirect(_team_url(branch))
