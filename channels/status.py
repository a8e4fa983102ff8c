"""The public renewal-status page `/status`: the API's answer for customers on the web."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from channels.api import errors, ratelimit
from channels.api.forms import StatusLookupForm
from channels.api.ratelimit import Limit, Rate
from channels.api.selectors import insured_vehicle, status_answer
from core.clock import today
from policies.services import client_ip
from policies.tariffs import advance_window_words

TEMPLATE = "channels/status.html"


def channel_links() -> dict[str, dict[str, str]]:
    """Where each renewal channel is reached from the page: the website and the app by link,
    the mini program by its name in WeChat, the counter through the hotline."""
    site = f"https://{settings.SERVICE_WEBSITE}"
    return {
        "website": {"url": f"{site}/renew", "hint": settings.SERVICE_WEBSITE},
        "app": {"url": f"{site}/app", "hint": "下载或打开 APP"},
        "mini_program": {"url": "", "hint": "微信搜索“交强险服务”小程序"},
        "counter": {
            "url": f"tel:{settings.SERVICE_HOTLINE.replace('-', '')}",
            "hint": f"致电 {settings.SERVICE_HOTLINE} 咨询营业时间",
        },
    }


def render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """The page with what every state of it shows: the channels' links and the hotline."""
    links = channel_links()
    answer = context.get("answer")
    rows = [(c, links.get(c.code, {"url": "", "hint": ""})) for c in answer.channels] if answer else []
    context = {"channel_rows": rows, "hotline": settings.SERVICE_HOTLINE, **context}
    return django_render(request, template, context, status=status)


@never_cache
@login_not_required
@require_http_methods(["GET", "POST"])
def status_page(request: HttpRequest) -> HttpResponse:
    """Plate + VIN → status, dates, days left, where to renew; a masked plate and nothing
    personal. Every submission counts against the client address's limit, every valid one
    against the plate's too."""
    if request.method != "POST":
        return render(
            request, TEMPLATE, {"form": StatusLookupForm(), "advance_window": advance_window_words(today())}
        )
    exceeded = ratelimit.hit(Limit(f"page-ip:{client_ip(request)}", Rate.parse(settings.STATUS_PAGE_IP_RATE)))
    form = StatusLookupForm(request.POST)
    if exceeded is None and form.is_valid():
        plate, vin = form.cleaned_data["plate"], form.cleaned_data["vin"]
        exceeded = ratelimit.hit(Limit(f"page-plate:{plate}", Rate.parse(settings.STATUS_PAGE_PLATE_RATE)))
        if exceeded is None:
            insured = insured_vehicle(plate=plate, vin=vin)
            if insured is None:  # the API's 404 message, for an unknown plate and a wrong VIN alike
                context = {"form": form, "not_found": errors.NOT_FOUND.message}
            else:  # a fresh form: the full plate and VIN are not shown back
                context = {"form": StatusLookupForm(), "answer": status_answer(insured, day=today())}
            return render(request, TEMPLATE, context)
    if exceeded is not None:
        response = render(request, TEMPLATE, {"form": form, "retry_after": exceeded.retry_after}, status=429)
        response["Retry-After"] = str(exceeded.retry_after)
        return response
    return render(request, TEMPLATE, {"form": form, "advance_window": advance_window_words(today())})
