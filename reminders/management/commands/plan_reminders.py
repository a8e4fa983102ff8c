"""Plan the renewal reminders due on a day (default: today in Asia/Shanghai)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from core.clock import today
from reminders.conversion import REFRESH_DAYS, conversion_refresh
from reminders.models import ReminderChannel
from reminders.planning import plan_reminders


class Command(BaseCommand):
    help = (
        "Write the renewal reminders due on a day: for each active cadence step, the policies "
        "whose vehicle is due or lapsed (docs/regulation.md §4) with that many days left — never renewed, "
        "cancelled, opted-out or stopped ones — as outbox messages (SMS, email, push) and "
        "hotline call-list rows. Idempotent: a rerun writes nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to plan, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="count, then roll everything back")
        parser.add_argument(
            "--skip-figures", action="store_true",
            help=f"do not recount the conversion figures of the last {REFRESH_DAYS} days afterwards",
        )  # fmt: skip

    def handle(self, *args, date=None, dry_run=False, skip_figures=False, **options):
        try:
            day = dt.date.fromisoformat(date) if date else today()
        except ValueError as error:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from error
        started = time.monotonic()
        result = plan_reminders(day=day, dry_run=dry_run)
        elapsed = time.monotonic() - started
        labels = dict(ReminderChannel.choices)
        for (channel, days_left), count in sorted(result.by_step.items()):
            self.stdout.write(f"  {labels.get(channel, channel)} {days_left:>3} 天: {count}")
        verb = "would write" if dry_run else "wrote"
        self.stdout.write(self.style.SUCCESS(f"{day}: {verb} {result.total} reminders in {elapsed:.1f} s"))
        if not dry_run and not skip_figures:
            started = time.monotonic()
            rows = conversion_refresh(last=max(day, today()))
            self.stdout.write(
                f"conversion figures recounted ({rows} rows) in {time.monotonic() - started:.1f} s"
            )
