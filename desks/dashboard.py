"""The supervisors' dashboard (经营看板): one panel per domain, in a fixed order.

Each panel is a template and a function returning its figures in a fixed number of queries;
the domain apps compute the figures, this desk only lays them out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from channels.api.figures import usage_panel
from claims.figures import claims_panel
from desks.access_log import unusual_access_panel
from policies.figures import channel_mix, renewal_by_month
from reminders.figures import conversion_panel
from support.reports import dashboard_panel as support_panel


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[], dict]


PANELS = (
    Panel("claims/panel_dashboard.html", claims_panel),
    Panel("support/dashboard_panel.html", support_panel),
    Panel("desks/reminders/dashboard_panel.html", conversion_panel),
    Panel("channels/usage_panel.html", usage_panel),
    Panel("desks/access_log_panel.html", unusual_access_panel),
)


def renewal_figures() -> dict:
    return {"renewal": renewal_by_month(), "channels": channel_mix()}


def panels() -> list[tuple[str, dict]]:
    return [(p.template, p.context()) for p in PANELS]
