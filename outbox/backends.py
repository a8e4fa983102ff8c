"""Channel backends for the outbox sender, chosen by settings in the manner of Django's
EMAIL_BACKEND: `SMS_BACKEND` and `PUSH_BACKEND` name a gateway backend class (the HTTP
gateway in production, the JSON-lines file backend for the demo and tests); email goes
through Django's mail (`EMAIL_BACKEND`: SMTP in production, locmem or file in tests).

A backend sends a batch of `Outgoing` messages and answers one `Delivery` per message:
sent, a transient failure (retried later with backoff) or a permanent one (recorded, never
retried). Each message carries its outbox id as an idempotency key. For a message "in
doubt" — claimed by a sender that died before recording the result — the sender asks the
backend: `idempotent` backends (the gateway deduplicates by key) may simply send again;
backends that can look (`delivered_ids`, the file backend) say which were delivered
already; others cannot tell, and the message is left for a person to decide.
"""

from __future__ import annotations

import abc
import datetime as dt
import fcntl
import json
import os
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outgoing:
    """One message as a backend sees it."""

    id: int
    channel: str
    recipient: str
    text: str
    subject: str = ""
    purpose: str = ""
    quiet_hours: bool = False

    @property
    def idempotency_key(self) -> str:
        return f"jqx-outbox-{self.id}"


class Result(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not attempted: the sender's deadline came first
    TRANSIENT = "transient"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class Delivery:
    message_id: int
    result: Result
    error: str = ""


class BaseBackend(abc.ABC):
    # The far end deduplicates by idempotency key: re-sending a message is harmless.
    idempotent = False
    # `delivered_ids` can tell which messages were handed over already.
    can_check_delivery = False

    def __init__(self, channel: str):
        self.channel = channel

    @abc.abstractmethod
    def send_messages(self, messages: Sequence[Outgoing], *, deadline: float | None = None) -> list[Delivery]:
        """Hand `messages` over; one `Delivery` per message, in any order. Backends that send
        one message at a time stop at `deadline` (a `time.monotonic()` value) and answer
        SKIPPED for the rest, so a slow gateway never outlives the sender's lease."""

    def delivered_ids(self, messages: Sequence[Outgoing], *, since: dt.datetime) -> set[int]:
        """Ids among `messages` already handed over since `since` (backends that can look)."""
        return set()


class FileBackend(BaseBackend):
    """Appends one JSON line per message to `<MESSAGE_FILE_DIR>/<channel>-<YYYYMMDD>.jsonl`
    (the local date of sending). A batch is one locked, fsynced append, so concurrent
    senders never interleave lines and a line on disk means the message was handed over."""

    can_check_delivery = True

    def __init__(self, channel: str, directory: str | os.PathLike | None = None):
        super().__init__(channel)
        self.directory = Path(directory or settings.MESSAGE_FILE_DIR)

    def path_for(self, day: dt.date) -> Path:
        return self.directory / f"{self.channel}-{day:%Y%m%d}.jsonl"

    def send_messages(self, messages: Sequence[Outgoing], *, deadline: float | None = None) -> list[Delivery]:
        if not messages:
            return []
        self.directory.mkdir(parents=True, exist_ok=True)
        written_at = timezone.localtime()
        lines = "".join(
            json.dumps(
                {
                    "id": m.id,
                    "channel": m.channel,
                    "recipient": m.recipient,
                    "text": m.text,
                    "purpose": m.purpose,
                    "written_at": written_at.isoformat(timespec="seconds"),
                },
                ensure_ascii=False,
            )
            + "\n"
            for m in messages
        ).encode()
        fd = os.open(self.path_for(written_at.date()), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            view = memoryview(lines)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return [Delivery(m.id, Result.SENT) for m in messages]

    def delivered_ids(self, messages: Sequence[Outgoing], *, since: dt.datetime) -> set[int]:
        wanted = {m.id for m in messages}
        found: set[int] = set()
        day = timezone.localtime(since).date()
        while day <= timezone.localdate():
            path = self.path_for(day)
            if path.exists():
                with path.open(encoding="utf-8") as lines:
                    for line in lines:
                        try:
                            message_id = json.loads(line)["id"]
                        except (ValueError, KeyError, TypeError):
                            continue  # a torn last line is not a delivery
                        if message_id in wanted:
                            found.add(message_id)
            day += dt.timedelta(days=1)
        return found


# HTTP statuses that mean "try again later" although they are 4xx.
RETRYABLE_4XX = frozenset({408, 425, 429})


class HttpGatewayBackend(BaseBackend):
    """POSTs each message as JSON to the channel's gateway (`SMS_GATEWAY_URL`,
    `PUSH_GATEWAY_URL`) with `Authorization: Bearer <GATEWAY_TOKEN>` and the message's
    `Idempotency-Key`. 2xx is sent; 409 (key seen before) is sent already; 5xx, 408/425/429,
    timeouts and connection errors are transient; any other 4xx is permanent."""

    idempotent = True
    url_settings = {"sms": "SMS_GATEWAY_URL", "push": "PUSH_GATEWAY_URL"}

    def __init__(self, channel: str, url: str | None = None, token: str | None = None):
        super().__init__(channel)
        self.url = url or getattr(settings, self.url_settings.get(channel, ""), "")
        if not self.url:
            raise ImproperlyConfigured(
                f"No gateway URL for channel {channel!r}: set {self.url_settings.get(channel)}."
            )
        self.token = settings.GATEWAY_TOKEN if token is None else token
        self.timeout = settings.GATEWAY_TIMEOUT_SECONDS

    def send_messages(self, messages: Sequence[Outgoing], *, deadline: float | None = None) -> list[Delivery]:
        return [self._send(m) if not _past(deadline) else Delivery(m.id, Result.SKIPPED) for m in messages]

    def _send(self, message: Outgoing) -> Delivery:
        body = json.dumps(
            {
                "id": message.id,
                "channel": message.channel,
                "recipient": message.recipient,
                "text": message.text,
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": message.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
            return Delivery(message.id, Result.SENT)
        except urllib.error.HTTPError as error:
            detail = f"HTTP {error.code}: {_body_excerpt(error)}"
            if error.code == 409:
                return Delivery(message.id, Result.SENT)
            if error.code >= 500 or error.code in RETRYABLE_4XX:
                return Delivery(message.id, Result.TRANSIENT, detail)
            return Delivery(message.id, Result.PERMANENT, detail)
        except OSError as error:  # URLError, timeouts and refused connections are all OSError
            reason = getattr(error, "reason", error)
            return Delivery(message.id, Result.TRANSIENT, f"网关连接失败：{reason}")


def _body_excerpt(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(300).decode("utf-8", "replace")
    except OSError:
        return ""


class DjangoMailBackend(BaseBackend):
    """Email through Django's mail (`EMAIL_BACKEND`), one message at a time so each gets
    its own result. The outbox id becomes the Message-ID. SMTP 5xx refusals are permanent;
    disconnects, timeouts and 4xx are transient."""

    def send_messages(self, messages: Sequence[Outgoing], *, deadline: float | None = None) -> list[Delivery]:
        if not messages:
            return []
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "jqx.example.cn"
        deliveries = []
        try:
            connection = mail.get_connection(fail_silently=False)
            connection.open()
        except (smtplib.SMTPException, OSError) as error:
            return [Delivery(m.id, Result.TRANSIENT, f"邮件服务器连接失败：{error}") for m in messages]
        try:
            for m in messages:
                if _past(deadline):
                    deliveries.append(Delivery(m.id, Result.SKIPPED))
                    continue
                email = mail.EmailMessage(
                    subject=m.subject or "交强险服务通知",
                    body=m.text,
                    to=[m.recipient],
                    connection=connection,
                    headers={"Message-ID": f"<{m.idempotency_key}@{domain}>"},
                )
                deliveries.append(self._send(m, email))
        finally:
            connection.close()
        return deliveries

    def _send(self, message: Outgoing, email: mail.EmailMessage) -> Delivery:
        try:
            email.send()
            return Delivery(message.id, Result.SENT)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            result = Result.TRANSIENT if all(400 <= c < 500 for c in codes) else Result.PERMANENT
            return Delivery(message.id, result, f"收件人被拒：{error.recipients}")
        except smtplib.SMTPResponseException as error:
            result = Result.TRANSIENT if 400 <= error.smtp_code < 500 else Result.PERMANENT
            return Delivery(message.id, result, f"SMTP {error.smtp_code}: {error.smtp_error!r}")
        except (smtplib.SMTPException, OSError) as error:
            return Delivery(message.id, Result.TRANSIENT, f"邮件发送失败：{error}")


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def get_backend(channel: str) -> BaseBackend:
    """The backend for `channel`, as the settings name it."""
    if channel == "email":
        return DjangoMailBackend(channel)
    setting = {"sms": "SMS_BACKEND", "push": "PUSH_BACKEND"}.get(channel)
    if setting is None:
        raise ImproperlyConfigured(f"No backend for channel {channel!r}.")
    return import_string(getattr(settings, setting))(channel)
