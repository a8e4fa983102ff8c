"""Rules that write the self-service channels' data: client keys and their usage."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from channels.api import usage
from channels.api.auth import key_digest, new_raw_key
from channels.models import ApiChannel, ApiKey
from core.security_log import API_KEY_REVOKED, security_event
from policies.models import User


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    raw: str  # shown once, never stored


def api_key_create(
    *, channel: str, name: str, created_by: User | None = None, requests_per_minute: int = 600
) -> NewKey:
    """Make a client key for a channel. Only its digest and prefix are stored: the raw
    key in the result is the one and only time anyone sees it."""
    if channel not in ApiChannel.values:
        raise ValidationError(
            "渠道“%(channel)s”无效，应为 %(valid)s 之一。",
            code="channel",
            params={"channel": channel, "valid": "、".join(ApiChannel.values)},
        )
    key = ApiKey(
        name=name.strip() or f"{ApiChannel(channel).label}渠道",
        channel=channel,
        requests_per_minute=requests_per_minute,
    )
    return api_key_issue(key=key, created_by=created_by)


@transaction.atomic
def api_key_issue(*, key: ApiKey, created_by: User | None = None) -> NewKey:
    """Give an unsaved key (name, channel, rate filled in) its secret and save it."""
    if key.pk is not None:
        raise ValidationError("密钥已发放，不能重新生成；请停用后新建。", code="issued")
    if key.requests_per_minute is None or key.requests_per_minute <= 0:
        raise ValidationError("每分钟请求上限须为正整数。", code="rate")
    raw, key.prefix = new_raw_key()
    key.key_hash = key_digest(raw)
    key.created_by = created_by
    key.full_clean()
    key.save()
    return NewKey(key, raw)


def api_key_revoke(*, key: ApiKey, by: User | None = None) -> ApiKey:
    """Stop a key from working, at once and for good (its usage figures stay)."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = by
        key.save(update_fields=["revoked_at", "revoked_by"])
        security_event(API_KEY_REVOKED, user=by, details={"key_id": key.pk, "channel": key.channel})
    return key


def api_usage_record(*, key: ApiKey, endpoint: str, status: int) -> None:
    """Count one request of `key` to `endpoint` with response `status` (channels.api.usage: in
    Redis or this process's memory, written to ApiUsage in batches)."""
    usage.counter().record(key_id=key.pk, endpoint=endpoint, status=status)


def api_usage_flush() -> int:
    """Write every request counted so far to ApiUsage; the number of rows written."""
    return usage.flush()
