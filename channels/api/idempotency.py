"""The `Idempotency-Key` header of requests that create something (a claim report), and
the fingerprint of the request it is bound to."""

from __future__ import annotations

import hashlib
import json
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


def request_fingerprint(request: HttpRequest, raw: bytes) -> str:
    """SHA-256 (hex) of the method, the path and the body in canonical form (keys sorted,
    no spaces), kept with the key: a retry of the same request matches however its JSON is
    spaced or ordered; the same key with another request does not. `raw` is a body that
    parsed as JSON."""
    body = json.loads(raw.decode("utf-8-sig"))
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = "\n".join((request.method or "", request.path, canonical))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
