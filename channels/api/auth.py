"""Client keys: `Authorization: Bearer jqx_<prefix>_<secret>`.

The prefix (8 hex characters) finds the key's row; the whole key is checked against the
stored SHA-256 digest with a constant-time comparison. A key has 256 bits of entropy, so
a fast hash is enough: there is nothing to guess a dictionary from.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.http import HttpRequest

from channels.api import errors
from channels.api.errors import ApiError
from channels.models import ApiKey
from core.security_log import API_KEY_USED, DENIED, security_event

KEY_PATTERN = re.compile(r"^jqx_(?P<prefix>[0-9a-f]{8})_[A-Za-z0-9_-]{40,64}$")
# Compared against when no key has the prefix, so the work is the same either way.
_NO_KEY_DIGEST = hashlib.sha256(b"no such key").hexdigest()


def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8", "surrogatepass")).hexdigest()


def new_raw_key() -> tuple[str, str]:
    """A fresh key and its prefix: `jqx_` + 8 hex + `_` + 43 URL-safe characters (256 bits)."""
    prefix = secrets.token_hex(4)
    return f"jqx_{prefix}_{secrets.token_urlsafe(32)}", prefix


def bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(errors.MISSING_API_KEY)
    return token.strip()


def authenticate(request: HttpRequest) -> ApiKey:
    """The active key the request carries (one query), or ApiError 401."""
    token = bearer_token(request)
    match = KEY_PATTERN.match(token)
    key = ApiKey.objects.filter(prefix=match["prefix"]).first() if match else None
    expected = key.key_hash if key is not None else _NO_KEY_DIGEST
    if not hmac.compare_digest(key_digest(token), expected) or key is None:
        raise ApiError(errors.INVALID_API_KEY)
    if key.revoked_at is not None:
        security_event(API_KEY_USED, request=request, outcome=DENIED, details={"key_id": key.pk})
        raise ApiError(errors.REVOKED_API_KEY)
    security_event(API_KEY_USED, request=request, details={"key_id": key.pk, "channel": key.channel})
    return key
