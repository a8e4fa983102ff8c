"""Flag every open claim whose legal deadline has passed (条例 Art. 27–29, docs/regulation.md §6)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from claims.services import claims_flag_breaches


class Command(BaseCommand):
    help = (
        "Flag breached claim deadlines: documents not listed within 1 day of the report, no "
        "decision within 5 days of complete documents, no payment within 10 days of approval. "
        "Run it every few minutes; flags stay set as a record even after the step is done."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be flagged, change nothing"
        )
        parser.add_argument("--now", help="check as of this ISO time (default: now)")

    def handle(self, *args, dry_run: bool = False, now: str | None = None, **options):
        moment = timezone.now()
        if now:
            parsed = parse_datetime(now)
            if parsed is None:
                raise CommandError(f"--now 不是有效的时间：{now}")
            moment = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        counts = claims_flag_breaches(now=moment, dry_run=dry_run)
        verb = "would flag" if dry_run else "flagged"
        for clock, count in counts.items():
            self.stdout.write(f"{clock}: {verb} {count}")
        self.stdout.write(self.style.SUCCESS(f"{verb} {sum(counts.values())} deadline breaches"))
