"""The two commands: plan_reminders [--date] [--dry-run] and send_messages."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from outbox.models import OutboundMessage
from reminders.models import Reminder, ReminderConversionDay
from tests.factories import policy_ending

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_plan_reminders_for_a_date_then_again_writes_nothing_new():
    policy_ending(dt.date(2026, 12, 25))
    out = run("plan_reminders", "--date", "2026-11-25")
    assert "wrote 3 reminders" in out and "conversion figures recounted" in out
    assert ReminderConversionDay.objects.totals().filter(planned_for=dt.date(2026, 11, 25)).count() == 3
    assert "wrote 0 reminders" in run("plan_reminders", "--date", "2026-11-25")
    assert Reminder.objects.count() == 3


def test_plan_reminders_dry_run_writes_nothing():
    policy_ending(dt.date(2026, 12, 25))
    assert "would write 3 reminders" in run("plan_reminders", "--date", "2026-11-25", "--dry-run")
    assert not Reminder.objects.exists() and not ReminderConversionDay.objects.exists()


def test_plan_reminders_refuses_a_bad_date_in_chinese():
    with pytest.raises(CommandError, match="日期格式应为"):
        run("plan_reminders", "--date", "2026-02-30")


def test_send_messages_drains_the_outbox(tmp_path, settings):
    settings.MESSAGE_FILE_DIR = tmp_path
    policy_ending(dt.date(2026, 12, 25))
    run("plan_reminders", "--date", "2026-11-25")
    OutboundMessage.objects.update(not_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    out = run("send_messages", "--worker", "cron-1")
    assert "cron-1: sent" in out
    assert set(OutboundMessage.objects.values_list("status", flat=True)) <= {"sent", "pending"}
