from django.conf import settings
from django.db import models
from django.db.models import Q

from claims.choices import LossCategory, PaymentKind, PaymentStatus

from .claim import Claim, Party


class Payment(models.Model):
    """Money the insurer pays on a claim: an advance of rescue costs, or the settlement."""

    claim = models.ForeignKey(Claim, verbose_name="赔案", on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField("类型", max_length=12, choices=PaymentKind.choices)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    status = models.CharField("状态", max_length=10, choices=PaymentStatus.choices)
    recoverable = models.BooleanField("可追偿", default=False, help_text="垫付情形的款项，可向致害人追偿")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核准人", on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("核准时间")
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="支付登记人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    reference = models.CharField("支付流水号", max_length=40, blank=True)
    reversed_at = models.DateTimeField("冲正时间", null=True, blank=True)

    class Meta:
        verbose_name = "赔款"
        verbose_name_plural = "赔款"
        ordering = ["claim_id", "pk"]
        indexes = [models.Index(fields=["status", "paid_at"], name="payment_status_paid_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(kind__in=PaymentKind.values), name="payment_kind_valid"),
            models.CheckConstraint(
                condition=(
                    Q(status=PaymentStatus.APPROVED) & Q(paid_at__isnull=True) & Q(reversed_at__isnull=True)
                )
                | (Q(status=PaymentStatus.PAID) & Q(paid_at__isnull=False) & Q(reversed_at__isnull=True))
                | (Q(status=PaymentStatus.REVERSED) & Q(paid_at__isnull=True) & Q(reversed_at__isnull=False)),
                name="payment_status_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class LedgerEntry(models.Model):
    """What one payment takes from one sub-limit of the accident, for one victim.

    Append-only: a correction is a reversing entry (negative, pointing at the entry it
    reverses), never an edit, so what is left of a limit is always the limit minus the
    ledger's sum. On PostgreSQL a trigger also refuses an entry that would take a
    category past the claim's limit.
    """

    claim = models.ForeignKey(
        Claim, verbose_name="赔案", on_delete=models.PROTECT, related_name="ledger",
        db_index=False,  # covered by ledger_claim_category_idx
    )  # fmt: skip
    payment = models.ForeignKey(
        Payment, verbose_name="赔款", on_delete=models.PROTECT, related_name="entries"
    )
    party = models.ForeignKey(Party, verbose_name="受害人", on_delete=models.PROTECT, related_name="+")
    category = models.CharField("限额项目", max_length=20, choices=LossCategory.choices)
    amount = models.DecimalField("占用金额", max_digits=12, decimal_places=2, help_text="冲正分录为负数")
    reverses = models.OneToOneField(
        "self", verbose_name="冲正的分录", on_delete=models.PROTECT, null=True, blank=True,
        related_name="reversed_by",
    )  # fmt: skip
    at = models.DateTimeField("记账时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记账人", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "限额占用分录"
        verbose_name_plural = "限额占用台账"
        ordering = ["claim_id", "pk"]
        indexes = [models.Index(fields=["claim", "category"], name="ledger_claim_category_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=LossCategory.values), name="ledger_category_valid"
            ),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="ledger_use_positive_reversal_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount:+}"


class Recovery(models.Model):
    """Money recovered (追偿) from the wrongdoer for what the insurer paid in an advance case
    (条例 Art. 22, docs/regulation.md §5). Append-only: a correction is a new row, never an edit."""

    claim = models.ForeignKey(
        Claim, verbose_name="赔案", on_delete=models.PROTECT, related_name="recoveries",
        db_index=False,  # covered by recovery_claim_at_idx
    )  # fmt: skip
    amount = models.DecimalField("追回金额", max_digits=12, decimal_places=2)
    debtor = models.CharField("追偿对象", max_length=100, help_text="如醉酒驾驶人、盗抢车辆的行为人")
    reference = models.CharField("收款流水号", max_length=40)
    at = models.DateTimeField("到账登记时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "追偿款"
        verbose_name_plural = "追偿款"
        ordering = ["claim_id", "pk"]
        indexes = [
            models.Index(fields=["claim", "at"], name="recovery_claim_at_idx"),
            models.Index(fields=["at"], name="recovery_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.UniqueConstraint(fields=["claim", "reference"], name="recovery_reference_unique"),
        ]

    def __str__(self) -> str:
        return f"追偿 {self.amount}"


class ApprovalAuthority(models.Model):
    """How much a reviewer may approve on one claim. Above it, or with none set, only a
    supervisor (`claims.approve_any_amount`) may approve: authority fails closed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="核赔人",
        on_delete=models.CASCADE,
        related_name="approval_authority",
    )
    max_amount = models.DecimalField("核赔权限（元）", max_digits=12, decimal_places=2)
    note = models.CharField("授权依据", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "核赔权限"
        verbose_name_plural = "核赔权限"
        constraints = [
            models.CheckConstraint(condition=Q(max_amount__gte=0), name="approval_authority_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.user}：{self.max_amount} 元"
