"""The claims app's reference tables, as data with effective dates (docs/regulation.md §5) and the
thresholds of the fraud and quality signals."""

from django.db import models
from django.db.models import F, Q

from claims.choices import Clock, LossCategory
from claims.risk import ThresholdCode
from policies.models.tariffs import TariffRow


class LiabilityLimit(TariffRow):
    """docs/regulation.md §5: the limit of one category per accident, at fault or not."""

    at_fault = models.BooleanField("被保险人有责")
    category = models.CharField("赔偿项目", max_length=20, choices=LossCategory.choices)
    amount = models.DecimalField("责任限额（元）", max_digits=12, decimal_places=2)

    class Meta(TariffRow.Meta):
        verbose_name = "责任限额"
        verbose_name_plural = "责任限额表"
        constraints = [
            models.UniqueConstraint(
                fields=["at_fault", "category", "valid_from"], name="liability_limit_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="liability_limit_period",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="liability_limit_positive"),
            models.CheckConstraint(
                condition=Q(category__in=LossCategory.values), name="liability_limit_category_valid"
            ),
        ]

    def __str__(self) -> str:
        fault = "有责" if self.at_fault else "无责"
        return f"{fault}{self.get_category_display()} {self.amount}"


class ClaimDeadline(TariffRow):
    """docs/regulation.md §6: the days of one legal deadline of a claim (条例 Art. 27–28), for
    clocks started from `valid_from` on."""

    clock = models.CharField("时限", max_length=12, choices=Clock.choices)
    days = models.PositiveSmallIntegerField("天数", help_text="自起算之日的次日起计算，至最后一日二十四时止")

    class Meta(TariffRow.Meta):
        verbose_name = "理赔时限"
        verbose_name_plural = "理赔时限表"
        constraints = [
            models.UniqueConstraint(fields=["clock", "valid_from"], name="claim_deadline_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="claim_deadline_period",
            ),
            models.CheckConstraint(condition=Q(days__gte=1), name="claim_deadline_days_positive"),
            models.CheckConstraint(condition=Q(clock__in=Clock.values), name="claim_deadline_clock_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()} {self.days} 日"


class RiskThreshold(models.Model):
    """One threshold of the fraud and quality signals (see `claims.risk`)."""

    code = models.CharField("阈值", max_length=30, unique=True, choices=ThresholdCode.choices)
    value = models.DecimalField("数值", max_digits=8, decimal_places=2)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "风险提示阈值"
        verbose_name_plural = "风险提示阈值"
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="risk_threshold_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_code_display()}：{self.value}"
