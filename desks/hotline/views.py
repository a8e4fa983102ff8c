"""The hotline desk (热线): one search box, the customer's whole picture, logging the call."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.clock import today
from desks.hotline.customer import customer_picture, hotline_person_queryset
from desks.hotline.filters import FORM_ID, VehicleFilter
from desks.hotline.forms import SearchForm
from desks.hotline.results import hotline_results
from desks.hotline.search import MAX_PEOPLE, UNRECOGNISED_HINT
from desks.hotline.tables import VehicleList
from desks.views import focused_vehicle
from policies import access
from policies.audit import log_person_view
from policies.models import Person
from reminders import access as reminder_access
from reminders.models import RenewalCall

TERMS = "hotline_terms"  # session key: the latest search terms, by a random key in the URL
KEEP_TERMS = 20
OPEN_SINGLE = "one"  # a search that finds one customer opens their page at once
RENEW_ELSEWHERE = "热线不出单：客户可在官网、APP、微信小程序续保，或到承保网点柜面办理。"


def _remember(request: HttpRequest, term: str) -> str:
    """Keep the term in the session and return the key the results' URL carries instead —
    ID numbers and phone numbers stay out of URLs, browser history and access logs."""
    terms = request.session.get(TERMS, {})
    key = secrets.token_urlsafe(6)
    terms[key] = term
    request.session[TERMS] = dict(list(terms.items())[-KEEP_TERMS:])
    return key


def _recall(request: HttpRequest, key: str) -> str | None:
    return request.session.get(TERMS, {}).get(key) if key else None


@require_http_methods(["GET", "POST"])
@permission_required(access.HOTLINE_DESK, raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """Search and filter. A search is posted and answered with its results in one response;
    the term is kept in the session under a key, and the page's address becomes the results'
    URL (`results_url`: the key and the filters, never the term) for paging, sorting and reload."""
    results_url = None
    if request.method == "POST":
        form = SearchForm(request.POST)
        term = ""
        if form.is_valid():
            params = VehicleFilter.params(request.POST)
            term = form.cleaned_data["q"]
            if term:
                params["s"] = _remember(request, term)
                form = SearchForm(initial={"q": term})
            # The page is drawn as its results' URL draws it: pager and sort links keep the key.
            request.GET = QueryDict(urlencode(params))
            results_url = (
                f"{reverse('hotline:home')}?{urlencode(params)}" if params else reverse("hotline:home")
            )
    else:
        key = request.GET.get("s", "")
        term = _recall(request, key)
        if key and term is None:
            messages.warning(request, "该查询已过期，请重新输入查询内容。")
        form = SearchForm(initial={"q": term or ""})
    day = today()
    results = hotline_results(term=term or "", data=request.GET, day=day)
    table = None
    if results.page is not None:
        table = VehicleList(results.page, day=day, sort=results.sort, renewed=results.renewed)
    _grant_shown(request, results, table)
    # A fresh search (not paging, sorting or reload) that finds one customer opens their page,
    # unless the box's "只有一位客户符合时直接打开" was unticked.
    fresh = request.method == "POST" and request.POST.get(OPEN_SINGLE) == "1"
    if fresh and (single := _single_customer(results, table)) is not None:
        messages.info(request, "只有一位客户符合查询，已直接打开其客户视图。")
        return redirect(single)
    context = {
        "ready_calls": _ready_calls(request),
        "form": form,
        "form_id": FORM_ID,
        "results": results,
        "table": table,
        "max_people": MAX_PEOPLE,
        "results_url": results_url,
        "unrecognised_hint": UNRECOGNISED_HINT,
        "today": day,
    }
    return render(request, "desks/hotline/home.html", context)


def _grant_shown(request: HttpRequest, results, table) -> None:
    """The customers this page links to may be opened from it (policies.access.grant_person):
    the people a search found, the owners of uninsured vehicles found, and the owners on the
    results page shown. No query: the rows are already read."""
    shown = [p.pk for p in results.search.people] if results.search else []
    shown += [v.owner_id for v in results.uninsured]
    if results.page is not None:
        shown += [row.vehicle.owner_id for row in results.page.rows]
    access.grant_person(request, *dict.fromkeys(shown))


def _single_customer(results, table) -> str | None:
    """The customer view's address when a search (not filters alone) found one customer only —
    every person, vehicle and row it found is theirs; with one vehicle, that vehicle in focus."""
    search = results.search
    if search is None or not search.found or results.page is None and results.count:
        return None
    rows = results.page.rows if results.page is not None else []
    if results.count and (len(rows) != results.count or results.page.has_next):
        return None
    owners = {p.pk for p in search.people}
    owners |= {v.owner_id for v in results.uninsured}
    owners |= {row.vehicle.owner_id for row in rows}
    if len(owners) != 1:
        return None
    vehicles = {v.pk for v in results.uninsured} | {row.vehicle_id for row in rows}
    url = reverse("hotline:customer", args=[owners.pop()])
    return f"{url}?vehicle={vehicles.pop()}" if len(vehicles) == 1 else url


def _ready_calls(request: HttpRequest) -> int:
    """How many of the agent's renewal calls may be made now (the button beside the search)."""
    if not reminder_access.can_work_calls(request.user):
        return 0
    return RenewalCall.objects.assigned_to(request.user).ready(timezone.now()).count()


def customer_page(
    request: HttpRequest,
    person: Person,
    *,
    focus: int | None = None,
    revealed: bool = False,
    extra: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """The customer's page; the call-list desk shows it with the call being worked (`extra`)."""
    picture = customer_picture(request.user, person, focus=focus)
    context = {
        "person": person,
        "picture": picture,
        "desks": picture.desks,
        "licences": picture.licences,
        "revealed": revealed,
        "focus": focus,
        "today": today(),
        "can_renew": False,
        "renew_elsewhere": RENEW_ELSEWHERE,
        "reveal_url": reverse("hotline:reveal", args=[person.pk]),
        "here": request.get_full_path(),
        **(extra or {}),
    }
    return render(request, "desks/hotline/customer.html", context, status=status)


@require_http_methods(["GET"])
def customer(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's whole picture on one screen (the view is logged) — for a customer this
    session's searches, calls or tickets showed (any other id: 404)."""
    person = access.get_person_for_user(
        request.user,
        pk,
        desk="hotline",
        granted=access.granted_people(request),
        queryset=hotline_person_queryset(request.user),
    )
    log_person_view(request, person, "hotline_customer")
    return customer_page(request, person, focus=focused_vehicle(request))


@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number and phone — deliberately, and written down."""
    person = access.get_person_for_user(
        request.user,
        pk,
        desk="hotline",
        granted=access.granted_people(request),
        queryset=hotline_person_queryset(request.user),
    )
    log_person_view(request, person, "hotline_reveal")
    if request.htmx:
        context = {"person": person, "revealed": True, "reveal_url": reverse("hotline:reveal", args=[pk])}
        return render(request, "desks/counter/_identity.html", context)
    return customer_page(request, person, focus=focused_vehicle(request), revealed=True)
