"""Two planners of the same day at once (threads with their own PostgreSQL connections)
write each reminder once."""

import datetime as dt
import threading

import pytest
from django.db import connection

from policies.models import OutboundMessage, Reminder
from policies.reminders.cadence import SHANGHAI
from policies.reminders.planning import plan_reminders
from tests.factories import policy_ending

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2026, 11, 25)


def test_two_planners_at_once_write_each_reminder_once():
    for i in range(20):
        policy_ending(DAY + dt.timedelta(days=(30, 7, -1)[i % 3]))
    results, errors = [], []
    start = threading.Barrier(2)

    def planner():
        try:
            start.wait()
            results.append(plan_reminders(day=DAY, now=dt.datetime(2026, 11, 25, 9, tzinfo=SHANGHAI)).total)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=planner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(results) == [0, 60]
    assert Reminder.objects.count() == 60 and OutboundMessage.objects.count() == 60
