from django.core.management.base import BaseCommand

from support.services import tickets_close_resolved


class Command(BaseCommand):
    help = (
        "Close tickets resolved more than --days days ago (default 7). A customer's reply before "
        "then reopens the ticket instead; after it, the reply opens a follow-up ticket."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, days=7, dry_run=False, **options):
        closed = tickets_close_resolved(days=days, dry_run=dry_run)
        self.stdout.write(f"{'[dry run] ' if dry_run else ''}关闭已解决工单 {closed} 张")
