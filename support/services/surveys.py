from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from support import access, notifications
from support.choices import EventKind
from support.models import Survey, Ticket, TicketEvent

SURVEY_VALID_DAYS = 14


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("support:survey", args=[token])


def survey_send(*, ticket: Ticket, at: dt.datetime) -> Survey | None:
    """Send the satisfaction survey of a just-resolved ticket, once per ticket, through the
    channel the ticket came in by. The link's token is random and only its hash is kept:
    the link exists in the customer's message alone. Called inside the resolving
    transaction; None when the survey went out before or the customer cannot be reached."""
    if Survey.objects.filter(ticket=ticket).exists():
        return None
    if notifications.ticket_route(ticket) is None:
        TicketEvent.objects.create(
            ticket=ticket,
            kind=EventKind.SURVEY_SENT,
            created_at=at,
            body="客户未留联系方式，未发送满意度调查。",
        )
        return None
    token = secrets.token_urlsafe(32)
    message = notifications.enqueue_survey(
        ticket=ticket, url=survey_url(token), days=SURVEY_VALID_DAYS, dedupe_key=f"support:survey:{ticket.pk}"
    )
    survey = Survey.objects.create(
        ticket=ticket,
        token_hash=token_hash(token),
        channel=ticket.channel,
        agent=ticket.assignee,
        queue=ticket.queue,
        message=message,
        sent_at=at,
        expires_at=at + dt.timedelta(days=SURVEY_VALID_DAYS),
    )
    TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.SURVEY_SENT, created_at=at, message=message,
        body=f"满意度调查已生成，经{message.get_channel_display()}发送。",
    )  # fmt: skip
    return survey


def survey_for_token(token: str) -> Survey:
    """The survey a link's token opens; `Survey.DoesNotExist` for an unknown token."""
    return Survey.objects.select_related("ticket").get(token_hash=token_hash(token))


@transaction.atomic
def survey_answer(*, token: str, score: int, comment: str = "", user=None) -> Survey:
    """Record the customer's answer: once (a second answer is refused), before the link
    expires, never from a staff session."""
    if not access.can_answer_survey(user):
        raise PermissionDenied(access.SURVEY_BY_STAFF)
    survey = survey_for_token(token)
    if survey.answered_at is not None:
        raise ValidationError("您已提交过评价，每条链接只能评价一次。感谢您的反馈！", code="answered")
    now = timezone.now()
    if now > survey.expires_at:
        raise ValidationError("评价链接已过期。", code="expired")
    if score not in range(1, 6):
        raise ValidationError("请选择 1 至 5 分。", code="score")
    comment = comment.strip()[:1000]
    # The condition on answered_at makes a simultaneous second answer update nothing.
    updated = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
        answered_at=now, score=score, comment=comment
    )
    if not updated:
        raise ValidationError("您已提交过评价，每条链接只能评价一次。感谢您的反馈！", code="answered")
    TicketEvent.objects.create(
        ticket=survey.ticket, kind=EventKind.SURVEY_ANSWERED, created_at=now,
        to_value=str(score), body=comment,
    )  # fmt: skip
    survey.refresh_from_db()
    return survey
