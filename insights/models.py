"""Monthly summary tables the supervisors' dashboard reads instead of scanning millions of rows.

One row per month × branch × sales channel × vehicle category (tickets: × ticket channel,
claim steps: × step), rebuilt by `insights.refresh.summaries_refresh` for a range of months in
one transaction (delete the months, insert them again: a retry changes nothing).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from claims.choices import ClaimState
from policies.choices import PremiumCategory, SalesChannel
from policies.models import Branch
from reminders.models import ReminderChannel
from support.choices import Channel as TicketChannel


class PolicyMonth(models.Model):
    """Policies of one month and segment: started (by start date), ended and renewed (by end
    date, docs/regulation.md §9), premium earned in the month (pro rata by days of cover)."""

    month = models.DateField("月份", help_text="该月 1 日")
    branch = models.ForeignKey(Branch, verbose_name="承保网点", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("销售渠道", max_length=16, choices=SalesChannel.choices)
    category = models.CharField("车辆类别", max_length=20, choices=PremiumCategory.choices)
    started = models.PositiveIntegerField("起保保单", default=0)
    started_premium = models.DecimalField("起保保费", max_digits=16, decimal_places=2, default=0)
    ended = models.PositiveIntegerField("期满保单", default=0)
    renewed = models.PositiveIntegerField("30 日内续保", default=0)
    earned = models.DecimalField("已赚保费", max_digits=20, decimal_places=6, default=0)

    class Meta:
        verbose_name = "保单月度统计"
        verbose_name_plural = "保单月度统计"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "branch", "channel", "category"], name="policy_month_unique"
            )
        ]
        indexes = [models.Index(fields=["branch", "month"], name="policy_month_branch_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.branch_id} {self.channel} {self.category}"


class ClaimMonth(models.Model):
    """Claims of one month and segment (the segment of the claim's policy): paid amounts and
    claims paid in the month (cycle report → payment), claims reported in the month and those
    of them whose 5-day decision deadline was missed (docs/regulation.md §6), and advances
    recovered from the wrongdoer in the month (§5)."""

    month = models.DateField("月份")
    branch = models.ForeignKey(Branch, verbose_name="网点", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("销售渠道", max_length=16, choices=SalesChannel.choices)
    category = models.CharField("车辆类别", max_length=20, choices=PremiumCategory.choices)
    paid_amount = models.DecimalField("已付赔款", max_digits=16, decimal_places=2, default=0)
    paid_claims = models.PositiveIntegerField("支付赔案", default=0)
    cycle_seconds = models.BigIntegerField("报案至支付合计秒数", default=0)
    reported = models.PositiveIntegerField("报案数", default=0)
    decision_breached = models.PositiveIntegerField("超 5 日核定", default=0)
    recovered = models.DecimalField("追偿回收", max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = "赔案月度统计"
        verbose_name_plural = "赔案月度统计"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "branch", "channel", "category"], name="claim_month_unique"
            )
        ]
        indexes = [models.Index(fields=["branch", "month"], name="claim_month_branch_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.branch_id} {self.channel} {self.category}"


class ClaimStepMonth(models.Model):
    """Time spent in each claim step, for the steps left in the month (ClaimEvent.step_seconds)."""

    month = models.DateField("月份")
    branch = models.ForeignKey(Branch, verbose_name="网点", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("销售渠道", max_length=16, choices=SalesChannel.choices)
    category = models.CharField("车辆类别", max_length=20, choices=PremiumCategory.choices)
    state = models.CharField("环节", max_length=12, choices=ClaimState.choices)
    steps = models.PositiveIntegerField("次数", default=0)
    seconds = models.BigIntegerField("合计秒数", default=0)

    class Meta:
        verbose_name = "赔案环节月度统计"
        verbose_name_plural = "赔案环节月度统计"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "branch", "channel", "category", "state"], name="claim_step_month_unique"
            )
        ]
        indexes = [models.Index(fields=["branch", "month"], name="claim_step_month_branch_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.branch_id} {self.channel} {self.category}"


class ReminderMonth(models.Model):
    """Renewal reminders planned in the month, by the reminded policy's segment, the reminder's
    channel and cadence step: planned, sent, and sent ones followed by the policy's renewal —
    `reminders.conversion`'s rule, so the dashboard can filter conversion like the other figures."""

    month = models.DateField("月份")
    branch = models.ForeignKey(Branch, verbose_name="承保网点", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("销售渠道", max_length=16, choices=SalesChannel.choices)
    category = models.CharField("车辆类别", max_length=20, choices=PremiumCategory.choices)
    reminder_channel = models.CharField("提醒渠道", max_length=8, choices=ReminderChannel.choices)
    days_left = models.SmallIntegerField("距保险止期天数")
    planned = models.PositiveIntegerField("计划", default=0)
    sent = models.PositiveIntegerField("已发送", default=0)
    renewed_after = models.PositiveIntegerField("发送后续保", default=0)

    class Meta:
        verbose_name = "提醒转化月度统计"
        verbose_name_plural = "提醒转化月度统计"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "branch", "channel", "category", "reminder_channel", "days_left"],
                name="reminder_month_unique",
            )
        ]
        indexes = [models.Index(fields=["branch", "month"], name="reminder_month_branch_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.branch_id} {self.channel} {self.category} {self.reminder_channel}"


class TicketMonth(models.Model):
    """SLA of the tickets opened in the month by ticket channel and queue branch, counted as
    `support.reports.compliance` counts them (merged duplicates left out), as of the refresh."""

    month = models.DateField("月份")
    branch = models.ForeignKey(
        Branch, verbose_name="网点", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    channel = models.CharField("受理渠道", max_length=16, choices=TicketChannel.choices)
    tickets = models.PositiveIntegerField("工单", default=0)
    responded = models.PositiveIntegerField("计入响应考核", default=0)
    responded_within = models.PositiveIntegerField("按时响应", default=0)
    resolved = models.PositiveIntegerField("计入解决考核", default=0)
    resolved_within = models.PositiveIntegerField("按时解决", default=0)

    class Meta:
        verbose_name = "工单月度统计"
        verbose_name_plural = "工单月度统计"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "branch", "channel"], name="ticket_month_unique", nulls_distinct=False
            )
        ]
        indexes = [models.Index(fields=["month"], name="ticket_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.branch_id} {self.channel}"


class SummaryRun(models.Model):
    """One refresh of the summaries: which months, when, by whom (the job when no one)."""

    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    rows = models.PositiveIntegerField("写入行数", default=0)

    class Meta:
        verbose_name = "统计刷新记录"
        verbose_name_plural = "统计刷新记录"
        permissions = [("refresh_summaries", "可刷新经营看板统计")]
        indexes = [models.Index(fields=["-finished_at"], name="summary_run_finished_idx")]

    def __str__(self) -> str:
        return f"{self.first_month:%Y-%m}—{self.last_month:%Y-%m}"


class RefreshJob(models.Model):
    """A supervisor's 立即刷新, run by the `run_insights_jobs` worker rather than in the request
    (at 10M policies the current month takes longer than a request may). At most one job is
    queued or running at a time: a second click finds the first."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在刷新"
        DONE = "done", "已完成"
        FAILED = "failed", "未完成"

    PENDING = (Status.QUEUED, Status.RUNNING)

    first_month = models.DateField("起始月份")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    requested_at = models.DateTimeField("申请时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    worker = models.CharField("处理进程", max_length=64, blank=True)
    error = models.TextField("未完成原因", blank=True)
    run = models.ForeignKey(
        SummaryRun,
        verbose_name="统计刷新记录",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "看板刷新任务"
        verbose_name_plural = "看板刷新任务"
        constraints = [
            # one pending job at a time, whatever its months: a unique index over a constant
            models.UniqueConstraint(
                models.Value(True), condition=models.Q(status__in=["queued", "running"]),
                name="refresh_job_one_pending",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["-requested_at"], name="refresh_job_requested_idx")]

    def __str__(self) -> str:
        return f"{self.first_month:%Y-%m} {self.get_status_display()}"

    @property
    def pending(self) -> bool:
        return self.status in self.PENDING
