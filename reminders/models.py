"""Renewal reminders: the cadence supervisors set, customers' opt-outs, the reminders
planned for each policy, and the hotline's outbound call list fed by the call channel."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.clock import local
from policies.choices import PremiumCategory, SalesChannel


class ReminderChannel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    PUSH = "push", "APP 推送"
    CALL = "call", "热线外呼"


class CadenceStep(models.Model):
    """One step of the reminder cadence of a channel: remind when the cover has
    `days_left` days to run (docs/regulation.md §4: 0 on the last day, −1 on the first day of lapse)."""

    channel = models.CharField("渠道", max_length=8, choices=ReminderChannel.choices)
    days_left = models.SmallIntegerField(
        "距保险止期天数", help_text="正数为到期前天数，0 为到期当天，-1 为脱保第一天"
    )
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=100, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        db_table = "policies_cadencestep"  # kept from when the policies app held it
        verbose_name = "提醒节奏"
        verbose_name_plural = "提醒节奏"
        ordering = ["channel", "-days_left"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "days_left"],
                name="cadence_step_unique",
                violation_error_message="该渠道已有这个提醒时点。",
            ),  # fmt: skip
            # Due covers the last 90 days at most (docs/regulation.md §4); lapse reminders within a month.
            models.CheckConstraint(
                condition=Q(days_left__gte=-30, days_left__lte=89),
                name="cadence_step_days_in_range",
                violation_error_message="提醒时点须在到期前 89 天至脱保后 30 天之间（-30 至 89）。",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(channel__in=ReminderChannel.values), name="cadence_step_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.when}"

    @property
    def when(self) -> str:
        if self.days_left > 0:
            return f"到期前 {self.days_left} 天"
        if self.days_left == 0:
            return "到期当天"
        return f"脱保第 {-self.days_left} 天"


class ReminderOptOut(models.Model):
    """A customer who asked not to be reminded through a channel."""

    person = models.ForeignKey(
        "policies.Person", verbose_name="客户", on_delete=models.CASCADE, related_name="reminder_opt_outs"
    )
    channel = models.CharField("渠道", max_length=8, choices=ReminderChannel.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        db_table = "policies_reminderoptout"  # kept from when the policies app held it
        verbose_name = "退订提醒"
        verbose_name_plural = "退订提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "channel"],
                name="reminder_opt_out_unique",
                violation_error_message="该客户已退订这个渠道。",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.person.name} 退订 {self.get_channel_display()}"


class StopReason(models.TextChoices):
    RENEWED_ELSEWHERE = "renewed", "客户表示已续保"
    WILL_RENEW = "will_renew", "客户承诺续保"
    REFUSED = "refused", "客户拒绝续保"
    WRONG_NUMBER = "wrong_number", "号码错误"


class ReminderStop(models.Model):
    """No further reminders of one policy through one channel (fed back from call outcomes)."""

    policy = models.ForeignKey(
        "policies.Policy", verbose_name="保单", on_delete=models.CASCADE, related_name="reminder_stops",
        db_index=False,  # covered by the unique constraint
    )  # fmt: skip
    channel = models.CharField("渠道", max_length=8, choices=ReminderChannel.choices)
    reason = models.CharField("原因", max_length=16, choices=StopReason.choices)
    call = models.ForeignKey(
        "reminders.RenewalCall", verbose_name="来源外呼", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        db_table = "policies_reminderstop"  # kept from when the policies app held it
        verbose_name = "停止提醒"
        verbose_name_plural = "停止提醒"
        constraints = [
            models.UniqueConstraint(fields=["policy", "channel"], name="reminder_stop_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} 停止{self.get_channel_display()}（{self.get_reason_display()}）"


class Reminder(models.Model):
    """One reminder of one policy at one cadence step through one channel — planned once.

    SMS, email and push reminders have their message in the outbox; call reminders have a
    row on the hotline's outbound call list (`RenewalCall.reminder`)."""

    policy = models.ForeignKey(
        "policies.Policy", verbose_name="保单", on_delete=models.CASCADE, related_name="reminders",
        db_index=False,  # covered by reminder_once_per_step
    )  # fmt: skip
    channel = models.CharField("渠道", max_length=8, choices=ReminderChannel.choices)
    days_left = models.SmallIntegerField("距保险止期天数")
    step = models.ForeignKey(
        CadenceStep, verbose_name="提醒节奏", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reminders", db_index=False,
    )  # fmt: skip
    person = models.ForeignKey(
        "policies.Person", verbose_name="客户", on_delete=models.CASCADE, related_name="reminders",
        db_index=False,
    )  # fmt: skip
    planned_for = models.DateField("计划日期")
    message = models.OneToOneField(
        "outbox.OutboundMessage", verbose_name="外发消息", on_delete=models.SET_NULL, null=True,
        blank=True, related_name="reminder",
    )  # fmt: skip
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        db_table = "policies_reminder"  # kept from when the policies app held it
        verbose_name = "续保提醒"
        verbose_name_plural = "续保提醒"
        permissions = [("manage_reminders", "可管理续保提醒")]
        constraints = [
            # The key that makes planning idempotent: a rerun writes nothing new.
            models.UniqueConstraint(fields=["policy", "channel", "days_left"], name="reminder_once_per_step"),
            models.CheckConstraint(
                condition=Q(channel__in=ReminderChannel.values), name="reminder_channel_valid"
            ),
        ]
        indexes = [models.Index(fields=["planned_for", "channel"], name="reminder_planned_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}提醒 · {self.policy_id} · {self.days_left}"


class CallOutcome(models.TextChoices):
    RENEWED = "renewed", "已续保"
    WILL_RENEW = "will_renew", "承诺续保"
    CALL_BACK = "call_back", "约定回电"
    UNREACHABLE = "unreachable", "未接通"
    REFUSED = "refused", "拒绝续保"
    WRONG_NUMBER = "wrong_number", "号码错误"


class CallStatus(models.TextChoices):
    OPEN = "open", "待外呼"
    CLOSED = "closed", "已结束"


class RenewalCallQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=CallStatus.OPEN)

    def ready(self, now):
        """Open calls that may be made now (call-backs and retries once their time comes)."""
        return self.open().filter(Q(call_after__isnull=True) | Q(call_after__lte=now))

    def for_branch(self, branch):
        return self.filter(branch=branch)

    def assigned_to(self, user):
        return self.filter(assigned_to=user)

    def unassigned(self):
        return self.filter(assigned_to__isnull=True)


class RenewalCall(models.Model):
    """A row on the hotline's outbound renewal call list: call this customer about this
    policy. Agents record each attempt's outcome; the outcome feeds back into reminders."""

    reminder = models.OneToOneField(
        Reminder, verbose_name="提醒", on_delete=models.CASCADE, null=True, blank=True,
        related_name="call",
    )  # fmt: skip
    policy = models.ForeignKey(
        "policies.Policy", verbose_name="保单", on_delete=models.CASCADE, related_name="renewal_calls"
    )
    vehicle = models.ForeignKey(
        "policies.Vehicle", verbose_name="车辆", on_delete=models.CASCADE, related_name="renewal_calls"
    )
    person = models.ForeignKey(
        "policies.Person", verbose_name="客户", on_delete=models.CASCADE, related_name="renewal_calls"
    )
    phone = models.CharField("联系电话", max_length=20)
    branch = models.ForeignKey(
        "policies.Branch", verbose_name="承保网点", on_delete=models.PROTECT, related_name="renewal_calls",
        db_index=False,  # covered by renewal_call_branch_idx
    )  # fmt: skip
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="外呼坐席", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="renewal_calls", db_index=False,  # covered by renewal_call_agent_idx
    )  # fmt: skip
    due_date = models.DateField("计划外呼日期")
    days_left = models.SmallIntegerField("距保险止期天数")
    call_after = models.DateTimeField("回呼/重拨时间", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=CallStatus.choices, default=CallStatus.OPEN)
    outcome = models.CharField("外呼结果", max_length=16, choices=CallOutcome.choices, blank=True)
    outcome_note = models.CharField("结果备注", max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField("外呼次数", default=0)
    first_attempt_at = models.DateTimeField("首次外呼时间", null=True, blank=True)
    last_attempt_at = models.DateTimeField("最近外呼时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = RenewalCallQuerySet.as_manager()

    class Meta:
        db_table = "policies_renewalcall"  # kept from when the policies app held it
        verbose_name = "续保外呼"
        verbose_name_plural = "续保外呼"
        permissions = [("work_renewal_calls", "可处理续保外呼")]
        constraints = [
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status="open"), name="renewal_call_one_open_per_policy"
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True))
                | (Q(status="closed") & Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="renewal_call_closed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "status", "due_date"], name="renewal_call_branch_idx"),
            models.Index(fields=["assigned_to", "status", "call_after"], name="renewal_call_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"续保外呼 · {self.policy_id} · {self.get_status_display()}"


class RenewalCallAttempt(models.Model):
    """One attempt at a renewal call and what came of it."""

    call = models.ForeignKey(
        RenewalCall, verbose_name="外呼", on_delete=models.CASCADE, related_name="attempt_log"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="坐席", on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField("结果", max_length=16, choices=CallOutcome.choices)
    note = models.CharField("备注", max_length=500, blank=True)
    call_back_at = models.DateTimeField("约定回电时间", null=True, blank=True)
    created_at = models.DateTimeField("外呼时间")

    class Meta:
        db_table = "policies_renewalcallattempt"  # kept from when the policies app held it
        verbose_name = "外呼记录"
        verbose_name_plural = "外呼记录"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{local(self.created_at):%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class ConversionDayQuerySet(models.QuerySet):
    def totals(self):
        return self.filter(branch__isnull=True)

    def segments(self):
        return self.filter(branch__isnull=False)


class ReminderConversionDay(models.Model):
    """The conversion figures of the reminders planned on one day, per channel and step and the
    reminded policy's branch, sales channel and vehicle category —
    a rollup rebuilt by `conversion_refresh` (after each day's planning), so supervisors'
    pages read a few hundred rows instead of millions of reminders."""

    planned_for = models.DateField("计划日期")
    channel = models.CharField("渠道", max_length=8, choices=ReminderChannel.choices)
    days_left = models.SmallIntegerField("距保险止期天数")
    # The reminded policy's segment, as the dashboard filters it; a row without a branch is the
    # total of its day, channel and step (every segment: what rows counted before segments are).
    branch = models.ForeignKey(
        "policies.Branch", verbose_name="承保网点", on_delete=models.CASCADE, related_name="+",
        null=True, blank=True,
    )  # fmt: skip
    sales_channel = models.CharField("销售渠道", max_length=16, choices=SalesChannel.choices, blank=True)
    category = models.CharField("车辆类别", max_length=20, choices=PremiumCategory.choices, blank=True)
    planned = models.PositiveIntegerField("计划")
    sent = models.PositiveIntegerField("已发送")
    renewed_after = models.PositiveIntegerField("发送后续保")
    last_touch = models.PositiveIntegerField("末次触达归因")
    first_touch = models.PositiveIntegerField("首次触达", help_text="该保单最早发出的一次提醒")
    computed_at = models.DateTimeField("统计时间")

    objects = ConversionDayQuerySet.as_manager()

    class Meta:
        db_table = "policies_reminderconversionday"  # kept from when the policies app held it
        verbose_name = "提醒转化统计"
        verbose_name_plural = "提醒转化统计"
        constraints = [
            models.UniqueConstraint(
                fields=["planned_for", "channel", "days_left", "branch", "sales_channel", "category"],
                name="conversion_day_unique",
                nulls_distinct=False,
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.planned_for} {self.get_channel_display()} {self.days_left}"
