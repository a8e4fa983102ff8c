"""The outbox sender in one process: send, retry with backoff, give up, wait out the quiet
hours, recover in-doubt messages without sending them twice, and resend on request."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError

from outbox.backends import FileBackend, HttpGatewayBackend, Outgoing
from outbox.models import OutboundMessage
from outbox.sender import IN_DOUBT_UNCHECKABLE, Sender, message_resend, retry_delay
from outbox.services import enqueue_message
from reminders.cadence import SHANGHAI
from reminders.models import Reminder
from reminders.planning import plan_reminders
from tests.factories import OutboundMessageFactory, policy_ending
from tests.policies.gateway_server import Gateway

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def files(tmp_path, settings):
    settings.MESSAGE_FILE_DIR = tmp_path
    settings.SMS_BACKEND = settings.PUSH_BACKEND = "outbox.backends.FileBackend"
    return tmp_path


def lines(directory):
    return [
        json.loads(line) for path in sorted(directory.iterdir()) for line in path.read_text().splitlines()
    ]


@pytest.fixture
def gateway(settings):
    gw = Gateway()
    settings.SMS_GATEWAY_URL = gw.url
    settings.GATEWAY_TIMEOUT_SECONDS = 0.5
    settings.SMS_BACKEND = "outbox.backends.HttpGatewayBackend"
    yield gw
    gw.close()


def test_planned_reminders_go_out_once_through_their_channels(files):
    policy = policy_ending(dt.date(2026, 12, 25))
    plan_reminders(day=dt.date(2026, 11, 25), now=NOON)

    result = Sender(clock=Clock(NOON)).drain()
    again = Sender(clock=Clock(NOON)).drain()

    assert result.sent == 3 and again.sent == 0
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}
    written = lines(files)
    assert {(w["channel"], w["recipient"]) for w in written} == {
        ("sms", policy.policyholder.phone), ("push", policy.policyholder.app_account),
    }  # fmt: skip
    # Each line is the outbox message its reminder points at; the outbox itself knows no reminders.
    assert {w["id"] for w in written} | {
        m.pk for m in OutboundMessage.objects.filter(channel="email")
    } == set(Reminder.objects.values_list("message_id", flat=True))
    assert all(w["purpose"] == "renewal_reminder" for w in written)
    [email] = mail.outbox
    assert email.to == [policy.policyholder.email] and "苏" in email.subject


def test_the_sender_drains_every_purpose_including_support_notifications(files):
    enqueue_message(channel="sms", recipient="13900001111", text="您的工单已处理", purpose="ticket_reply",
                    dedupe_key="ticket:1:reply:1")  # fmt: skip
    assert Sender().drain().sent == 1
    assert lines(files)[0]["purpose"] == "ticket_reply" and not OutboundMessage.objects.get().quiet_hours


def test_a_message_not_yet_due_waits(files):
    OutboundMessageFactory(not_before=NOON + dt.timedelta(minutes=5))
    clock = Clock(NOON)
    assert Sender(clock=clock).drain().sent == 0
    clock.advance(minutes=5)
    assert Sender(clock=clock).drain().sent == 1


def test_a_transient_failure_is_retried_with_exponential_backoff(gateway):
    message = OutboundMessageFactory(not_before=NOON)
    gateway.script = [(503, 0), (503, 0), (200, 0)]
    clock = Clock(NOON)
    sender = Sender(clock=clock)

    assert sender.drain().retried == 1
    message.refresh_from_db()
    assert message.status == "pending" and message.attempts == 1 and "HTTP 503" in message.last_error
    assert message.not_before == NOON + dt.timedelta(minutes=1)

    clock.advance(seconds=59)
    assert sender.drain().handled == 0  # not before its backoff
    clock.advance(seconds=1)
    assert sender.drain().retried == 1
    message.refresh_from_db()
    assert message.not_before == clock.now + dt.timedelta(minutes=2) and message.attempts == 2

    clock.advance(minutes=2)
    assert sender.drain().sent == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3 and message.last_error == ""
    assert [h["Idempotency-Key"] for h, _ in gateway.requests] == [f"jqx-outbox-{message.pk}"] * 3


def test_backoff_doubles_up_to_six_hours():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(30) == dt.timedelta(hours=6)


def test_a_permanent_failure_is_recorded_and_never_retried(gateway):
    message = OutboundMessageFactory(not_before=NOON)
    gateway.script = [(400, 0)]
    clock = Clock(NOON)

    assert Sender(clock=clock).drain().failed == 1
    clock.advance(days=2)
    assert Sender(clock=clock).drain().handled == 0

    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 1
    assert "HTTP 400" in message.last_error and "invalid recipient" in message.last_error
    assert len(gateway.requests) == 1


def test_transient_failures_stop_after_the_maximum_attempts(gateway, settings):
    settings.MESSAGE_MAX_ATTEMPTS = 3
    message = OutboundMessageFactory(not_before=NOON)
    gateway.script = [(500, 0)] * 10
    clock = Clock(NOON)
    sender = Sender(clock=clock)
    for _ in range(6):
        sender.drain()
        clock.advance(hours=7)
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 3
    assert message.last_error.startswith("已重试 3 次仍失败")
    assert len(gateway.requests) == 3


def test_in_the_quiet_hours_reminder_sms_and_push_wait_for_08_00_but_email_goes(files):
    late = dt.datetime(2026, 11, 25, 22, 15, tzinfo=SHANGHAI)
    sms = OutboundMessageFactory(channel="sms", not_before=late - dt.timedelta(hours=2))
    push = OutboundMessageFactory(channel="push", recipient="app1", not_before=late)
    email = OutboundMessageFactory(channel="email", recipient="a@example.cn", not_before=late)
    ticket = OutboundMessageFactory(channel="sms", purpose="ticket_reply", not_before=late)
    clock = Clock(late)

    result = Sender(clock=clock).drain()

    assert result.deferred == 2 and result.sent == 2
    morning = dt.datetime(2026, 11, 26, 8, 0, tzinfo=SHANGHAI)
    for m in (sms, push):
        m.refresh_from_db()
        assert m.status == "pending" and m.not_before == morning and m.attempts == 0
    email.refresh_from_db()
    ticket.refresh_from_db()
    assert email.status == ticket.status == "sent"

    clock.now = dt.datetime(2026, 11, 26, 7, 59, tzinfo=SHANGHAI)
    assert Sender(clock=clock).drain().sent == 0
    clock.now = morning
    assert Sender(clock=clock).drain().sent == 2


def test_a_retry_of_a_reminder_sms_never_lands_in_the_quiet_hours(gateway):
    message = OutboundMessageFactory(not_before=NOON)
    gateway.script = [(503, 0)]
    evening = dt.datetime(2026, 11, 25, 20, 59, 30, tzinfo=SHANGHAI)
    Sender(clock=Clock(evening)).drain()
    message.refresh_from_db()
    assert message.not_before == dt.datetime(2026, 11, 26, 8, 0, tzinfo=SHANGHAI)


def _in_doubt(message, *, since):
    """Leave `message` as a sender that died after handing it over would have: `sending`,
    its lease run out."""
    OutboundMessage.objects.filter(pk=message.pk).update(
        status="sending", claimed_by="dead:1", claimed_until=since, attempts=1
    )


def test_an_in_doubt_message_already_in_the_file_is_not_written_again(files):
    delivered = OutboundMessageFactory(not_before=NOON)
    lost = OutboundMessageFactory(not_before=NOON)
    FileBackend("sms").send_messages([Outgoing(id=delivered.pk, channel="sms", recipient="1", text="t")])
    for m in (delivered, lost):
        _in_doubt(m, since=NOON - dt.timedelta(minutes=1))

    result = Sender(clock=Clock(NOON)).drain()

    assert result.recovered == 1 and result.sent == 1
    assert sorted(w["id"] for w in lines(files)) == sorted([delivered.pk, lost.pk])
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_message_whose_lease_has_not_run_out_is_left_to_its_sender(files):
    m = OutboundMessageFactory(not_before=NOON)
    _in_doubt(m, since=NOON + dt.timedelta(seconds=30))
    assert Sender(clock=Clock(NOON)).drain().handled == 0
    m.refresh_from_db()
    assert m.status == "sending" and m.claimed_by == "dead:1"


def test_an_in_doubt_message_goes_to_an_idempotent_gateway_under_the_same_key(gateway):
    m = OutboundMessageFactory(not_before=NOON)
    _in_doubt(m, since=NOON - dt.timedelta(minutes=1))
    gateway.script = [(409, 0)]  # the gateway had it: same key, no second SMS
    assert Sender(clock=Clock(NOON)).drain().sent == 1
    assert gateway.requests[0][0]["Idempotency-Key"] == f"jqx-outbox-{m.pk}"
    assert isinstance(Sender().backend("sms"), HttpGatewayBackend)


def test_an_in_doubt_email_is_not_sent_again_but_left_for_a_supervisor():
    m = OutboundMessageFactory(channel="email", recipient="a@example.cn", not_before=NOON)
    _in_doubt(m, since=NOON - dt.timedelta(minutes=1))
    assert Sender(clock=Clock(NOON)).drain().failed == 1
    m.refresh_from_db()
    assert m.status == "failed" and m.last_error == IN_DOUBT_UNCHECKABLE
    assert mail.outbox == []


def test_a_sender_that_lost_its_lease_records_nothing(files):
    m = OutboundMessageFactory(not_before=NOON)
    slow = Sender(worker="slow", clock=Clock(NOON))
    [claimed] = slow.claim_due()
    OutboundMessage.objects.filter(pk=m.pk).update(claimed_by="other")  # taken over meanwhile
    assert slow._mark_sent([claimed.message.id]) == 0
    m.refresh_from_db()
    assert m.status == "sending" and m.claimed_by == "other"


def test_resending_a_failed_message_sends_it_once(files):
    m = OutboundMessageFactory(not_before=NOON, status="failed", attempts=6, last_error="HTTP 500")

    message_resend(message_id=m.pk, now=NOON)
    with pytest.raises(ValidationError, match="未重复发送"):
        message_resend(message_id=m.pk, now=NOON)  # the second click
    result = Sender(clock=Clock(NOON)).drain()

    assert result.sent == 1
    m.refresh_from_db()
    assert m.status == "sent" and m.attempts == 1
    with pytest.raises(ValidationError):
        message_resend(message_id=m.pk)
    assert [w["id"] for w in lines(files)] == [m.pk]


def test_only_failed_messages_can_be_resent(files):
    for status in ("pending", "sending", "sent"):
        m = OutboundMessageFactory(status=status)
        with pytest.raises(ValidationError):
            message_resend(message_id=m.pk)
        m.refresh_from_db()
        assert m.status == status


def test_a_misconfigured_backend_hands_the_messages_back_unsent(settings):
    settings.SMS_BACKEND = "outbox.backends.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = ""
    m = OutboundMessageFactory(not_before=NOON)
    with pytest.raises(ImproperlyConfigured):
        Sender(clock=Clock(NOON)).drain()
    m.refresh_from_db()
    assert m.status == "pending" and m.attempts == 0


def test_a_backend_that_breaks_midway_leaves_its_batch_in_doubt_for_the_next_pass(files, settings):
    m = OutboundMessageFactory(not_before=NOON)
    blocker = files / "not-a-directory"
    blocker.write_text("")
    settings.MESSAGE_FILE_DIR = blocker  # the backend cannot write its files
    with pytest.raises(OSError):
        Sender(clock=Clock(NOON)).drain()
    blocker.unlink()
    settings.MESSAGE_FILE_DIR = files
    m.refresh_from_db()
    assert m.status == "sending" and m.claimed_until < NOON
    # The next pass looks in the files, finds nothing, and sends it once.
    result = Sender(clock=Clock(NOON + dt.timedelta(seconds=1))).drain()
    assert result.sent == 1 and [w["id"] for w in lines(files)] == [m.pk]


def test_a_slow_gateway_never_outlives_the_lease(gateway):
    """Past half the lease the sender stops handing messages over and puts the rest back as
    they were; they go in the next batch, each once."""
    messages = [OutboundMessageFactory(not_before=NOON) for _ in range(5)]
    gateway.script = [(200, 0.3)] * 5
    sender = Sender(clock=Clock(NOON), lease_seconds=1, batch_size=5)

    first = sender.run_batch()

    assert 0 < first.sent < 5 and first.sent + first.released == 5
    assert OutboundMessage.objects.filter(status="pending", attempts=0).count() == first.released
    total = sender.drain()
    assert total.sent + first.sent == 5
    assert sorted(h["Idempotency-Key"] for h, _ in gateway.requests) == sorted(
        f"jqx-outbox-{m.pk}" for m in messages
    )
