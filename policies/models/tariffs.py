"""The regulator's tables as data with effective dates (docs/regulation.md).

Each row is valid from `valid_from` to `valid_to` (both inclusive; open-ended when
`valid_to` is empty). A change from the regulator is a new row, not a code change.
The rows are seeded by data migrations and kept by supervisors in admin.
"""

from django.db import models
from django.db.models import F, Q

from policies.choices import FloatingPlan, FloatingReason, PremiumCategory, Province


class TariffRow(models.Model):
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="含当日；留空表示长期有效")
    source = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["valid_from"]


def _period_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name=name
    )


class BasePremiumRate(TariffRow):
    """docs/regulation.md §1: base premium per category, yuan per year."""

    category = models.CharField("车辆类别", max_length=20, choices=PremiumCategory.choices)
    amount = models.DecimalField("基础保费（元）", max_digits=10, decimal_places=2)

    class Meta(TariffRow.Meta):
        verbose_name = "基础保费"
        verbose_name_plural = "基础保费表"
        constraints = [
            models.UniqueConstraint(fields=["category", "valid_from"], name="base_premium_unique"),
            _period_check("base_premium_period"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="base_premium_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"


class FloatingPlanRegion(TariffRow):
    """docs/regulation.md §2: which floating plan a province (or plan-E city) follows."""

    region = models.CharField("省份或城市", max_length=10)
    plan = models.CharField("浮动方案", max_length=1, choices=FloatingPlan.choices)

    class Meta(TariffRow.Meta):
        verbose_name = "浮动方案地区"
        verbose_name_plural = "浮动方案地区表"
        constraints = [
            models.UniqueConstraint(fields=["region", "valid_from"], name="plan_region_unique"),
            _period_check("plan_region_period"),
        ]

    def __str__(self) -> str:
        return f"{self.region} → {self.plan}"


class FloatingRate(TariffRow):
    """docs/regulation.md §2: the floating rate X of a plan and reason code (premium = base × (1 + X))."""

    plan = models.CharField("浮动方案", max_length=1, choices=FloatingPlan.choices)
    reason = models.CharField("浮动原因", max_length=2, choices=FloatingReason.choices)
    rate = models.DecimalField("浮动比率", max_digits=4, decimal_places=2)

    class Meta(TariffRow.Meta):
        verbose_name = "浮动费率"
        verbose_name_plural = "浮动费率表"
        constraints = [
            models.UniqueConstraint(fields=["plan", "reason", "valid_from"], name="floating_rate_unique"),
            _period_check("floating_rate_period"),
            models.CheckConstraint(condition=Q(rate__gt=-1, rate__lt=1), name="floating_rate_range"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}/{self.reason}: {self.rate:+}"


class ShortTermRate(TariffRow):
    """docs/regulation.md §3: short-term premium as a percentage of the annual, by months of cover."""

    months = models.PositiveSmallIntegerField("保险月数")
    percent = models.DecimalField("占年保费比例（%）", max_digits=5, decimal_places=2)

    class Meta(TariffRow.Meta):
        verbose_name = "短期费率"
        verbose_name_plural = "短期费率表"
        constraints = [
            models.UniqueConstraint(fields=["months", "valid_from"], name="short_term_unique"),
            _period_check("short_term_period"),
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=12), name="short_term_months"),
        ]

    def __str__(self) -> str:
        return f"{self.months} 个月: {self.percent}%"


class VehicleTaxRate(TariffRow):
    """docs/regulation.md §8: annual vehicle and vessel tax for passenger cars by displacement.

    `province` empty is the schedule used where a province has none of its own. A band
    covers displacements above `displacement_above` up to and including `displacement_up_to`.
    """

    province = models.CharField("省份", max_length=8, choices=Province.choices, blank=True)
    displacement_above = models.DecimalField("排量高于（升）", max_digits=4, decimal_places=2)
    displacement_up_to = models.DecimalField(
        "排量至（升，含）", max_digits=4, decimal_places=2, null=True, blank=True
    )
    annual_amount = models.DecimalField("年税额（元）", max_digits=10, decimal_places=2)

    class Meta(TariffRow.Meta):
        verbose_name = "车船税税额"
        verbose_name_plural = "车船税税额表"
        constraints = [
            models.UniqueConstraint(
                fields=["province", "displacement_above", "valid_from"], name="vehicle_tax_unique"
            ),
            _period_check("vehicle_tax_period"),
        ]

    def __str__(self) -> str:
        upper = self.displacement_up_to or "∞"
        return f"{self.province or '默认'} {self.displacement_above}–{upper} L: {self.annual_amount}"


class ProvinceRule(TariffRow):
    """Per-province settings: advance renewal window, immediate cover, drink-driving surcharge."""

    province = models.CharField("省份", max_length=8, choices=Province.choices, blank=True)
    advance_renewal_days = models.PositiveSmallIntegerField("提前续保天数", default=90)
    immediate_cover = models.BooleanField(
        "脱保后即时生效", default=False, help_text="允许时，脱保车辆新保单自出单时起生效"
    )
    drink_driving_surcharge = models.DecimalField("酒驾上浮比率", max_digits=4, decimal_places=2, default=0)

    class Meta(TariffRow.Meta):
        verbose_name = "省级规则"
        verbose_name_plural = "省级规则"
        constraints = [
            models.UniqueConstraint(fields=["province", "valid_from"], name="province_rule_unique"),
            _period_check("province_rule_period"),
        ]

    def __str__(self) -> str:
        return f"{self.province or '全国默认'}: 提前 {self.advance_renewal_days} 天"
