"""Live the demo's recent past hour by hour: reminders planned and messages sent at each day's own hours."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.history import DEFAULT_DAYS, demo_history


class Command(BaseCommand):
    help = (
        "Replay the days before today as a working insurer lived them: each day's renewal reminders "
        "are planned at 07:00 and every due message (reminders, ticket replies, satisfaction surveys) "
        "is sent at that day's own hours; then today's reminders are planned and what is due now is "
        "sent (today's SMS and push wait out the quiet hours, 21:00–08:00 Beijing time). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"days to replay (default {DEFAULT_DAYS})"
        )

    def handle(self, *args, days: int, **options):
        if days < 0:
            raise CommandError("--days 不能为负数。")
        result = demo_history(days=days)
        self.stdout.write(
            f"补齐近 {result.days} 天：计划提醒 {result.planned}，发送 {result.sent.sent}；"
            f"今天：计划提醒 {result.today_planned}，发送 {result.today_sent.sent}，"
            f"等待夜间免打扰结束 {result.today_sent.deferred}。"
        )
        self.stdout.write(
            f"短信与推送写入 {settings.MESSAGE_FILE_DIR}/（每渠道每天一个 .jsonl 文件），"
            f"电子邮件写入 {settings.MESSAGE_FILE_DIR}/email/。"
        )
