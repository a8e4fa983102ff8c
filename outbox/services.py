"""Customer messages (SMS, email, app push): the outbox, shared by renewal reminders and
support notifications. Write with `enqueue_message` inside the transaction of the change
that causes the message; the sender drains the outbox through the channel backends."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from outbox.models import MessageChannel, MessageStatus, OutboundMessage
from policies.models import Person

__all__ = ["MessageChannel", "MessageStatus", "enqueue_message"]


def enqueue_message(
    *,
    channel: str,
    recipient: str,
    text: str,
    purpose: str,
    dedupe_key: str,
    subject: str = "",
    person: Person | None = None,
    not_before: dt.datetime | None = None,
    quiet_hours: bool = False,
) -> OutboundMessage:
    """Put one message in the outbox, once: a second call with the same `dedupe_key`
    returns the first message and writes nothing. With `quiet_hours` the message never goes
    out between 21:00 and 08:00 Beijing time (see `outbox.quiet`)."""
    message, _ = OutboundMessage.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "text": text,
            "subject": subject,
            "purpose": purpose,
            "person": person,
            "status": MessageStatus.PENDING,
            "not_before": not_before or timezone.now(),
            "quiet_hours": quiet_hours,
        },
    )
    return message
