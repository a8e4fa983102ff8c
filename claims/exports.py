"""The claim queue exported (core.exports): the claims the queue lists for the same filters."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from claims import access
from claims.choices import ClaimState
from claims.filters import ClaimFilter
from claims.models import Claim
from claims.tables import QUEUE_SORTS
from core.exports import Column, ExportSpec, asked_export, export_response
from core.masking import mask_name, mask_plate
from policies.audit import log_people_exported


def shown_amount(claim: Claim):
    """The amount the queue shows: paid, else calculated, else assessed, else reported."""
    if claim.state in (ClaimState.PAID, ClaimState.CLOSED):
        return claim.paid_total
    for amount in (claim.calculated_total, claim.assessed_total):
        if amount is not None:
            return amount
    return claim.reported_total


CLAIM_QUEUE = ExportSpec(
    name="claims_queue",
    title="赔案清单",
    columns=[
        Column("赔案号", lambda c: c.number),
        Column("状态", lambda c: ClaimState(c.state).label),
        Column("号牌号码", lambda c: mask_plate(c.vehicle.plate), full=lambda c: c.vehicle.plate),
        Column("被保险人", lambda c: mask_name(c.policy.insured.name), full=lambda c: c.policy.insured.name),
        Column("网点", lambda c: c.branch.name),
        Column("出险时间", lambda c: c.accident_at),
        Column("报案时间", lambda c: c.reported_at),
        Column("责任", lambda c: "有责" if c.at_fault else "无责"),
        Column("金额（元）", shown_amount),
        Column("最近时限", lambda c: c.next_due_at),
        Column("风险提示", lambda c: len(c.risk_codes or ())),
    ],
    person_ids=lambda c: [c.policy.insured_id],
)


@require_GET
@access.required(access.can_view_claims)
def queue_export(request: HttpRequest) -> HttpResponse:
    fmt, full = asked_export(request)
    if fmt is None:
        return redirect("claims:queue")
    queryset = access.claims_for_user(request.user, Claim.objects.for_queue())
    filters = ClaimFilter(request.GET, queryset=queryset)
    rows = filters.qs if filters.is_valid() else queryset.none()
    # the page's sort (next deadline first by default): an index's order, read by keyset
    keyset = QUEUE_SORTS.get(request.GET.get("sort", ""), QUEUE_SORTS["next_due_at"])
    return export_response(
        request=request, spec=CLAIM_QUEUE, rows=rows, fmt=fmt, full=full, keyset=keyset,
        log_full_views=partial(log_people_exported, request, page="导出：赔案清单"),
    )  # fmt: skip
