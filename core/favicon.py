"""`/favicon.ico`: the portal's icon where browsers look for it first (no 404 in any log)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

ICON = settings.BASE_DIR / "static" / "favicon.ico"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@login_not_required
@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_icon(), content_type="image/x-icon")
