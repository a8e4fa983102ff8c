"""The channel-usage figures of the supervisors' dashboard (one grouped query)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from channels.models import ApiChannel, ApiUsage
from core.clock import today

OUTCOMES = ("requests", "succeeded", "not_found", "rejected", "limited")


@dataclass(frozen=True)
class ChannelUsage:
    channel: str
    label: str
    today: int
    requests: int
    succeeded: int
    not_found: int
    rejected: int
    limited: int

    @property
    def found_rate(self) -> Decimal | None:
        """Of the lookups that reached a vehicle check, the share that found one."""
        looked_up = self.succeeded + self.not_found
        return Decimal(self.succeeded * 100 / looked_up).quantize(Decimal("0.1")) if looked_up else None


def channel_usage(*, days: int = 7, day: dt.date | None = None) -> list[ChannelUsage]:
    """API requests per channel over the last `days` days (and today), every channel listed."""
    day = day or today()
    rows = (
        ApiUsage.objects.filter(day__gt=day - dt.timedelta(days=days), day__lte=day)
        .values("key__channel")
        .annotate(today=Sum("requests", filter=Q(day=day)), **{o: Sum(o) for o in OUTCOMES})
    )
    by_channel = {r["key__channel"]: r for r in rows}
    return [
        ChannelUsage(
            channel=channel.value,
            label=channel.label,
            today=by_channel.get(channel.value, {}).get("today") or 0,
            **{o: by_channel.get(channel.value, {}).get(o) or 0 for o in OUTCOMES},
        )
        for channel in ApiChannel
    ]


def usage_panel() -> dict:
    return {"channels": channel_usage(), "days": 7}
