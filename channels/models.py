from django.conf import settings
from django.db import models
from django.db.models import Q

from policies.choices import SalesChannel


class ApiChannel(models.TextChoices):
    """The self-service channels that call the JSON API (their codes are the sales channels')."""

    WEBSITE = SalesChannel.WEBSITE.value, SalesChannel.WEBSITE.label
    APP = SalesChannel.APP.value, SalesChannel.APP.label
    MINI_PROGRAM = SalesChannel.MINI_PROGRAM.value, SalesChannel.MINI_PROGRAM.label


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A client key of one self-service channel. Only a SHA-256 digest of the key is kept;
    the key itself is shown once, when it is made (`channels.api.services.api_key_create`)."""

    name = models.CharField("名称", max_length=100, help_text="如：官网续保页（生产）")
    channel = models.CharField("渠道", max_length=16, choices=ApiChannel.choices)
    prefix = models.CharField("密钥前缀", max_length=12, unique=True, help_text="用于识别密钥，可公开显示")
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    requests_per_minute = models.PositiveIntegerField(
        "每分钟请求上限", default=600, help_text="超过后返回 429，须按 Retry-After 等待"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="停用人", on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        db_table = "policies_apikey"  # kept from when the policies app held it
        verbose_name = "API 密钥"
        verbose_name_plural = "API 密钥"
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=ApiChannel.values), name="apikey_channel_valid"),
            models.CheckConstraint(
                condition=Q(requests_per_minute__gt=0),
                name="apikey_rate_positive",
                violation_error_message="每分钟请求上限须为正整数。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiUsage(models.Model):
    """Requests of one key to one endpoint on one day (Asia/Shanghai), by outcome.

    One row per key, day and endpoint, incremented in place by an upsert
    (`channels.api.services.api_usage_record`), so the figures are a small grouped query."""

    key = models.ForeignKey(
        ApiKey, verbose_name="密钥", on_delete=models.PROTECT, related_name="usage",
        db_index=False,  # covered by apiusage_key_day_endpoint_uniq
    )  # fmt: skip
    day = models.DateField("日期")
    endpoint = models.CharField("接口", max_length=40)
    requests = models.PositiveIntegerField("请求数", default=0)
    succeeded = models.PositiveIntegerField("成功", default=0)
    not_found = models.PositiveIntegerField("未找到", default=0)
    rejected = models.PositiveIntegerField("被拒绝", default=0, help_text="参数错误等 4xx（不含 404、429）")
    limited = models.PositiveIntegerField("被限流", default=0)

    class Meta:
        db_table = "policies_apiusage"  # kept from when the policies app held it
        verbose_name = "API 调用量"
        verbose_name_plural = "API 调用量"
        constraints = [
            models.UniqueConstraint(fields=["key", "day", "endpoint"], name="apiusage_key_day_endpoint_uniq"),
        ]
        indexes = [models.Index(fields=["day"], name="apiusage_day_idx")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day} {self.endpoint}: {self.requests}"
