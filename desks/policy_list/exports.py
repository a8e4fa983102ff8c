"""The supervisors' policy list exported (core.exports): the policies the list shows for the
same figure, months and filters, in its keyset order."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from core.clock import today
from core.exports import Column, ExportSpec, asked_export, export_response
from core.masking import mask_name, mask_plate
from desks.policy_list.filters import ListKind, PolicyListFilter
from desks.policy_list.tables import KEYSETS
from insights.access import branches_for_user
from policies import access
from policies.audit import log_people_exported
from policies.figures import RENEWAL_GRACE
from policies.models import Policy


def renewal_text(policy: Policy) -> str:
    """What became of the cover at its end, as the list says it."""
    successor = getattr(policy, "successor", None)
    if successor is None:
        return "未续保" if policy.end_date < today() else "尚未期满"
    days = (successor.start_date - policy.end_date).days
    late = "（超过宽限期）" if successor.start_date - policy.end_date > RENEWAL_GRACE else ""
    return f"{successor.start_date:%Y-%m-%d} 起续保（止期后 {days} 天）{late}"


POLICY_LIST = ExportSpec(
    name="dashboard_policies",
    title="保单明细",
    columns=[
        Column("保单号", lambda p: p.number),
        Column("号牌号码", lambda p: mask_plate(p.vehicle.plate), full=lambda p: p.vehicle.plate),
        Column("车主", lambda p: mask_name(p.vehicle.owner.name), full=lambda p: p.vehicle.owner.name),
        Column("车辆类别", lambda p: p.vehicle.get_premium_category_display()),
        Column("承保网点", lambda p: p.branch.name),
        Column("销售渠道", lambda p: p.get_channel_display()),
        Column("保险起期", lambda p: p.start_date),
        Column("保险止期", lambda p: p.end_date),
        Column("期满后", renewal_text),
    ],
    person_ids=lambda p: [p.vehicle.owner_id],
)


@require_GET
@permission_required(access.VIEW_DASHBOARDS, raise_exception=True)
def policy_list_export(request: HttpRequest) -> HttpResponse:
    fmt, full = asked_export(request)
    if fmt is None:
        return redirect("dashboard_policies")
    policies = Policy.objects.filter(branch__in=branches_for_user(request.user))
    filterset = PolicyListFilter(request.GET, queryset=policies, request=request, day=today())
    if filterset.is_valid():
        rows, keyset = filterset.qs, KEYSETS[filterset.kind]
    else:  # a wrong filter exports nothing (its header only), as the list lists nothing
        rows, keyset = policies.none(), KEYSETS[ListKind.LAPSED]
    return export_response(
        request=request, spec=POLICY_LIST, fmt=fmt, full=full, keyset=keyset,
        rows=rows.select_related("vehicle__owner", "branch", "successor"),
        log_full_views=partial(log_people_exported, request, page="导出：保单明细"),
    )  # fmt: skip
