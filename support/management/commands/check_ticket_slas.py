from django.core.management.base import BaseCommand

from support.services import sla_check


class Command(BaseCommand):
    help = (
        "Warn before and escalate after SLA breaches of open tickets. Each ticket's warning and "
        "escalation of each target (first response, resolution) happens once, so the command is "
        "safe to run every minute (cron or a systemd timer). Clocks paused while a ticket waits "
        "on the customer never warn or escalate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what is due, change nothing")

    def handle(self, *args, dry_run=False, **options):
        result = sla_check(dry_run=dry_run)
        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(
            f"{prefix}首次响应预警 {result.response_warnings}，首次响应超时升级 {result.response_escalations}，"
            f"解决预警 {result.resolution_warnings}，解决超时升级 {result.resolution_escalations}"
        )
