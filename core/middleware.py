"""Responses that show personal data stay out of caches: the browser's back/forward and disk
cache, a shared proxy's."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Pages that keep their own caching: the public status page, the JSON API (keyed, never a staff
# session), the health check and static files (whitenoise answers those before this runs).
OWN_CACHING = ("/api/", "/status", "/healthz", f"/{settings.STATIC_URL.lstrip('/')}")


class NoStoreForStaffMiddleware:
    """`Cache-Control: no-store, private` and `Pragma: no-cache` on every response to a
    signed-in member of staff — the counter, hotline, claims, support and admin pages all show
    personal data, so none of them may be kept. Place after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(OWN_CACHING):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
