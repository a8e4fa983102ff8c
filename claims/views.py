"""The claims desk: the queue, the report form, a claim's page and its steps.

Views are thin: ask `claims.access` who may see and do what, bind a form, call one
service, redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_POST
from django_filters.views import FilterView

from claims import access, selectors, services
from claims.filters import ClaimFilter
from claims.forms import ACTION_FORMS, PartyFormSet, PartyFormSetHelper, ReportForm
from claims.models import Claim
from claims.payout import yuan
from claims.tables import QUEUE_COUNT_CAP, QUEUE_SORTS, ClaimList, state_badge
from claims.workflow import FORWARD
from core.clock import today
from core.keyset import keyset_page
from policies.audit import log_person_view
from policies.choices import PolicyStatus


@method_decorator(access.required(access.can_view_claims), name="dispatch")
class ClaimQueue(FilterView):
    """Open claims by state, branch and deadline, the most urgent first; "previous / next"
    pages by keyset (`core.keyset`) and a count that stops at `QUEUE_COUNT_CAP`."""

    filterset_class = ClaimFilter
    template_name = "claims/queue.html"
    per_page = 25

    def get_queryset(self):
        return access.claims_for_user(self.request.user, Claim.objects.for_queue())

    def get_context_data(self, **kwargs):
        """One page after (or before) the cursor in the URL, in a sort an index gives; the page
        size is the view's (`?per_page=` and `?page=` are not read)."""
        context = super().get_context_data(**kwargs)
        sort = self.request.GET.get("sort")
        sort = sort if sort in QUEUE_SORTS else "next_due_at"
        rows = self.object_list
        page = keyset_page(
            rows,
            QUEUE_SORTS[sort],
            per_page=self.per_page,
            after=self.request.GET.get("after"),
            before=self.request.GET.get("before"),
        )
        count = rows.order_by().values("pk")[: QUEUE_COUNT_CAP + 1].count()
        context["table"] = ClaimList(page, sort=sort)
        context["can_report"] = access.can_report_claim(self.request.user)
        context["count"] = min(count, QUEUE_COUNT_CAP)
        context["count_capped"] = count > QUEUE_COUNT_CAP
        return context


queue = ClaimQueue.as_view()


APPROVALS_SHOWN = 100
# A refusal of the report service is shown next to the field it is about.
REPORT_ERROR_FIELDS = {
    "outside_cover": "accident_at",
    "accident_in_future": "accident_at",
    "accident_at": "accident_at",
    "no_limit": "accident_at",
    "vehicle_required": "vehicle",
    "vehicle_not_found": "vehicle",
    "place": "place",
    "description": "description",
    "advance_case": "advance_case",
}


@require_GET
@access.required(access.can_approve_claims)
def approvals(request: HttpRequest) -> HttpResponse:
    """待我核赔: the calculated claims this user may approve, the longest waiting first, with
    the amount and who calculated it (two queries: the rows and their count)."""
    claims = access.approvable_by(request.user, selectors.calculated_claims())
    rows = list(claims[:APPROVALS_SHOWN])
    total = len(rows) if len(rows) < APPROVALS_SHOWN else claims.count()
    return render(
        request,
        "claims/approvals.html",
        {"claims": rows, "total": total, "shown": APPROVALS_SHOWN, "now": timezone.now()},
    )


@access.required(access.can_report_claim)
def report(request: HttpRequest) -> HttpResponse:
    """报案: the insured vehicle, the accident, and each third party with their losses."""
    if request.method == "POST":
        form = ReportForm(request.POST)
        parties = PartyFormSet(request.POST, prefix="party")
        if form.is_valid() and parties.is_valid():
            data = form.cleaned_data
            try:
                claim = services.claim_report(
                    vehicle=data["vehicle"],
                    accident_at=data["accident_at"],
                    place=data["place"],
                    description=data["description"],
                    at_fault=data["at_fault"],
                    parties=parties.parties(),
                    channel=data["channel"],
                    reported_by=request.user,
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    advance_case=data["advance_case"],
                )
            except ValidationError as error:
                form.add_error(REPORT_ERROR_FIELDS.get(getattr(error, "code", None)), error)
            else:
                text = f"已受理报案，赔案号 {claim.number}。"
                if claim.late_report:
                    text += "出险后较长时间才报案，已标记延迟报案。"
                messages.success(request, text)
                return (
                    redirect("claims:detail", pk=claim.pk)
                    if access.can_view_claim(request.user, claim)
                    else redirect("claims:report")
                )
    else:
        form = ReportForm(
            initial={
                "channel": access.default_report_channel(request.user),
                "vehicle": request.GET.get("vehicle", ""),
            }
        )
        parties = PartyFormSet(prefix="party")
    return render(
        request,
        "claims/report.html",
        {"form": form, "parties": parties, "parties_helper": PartyFormSetHelper()},
        # A report shown again with what stops it is a refusal: nothing was written.
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@access.required(access.can_report_claim)
def vehicle_covers(request: HttpRequest) -> HttpResponse:
    """The report form's lookup: the vehicle a plate, VIN or policy number names, and its covers."""
    reference = request.GET.get("vehicle", "")
    context: dict = {"reference": reference}
    if reference.strip():
        try:
            vehicle, policies = services.find_vehicle(reference, day=today())
        except ValidationError as error:
            context["error"] = error.messages[0]
        else:
            context |= {"vehicle": vehicle, "policies": policies[-3:], "cancelled": PolicyStatus.CANCELLED}
    return render(request, "claims/_vehicle_covers.html", context)


def _detail_context(request: HttpRequest, claim: Claim, bound=None) -> dict:
    now = timezone.now()
    page = selectors.claim_page(claim, now=now)
    # The next step of the main path first, then the steps that keep the state, then the exits.
    actions = sorted(
        access.allowed_actions(request.user, claim),
        key=lambda a: (a.code not in FORWARD, a.target is not None),
    )
    forms = []
    for act in actions:
        if bound is not None and bound.code == act.code:
            forms.append(bound)
        elif act.code == "assess":
            forms.append(ACTION_FORMS[act.code](claim=claim, losses=page["losses"]))
        else:
            forms.append(_action_form(act.code, claim, request.user))
    return page | {
        "state_badge": state_badge(claim.state),
        "action_forms": forms,
        "awaiting_reviewer": access.awaits_other_reviewer(request.user, claim),
        "open_form": bound.code if bound is not None else (forms[0].code if forms else None),
        "now": now,
    }


def _action_form(code: str, claim: Claim, user, data=None):
    """The step's form, bound to `data` when posted."""
    extra = {"can_override": access.can_pay_without_documents(user)} if code == "pay" else {}
    return ACTION_FORMS[code](data, claim=claim, **extra)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A claim with its history, deadlines, signals, ledger and the steps the user may take."""
    claim = access.get_claim_for_user(request.user, pk, selectors.claim_for_detail())
    log_person_view(request, claim.policy.insured, "claim_detail")
    return render(request, "claims/detail.html", _detail_context(request, claim))


def _run(code: str, claim: Claim, by, form) -> str:
    """Call the step's service with the cleaned form; return the message for the user."""
    data = form.cleaned_data
    note = data.get("note", "")
    match code:
        case "register":
            services.claim_register(claim=claim, by=by, documents=data["documents"], note=note)
            return "已立案，并已告知需提供的索赔单证。"
        case "documents":
            services.claim_documents(
                claim=claim, by=by, received=data["received"], all_received=data["all_received"], note=note
            )
            return "单证登记已保存。"
        case "add_party":
            losses = services.claim_add_party(claim=claim, by=by, note=note, **form.arguments())
            return f"已增补 {len(losses)} 项损失。"
        case "advance":
            payment = services.claim_advance(
                claim=claim, by=by, party=data["party"], amount=data["amount"], note=note
            )
            return f"已垫付抢救费用 {yuan(payment.amount)} 元。"
        case "survey":
            services.claim_survey(
                claim=claim, by=by, at_fault=data["at_fault"], advance_case=data["advance_case"], note=note
            )
            return "查勘结论已保存。"
        case "assess":
            services.claim_assess(claim=claim, by=by, amounts=form.amounts(), note=note)
            return "定损核损已完成。"
        case "calculate":
            updated = services.claim_calculate(claim=claim, by=by, note=note)
            return f"理算完成，应赔 {yuan(updated.calculated_total)} 元。"
        case "send_back":
            services.claim_send_back(claim=claim, by=by, note=note)
            return "已退回重新定损。"
        case "approve":
            payment = services.claim_approve(claim=claim, by=by, note=note)
            return f"核赔通过，核准赔款 {yuan(payment.amount)} 元。"
        case "revoke":
            services.claim_revoke(claim=claim, by=by, note=note)
            return "已撤销核赔并冲正赔款。"
        case "pay":
            payment = services.claim_pay(
                claim=claim,
                by=by,
                reference=data["reference"],
                override_reason=data.get("override_reason", ""),
                note=note,
            )
            return f"已登记支付 {yuan(payment.amount)} 元。"
        case "close":
            services.claim_close(claim=claim, by=by, note=note)
            return "已结案。"
        case "supplement":
            services.claim_supplement(claim=claim, by=by, note=note)
            return "已受理追加赔付，请重新定损核损。"
        case "reopen":
            services.claim_reopen(claim=claim, by=by, note=note)
            return "赔案已重开，请重新定损核损。"
        case "recover":
            recovery = services.claim_recover(
                claim=claim, by=by, amount=data["amount"], debtor=data["debtor"], reference=data["reference"],
                note=note,
            )  # fmt: skip
            return f"已登记追偿款 {yuan(recovery.amount)} 元。"
        case "reject":
            services.claim_reject(claim=claim, by=by, reason=data["reason"], note=note)
            return "已拒赔，请将拒赔理由书面告知索赔人。"
        case "withdraw":
            services.claim_withdraw(claim=claim, by=by, note=note)
            return "赔案已注销。"
    raise PermissionDenied


@require_POST
def act(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Take one step of the claim through its form."""
    # The claim alone: the service re-reads it under its row lock (and its history for
    # the four-eyes rule); the page's relations are read only to show a form's errors.
    claim = access.get_claim_for_user(request.user, pk)
    if code not in ACTION_FORMS or not access.can_take_step(request.user, code):
        raise PermissionDenied
    # The state machine and the four-eyes rule are checked by the service (under the
    # claim's row lock), which says why.
    form = _action_form(code, claim, request.user, request.POST)
    if form.is_valid():
        try:
            messages.success(request, _run(code, claim, request.user, form))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("claims:detail", pk=claim.pk)
    messages.error(request, "请检查填写的内容。")
    page = selectors.claim_for_detail().get(pk=claim.pk)
    return render(request, "claims/detail.html", _detail_context(request, page, bound=form), status=400)
