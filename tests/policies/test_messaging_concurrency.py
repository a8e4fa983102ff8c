"""Exactly once with real processes on PostgreSQL: two senders at once, and a sender killed
with SIGKILL midway, then run again."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from outbox.models import OutboundMessage
from tests.policies.subprocesses import MANAGE, sender_env

pytestmark = pytest.mark.django_db(transaction=True)


def fill_outbox(n: int, *, due_in: float = -1) -> list[int]:
    now = timezone.now() + timezone.timedelta(seconds=due_in)
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            channel="sms" if i % 3 else "push",
            recipient=f"139{i:08d}",
            text=f"【交强险服务】第{i}条",
            purpose="ticket_reply",
            dedupe_key=f"load:{i}",
            not_before=now,
        )  # fmt: skip
        for i in range(n)
    )
    return list(OutboundMessage.objects.values_list("pk", flat=True))


def start_sender(directory, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, MANAGE, "send_messages", *args],
        env=sender_env(directory), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def written_ids(directory) -> list[int]:
    ids = []
    for path in directory.iterdir():
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                ids.append(json.loads(line)["id"])
    return ids


def count_lines(directory) -> int:
    return sum(p.read_bytes().count(b"\n") for p in directory.iterdir()) if directory.exists() else 0


def test_two_senders_at_once_deliver_each_message_exactly_once(tmp_path):
    # Due a few seconds from now, so both senders are up and polling when the race starts.
    ids = fill_outbox(3000, due_in=4)

    senders = [
        start_sender(tmp_path, "--batch-size", "100", "--worker", f"s{i}", "--follow", "0.05") for i in (1, 2)
    ]
    deadline = time.monotonic() + 120
    while OutboundMessage.objects.filter(status="sent").count() < len(ids) and time.monotonic() < deadline:
        assert all(p.poll() is None for p in senders), [p.communicate() for p in senders]
        time.sleep(0.2)
    for p in senders:
        p.terminate()  # SIGTERM: finish the batch in hand and stop
    outputs = [p.communicate(timeout=30) for p in senders]
    assert [p.returncode for p in senders] == [0, 0], outputs
    assert all("stopped on SIGTERM" in out for out, _ in outputs)

    written = written_ids(tmp_path)
    assert sorted(written) == sorted(ids)  # every message, none twice
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}
    # Both really took part.
    assert set(OutboundMessage.objects.values_list("claimed_by", flat=True)) == {"s1", "s2"}


def test_a_sender_killed_midway_then_run_again_delivers_each_message_once(tmp_path):
    ids = fill_outbox(6000)

    victim = start_sender(tmp_path, "--batch-size", "50", "--lease-seconds", "2", "--worker", "victim")
    deadline = time.monotonic() + 60
    while count_lines(tmp_path) < 300 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    assert victim.returncode == -signal.SIGKILL

    half_done = OutboundMessage.objects.exclude(status="sent").count()
    assert 0 < half_done < len(ids), "the kill landed midway"
    time.sleep(2.5)  # the dead sender's lease runs out
    rerun = start_sender(tmp_path, "--batch-size", "500", "--worker", "rerun")
    out, err = rerun.communicate(timeout=120)

    assert rerun.returncode == 0, err
    assert sorted(written_ids(tmp_path)) == sorted(ids)  # once each, across both runs
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert "rerun: sent" in out
