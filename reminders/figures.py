"""The reminders' panel on the supervisors' dashboard: conversion by channel."""

from __future__ import annotations

import datetime as dt

from core.clock import today
from outbox.models import MessageStatus, OutboundMessage
from reminders.conversion import conversion_figures

PANEL_DAYS = 90


def conversion_panel() -> dict:
    """Conversion of the last 90 days' reminders by channel (from the rollup), and the
    failed-message count (two queries)."""
    last = today()
    return {
        "days": PANEL_DAYS,
        "figures": conversion_figures(first=last - dt.timedelta(days=PANEL_DAYS - 1), last=last),
        "failed": OutboundMessage.objects.filter(status=MessageStatus.FAILED).count(),
    }
