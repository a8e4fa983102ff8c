"""The supervisors' policy list: the policies behind a policy figure of the dashboard, with the
dashboard's filters, in the branches the supervisor may see."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.clock import today
from core.keyset import keyset_page
from desks.policy_list.filters import PolicyListFilter
from desks.policy_list.tables import COUNT_CAP, KEYSETS, PolicyListTable
from insights.access import branches_for_user
from policies import access
from policies.models import Policy

PER_PAGE = 25


def _dashboard_url(filterset: PolicyListFilter) -> str:
    """The dashboard with the list's filters (its months, branch, channel, category)."""
    data = filterset.form.cleaned_data
    params = {
        "start": f"{data['start']:%Y-%m}",
        "end": f"{data['end']:%Y-%m}",
        "branch": [b.pk for b in data.get("branch") or []],
        "channel": data.get("channel") or "",
        "category": data.get("category") or "",
    }
    return f"{reverse('dashboard')}?{urlencode({k: v for k, v in params.items() if v}, doseq=True)}"


@permission_required(access.VIEW_DASHBOARDS, raise_exception=True)
def policy_list(request: HttpRequest) -> HttpResponse:
    """One keyset page of the policies and a count that stops at `COUNT_CAP` (two queries
    whatever the size of the book); a wrong filter is said beside its field, nothing listed."""
    policies = Policy.objects.filter(branch__in=branches_for_user(request.user))
    filterset = PolicyListFilter(request.GET or None, queryset=policies, request=request, day=today())
    context = {"filter": filterset, "table": None}
    if filterset.is_bound and filterset.is_valid():
        rows = filterset.qs
        page = keyset_page(
            rows.select_related("vehicle__owner", "branch", "successor"),
            KEYSETS[filterset.kind],
            per_page=PER_PAGE,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
        count = rows.order_by().values("pk")[: COUNT_CAP + 1].count()
        table = PolicyListTable(page.rows)
        table.keyset = page
        context |= {
            "table": table,
            "count": min(count, COUNT_CAP),
            "count_capped": count > COUNT_CAP,
            "dashboard_url": _dashboard_url(filterset),
        }
    return render(request, "desks/policy_list/list.html", context)
