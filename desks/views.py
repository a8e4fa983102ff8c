from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.inputs import ascii_int
from desks import dashboard as panels
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
    context = panels.renewal_figures() | {"panels": panels.panels()}
    return render(request, "desks/dashboard.html", context)
