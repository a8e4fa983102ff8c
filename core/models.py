"""The ground's one table: the log of list exports (core.exports writes it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExportLog(models.Model):
    """One export of a list: who, when, which list and filters, in which format, how many rows,
    whether personal data went out in full, and whether the file was sent to its end."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT, related_name="exports",
        db_index=False,
    )  # fmt: skip
    list_name = models.CharField("清单代码", max_length=40)
    list_title = models.CharField("清单", max_length=60)
    format = models.CharField("格式", max_length=8, choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")])
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    full = models.BooleanField("含完整个人信息", default=False)
    row_count = models.PositiveBigIntegerField("行数", null=True, blank=True)
    started_at = models.DateTimeField("导出时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    complete = models.BooleanField("已完整发送", default=False)
    truncated = models.BooleanField(
        "超出 Excel 行数上限", default=False, help_text="Excel 工作表最多 1,048,575 行，其余行未导出。"
    )

    class Meta:
        verbose_name = "清单导出记录"
        verbose_name_plural = "清单导出记录"
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["-started_at"], name="export_time_idx"),
            models.Index(fields=["user", "-started_at"], name="export_user_time_idx"),
            models.Index(fields=["list_name", "-started_at"], name="export_list_time_idx"),
        ]
        permissions = [
            ("export_lists", "可导出清单"),
            ("export_full_personal_data", "可导出未遮蔽的个人信息（每人记入查看记录）"),
        ]

    def __str__(self) -> str:
        return f"{self.user} 导出 {self.list_title} ({self.format})"
