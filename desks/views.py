from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from core.inputs import ascii_int
from desks import dashboard as board
from insights import access as insights_access
from insights.forms import DashboardFilterForm
from insights.jobs import latest_job, refresh_request
from insights.refresh import last_run
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
        "job": latest_job(),
        "can_refresh": insights_access.can_refresh_summaries(request.user),
    }
    return render(request, "desks/dashboard.html", context)


@require_POST
@permission_required(insights_access.REFRESH_SUMMARIES, raise_exception=True)
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    """Queue a recomputation of this month's figures (the month that moves during the day; the
    nightly job recomputes the last three) for the background worker; a second click while one
    is queued or running says so and queues nothing."""
    if not insights_access.can_refresh_summaries(request.user):
        raise PermissionDenied
    job, queued = refresh_request(by=request.user)
    if queued:
        messages.success(request, "已提交刷新：本月经营数据正在后台重新统计，完成后本页显示新的统计时间。")
    else:
        who = f"{job.requested_by.last_name}{job.requested_by.first_name}" if job.requested_by else "其他主管"
        messages.info(
            request,
            f"已有刷新任务{job.get_status_display()}（{who} {localtime(job.requested_at):%H:%M} 提交），无需重复提交。",
        )
    query = QueryDict(request.POST.get("query", "")).urlencode()  # the filters, re-encoded
    return redirect(f"{reverse('dashboard')}?{query}" if query else "dashboard")


@permission_required(access.VIEW_DASHBOARDS, raise_exception=True)
def dashboard_refresh_status(request: HttpRequest) -> HttpResponse:
    """When the figures were computed and whether a refresh is queued or running (the page polls
    it while one is)."""
    return render(
        request,
        "desks/dashboard/refresh_status.html",
        {"run": last_run(), "job": latest_job(), "polled": "HX-Request" in request.headers},
    )
