"""The demo's self-service channels: a key per channel and a year of daily API use, so the
dashboard's API chart has a history (keys named "演示：…", none of them usable: their raw
secrets are thrown away)."""

from __future__ import annotations

import datetime as dt
import random

from channels.api.services import api_key_create
from channels.models import ApiChannel, ApiKey, ApiUsage

DEMO_PREFIX = "演示："
DAYS = 365
# Requests a day on a working day, by channel: the app and the mini program carry most.
DAILY = {ApiChannel.WEBSITE: 120, ApiChannel.APP: 420, ApiChannel.MINI_PROGRAM: 360}
ENDPOINTS = ("renewal-status", "quotes")


def seed(*, rng: random.Random, today: dt.date, stdout, scale: float = 1.0) -> int:
    """One key per channel and its daily usage over the last year, growing over the year
    (bulk insert); returns the usage rows written."""
    keys = {
        channel: api_key_create(channel=channel, name=f"{DEMO_PREFIX}{ApiChannel(channel).label}").key
        for channel in ApiChannel.values
        if channel in DAILY
    }
    rows = []
    for back in range(DAYS):
        day = today - dt.timedelta(days=back)
        growth = 0.6 + 0.4 * (DAYS - back) / DAYS
        weekend = 0.7 if day.weekday() >= 5 else 1.0
        for channel, key in keys.items():
            for endpoint, share in zip(ENDPOINTS, (0.75, 0.25), strict=True):
                requests = int(DAILY[channel] * scale * growth * weekend * share * rng.uniform(0.8, 1.2))
                not_found = int(requests * rng.uniform(0.03, 0.08))
                rejected = int(requests * rng.uniform(0.0, 0.02))
                limited = int(requests * rng.uniform(0.0, 0.005))
                rows.append(
                    ApiUsage(
                        key=key,
                        day=day,
                        endpoint=endpoint,
                        requests=requests,
                        succeeded=requests - not_found - rejected - limited,
                        not_found=not_found,
                        rejected=rejected,
                        limited=limited,
                    )  # fmt: skip
                )
    ApiUsage.objects.bulk_create(rows, batch_size=2000)
    if stdout is not None:
        stdout.write(f"自助渠道演示：{len(keys)} 个密钥，{len(rows)} 条每日调用统计。")
    return len(rows)


def reset(*, stdout) -> None:
    demo_keys = ApiKey.objects.filter(name__startswith=DEMO_PREFIX)
    ApiUsage.objects.filter(key__in=demo_keys).delete()
    demo_keys.delete()
