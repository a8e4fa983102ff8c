"""The counter desk (柜面): look a customer up from a licence, explain the renewal quote,
renew on the spot and print the confirmation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from claims.ledger import liability_limits
from core import clock
from core.rmb import rmb_capitals
from desks.counter import view_models
from desks.counter.forms import CancelForm, CounterLookupForm, RenewForm, ShortTermQuoteForm
from desks.views import focused_vehicle
from policies import access, quotes, selectors, services
from policies.audit import log_person_view
from policies.choices import CancelReason, PaymentMethod, TermKind
from policies.identifiers import normalize
from policies.models import Person
from policies.refusals import NO_BRANCH_FOR_QUOTE

INSURER_NAME = getattr(settings, "INSURER_NAME", "JQX 财产保险股份有限公司")

PERSON_NOT_FOUND = (
    "未找到驾驶证号（身份证号）为 %(number)s 的客户。请核对：号码是否与证件一致；"
    "客户是否曾在本公司投保；也可改用行驶证上的号牌号码 + 车辆识别代号查询。"
)
VEHICLE_NOT_FOUND = (
    "未找到号牌号码与车辆识别代号同时相符的车辆。请核对行驶证：号牌号码、17 位车辆识别代号是否抄录正确；"
    "车辆如已更换号牌，以最新行驶证为准；新车首次投保请按新保办理。"
)
ENGINE_MISMATCH = "发动机号码与该车登记信息不符，请核对行驶证。"
STALE_QUOTE = (
    "报价已变化：该车出险记录或费率表在报价后有更新，新报价合计 {total} 元{was}。"
    "本次未出单、未收费，请向客户说明新报价后再确认。"
)


def person_url(person_id: int, *, vehicle_id: int | None = None, requoted: bool = False) -> str:
    url = reverse("counter:person", args=[person_id])
    if vehicle_id is None:
        return url
    return f"{url}?vehicle={vehicle_id}{'&requoted=1' if requoted else ''}#vehicle-{vehicle_id}"


@require_http_methods(["GET", "POST"])
@permission_required(access.COUNTER_DESK, raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """The lookup. Posted, so ID numbers stay out of URLs, histories and access logs."""
    form = CounterLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = _find(request, form)
        if found:
            return redirect(found)
    return render(request, "desks/counter/home.html", {"form": form})


def _find(request: HttpRequest, form: CounterLookupForm) -> str | None:
    """The result page's address, or None with the reason added to the form. The customer
    found is granted to the session: their pages open for it (policies.access.grant_person)."""
    data = form.cleaned_data
    if form.by_licence:
        person = selectors.person_by_licence_number(data["number"])
        if person is None:
            form.add_error(None, ValidationError(PERSON_NOT_FOUND, params={"number": data["number"]}))
            return None
        access.grant_person(request, person.pk)
        return person_url(person.pk)
    vehicle = selectors.vehicle_by_plate_and_vin(plate=data["plate"], vin=data["vin"])
    if vehicle is None:
        form.add_error(None, VEHICLE_NOT_FOUND)
        if form.vin_warning:  # an imported VIN whose check digit is off may be mistyped
            form.add_error("vin", form.vin_warning)
        return None
    if data["engine_number"] and data["engine_number"] != normalize(vehicle.engine_number):
        form.add_error("engine_number", ENGINE_MISMATCH)
        return None
    access.grant_person(request, vehicle.owner_id)
    return person_url(vehicle.owner_id, vehicle_id=vehicle.pk)


def _person_page(
    request: HttpRequest,
    person: Person,
    *,
    revealed: bool = False,
    focus: int | None = None,
    renew_form: RenewForm | None = None,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    day = clock.today()
    focus = focus or focused_vehicle(request)
    desks = view_models.counter_vehicle_desks(person, branch=request.user.branch, day=day, focus=focus)
    context = {
        "renew_form": renew_form or RenewForm(),
        "cancel_form": cancel_form or CancelForm(),
        "bound_vehicle": focus if (renew_form or cancel_form) else None,
        "can_cancel": access.can_cancel_policy(request.user),
        "payment_methods": PaymentMethod.choices,
        "show_ledger": True,
        "cancel_reasons": CancelReason.choices,
        "person": person,
        "revealed": revealed,
        "licences": view_models.licence_rows(view_models.licences_of(person), day=day),
        "desks": desks,
        "record": view_models.person_claims_record(person, desks),
        "focus": focus,
        "requoted": request.GET.get("requoted") == "1",
        "today": day,
        "can_renew": access.can_renew_policy(request.user),
    }
    return render(request, "desks/counter/person.html", context)


@require_http_methods(["GET"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's record: licences, vehicles, status, history and renewal quotes — for a
    customer found by a lookup of this session (any other id: 404)."""
    customer = access.get_person_for_user(
        request.user,
        pk,
        desk="counter",
        granted=access.granted_people(request),
        queryset=view_models.counter_person_queryset(request.user),
    )
    log_person_view(request, customer, "counter_person")
    return _person_page(request, customer)


@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number and phone — deliberately, and written down."""
    customer = access.get_person_for_user(
        request.user,
        pk,
        desk="counter",
        granted=access.granted_people(request),
        queryset=view_models.counter_person_queryset(request.user),
    )
    log_person_view(request, customer, "counter_reveal")
    if request.htmx:
        return render(request, "desks/counter/_identity.html", {"person": customer, "revealed": True})
    return _person_page(request, customer, revealed=True)


@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the renewal exactly as quoted; a retry answers with the policy already issued."""
    vehicle = access.get_vehicle_to_renew(request.user, pk, granted=access.granted_people(request))
    back = person_url(vehicle.owner_id, vehicle_id=vehicle.pk)
    form = RenewForm(request.POST)
    if not form.is_valid():
        if form.hidden_fields_broken:
            messages.error(request, "续保请求不完整，请重新查询后再办理。")
            return redirect(back)
        return _form_again(request, vehicle, renew_form=form)  # the payment fields, next to them
    try:
        result = services.policy_renew(
            vehicle=vehicle,
            clerk=request.user,
            from_policy_id=form.cleaned_data["from_policy"],
            fingerprint=form.cleaned_data["fingerprint"],
            payment_method=form.cleaned_data["payment_method"],
            payment_reference=form.cleaned_data["payment_reference"],
        )
    except services.StaleQuote as exc:
        shown = form.cleaned_data["quoted_total"]
        was = f"（原报价 {shown} 元）" if shown is not None else ""
        messages.warning(request, STALE_QUOTE.format(total=exc.quote.total, was=was))
        return redirect(person_url(vehicle.owner_id, vehicle_id=vehicle.pk, requoted=True))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    policy = result.policy
    if result.created:
        messages.success(
            request,
            f"续保出单成功：保单号 {policy.number}，保险期间 {policy.start_date:%Y-%m-%d} {policy.start_hour} 时至 "
            f"{policy.end_date:%Y-%m-%d} 二十四时，合计收费 {policy.total} 元。",
        )
    else:
        messages.info(
            request,
            f"该车已续保（保单号 {policy.number}，{policy.issued_by or '系统'} 于 "
            f"{clock.local(policy.issued_at):%m-%d %H:%M} 出单），未重复出单、未重复收费。",
        )
    return redirect("counter:confirmation", pk=policy.pk)


def _form_again(request: HttpRequest, vehicle, **forms) -> HttpResponse:
    """The customer page again with the posted form and its errors next to the fields."""
    customer = access.get_person_for_user(
        request.user,
        vehicle.owner_id,
        desk="counter",
        granted=access.granted_people(request),
        queryset=view_models.counter_person_queryset(request.user),
    )
    log_person_view(request, customer, "counter_person")
    return _person_page(request, customer, focus=vehicle.pk, **forms)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """退保 (docs/regulation.md §3): cancel the policy on the ground and document given and
    open the printable refund note; a retry answers with the cancellation already made."""
    policy = access.get_policy_to_cancel(request.user, pk, granted=access.granted_people(request))
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _form_again(request, policy.vehicle, cancel_form=form)
    try:
        result = services.policy_cancel(
            policy_id=policy.pk,
            by=request.user,
            reason=form.cleaned_data["reason"],
            document=form.cleaned_data["document"],
            refund_method=form.cleaned_data["refund_method"],
            refund_reference=form.cleaned_data["refund_reference"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _form_again(request, policy.vehicle, cancel_form=form)
    cancelled = result.policy
    if result.created:
        messages.success(
            request,
            f"退保成功：保单 {cancelled.number} 保障至 {cancelled.cancelled_on:%Y-%m-%d} 24 时止，"
            f"应退保费 {cancelled.refund} 元。",
        )
    else:
        messages.info(request, f"保单 {cancelled.number} 已退保，未重复退费。")
    return redirect("counter:refund_note", pk=cancelled.pk)


@require_http_methods(["GET"])
def refund_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable refund note of a cancelled policy (A4): ground, document, the refund's
    arithmetic and how it was paid back."""
    policy = access.get_policy_for_user(
        request.user,
        pk,
        desk="counter",
        granted=access.granted_people(request),
        queryset=view_models.confirmation_queryset(),
    )
    if not policy.is_cancelled:
        raise Http404("该保单未退保。")
    log_person_view(request, policy.insured, "counter_refund_note")
    context = {
        "policy": policy,
        "insurer": INSURER_NAME,
        "note": view_models.refund_note(policy),
        "back": person_url(policy.vehicle.owner_id, vehicle_id=policy.vehicle_id),
    }
    return render(request, "desks/counter/refund_note.html", context)


@require_http_methods(["GET"])
def confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable summary of the electronic policy (A4)."""
    policy = access.get_policy_for_user(
        request.user,
        pk,
        desk="counter",
        granted=access.granted_people(request),
        queryset=view_models.confirmation_queryset(),
    )
    log_person_view(request, policy.insured, "counter_confirmation")
    context = {
        "policy": policy,
        "insurer": INSURER_NAME,
        "limits": liability_limits(policy.start_date),
        "floating": view_models.policy_floating_explanation(policy),
        "total_capitals": rmb_capitals(policy.total),
        "entries": view_models.premium_entries(policy),
        "back": person_url(policy.vehicle.owner_id, vehicle_id=policy.vehicle_id),
    }
    return render(request, "desks/counter/confirmation.html", context)


@require_http_methods(["GET"])
@permission_required(access.COUNTER_DESK, raise_exception=True)
def short_term(request: HttpRequest) -> HttpResponse:
    """Quote short-term cover (docs/regulation.md §3): temporary entry, temporary road use, near scrap."""
    focus = focused_vehicle(request)
    vehicle = (
        access.get_vehicle_for_user(
            request.user, focus, desk="counter", granted=access.granted_people(request)
        )
        if focus
        else None
    )
    policies = list(vehicle.policies.order_by("start_date", "pk")) if vehicle else []
    bound = "start_date" in request.GET
    form = ShortTermQuoteForm(
        request.GET if bound else None, vehicle=vehicle, initial=_short_term_initial(policies)
    )
    quote = None
    if bound and form.is_valid():
        if request.user.branch is None:
            form.add_error(None, NO_BRANCH_FOR_QUOTE)
        else:
            data = form.cleaned_data
            try:
                quote = quotes.short_term_quote(
                    term_kind=data["term_kind"],
                    start=data["start_date"],
                    end=data["end_date"],
                    branch=request.user.branch,
                    category=data["category"],
                    energy=data["energy_type"],
                    displacement=data["displacement_l"],
                    registration_date=data["registration_date"],
                    policies=policies,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
    term_label = TermKind(quote.term_kind).label if quote else ""
    context = {"form": form, "vehicle": vehicle, "quote": quote, "term_label": term_label}
    template = "_short_term.html" if request.htmx else "short_term.html"
    return render(request, f"desks/counter/{template}", context)


def _short_term_initial(policies: list) -> dict:
    if not policies:
        return {}
    start = quotes.short_term_start(policies, day=clock.today())
    return {"term_kind": "near_scrap", "start_date": start}
