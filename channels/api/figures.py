"""The channel-usage figures of the supervisors' dashboard (one grouped query)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from channels.api import usage
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
    usage.flush()  # the requests still counted in Redis or this process's memory, first
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


def usage_by_month(*, months: list[dt.date], channel: str = "") -> dict[str, list[int]]:
    """API requests per channel (only `channel`, when given) in each of `months` (first days),
    one grouped query: {channel: [requests per month]}, channels without a request left out."""
    if not months:
        return {}
    last = months[-1]
    until = (
        last.replace(year=last.year + 1, month=1) if last.month == 12 else last.replace(month=last.month + 1)
    )
    usage.flush()
    rows = ApiUsage.objects.filter(day__gte=months[0], day__lt=until)
    if channel:
        rows = rows.filter(key__channel=channel)
    rows = (
        rows.annotate(month=TruncMonth("day"))
        .values("month", "key__channel")
        .annotate(requests=Sum("requests"))
        .order_by()
    )
    index = {m: i for i, m in enumerate(months)}
    by_channel: dict[str, list[int]] = {}
    for row in rows:
        by_channel.setdefault(row["key__channel"], [0] * len(months))[index[row["month"]]] = (
            row["requests"] or 0
        )
    return {c: by_channel[c] for c in ApiChannel.values if c in by_channel}
