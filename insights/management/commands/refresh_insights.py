"""Recompute the dashboard's monthly summaries (schedule it nightly, e.g. 01:00, after
plan_reminders).

The last 3 months by default — older months no longer change (a renewal counts only within 30
days of the end) — or every month with `--all` (the first run, or after importing history).
Months are rebuilt a few at a time, each batch in its own transaction (a batch replaces its
months whole, so running it again — or after an interruption — changes nothing)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from core.clock import today
from insights.refresh import RECENT_MONTHS, earliest_month, refresh_in_batches
from policies.pricing import add_months


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=RECENT_MONTHS, help="months up to this one")
        parser.add_argument("--all", action="store_true", help="every month since the first policy")

    def handle(self, *args, months: int, all: bool, **options):
        if months < 1:
            self.stderr.write("--months must be at least 1")
            return
        day = today()
        first = earliest_month() if all else add_months(day.replace(day=1), -(months - 1))
        began = time.monotonic()
        for run in refresh_in_batches(first=first, day=day):
            self.stdout.write(
                f"refreshed {run.first_month:%Y-%m}..{run.last_month:%Y-%m}: {run.rows} rows "
                f"({time.monotonic() - began:.1f} s)"
            )
