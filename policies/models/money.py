from django.conf import settings
from django.db import models
from django.db.models import Q

from policies.choices import PaymentMethod, PremiumEntryKind

from .policy import Policy


class PremiumEntry(models.Model):
    """The money of a policy: the premium (and tax) charged at issue, a refund on cancellation.

    Append-only: one charge and at most one refund per policy (the database says so), never
    edited, so a retry of either can only find the entry already written."""

    policy = models.ForeignKey(
        Policy, verbose_name="保单", on_delete=models.PROTECT, related_name="premium_entries",
        db_index=False,  # covered by premium_entry_once
    )  # fmt: skip
    kind = models.CharField("类型", max_length=8, choices=PremiumEntryKind.choices)
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    method = models.CharField("支付方式", max_length=12, choices=PaymentMethod.choices)
    reference = models.CharField(
        "支付凭证号", max_length=40, blank=True, help_text="刷卡、移动支付或转账的交易流水号"
    )
    at = models.DateTimeField("时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "保费收退记录"
        verbose_name_plural = "保费收退记录"
        ordering = ["policy_id", "at", "pk"]
        indexes = [models.Index(fields=["at"], name="premium_entry_at_idx")]
        constraints = [
            models.UniqueConstraint(fields=["policy", "kind"], name="premium_entry_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="premium_entry_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=PremiumEntryKind.values), name="premium_entry_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values), name="premium_entry_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
