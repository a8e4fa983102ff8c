"""The outbox sender: drains every purpose's messages through the channel backends,
each message once, with any number of senders running at once.

How a message goes out exactly once:
1. Claim: one statement takes a batch of due rows with `SELECT … FOR UPDATE SKIP LOCKED`
   and marks them `sending` with a lease (`claimed_by`, `claimed_until`) and one more
   attempt, then commits. Concurrent senders skip each other's rows instead of waiting.
2. Send through the backend, each message keyed by its outbox id (idempotency key).
3. Record: `sent`, or back to `pending` with an exponential-backoff `not_before` for a
   transient failure, or `failed` for a permanent one or after `MESSAGE_MAX_ATTEMPTS`.
   Results are fenced by `claimed_by`: a sender whose lease was taken over records nothing.
A row still `sending` after its lease expired is in doubt — its sender died between
handing it over and recording it. It is reclaimed and, before anything is sent again, the
backend is asked: idempotent gateways get it again under the same key; the file backend
looks in its files for the id; a backend that cannot tell (SMTP) leaves it `failed` for a
supervisor to decide, rather than risk a second copy.

Messages their sender flagged `quiet_hours` wait out the quiet hours (21:00–08:00 Beijing time).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from outbox.backends import BaseBackend, Delivery, Outgoing, Result, get_backend
from outbox.models import MessageStatus, OutboundMessage
from outbox.quiet import after_quiet_hours, is_quiet

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 6 * 3600
IN_DOUBT_UNCHECKABLE = (
    "发送结果不确定：发送进程在交付后、记录前中断，该渠道无法核实是否已送达。"
    "为避免重复发送，系统未自动重发；请核实后决定是否重发。"
)
_COLUMNS = "id, channel, recipient, subject, text, purpose, quiet_hours, attempts"


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff after the `attempts`-th failed attempt: 1, 2, 4, … minutes, at most 6 hours."""
    return dt.timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Claimed:
    message: Outgoing
    attempts: int
    previous_lease: dt.datetime | None = None  # set for in-doubt messages


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0  # in doubt, found delivered, recorded without sending again
    deferred: int = 0  # moved out of the quiet hours
    released: int = 0  # not attempted before the deadline: back in the queue as they were

    def add(self, other: DrainResult) -> None:
        for name in ("sent", "retried", "failed", "recovered", "deferred", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.recovered + self.released


class Sender:
    """One sender process (or thread). `drain()` sends until nothing is due."""

    def __init__(
        self,
        *,
        worker: str | None = None,
        batch_size: int = 500,
        lease_seconds: int | None = None,
        max_attempts: int | None = None,
        backends: dict[str, BaseBackend] | None = None,
        clock: Callable[[], dt.datetime] = timezone.now,
    ):
        self.worker = (worker or worker_name())[:64]
        self.batch_size = batch_size
        self.lease = dt.timedelta(seconds=lease_seconds or settings.MESSAGE_LEASE_SECONDS)
        self.max_attempts = max_attempts or settings.MESSAGE_MAX_ATTEMPTS
        self._backends = dict(backends or {})
        self.clock = clock

    def backend(self, channel: str) -> BaseBackend:
        if channel not in self._backends:
            self._backends[channel] = get_backend(channel)
        return self._backends[channel]

    # --- the loop ---------------------------------------------------------------------

    def drain(
        self, *, max_batches: int | None = None, stop: Callable[[], bool] = lambda: False
    ) -> DrainResult:
        """Send batches until no message is due (or `max_batches` were sent, or `stop()`)."""
        total = DrainResult()
        total.deferred += self.defer_quiet_hours()
        batches = 0
        while (max_batches is None or batches < max_batches) and not stop():
            result = self.run_batch()
            total.add(result)
            batches += 1
            if result.handled == 0:
                break
        return total

    def run_batch(self) -> DrainResult:
        """Claim one batch (in-doubt messages first), send it, record the results."""
        result = DrainResult()
        claimed_at = self.clock()
        # Stop handing messages over at half the lease, well before another sender may take them.
        self._deadline = time.monotonic() + self.lease.total_seconds() / 2
        claimed = self.claim_in_doubt() or self.claim_due()
        if not claimed:
            return result
        by_channel: dict[str, list[Claimed]] = defaultdict(list)
        for c in claimed:
            by_channel[c.message.channel].append(c)
        for channel, items in by_channel.items():
            # Past half the lease another sender may soon take these over: hand them back unsent.
            if self.clock() - claimed_at > self.lease / 2:
                self._release(items)
                continue
            self._send_channel(channel, items, result)
        return result

    # --- claiming ---------------------------------------------------------------------

    def defer_quiet_hours(self) -> int:
        """In the quiet hours, move the due messages that wait them out to 08:00 (one statement)."""
        now = self.clock()
        if not is_quiet(now):
            return 0
        with transaction.atomic():
            return OutboundMessage.objects.filter(
                status=MessageStatus.PENDING, not_before__lte=now, quiet_hours=True
            ).update(not_before=after_quiet_hours(now))

    def claim_due(self) -> list[Claimed]:
        now = self.clock()
        quiet_filter = ""
        params: dict = {
            "now": now,
            "limit": self.batch_size,
            "worker": self.worker,
            "until": now + self.lease,
        }
        if is_quiet(now):
            quiet_filter = "AND NOT quiet_hours"
        sql = f"""
            WITH picked AS (
                SELECT id FROM policies_outboundmessage
                WHERE status = 'pending' AND not_before <= %(now)s {quiet_filter}
                ORDER BY not_before
                LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED
            )
            UPDATE policies_outboundmessage m
            SET status = 'sending', claimed_by = %(worker)s, claimed_until = %(until)s,
                attempts = m.attempts + 1
            FROM picked WHERE m.id = picked.id
            RETURNING {", ".join(f"m.{c.strip()}" for c in _COLUMNS.split(","))}, NULL
        """
        return self._claim(sql, params)

    def claim_in_doubt(self) -> list[Claimed]:
        """Reclaim messages whose sender's lease ran out while they were `sending`."""
        now = self.clock()
        sql = f"""
            WITH picked AS (
                SELECT id, claimed_until FROM policies_outboundmessage
                WHERE status = 'sending' AND claimed_until < %(now)s
                ORDER BY claimed_until
                LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED
            )
            UPDATE policies_outboundmessage m
            SET claimed_by = %(worker)s, claimed_until = %(until)s
            FROM picked WHERE m.id = picked.id
            RETURNING {", ".join(f"m.{c.strip()}" for c in _COLUMNS.split(","))}, picked.claimed_until
        """
        params = {"now": now, "limit": self.batch_size, "worker": self.worker, "until": now + self.lease}
        return self._claim(sql, params)

    def _claim(self, sql: str, params: dict) -> list[Claimed]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return self._claimed(rows)

    def _claimed(self, rows: list[tuple]) -> list[Claimed]:
        if not rows:
            return []
        return [
            Claimed(
                message=Outgoing(
                    id=r[0],
                    channel=r[1],
                    recipient=r[2],
                    subject=r[3],
                    text=r[4],
                    purpose=r[5],
                    quiet_hours=r[6],
                ),
                attempts=r[7],
                previous_lease=r[8],
            )  # fmt: skip
            for r in rows
        ]

    # --- sending and recording ----------------------------------------------------------

    def _send_channel(self, channel: str, items: list[Claimed], result: DrainResult) -> None:
        try:
            backend = self.backend(channel)
        except Exception:
            self._release(items)  # nothing was handed over: back to the queue
            raise
        in_doubt = [c for c in items if c.previous_lease is not None]
        to_send = [c for c in items if c.previous_lease is None]
        if in_doubt:
            if backend.idempotent:
                to_send += in_doubt
            elif backend.can_check_delivery:
                since = min(c.previous_lease for c in in_doubt) - max(self.lease, dt.timedelta(days=1))
                delivered = backend.delivered_ids([c.message for c in in_doubt], since=since)
                result.recovered += self._mark_sent(
                    [c.message.id for c in in_doubt if c.message.id in delivered]
                )
                to_send += [c for c in in_doubt if c.message.id not in delivered]
            else:
                result.failed += self._mark_failed({c.message.id: IN_DOUBT_UNCHECKABLE for c in in_doubt})
        if not to_send:
            return
        try:
            deliveries = backend.send_messages([c.message for c in to_send], deadline=self._deadline)
        except Exception:
            # Some may have been handed over before it broke: leave them in doubt for the next pass.
            logger.exception("%s backend failed on %d messages", channel, len(to_send))
            self._expire([c.message.id for c in to_send])
            raise
        self._record(to_send, deliveries, result)

    def _record(self, items: list[Claimed], deliveries: list[Delivery], result: DrainResult) -> None:
        by_id = {c.message.id: c for c in items}
        sent, failed, retry, skipped = [], {}, {}, []
        now = self.clock()
        for d in deliveries:
            claimed = by_id[d.message_id]
            if d.result == Result.SENT:
                sent.append(d.message_id)
            elif d.result == Result.SKIPPED:
                skipped.append(claimed)
            elif d.result == Result.PERMANENT or claimed.attempts >= self.max_attempts:
                failed[d.message_id] = (
                    d.error
                    if d.result == Result.PERMANENT
                    else f"已重试 {claimed.attempts} 次仍失败：{d.error}"
                )
            else:
                at = now + retry_delay(claimed.attempts)
                if claimed.message.quiet_hours:
                    at = after_quiet_hours(at)
                retry[d.message_id] = (at, d.error)
        result.sent += self._mark_sent(sent)
        result.failed += self._mark_failed(failed)
        result.retried += self._mark_retry(retry)
        self._release(skipped)
        result.released += len(skipped)

    def _release(self, items: list[Claimed]) -> None:
        fresh = [c.message.id for c in items if c.previous_lease is None]
        self._mine(fresh).update(status=MessageStatus.PENDING, claimed_until=None, attempts=F("attempts") - 1)
        # In-doubt messages stay in doubt: expire the lease so the next claim checks them again.
        self._expire([c.message.id for c in items if c.previous_lease is not None])

    def _expire(self, ids: list[int]) -> None:
        OutboundMessage.objects.filter(
            pk__in=ids, status=MessageStatus.SENDING, claimed_by=self.worker
        ).update(claimed_until=self.clock() - dt.timedelta(seconds=1))

    def _mark_sent(self, ids: list[int]) -> int:
        if not ids:
            return 0
        return self._mine(ids).update(
            status=MessageStatus.SENT, sent_at=self.clock(), claimed_until=None, last_error=""
        )

    def _mark_failed(self, errors: dict[int, str]) -> int:
        if not errors:
            return 0
        return self._mine(list(errors)).update(
            status=MessageStatus.FAILED,
            claimed_until=None,
            last_error=Case(*[When(pk=pk, then=Value(e[:2000])) for pk, e in errors.items()]),
        )

    def _mark_retry(self, retry: dict[int, tuple[dt.datetime, str]]) -> int:
        if not retry:
            return 0
        return self._mine(list(retry)).update(
            status=MessageStatus.PENDING,
            claimed_until=None,
            not_before=Case(*[When(pk=pk, then=Value(at)) for pk, (at, _) in retry.items()]),
            last_error=Case(*[When(pk=pk, then=Value(e[:2000])) for pk, (_, e) in retry.items()]),
        )

    def _mine(self, ids: list[int]):
        """`ids` still claimed by this sender (a sender whose lease was taken over records nothing)."""
        return OutboundMessage.objects.filter(
            pk__in=ids, status=MessageStatus.SENDING, claimed_by=self.worker
        )


@transaction.atomic
def message_resend(*, message_id: int, now: dt.datetime | None = None) -> OutboundMessage:
    """Put a failed message back in the queue, once: only a `failed` row changes, in one
    conditional update, so a double click or two supervisors at once send it once."""
    now = now or timezone.now()
    changed = OutboundMessage.objects.filter(pk=message_id, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, attempts=0, not_before=now, claimed_by="", claimed_until=None
    )
    if not changed:
        raise ValidationError(
            "该消息不是“发送失败”状态（可能已重发或已发送），未重复发送。", code="not_failed"
        )
    return OutboundMessage.objects.get(pk=message_id)
