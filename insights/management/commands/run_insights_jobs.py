"""Run the dashboard refreshes supervisors ask for (立即刷新), one at a time, in the background.

Each queued job is taken with FOR UPDATE SKIP LOCKED, so several workers may run at once and
never take the same job; a job that fails is recorded with its message and changes no figure.
Without --follow, runs what is queued and exits; with --follow SECONDS, keeps looking every
SECONDS until SIGTERM (which lets the job in hand finish first).

Between jobs it also scans the access log for unusual access (policies.access_log.detect_bursts)
at most once a minute: a worker already scanning is skipped, never waited for."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from insights.jobs import run_next_job
from policies.access_log import detect_bursts

logger = logging.getLogger(__name__)

SCAN_EVERY = dt.timedelta(minutes=1)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--worker", default=None, help="name recorded on the jobs it runs")
        parser.add_argument(
            "--follow", type=float, default=0, metavar="SECONDS",
            help="keep running, looking for queued jobs every SECONDS",
        )  # fmt: skip

    def handle(self, *args, worker: str | None, follow: float, **options):
        worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        stopping: list[bool] = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        next_scan = 0.0
        while not stopping:
            if time.monotonic() >= next_scan:
                next_scan = time.monotonic() + SCAN_EVERY.total_seconds()
                self._scan_access_log(worker)
            job = run_next_job(worker=worker)
            if job is not None:
                outcome = f"{job.run.rows} rows" if job.run else f"failed: {job.error}"
                elapsed = (job.finished_at - job.started_at).total_seconds()
                self.stdout.write(
                    f"{worker}: job {job.pk} {job.first_month:%Y-%m}: {outcome} ({elapsed:.1f} s)"
                )
                continue
            if not follow:
                break
            deadline = time.monotonic() + follow
            while not stopping and time.monotonic() < deadline:  # wake at once on SIGTERM
                time.sleep(min(0.2, follow))
        if stopping:
            self.stdout.write(f"{worker}: stopped on SIGTERM")

    def _scan_access_log(self, worker: str) -> None:
        try:
            report = detect_bursts(
                now=timezone.now(), every=SCAN_EVERY, timeout_ms=settings.INSIGHTS_JOB_TIMEOUT_SECONDS * 1000
            )
        except Exception:  # the scan is retried in a minute; the refresh jobs go on
            logger.exception("access log scan failed")
            return
        if report is not None and (report.created or report.extended):
            self.stdout.write(
                f"{worker}: access log: {report.created} new bursts, {report.extended} extended"
            )
