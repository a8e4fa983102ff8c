import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from support.choices import Category, Priority


class Queue(models.Model):
    """A work queue. A branch queue belongs to one branch; a queue without a branch is the
    hotline centre's, shared across branches. `category` empty takes every category."""

    name = models.CharField("队列名称", max_length=60)
    branch = models.ForeignKey(
        "policies.Branch", verbose_name="所属网点", on_delete=models.PROTECT, null=True, blank=True,
        related_name="support_queues", help_text="留空表示热线中心队列（全国共用）",
    )  # fmt: skip
    category = models.CharField(
        "受理类别", max_length=20, choices=Category.choices, blank=True, help_text="留空表示受理所有类别"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="负责主管", on_delete=models.SET_NULL, null=True,
        blank=True, related_name="supervised_queues", help_text="超时工单升级给此主管",
    )  # fmt: skip
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "工单队列"
        verbose_name_plural = "工单队列"
        ordering = ["branch__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "category"], condition=Q(is_active=True) & Q(branch__isnull=False),
                name="queue_one_active_per_branch_category",
                violation_error_message="该网点已有一个启用中的同类别队列。",
            ),
            models.UniqueConstraint(
                fields=["category"], condition=Q(is_active=True) & Q(branch__isnull=True),
                name="queue_one_active_hotline_per_category",
                violation_error_message="热线中心已有一个启用中的同类别队列。",
            ),
            models.CheckConstraint(
                condition=Q(category="") | Q(category__in=Category.values), name="queue_category_valid"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    @property
    def is_hotline(self) -> bool:
        return self.branch_id is None


class SlaTarget(models.Model):
    """Service targets of one category and priority, in calendar minutes (7×24)."""

    category = models.CharField("类别", max_length=20, choices=Category.choices)
    priority = models.CharField("优先级", max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField("首次响应时限（分钟）")
    resolution_minutes = models.PositiveIntegerField("解决时限（分钟）")
    warning_percent = models.PositiveSmallIntegerField(
        "预警点（%）", default=80, help_text="时限用去该比例时向处理人预警"
    )

    class Meta:
        verbose_name = "服务时限（SLA）"
        verbose_name_plural = "服务时限（SLA）"
        ordering = ["category", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "priority"],
                name="sla_target_unique",
                violation_error_message="该类别和优先级的服务时限已存在。",
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0)
                & Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="sla_target_order",
                violation_error_message="首次响应时限须大于 0，解决时限不能短于首次响应时限。",
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_warning_range",
                violation_error_message="预警点须在 1% 至 99% 之间。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.get_priority_display()}"

    @property
    def first_response(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.first_response_minutes)

    @property
    def resolution(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.resolution_minutes)
