"""Create the coming months' partitions of the partitioned tables and drop expired ones."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.partitions import maintain, retention_problems


class Command(BaseCommand):
    help = (
        "For every table in settings.PARTITIONED_TABLES: create this month's and the next "
        "months' partitions that are missing (moving any rows the default partition holds for "
        "them), drop the partitions wholly older than the table's keep_months and delete the "
        "default partition's rows older than that. Refuses a keep_months that could drop rows "
        "younger than a table's min_days (the access log: 180 days). Idempotent; run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months-ahead", type=int, default=3, help="months after this one to create (default 3)"
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")

    def handle(self, *args, months_ahead, dry_run, **options):
        if not 0 <= months_ahead <= 24:
            raise CommandError("--months-ahead must be between 0 and 24")
        problems = retention_problems(settings.PARTITIONED_TABLES)
        if problems:  # refused before anything is created or dropped
            raise CommandError("retention below the legal minimum: " + "; ".join(problems))
        reports = maintain(settings.PARTITIONED_TABLES, months_ahead=months_ahead, dry_run=dry_run)
        for report in reports:
            for line in report.lines():
                self.stdout.write(("(dry run) " if dry_run else "") + line)
        failed = [r.table for r in reports if r.error]
        if failed:
            raise CommandError(f"partition maintenance failed for {', '.join(failed)}")
