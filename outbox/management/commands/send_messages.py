"""Drain the customer-message outbox (every purpose) through the channel backends."""

import signal
import time

from django.core.management.base import BaseCommand

from outbox.sender import Sender


class Command(BaseCommand):
    help = (
        "Send every due message in the outbox — reminders, ticket notifications, all purposes — "
        "through the channel backends, each exactly once. Safe to run several at once (rows are "
        "claimed with FOR UPDATE SKIP LOCKED under a lease) and to rerun after a crash "
        "(in-doubt messages are checked before anything is sent again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--lease-seconds", type=int, default=None)
        parser.add_argument("--worker", default=None, help="name recorded in claimed_by")
        parser.add_argument(
            "--follow", type=float, default=0, metavar="SECONDS",
            help="keep running, looking for due messages every SECONDS",
        )  # fmt: skip

    def handle(self, *args, batch_size, lease_seconds, worker, follow, **options):
        sender = Sender(worker=worker, batch_size=batch_size, lease_seconds=lease_seconds)
        stopping = []
        # SIGTERM (a deploy, a shutdown) finishes the batch in hand, then exits cleanly.
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        started = time.monotonic()
        while not stopping:
            result = sender.drain(stop=lambda: bool(stopping))
            elapsed = time.monotonic() - started
            if follow and not (result.handled or result.deferred):
                time.sleep(follow)  # nothing due: say nothing, look again
                continue
            self.stdout.write(
                f"{sender.worker}: sent {result.sent}, recovered {result.recovered}, "
                f"retry later {result.retried}, failed {result.failed}, "
                f"deferred to 08:00 {result.deferred} ({elapsed:.1f} s)"
            )
            if not follow:
                break
            time.sleep(follow)
        if stopping:
            self.stdout.write(f"{sender.worker}: stopped on SIGTERM")
