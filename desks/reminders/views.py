"""Supervisors' reminder pages: the campaign overview, the failed messages with their
resend button, and the conversion figures."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.clock import today
from core.inputs import paginate
from desks.reminders.filters import FailedMessageFilter
from desks.reminders.forms import ConversionForm, PeriodForm
from desks.reminders.tables import FailedMessageTable
from insights.access import branches_for_user
from outbox.sender import message_resend
from reminders import selectors
from reminders.conversion import REFRESH_DAYS, conversion_figures, conversion_refresh
from reminders.models import ReminderChannel

MANAGE = "reminders.manage_reminders"


@permission_required(MANAGE, raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    day = today()
    context = {
        "channels": selectors.CHANNELS,
        "cadence": selectors.cadence_grid(),
        "campaign": selectors.campaign_by_day(last=day, days=7),
        "health": selectors.outbox_health(now=timezone.now()),
        "today": day,
    }
    return render(request, "desks/reminders/overview.html", context)


@permission_required(MANAGE, raise_exception=True)
def failed(request: HttpRequest) -> HttpResponse:
    filterset = FailedMessageFilter(request.GET, queryset=selectors.failed_messages())
    table = FailedMessageTable(filterset.qs)  # not request=: that pages by the URL's ?per_page=
    paginate(request, table, per_page=25)
    context = {"filter": filterset, "table": table, "max_attempts": settings.MESSAGE_MAX_ATTEMPTS}
    return render(request, "desks/reminders/failed.html", context)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        message_resend(message_id=pk)
    except ValidationError as error:
        messages.warning(request, error.messages[0])
    else:
        messages.success(request, "已重新排队，发送进程将在下一轮发出（只发送一次）。")
    return redirect("reminders:failed")


@require_POST
@permission_required(MANAGE, raise_exception=True)
def refresh_conversion(request: HttpRequest) -> HttpResponse:
    rows = conversion_refresh(last=today())
    messages.success(request, f"已重新统计近 {REFRESH_DAYS} 日的提醒转化（{rows} 行）。")
    return redirect("reminders:conversion")


@permission_required(MANAGE, raise_exception=True)
def conversion(request: HttpRequest) -> HttpResponse:
    form = ConversionForm(
        request.GET or None,
        initial=PeriodForm.default_initial(today()),
        branches=branches_for_user(request.user),
    )
    first, last = form.period(today())
    figures = conversion_figures(first=first, last=last, **form.segment())
    return render(
        request,
        "desks/reminders/conversion.html",
        {
            "form": form,
            "figures": figures,
            "segment": form.described(),
            "channels": dict(ReminderChannel.choices),
            "days": (last - first).days + 1,
        },
    )
