from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff sign-in: lockout after failed attempts (django-axes), the second factor for
    supervisors and admin accounts (django-otp), session timeouts and the security log."""

    name = "accounts"
    verbose_name = "登录与安全"

    def ready(self):
        from accounts import signals  # noqa: F401  (connects the sign-in receivers)
