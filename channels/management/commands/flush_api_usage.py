"""Write the API requests counted in Redis to the usage table (ApiUsage).

Requests are counted in Redis and written in batches (channels.api.usage); run this every
minute so the figures are never more than a minute behind when the API is quiet."""

from django.core.management.base import BaseCommand

from channels.api.services import api_usage_flush


class Command(BaseCommand):
    help = "把 Redis 中累计的 API 调用量写入调用量表（每分钟运行）。"

    def handle(self, *args, **options):
        rows = api_usage_flush()
        self.stdout.write(f"写入 {rows} 行调用量。")
