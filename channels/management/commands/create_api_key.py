"""Issue an API client key for a self-service channel and print it once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from channels.api.services import api_key_create
from channels.models import ApiChannel


class Command(BaseCommand):
    help = (
        "Issue a client key of the self-service API for one channel (website, app, mini_program). "
        "The key is printed once: only its SHA-256 digest and prefix are stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True, choices=ApiChannel.values)
        parser.add_argument("--name", default="", help="what the key is for, e.g. 'APP 生产环境'")
        parser.add_argument(
            "--requests-per-minute", type=int, default=600, help="the key's rate limit (default 600)"
        )

    def handle(self, *args, channel, name, requests_per_minute, **options):
        try:
            issued = api_key_create(channel=channel, name=name, requests_per_minute=requests_per_minute)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        key = issued.key
        self.stderr.write(
            f"已创建 {key.get_channel_display()} 渠道密钥“{key.name}”（前缀 {key.prefix}，"
            f"每分钟 {key.requests_per_minute} 次）。密钥只显示这一次，请妥善保存："
        )
        self.stdout.write(issued.raw)
