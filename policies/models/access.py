from django.conf import settings
from django.db import models

from core.clock import local

from .parties import Person


class PersonAccessLog(models.Model):
    """One full view of a person's record: who, when, which person, from which page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="查看人", on_delete=models.PROTECT,
        related_name="person_views", db_index=False,
    )  # fmt: skip
    person = models.ForeignKey(
        Person, verbose_name="被查看客户", on_delete=models.PROTECT, related_name="access_log",
        db_index=False,
    )  # fmt: skip
    page = models.CharField("页面", max_length=50)
    path = models.CharField("地址", max_length=300)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    accessed_at = models.DateTimeField("查看时间", auto_now_add=True)
    other_branch = models.BooleanField(
        "他网点客户", default=False,
        help_text="客户名下（投保人、被保险人或车主）没有查看人所属网点承保的保单：为他网点客户提供服务。",
    )  # fmt: skip

    class Meta:
        verbose_name = "客户信息查看记录"
        verbose_name_plural = "客户信息查看记录"
        ordering = ["-accessed_at"]
        indexes = [
            models.Index(fields=["person", "-accessed_at"], name="access_person_time_idx"),
            models.Index(fields=["user", "-accessed_at"], name="access_user_time_idx"),
            models.Index(fields=["-accessed_at"], name="access_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} 查看 {self.person_id} @ {local(self.accessed_at):%Y-%m-%d %H:%M}"


class AccessBurstQuerySet(models.QuerySet):
    def ending_after(self, moment) -> "AccessBurstQuerySet":
        """Bursts still going on at `moment` or after it (the panel's last days)."""
        return self.filter(window_end__gt=moment)


class AccessBurst(models.Model):
    """One account that viewed many different customers in a short time, as the incremental
    scan (`policies.access_log.detect_bursts`) found it: from the start of its first qualifying
    window to the end of its last (overlapping windows are one burst); `people`, `views` and
    `other_branch` are those of its busiest window, which starts at `peak_start`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="查看人", on_delete=models.CASCADE,
        related_name="access_bursts", db_index=False,
    )  # fmt: skip
    window_start = models.DateTimeField("开始")
    window_end = models.DateTimeField("结束")
    peak_start = models.DateTimeField("高峰时段开始")
    people = models.PositiveIntegerField("客户数")
    views = models.PositiveIntegerField("查看次数")
    other_branch = models.PositiveIntegerField("他网点客户")
    detected_at = models.DateTimeField("发现时间")

    objects = AccessBurstQuerySet.as_manager()

    class Meta:
        verbose_name = "异常查看"
        verbose_name_plural = "异常查看"
        constraints = [
            models.UniqueConstraint(fields=["user", "window_start"], name="access_burst_user_start_uniq")
        ]
        indexes = [models.Index(fields=["-window_end"], name="access_burst_end_idx")]

    def __str__(self) -> str:
        return f"{self.user} {local(self.window_start):%Y-%m-%d %H:%M} {self.people} 人"


class AccessBurstScan(models.Model):
    """The incremental scan's one row: the moment up to which the access log was scanned.
    A scan takes it with FOR UPDATE SKIP LOCKED, so two workers never scan at once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    scanned_to = models.DateTimeField("已检测至", null=True, blank=True)

    class Meta:
        verbose_name = "异常查看检测"
        verbose_name_plural = "异常查看检测"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="access_burst_scan_one_row")]

    def __str__(self) -> str:
        return f"已检测至 {local(self.scanned_to):%Y-%m-%d %H:%M}" if self.scanned_to else "尚未检测"
