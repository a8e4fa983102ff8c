from django.conf import settings
from django.db import models
from django.db.models import Q

from support.choices import Channel


class Survey(models.Model):
    """The one-question satisfaction survey sent when a ticket is resolved. Only the hash of
    the customer's link token is stored; the link itself exists only in the message."""

    ticket = models.OneToOneField(
        "support.Ticket", verbose_name="工单", on_delete=models.PROTECT, related_name="survey"
    )
    token_hash = models.CharField("链接令牌摘要", max_length=64, unique=True, editable=False)
    channel = models.CharField("受理渠道", max_length=16, choices=Channel.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="处理人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="surveys", db_index=False,
    )  # fmt: skip
    queue = models.ForeignKey(
        "support.Queue", verbose_name="队列", on_delete=models.PROTECT, related_name="surveys",
        db_index=False,
    )  # fmt: skip
    message = models.ForeignKey(
        "outbox.OutboundMessage", verbose_name="通知", on_delete=models.PROTECT, null=True, blank=True,
        related_name="surveys",
    )  # fmt: skip
    sent_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("链接失效时间")
    answered_at = models.DateTimeField("评价时间", null=True, blank=True)
    score = models.PositiveSmallIntegerField("满意度（1–5）", null=True, blank=True)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "满意度调查"
        verbose_name_plural = "满意度调查"
        indexes = [models.Index(fields=["sent_at"], name="survey_sent_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, score__isnull=True)
                | Q(answered_at__isnull=False, score__isnull=False),
                name="survey_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} 满意度 {self.score or '未评价'}"
