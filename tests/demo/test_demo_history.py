"""The demo's recent past, built in the quiet hours (02:26 Beijing time): back-filled days sent
their messages at their own daytime hours, today's SMS and push wait for 08:00, the call list
and the conversion figures have content, and a satisfaction survey can be answered from the
message a customer received."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from core.clock import SHANGHAI, local, today
from demo.history import demo_history
from outbox.models import MessageStatus, OutboundMessage
from reminders.cadence import REMINDER_PURPOSE
from reminders.models import ReminderConversionDay, RenewalCall
from support.models import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def message_dir(settings, tmp_path):
    settings.MESSAGE_FILE_DIR = tmp_path
    settings.SMS_BACKEND = settings.PUSH_BACKEND = "outbox.backends.FileBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path


def _seed(day):
    call_command(
        "seed_demo",
        "--policies",
        "400",
        "--seed",
        "7",
        "--today",
        day.isoformat(),
        "--no-progress",
        stdout=StringIO(),
    )


def test_a_demo_built_in_the_quiet_hours_shows_a_working_day(message_dir, client):
    day = today()
    _seed(day)
    quiet_now = dt.datetime.combine(day, dt.time(2, 26), tzinfo=SHANGHAI)

    result = demo_history(days=35, now=quiet_now)

    reminders = OutboundMessage.objects.filter(purpose=REMINDER_PURPOSE)
    past = reminders.filter(created_at__lt=dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI))
    assert result.sent.sent > 0 and past.filter(status=MessageStatus.SENT).exists()
    assert not past.filter(status=MessageStatus.PENDING).exists()
    for message in past.filter(channel__in=["sms", "push"]):
        sent = local(message.sent_at)
        assert dt.time(8) <= sent.time() < dt.time(21), (message.pk, sent)  # its own day's daytime
        assert sent.date() < day
    # Today's SMS and push respect today's quiet hours: queued for 08:00.
    todays = reminders.filter(
        channel__in=["sms", "push"], created_at__gte=quiet_now - dt.timedelta(minutes=1)
    )
    assert result.today_planned > 0 and todays.exists()
    assert not todays.exclude(status=MessageStatus.PENDING).exists()
    assert {local(m.not_before).time() for m in todays} == {dt.time(8)}
    # Calls follow reached SMS and push; the dashboard's figures count sent SMS.
    assert RenewalCall.objects.filter(status="open").exists()
    assert ReminderConversionDay.objects.filter(channel="sms").aggregate(s=Sum("sent"))["s"] > 0

    # A customer's survey link, as it landed in the SMS files, opens the survey.
    lines = [
        json.loads(line) for path in message_dir.glob("*.jsonl") for line in path.read_text().splitlines()
    ]
    surveys = [line for line in lines if line["purpose"] == "ticket_survey"]
    assert surveys, "no satisfaction survey reached a customer"
    link = next(word for word in surveys[-1]["text"].split() if "/support/s/" in word)
    path = link[link.index("/support/s/") : link.rindex("/") + 1]
    response = client.get(path)
    assert response.status_code == 200
    assert "满意" in response.content.decode() or "评分" in response.content.decode()
    assert Survey.objects.filter(answered_at__isnull=True).exists()

    # A second start plans and sends nothing again.
    again = demo_history(days=35, now=quiet_now)
    assert again.planned == 0 and again.sent.sent == 0 and again.today_planned == 0


def test_the_icon_is_served_where_browsers_ask_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
