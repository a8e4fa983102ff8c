import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from policies.choices import (
    CancelReason,
    FloatingPlan,
    FloatingReason,
    PolicyStatus,
    SalesChannel,
    TermKind,
)

from .parties import Person
from .staff import Branch
from .vehicle import Vehicle


class PolicyQuerySet(models.QuerySet):
    def not_cancelled(self):
        return self.exclude(status=PolicyStatus.CANCELLED)

    def covering(self, day: dt.date):
        """Policies whose cover includes `day` (00:00 of start to 24:00 of end)."""
        return self.filter(start_date__lte=day, end_date__gte=day)

    def in_force_on(self, day: dt.date):
        return self.not_cancelled().covering(day)

    def without_successor(self):
        """The last policy of each renewal chain (no policy was renewed from it)."""
        return self.filter(~Exists(Policy.objects.filter(renewed_from=OuterRef("pk"))))

    def for_vehicle_history(self):
        return self.order_by("start_date", "pk")


class Policy(models.Model):
    """A 交强险 policy: one vehicle, one period of cover, the premium's parts as charged."""

    number = models.CharField("保单号", max_length=32, unique=True)
    vehicle = models.ForeignKey(
        Vehicle, verbose_name="车辆", on_delete=models.PROTECT, related_name="policies",
        db_index=False,  # covered by policy_vehicle_start_idx
    )  # fmt: skip
    policyholder = models.ForeignKey(
        Person, verbose_name="投保人", on_delete=models.PROTECT, related_name="held_policies"
    )
    insured = models.ForeignKey(
        Person, verbose_name="被保险人", on_delete=models.PROTECT, related_name="insured_policies"
    )
    branch = models.ForeignKey(
        Branch, verbose_name="承保网点", on_delete=models.PROTECT, related_name="policies",
        db_index=False,  # covered by policy_branch_end_id_idx
    )  # fmt: skip
    channel = models.CharField("销售渠道", max_length=16, choices=SalesChannel.choices)
    term_kind = models.CharField(
        "保险期间类型", max_length=16, choices=TermKind.choices, default=TermKind.ANNUAL
    )
    start_date = models.DateField("保险起期", help_text="自该日零时起（即时生效的保单自起保时刻起）")
    start_hour = models.PositiveSmallIntegerField(
        "起保时刻",
        default=0,
        db_default=0,
        help_text="起保日的几时起生效；0 为零时。即时生效（docs/regulation.md §4）时为出单后的整点",
    )
    end_date = models.DateField("保险止期", help_text="至该日二十四时止；退保后为保障终止日")

    base_premium = models.DecimalField("基础保费", max_digits=10, decimal_places=2)
    floating_plan = models.CharField("浮动方案", max_length=1, choices=FloatingPlan.choices, blank=True)
    floating_reason = models.CharField(
        "浮动原因", max_length=2, choices=FloatingReason.choices, default=FloatingReason.A0
    )
    floating_rate = models.DecimalField(
        "浮动比率", max_digits=4, decimal_places=2, default=0, help_text="如 -0.30 表示下浮 30%"
    )
    drink_driving_rate = models.DecimalField(
        "酒驾上浮比率", max_digits=4, decimal_places=2, default=0, db_default=0,
        help_text="上一保单年度有酒驾记录时按省级规则上浮，如 0.15 表示上浮 15%",
    )  # fmt: skip
    premium = models.DecimalField("交强险保费", max_digits=10, decimal_places=2)
    vehicle_tax = models.DecimalField("车船税", max_digits=10, decimal_places=2, default=0)
    total = models.DecimalField("合计", max_digits=10, decimal_places=2)

    at_fault_claims = models.PositiveSmallIntegerField("本年度有责事故次数", default=0)
    fatal_claims = models.PositiveSmallIntegerField("本年度有责死亡事故次数", default=0)
    drink_driving_offences = models.PositiveSmallIntegerField(
        "本年度酒驾记录次数",
        default=0,
        db_default=0,
        help_text="保险期间内登记的酒驾记录（DrinkDrivingRecord）",
    )

    status = models.CharField(
        "状态", max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.IN_FORCE
    )
    cancelled_on = models.DateField("退保生效日", null=True, blank=True)
    cancel_reason = models.CharField("退保原因", max_length=16, choices=CancelReason.choices, blank=True)
    refund = models.DecimalField("退还保费", max_digits=10, decimal_places=2, null=True, blank=True)
    original_end_date = models.DateField(
        "原保险止期", null=True, blank=True, help_text="退保前的保险止期，退费按它计算未到期天数"
    )
    cancel_document = models.CharField(
        "退保证明",
        max_length=100,
        blank=True,
        db_default="",
        help_text="注销证明、停驶证明或公安机关证明的名称与编号",
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="退保经办人", on_delete=models.PROTECT,
        null=True, blank=True, related_name="cancelled_policies",
    )  # fmt: skip
    cancelled_at = models.DateTimeField("退保办理时间", null=True, blank=True)

    renewed_from = models.OneToOneField(
        "self", verbose_name="续保自", on_delete=models.PROTECT, null=True, blank=True,
        related_name="successor",
    )  # fmt: skip
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="出单人", on_delete=models.PROTECT,
        null=True, blank=True, related_name="issued_policies",
    )  # fmt: skip
    issued_at = models.DateTimeField("出单时间", auto_now_add=True)
    imported = models.BooleanField("历史数据导入", default=False)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = "保单"
        verbose_name_plural = "保单"
        permissions = [
            ("renew_policy", "可办理续保"),
            ("correct_policy", "可更正保单的保费、车船税与保险期间（须说明原因）"),
            ("cancel_policy", "可办理退保"),
        ]
        indexes = [
            models.Index(fields=["vehicle", "start_date"], name="policy_vehicle_start_idx"),
            # Lists in end-date order page by keyset on the index's full order (core.keyset).
            models.Index(fields=["end_date", "id"], name="policy_end_id_idx"),
            models.Index(fields=["branch", "end_date", "id"], name="policy_branch_end_id_idx"),
            models.Index(fields=["channel", "end_date", "id"], name="policy_channel_end_id_idx"),
            models.Index(fields=["issued_at"], name="policy_issued_at_idx"),
            # Short-term covers are few; admin and reports filter on them.
            models.Index(
                fields=["term_kind", "-start_date"],
                name="policy_short_term_idx",
                condition=~Q(term_kind="annual"),
            ),  # fmt: skip
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="policy_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(total=models.F("premium") + models.F("vehicle_tax")),
                name="policy_total_is_premium_plus_tax",
            ),
            models.CheckConstraint(
                condition=Q(premium__gte=0, vehicle_tax__gte=0, base_premium__gte=0),
                name="policy_money_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(fatal_claims__lte=models.F("at_fault_claims")),
                name="policy_fatal_within_at_fault",
            ),
            models.CheckConstraint(
                condition=(Q(status=PolicyStatus.CANCELLED) & Q(cancelled_on__isnull=False))
                | (Q(status=PolicyStatus.IN_FORCE) & Q(cancelled_on__isnull=True)),
                name="policy_cancelled_has_date",
            ),
            models.CheckConstraint(condition=Q(status__in=PolicyStatus.values), name="policy_status_valid"),
            models.CheckConstraint(condition=Q(start_hour__lte=23), name="policy_start_hour_of_day"),
            models.CheckConstraint(
                condition=Q(drink_driving_rate__gte=0, drink_driving_rate__lt=1),
                name="policy_drink_rate_range",
            ),
            models.CheckConstraint(condition=Q(channel__in=SalesChannel.values), name="policy_channel_valid"),
        ]
        # On PostgreSQL an exclusion constraint (migration 0002) forbids two non-cancelled
        # policies of one vehicle with overlapping cover; `services` checks it everywhere.

    def __str__(self) -> str:
        return self.number

    @property
    def is_cancelled(self) -> bool:
        return self.status == PolicyStatus.CANCELLED

    @property
    def floating_percent(self) -> int:
        return int(self.floating_rate * 100)

    @property
    def term_end(self) -> dt.date:
        """The end date the policy was issued with (before a cancellation cut it short)."""
        return self.original_end_date or self.end_date

    @property
    def starts_immediately(self) -> bool:
        return self.start_hour != 0


class NumberSequence(models.Model):
    """Gap-tolerant counters for document numbers (policy numbers, claim numbers, …)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"
