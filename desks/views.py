from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.clock import today
from core.inputs import ascii_int
from desks import dashboard as board
from insights import access as insights_access
from insights.forms import DashboardFilterForm
from insights.refresh import last_run, summaries_refresh
from policies import access

# Where each permission's holder starts the day, in order of precedence.
HOME_PAGES = (
    (access.VIEW_DASHBOARDS, "dashboard"),
    (access.COUNTER_DESK, "counter:home"),
    (access.HOTLINE_DESK, "hotline:home"),
    ("claims.view_claim", "claims:queue"),
)


def focused_vehicle(request: HttpRequest) -> int | None:
    """The vehicle a customer page opens on (`?vehicle=<id>`), if any: ASCII digits only
    ("?vehicle=²" is none), within a bigint."""
    return ascii_int(request.GET.get("vehicle")) or None


def home(request: HttpRequest) -> HttpResponse:
    """Send each member of staff to their role's home page."""
    for permission, url_name in HOME_PAGES:
        if request.user.has_perm(permission):
            return redirect(url_name)
    messages.error(request, "您的账号尚未分配岗位，请联系主管。")
    return render(request, "no_role.html", status=403)


@permission_required(access.VIEW_DASHBOARDS, raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The figures of the branches in the user's scope, filtered by the URL's parameters; a
    wrong parameter is said beside its field and the default figures are shown."""
    branches = insights_access.branches_for_user(request.user)
    every_branch = insights_access.sees_every_branch(request.user)
    form = DashboardFilterForm(request.GET or None, branches=branches, every_branch=every_branch)
    scope = form.scope()
    months = {"start": f"{scope.first:%Y-%m}", "end": f"{scope.last:%Y-%m}"}
    if not form.is_bound:
        form.initial = months
    elif form.is_valid():  # show the months in force, also when the URL left them out
        form.data = form.data.copy() | months
    listed = list(branches)
    context = {
        "form": form,
        "scope": scope,
        "every_branch": every_branch,
        "own_branch": listed[0] if not every_branch and listed else None,
        "panels": board.panels(board.board_for(request.user, scope, listed)),
        "run": last_run(),
        "can_refresh": insights_access.can_refresh_summaries(request.user),
    }
    return render(request, "desks/dashboard.html", context)


@require_POST
@permission_required(insights_access.REFRESH_SUMMARIES, raise_exception=True)
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    """Recompute this month's figures now (the month that moves during the day; the nightly job
    recomputes the last three). Over a very large book it may outrun the statement timeout:
    then nothing changes and the supervisor is told so."""
    if not insights_access.can_refresh_summaries(request.user):
        raise PermissionDenied
    try:
        run = summaries_refresh(first=today().replace(day=1), by=request.user)
    except OperationalError:
        messages.warning(request, "本次统计未能在限定时间内完成，数据保持不变；夜间定时任务会照常重新统计。")
    else:
        messages.success(request, f"已重新统计 {run.last_month:%Y年%-m月} 的经营数据。")
    query = QueryDict(request.POST.get("query", "")).urlencode()  # the filters, re-encoded
    return redirect(f"{reverse('dashboard')}?{query}" if query else "dashboard")
