"""The `Idempotency-Key` header of requests that create something (a claim report)."""

from __future__ import annotations

import re

from django.http import HttpRequest

from channels.api import errors
from channels.api.errors import ApiError
from channels.models import ApiKey

IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


def idempotency_key(request: HttpRequest, *, key: ApiKey) -> str:
    """The client's key, namespaced by channel: a retry through another key of the same
    channel still lands once, and two channels never collide."""
    value = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()
    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, value):
        raise ApiError(errors.INVALID_IDEMPOTENCY_KEY)
    return f"api:{key.channel}:{value}"
