from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from support import access, reports


@access.required(access.can_view_support_reports)
def support_reports(request: HttpRequest) -> HttpResponse:
    """SLA compliance by queue, channel and category; satisfaction by agent, queue and channel."""
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in reports.PERIODS else 30
    compliance = {by: reports.compliance(by, days=days) for by in ("queue", "channel", "category")}
    satisfaction = {by: reports.satisfaction(by, days=days) for by in ("agent", "queue", "channel")}
    context = {
        "days": days,
        "periods": reports.PERIODS,
        "compliance": [
            ("按队列", compliance["queue"]),
            ("按渠道", compliance["channel"]),
            ("按类别", compliance["category"]),
        ],
        "overall": reports.total(compliance["channel"]),
        "satisfaction": [
            ("按处理人", satisfaction["agent"]),
            ("按队列", satisfaction["queue"]),
            ("按渠道", satisfaction["channel"]),
        ],
    }
    return render(request, "support/reports.html", context)
