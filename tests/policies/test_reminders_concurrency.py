"""Two planners of the same day at once (threads with their own PostgreSQL connections)
write each reminder once."""

import datetime as dt
import threading

import pytest
from django.db import connection

from outbox.models import OutboundMessage
from reminders.cadence import SHANGHAI
from reminders.models import Reminder
from reminders.planning import plan_reminders
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


def test_a_planner_killed_midway_leaves_nothing_and_the_rerun_writes_everything_once(tmp_path):
    """The planner is one transaction: SIGKILL it while it is writing (held at the outbox by
    a lock this test takes), and nothing of its work remains; the rerun writes it all."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from django.db import transaction

    from tests.policies.subprocesses import MANAGE, sender_env

    for i in range(12):
        policy_ending(DAY + dt.timedelta(days=(30, 7, -1)[i % 3]))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE policies_outboundmessage IN EXCLUSIVE MODE")
        planner = subprocess.Popen(
            [sys.executable, MANAGE, "plan_reminders", "--date", DAY.isoformat()],
            env=sender_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        waiting = 0
        while not waiting and time.monotonic() < deadline and planner.poll() is None:
            time.sleep(0.05)
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'policies_outboundmessage'::regclass"
            )
            waiting = cursor.fetchone()[0]
        assert waiting, planner.communicate()
        os.kill(planner.pid, signal.SIGKILL)
        planner.wait(timeout=10)
    assert Reminder.objects.count() == 0 and OutboundMessage.objects.count() == 0

    rerun = subprocess.run(
        [sys.executable, MANAGE, "plan_reminders", "--date", DAY.isoformat()],
        env=sender_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert "wrote 36 reminders" in rerun.stdout
    assert Reminder.objects.count() == 36 and OutboundMessage.objects.count() == 36
