"""The portal's one clock: every day and time a person sees is Beijing time (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    """Today in Asia/Shanghai, the day every status and quote is computed for."""
    return timezone.localdate(timezone=SHANGHAI)


def local(moment: dt.datetime) -> dt.datetime:
    """`moment` (any time zone) as Beijing time."""
    return moment.astimezone(SHANGHAI)


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 Beijing time on `day`."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)
