"""Scan the access log of personal data for unusual access (one account viewing at least
ACCESS_LOG_UNUSUAL_PEOPLE different customers within any ACCESS_LOG_UNUSUAL_MINUTES) and keep
the bursts the dashboard shows. Reads only the views since the last scan, less one window; a
burst that goes on is extended, not written twice. Skips (and says so) when another process is
scanning. The `run_insights_jobs` worker runs it once a minute; this command is for cron. Both
scan under INSIGHTS_JOB_TIMEOUT_SECONDS (a first scan reads the whole period)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.clock import local, start_of_day
from policies.access_log import ScanReport, detect_bursts


class DryRun(Exception):
    def __init__(self, report: ScanReport | None):
        self.report = report


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", type=_day, default=None, metavar="YYYY-MM-DD",
            help="scan again from this Beijing day (after changing the thresholds, say)",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="scan, report, and keep nothing")

    def handle(self, *args, since: dt.date | None, dry_run: bool, **options):
        moment = start_of_day(since) if since else None
        try:
            with transaction.atomic():
                report = detect_bursts(
                    now=timezone.now(), since=moment, timeout_ms=settings.INSIGHTS_JOB_TIMEOUT_SECONDS * 1000
                )
                if dry_run:
                    raise DryRun(report)
        except DryRun as done:
            report = done.report
        if report is None:
            self.stdout.write("another process is scanning the access log: skipped")
            return
        self.stdout.write(
            f"{'dry run: ' if dry_run else ''}views from {local(report.since):%Y-%m-%d %H:%M}: "
            f"{report.found} bursts, {report.created} new, {report.extended} extended"
        )
