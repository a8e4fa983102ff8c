"""The supervisors' dashboard (经营看板): filters in the URL, then one panel after another.

Every panel is a template and a function of the `Board` (the user and the filtered `Scope`)
returning its context in a fixed number of queries; the figures come from the monthly
summaries (`insights`), the domain apps' rollups (reminder conversion, API usage), never from
a scan of the policy, claim or ticket tables. Charts are drawn by static/js/dashboard.js
(Apache ECharts) from the JSON each chart panel carries; every point carries the URL of the
list behind it, with the same filters.

Adding a panel: write `def my_panel(board: Board) -> dict`, a template that renders `panel`
(a card in a Bootstrap column, e.g. `<div class="col-lg-6">…</div>`), and append
`Panel("app/my_panel.html", my_panel)` to `PANELS` — with `visible=` a predicate on the user
when only some roles may see it. A chart panel returns `chart_panel(...)`'s dict and uses
`desks/dashboard/chart.html`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlencode

from django.urls import reverse

from channels.api.figures import usage_by_month
from channels.models import ApiChannel
from claims.deadlines import Clock, deadline_table
from core import text
from core.clock import today
from desks.access_log import unusual_access_panel
from insights import figures
from insights.forms import Scope
from outbox.models import MessageStatus, OutboundMessage
from policies.access import can_view_access_log
from policies.choices import SalesChannel
from policies.figures import RENEWAL_GRACE
from policies.models import Branch, User
from policies.pricing import add_months
from reminders.models import ReminderChannel


@dataclass
class Board:
    """What every panel is computed for: who looks, and the filters they chose."""

    user: User
    scope: Scope
    branch_names: dict[int, str]

    @cached_property
    def monthly(self) -> list[figures.Series]:
        return figures.monthly(self.scope)

    def series_name(self, series: figures.Series) -> str:
        return self.branch_names.get(series.key, "合计") if series.key else "合计"

    def branch_param(self, series: figures.Series) -> str:
        """The branch a drill-down list is filtered to: the series' branch when comparing,
        the one branch chosen, or (several or none chosen) the user's own when they have one."""
        if series.key:
            return str(series.key)
        if len(self.scope.branches) == 1:
            return str(self.scope.branches[0].pk)
        if self.scope.allowed is not None and len(self.scope.allowed) == 1:
            return str(self.scope.allowed[0])
        return ""

    def branches_param(self, series: figures.Series) -> list[str]:
        """The branches a list that takes several is filtered to: the series' branch when
        comparing, else every branch chosen, or the user's own when they have one."""
        if series.key:
            return [str(series.key)]
        if self.scope.branches:
            return [str(b.pk) for b in self.scope.branches]
        return [self.branch_param(series)] if self.branch_param(series) else []

    def policies_url(self, series: figures.Series, kind: str, month: dt.date, *, channel: str = "") -> str:
        """The supervisors' policy list behind a policy figure of `month` (the dashboard's
        channel, or the point's, and category; the series' branch)."""
        return _url(
            "dashboard_policies", kind=kind, start=f"{month:%Y-%m}", end=f"{month:%Y-%m}",
            branch=self.branches_param(series), channel=channel or self.scope.channel,
            category=self.scope.category,
        )  # fmt: skip


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Board], dict]
    visible: Callable[[User], bool] = lambda user: True


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in ("", None, [])}, doseq=True)
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def _number(value) -> float | None:
    return float(value) if isinstance(value, Decimal) else value


def _point(value, url: str | None = None) -> dict:
    return {"value": _number(value), "url": url}


def chart_panel(
    *,
    key: str,
    title: str,
    note: str,
    kind: str,
    unit: str,
    x: list[str],
    series: list[dict],
    wide: bool = False,
    alerts: list[tuple[str, str]] | None = None,
    shade_from: str | None = None,
    shade_label: str = "",
) -> dict:
    """The context of `desks/dashboard/chart.html`: a card with a chart and, for print and for
    reading exact numbers, the same figures as a table whose cells link like the points."""
    return {
        "key": key,
        "title": title,
        "note": note,
        "wide": wide,
        "chart": {
            "kind": kind,
            "unit": unit,
            "x": x,
            "series": series,
            # x values from `shade_from` on are shaded and labelled (figures still moving)
            "shade": {"from": shade_from, "label": shade_label} if shade_from in x else None,
        },
        "rows": [(label, [s["data"][i] for s in series]) for i, label in enumerate(x)] if series else [],
        "names": [s["name"] for s in series],
        "unit": unit,
        "alerts": alerts or [],  # (text, url): what needs doing now, above the chart
    }


def _labels(scope: Scope) -> list[str]:
    return [f"{m:%Y-%m}" for m in scope.months]


# --- Panels ---------------------------------------------------------------------------------


def renewal_panel(board: Board) -> dict:
    """Renewal and lapse rate by month of the cover's end; a point opens the policies behind it
    (supervisors' policy list, same branch, channel and category): those of the month renewed
    within the grace, or those that lapsed — also when the vehicle was insured again later."""
    scope = board.scope
    series = []
    for s in board.monthly:
        prefix = "" if not scope.compare else f"{board.series_name(s)} "
        for name, kind, rate in (("续保率", "renewed", "renewal_rate"), ("脱保率", "lapsed", "lapse_rate")):
            series.append(
                {
                    "name": f"{prefix}{name}",
                    "data": [
                        _point(getattr(m, rate), board.policies_url(s, kind, m.month)) for m in s.months
                    ],
                }
            )
    # a month is complete when its last policy is 30 days past its end (docs/regulation.md §9)
    open_months = [m for m in scope.months if _month_end(m) + RENEWAL_GRACE > today()]
    return chart_panel(
        key="renewal", title="续保率与脱保率（按保险止期所在月）", kind="line", unit="%", x=_labels(scope),
        series=series, wide=True, shade_from=f"{open_months[0]:%Y-%m}" if open_months else None,
        shade_label="观察期未满",
        note="续保率 = 期满（不含退保）后 30 日内有续保保单起保的比例；点击数据点查看该月期满后续保或脱保的保单（脱保含 30 日后才续保的）。",
    )  # fmt: skip


def channel_mix_panel(board: Board) -> dict:
    """Policies started each month by sales channel; a point opens those policies (the
    dashboard's branch and category, the point's channel)."""
    scope = board.scope
    mix = figures.channel_mix(scope)
    labels = dict(SalesChannel.choices)
    whole = figures.Series(None)
    series = [
        {
            "name": labels[c],
            "data": [
                _point(v, board.policies_url(whole, "started", m, channel=c) if v else None)
                for m, v in zip(scope.months, values, strict=True)
            ],
        }
        for c, values in mix.items()
    ]
    return chart_panel(
        key="channel-mix", title="渠道结构（按起保月份）", kind="stack", unit="件", x=_labels(scope),
        series=series, note="各销售渠道当月起保的保单数（不含退保）；点击查看这些保单。",
    )  # fmt: skip


def loss_ratio_panel(board: Board) -> dict:
    scope = board.scope
    series = [
        {
            "name": f"{board.series_name(s)} 赔付率" if scope.compare else "赔付率",
            "data": [
                _point(
                    m.loss_ratio,
                    _url(
                        "claims:queue",
                        state="all",
                        paid_from=m.month.isoformat(),
                        paid_to=_month_end(m.month).isoformat(),
                        branch=board.branch_param(s),
                        sales_channel=scope.channel,
                        category=scope.category,
                    ),
                )  # fmt: skip
                for m in s.months
            ],
        }
        for s in board.monthly
    ]
    return chart_panel(
        key="loss-ratio", title="赔付率趋势", kind="line", unit="%", x=_labels(scope), series=series,
        note="当月已付赔款 ÷ 当月已赚保费（按保障天数分摊）；点击查看当月支付的赔案。",
    )  # fmt: skip


def claims_panel(board: Board) -> dict:
    """Time spent in each claim step, and the claims whose 5-day decision was missed."""
    scope = board.scope
    branch = board.branches_param(figures.Series(None))
    steps = figures.step_times(scope)
    total = figures.Series(None, [m for s in board.monthly for m in s.months]).total()
    context = chart_panel(
        key="claim-steps", title="理赔各环节平均用时", kind="bar", unit="天",
        x=[s.label for s in steps],
        series=[{
            "name": "平均停留天数",
            "data": [
                _point(round(s.average_seconds / 86400, 1),
                       _url("claims:queue", state="all", left_step=s.state,
                            left_from=scope.first.isoformat(), left_to=_month_end(scope.last).isoformat(),
                            branch=branch, sales_channel=scope.channel, category=scope.category))
                for s in steps
            ],
        }],
        note="所选月份内离开各环节的赔案在该环节的平均停留时间；点击查看所选月份内离开该环节的赔案（多次离开同一环节的赔案只列一次）。",
    )  # fmt: skip
    context["kpis"] = [  # (label, value, the list behind it, key)
        ("报案", total.reported, None, "reported"),
        (
            "平均结案周期（报案至支付）",
            f"{total.cycle_days} 天" if total.cycle_days is not None else "—",
            None,
            "cycle",
        ),
        (
            f"超 {deadline_table().rule(Clock.DECISION, today()).days} 日核定时限",
            total.decision_breached,
            _url(
                "claims:queue",
                state="all",
                deadline="decision",
                reported_from=scope.first.isoformat(),
                reported_to=_month_end(scope.last).isoformat(),
                branch=branch,
                sales_channel=scope.channel,
                category=scope.category,
            ),
            "decision-breached",
        ),  # fmt: skip
        # Advances recovered from the wrongdoer in the months (docs/regulation.md §5): the claims' branch,
        # their policies' channel and category; the claims with a recovery registered then.
        (
            "追偿回收",
            text.yuan(total.recovered),
            _url(
                "claims:queue",
                state="all",
                recovered_from=scope.first.isoformat(),
                recovered_to=_month_end(scope.last).isoformat(),
                branch=branch,
                sales_channel=scope.channel,
                category=scope.category,
            ),
            "recovered",
        ),  # fmt: skip
    ]
    return context


def sla_panel(board: Board) -> dict:
    """SLA compliance by ticket channel; a point opens the tickets of that channel that missed
    the target (first response or resolution) in the support queue, created in the
    dashboard's months at its branch."""
    rows = figures.ticket_sla(board.scope)
    series = [
        {"name": "按时响应率", "data": [_point(r.response_rate, _missed(board, r.key, "response")) for r in rows]},
        {"name": "按时解决率", "data": [_point(r.resolution_rate, _missed(board, r.key, "resolution")) for r in rows]},
    ]  # fmt: skip
    return chart_panel(
        key="ticket-sla", title="工单时效达标率（按受理渠道）", kind="bar", unit="%",
        x=[r.label for r in rows], series=series,
        note="所选月份创建的工单；网点筛选按工单队列所属网点，销售渠道与车辆类别不适用。点击查看该渠道未达标的工单。",
    )  # fmt: skip


def _missed(board: Board, channel: str, target: str) -> str:
    """The support queue's tickets of `channel` that missed `target`, created in the months,
    in every status (an empty `status` is "all": without it the queue shows open ones only)."""
    scope = board.scope
    params = {
        "status": "",
        "sla": f"missed_{target}",
        "channel": channel,
        "branch": board.branches_param(figures.Series(None)),
        "created_from": scope.first.isoformat(),
        "created_to": _month_end(scope.last).isoformat(),
    }
    query = urlencode({k: v for k, v in params.items() if v or k == "status"}, doseq=True)
    return f"{reverse('support:queue')}?{query}"


FAILED_CAP = 99  # the alert says "99+": no count of every failed message on each page view


def reminders_panel(board: Board) -> dict:
    """Conversion by reminder channel and cadence step, for the reminded policies' branches,
    sales channel and category (the monthly summary); an alert when messages failed."""
    scope = board.scope
    first, last = scope.first, _month_end(scope.last)
    steps = figures.reminder_conversion(scope)
    days = sorted({s.days_left for s in steps}, reverse=True)
    labels = {s.days_left: s.step_label for s in steps}
    cells = {(s.channel, s.days_left): s for s in steps}
    # the conversion page shows at most a year: the scope's last year
    since = max(first, last - dt.timedelta(days=365))
    # the branches the chart sums (those chosen, or the user's own) and its segment
    url = _url(
        "reminders:conversion", first=since.isoformat(), last=last.isoformat(),
        branch=scope.branch_ids or [], channel=scope.channel, category=scope.category,
    )  # fmt: skip
    series = [
        {
            "name": label,
            "data": [_point(cells[(c, d)].conversion_rate if (c, d) in cells else None, url) for d in days],
        }
        for c, label in ReminderChannel.choices
        if any(s.channel == c for s in steps)
    ]
    failed = (
        OutboundMessage.objects.filter(status=MessageStatus.FAILED).values("pk")[: FAILED_CAP + 1].count()
    )
    shown = f"{FAILED_CAP}+" if failed > FAILED_CAP else str(failed)
    return chart_panel(
        key="reminders",
        alerts=[(f"{shown} 条消息发送失败", reverse("reminders:failed"))] if failed else [],
        title="续保提醒转化率（按渠道与提醒节点）", kind="bar", unit="%",
        x=[labels[d] for d in days], series=series,
        note="发送后完成续保的比例，按被提醒保单的网点、销售渠道与车辆类别筛选；点击查看同一筛选条件的转化分析。",
    )  # fmt: skip


def api_panel(board: Board) -> dict:
    # API keys belong to a self-service channel, not to a branch or a vehicle category
    usage = usage_by_month(months=board.scope.months, channel=board.scope.channel)
    labels = dict(ApiChannel.choices)
    series = [
        {
            "name": labels[c],
            "data": [
                _point(
                    v,
                    _url(
                        "admin:channels_apiusage_changelist",
                        key__channel=c,
                        day__gte=m.isoformat(),
                        day__lt=add_months(m, 1).isoformat(),
                    ),
                )
                for m, v in zip(board.scope.months, values, strict=True)
            ],
        }  # fmt: skip
        for c, values in usage.items()
    ]
    return chart_panel(
        key="api-usage", title="接口调用量（按渠道）", kind="stack", unit="次", x=_labels(board.scope),
        series=series, note="官网、APP、小程序等渠道每月的接口请求数；按销售渠道筛选，不区分网点与车辆类别。",
    )  # fmt: skip


CHART = "desks/dashboard/chart.html"
PANELS = [
    Panel(CHART, renewal_panel),
    Panel(CHART, channel_mix_panel),
    Panel(CHART, loss_ratio_panel),
    Panel("desks/dashboard/claims.html", claims_panel),
    Panel(CHART, sla_panel),
    Panel(CHART, reminders_panel),
    Panel(CHART, api_panel),
    Panel("desks/access_log_panel.html", unusual_access_panel, visible=can_view_access_log),
]


def panels(board: Board) -> list[tuple[str, dict]]:
    return [(p.template, p.context(board)) for p in PANELS if p.visible(board.user)]


def board_for(user: User, scope: Scope, branches: list[Branch]) -> Board:
    return Board(user=user, scope=scope, branch_names={b.pk: b.name for b in branches})
