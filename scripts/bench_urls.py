"""The HTTP benchmark's URLconf (scripts/bench_settings.py): every URL of the portal, plus the
minimal page — one policy by primary key, two columns, through the same middleware (session,
sign-in, CSRF, security headers) — against which each desk page's throughput is compared. Not
in jqx_portal/urls.py: production never serves it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from policies.models import Policy


def minimal(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(Policy.objects.only("pk", "number"), pk=pk)
    return HttpResponse(policy.number, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/minimal/<int:pk>", minimal, name="bench_minimal"),
    path("", include("jqx_portal.urls")),
]
