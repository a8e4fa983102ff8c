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
