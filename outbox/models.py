import re

from django.db import models

from core.masking import mask_recipient

# A link carrying a one-time token: /support/s/<token>/
ONE_TIME_LINK = re.compile(r"(/support/s/)[^/\s]+/")


class MessageChannel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    PUSH = "push", "APP 推送"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class OutboundMessage(models.Model):
    """The outbox every customer message passes through (reminders, ticket replies, surveys).

    Written in the transaction of the change that causes it; drained by `send_messages`.
    `dedupe_key` makes "send once" a database guarantee: a second enqueue of the same
    message is a no-op.
    """

    channel = models.CharField("渠道", max_length=8, choices=MessageChannel.choices)
    recipient = models.CharField("接收方", max_length=254)
    subject = models.CharField("标题", max_length=200, blank=True)
    text = models.TextField("内容")
    purpose = models.CharField("用途", max_length=30, db_index=True)
    dedupe_key = models.CharField("去重键", max_length=120, unique=True)
    person = models.ForeignKey(
        "policies.Person", verbose_name="客户", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="messages", db_index=False,
    )  # fmt: skip
    status = models.CharField(
        "状态", max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    not_before = models.DateTimeField("最早发送时间", db_index=False)
    # Set by the caller: a message that may wait (a reminder) never goes out in the quiet
    # hours; one the customer is waiting for (a ticket reply) goes at once.
    quiet_hours = models.BooleanField("避开夜间", default=False)
    claimed_by = models.CharField("发送进程", max_length=64, blank=True)
    claimed_until = models.DateTimeField("占用至", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        db_table = "policies_outboundmessage"  # kept from when the policies app held it
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        indexes = [
            # The senders' queue: pending rows by due time, and in-flight rows by lease.
            models.Index(
                fields=["not_before"],
                name="outbox_pending_idx",
                condition=models.Q(status="pending"),
            ),  # fmt: skip
            models.Index(
                fields=["claimed_until"],
                name="outbox_sending_idx",
                condition=models.Q(status="sending"),
            ),  # fmt: skip
            models.Index(fields=["status", "-created_at"], name="outbox_status_created_idx"),
            models.Index(fields=["person", "-created_at"], name="outbox_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.masked_recipient}（{self.get_status_display()}）"

    @property
    def masked_recipient(self) -> str:
        """The recipient as lists show it: a phone, an email address or an app account, masked."""
        return mask_recipient(self.channel, self.recipient)

    @property
    def redacted_text(self) -> str:
        """The text as staff may read it: one-time links (a satisfaction survey's) keep their
        address but not their token, so nobody but the customer can open them."""
        return ONE_TIME_LINK.sub(r"\1******/", self.text)
