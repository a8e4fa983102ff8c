"""Print the current two-factor code of the demo's known authenticator secret."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_TOTP_SECRET, demo_totp_code


class Command(BaseCommand):
    help = "显示演示主管账号当前的两步验证码（仅演示环境，DEBUG=1）。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("仅在演示环境（DEBUG=1）中可用：正式账号各自在手机验证器上查看验证码。")
        self.stdout.write(f"演示验证码：{demo_totp_code()}（30 秒内有效；密钥 {DEMO_TOTP_SECRET}）")
