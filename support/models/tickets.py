import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.clock import local
from support import sla
from support.choices import CUSTOMER_VISIBLE_EVENTS, Category, Channel, EventKind, Priority, Status
from support.workflow import CLOCK_RUNNING, UNFINISHED

_RUNNING = Q(status__in=sorted(CLOCK_RUNNING))


class TicketQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=sorted(UNFINISHED))

    def for_queue(self, queue):
        return self.filter(queue=queue)

    def by_urgency(self, *, descending: bool = False):
        """Most urgent first: the next SLA deadline (breached, then breaching soonest); tickets
        whose clock stands still last — waiting on the customer, then resolved — whichever way
        the deadline is sorted (`descending`: latest deadline first, still paused ones last)."""
        due = models.F("sla_due")
        return self.order_by(
            due.desc(nulls_last=True) if descending else due.asc(nulls_last=True),
            models.Case(
                models.When(status=Status.RESOLVED, then=1), default=0, output_field=models.IntegerField()
            ),
            "-priority_rank",
            "created_at",
        )

    def with_related(self):
        return self.select_related("queue", "assignee", "customer", "vehicle")


class Ticket(models.Model):
    """A customer's request, from any channel, worked in a queue against SLA targets."""

    number = models.CharField("工单号", max_length=20, unique=True)
    subject = models.CharField("主题", max_length=120)
    description = models.TextField("问题描述", blank=True)
    customer = models.ForeignKey(
        "policies.Person", verbose_name="客户", on_delete=models.PROTECT, null=True, blank=True,
        related_name="tickets", db_index=False,  # covered by ticket_customer_idx
    )  # fmt: skip
    vehicle = models.ForeignKey(
        "policies.Vehicle", verbose_name="车辆", on_delete=models.PROTECT, null=True, blank=True,
        related_name="tickets",
    )  # fmt: skip
    policy = models.ForeignKey(
        "policies.Policy", verbose_name="保单", on_delete=models.PROTECT, null=True, blank=True,
        related_name="tickets",
    )  # fmt: skip
    claim = models.ForeignKey(
        "claims.Claim", verbose_name="赔案", on_delete=models.PROTECT, null=True, blank=True,
        related_name="tickets",
    )  # fmt: skip
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)

    channel = models.CharField("受理渠道", max_length=16, choices=Channel.choices)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    priority = models.CharField("优先级", max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    # 0 low … 3 urgent, so a queue can sort by it after the deadline.
    priority_rank = models.PositiveSmallIntegerField("优先级序", default=1, editable=False)
    queue = models.ForeignKey(
        "support.Queue", verbose_name="队列", on_delete=models.PROTECT, related_name="tickets",
        db_index=False,  # covered by ticket_queue_due_idx
    )  # fmt: skip
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="处理人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_tickets", db_index=False,  # covered by ticket_assignee_due_idx
    )  # fmt: skip
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.NEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="created_tickets", db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # SLA: the targets as they were when the ticket was classified, and the clock.
    first_response_target = models.DurationField("首次响应时限")
    resolution_target = models.DurationField("解决时限")
    warning_percent = models.PositiveSmallIntegerField("预警点（%）", default=80)
    paused_since = models.DateTimeField("计时暂停于", null=True, blank=True)
    paused_total = models.DurationField("累计暂停", default=dt.timedelta(0))
    first_response_due = models.DateTimeField("首次响应截止", null=True, blank=True)
    first_response_warn_at = models.DateTimeField("首次响应预警时间", null=True, blank=True)
    resolution_due = models.DateTimeField("解决截止", null=True, blank=True)
    resolution_warn_at = models.DateTimeField("解决预警时间", null=True, blank=True)
    sla_due = models.DateTimeField("下一截止时间", null=True, blank=True)
    first_responded_at = models.DateTimeField("首次响应时间", null=True, blank=True)
    first_response_time = models.DurationField("首次响应用时", null=True, blank=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    resolution_time = models.DurationField("解决用时", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重开次数", default=0)
    response_warned_at = models.DateTimeField("首次响应预警于", null=True, blank=True)
    response_escalated_at = models.DateTimeField("首次响应升级于", null=True, blank=True)
    resolution_warned_at = models.DateTimeField("解决预警于", null=True, blank=True)
    resolution_escalated_at = models.DateTimeField("解决升级于", null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="升级至", on_delete=models.PROTECT, null=True, blank=True,
        related_name="escalated_tickets", db_index=False,  # covered by ticket_escalated_idx
    )  # fmt: skip

    merged_into = models.ForeignKey(
        "self", verbose_name="已合并至", on_delete=models.PROTECT, null=True, blank=True,
        related_name="merged_tickets",
    )  # fmt: skip

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = "客服工单"
        verbose_name_plural = "客服工单"
        permissions = [
            ("work_tickets", "可处理客服工单"),
            ("view_hotline_queues", "可查看热线中心队列"),
            ("view_all_tickets", "可查看所有网点的工单"),
            ("view_support_reports", "可查看客服质量报表"),
        ]
        indexes = [
            models.Index(
                fields=["queue", "sla_due"], name="ticket_queue_due_idx", condition=~Q(status="closed")
            ),
            models.Index(
                fields=["assignee", "sla_due"], name="ticket_assignee_due_idx", condition=~Q(status="closed")
            ),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_idx"),
            models.Index(fields=["contact_phone"], name="ticket_contact_phone_idx"),
            models.Index(fields=["created_at"], name="ticket_created_idx"),
            models.Index(
                fields=["escalated_to", "sla_due"], name="ticket_escalated_idx",
                condition=Q(escalated_to__isnull=False) & ~Q(status="closed"),
            ),
            # The SLA checker's four look-ups: only tickets whose clock still counts.
            models.Index(
                fields=["first_response_warn_at"], name="ticket_response_warn_idx",
                condition=_RUNNING & Q(first_responded_at__isnull=True, response_warned_at__isnull=True),
            ),
            models.Index(
                fields=["first_response_due"], name="ticket_response_breach_idx",
                condition=_RUNNING & Q(first_responded_at__isnull=True, response_escalated_at__isnull=True),
            ),
            models.Index(
                fields=["resolution_warn_at"], name="ticket_resolution_warn_idx",
                condition=_RUNNING & Q(resolution_warned_at__isnull=True),
            ),
            models.Index(
                fields=["resolution_due"], name="ticket_resolution_breach_idx",
                condition=_RUNNING & Q(resolution_escalated_at__isnull=True),
            ),
            models.Index(fields=["resolved_at"], name="ticket_resolved_idx", condition=Q(status="resolved")),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="ticket_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="ticket_channel_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="ticket_category_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="ticket_priority_valid"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status=Status.CLOSED), name="ticket_merged_is_closed"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="ticket_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(status__in=[Status.RESOLVED, Status.CLOSED]),
                name="ticket_resolved_at_when_resolved",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def clock(self) -> sla.Clock:
        return sla.Clock(self.created_at, self.paused_total, self.paused_since)

    def sla_state(self, at: dt.datetime | None = None) -> tuple[sla.SlaState, dt.timedelta] | None:
        """The state of the target that matters now (first response until it is given, then
        resolution) and the time left, negative when overdue; None for a ticket closed
        without an answer (merged or withdrawn), which no target applies to."""
        at = at or timezone.now()
        if self.first_responded_at is None:
            target, spent = self.first_response_target, None
        else:
            target = self.resolution_target
            spent = self.resolution_time if self.status in (Status.RESOLVED, Status.CLOSED) else None
        if self.status == Status.CLOSED and spent is None:
            return None
        state = sla.state(self.clock, target, at=at, warning_percent=self.warning_percent, spent=spent)
        return state, sla.remaining(self.clock, target, at)

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class TicketEvent(models.Model):
    """One entry of a ticket's history: a reply, a note, a change. Append-only — the model
    refuses updates and deletes, and on PostgreSQL a trigger does too."""

    key = models.UUIDField("事件键", default=uuid.uuid4, editable=False)  # unique: ticket_event_key_uniq
    ticket = models.ForeignKey(
        Ticket, verbose_name="工单", on_delete=models.PROTECT, related_name="events",
        db_index=False,  # covered by ticket_event_ticket_idx
    )  # fmt: skip
    kind = models.CharField("类型", max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="ticket_events", db_index=False,
    )  # fmt: skip
    body = models.TextField("内容", blank=True)
    from_value = models.CharField("原值", max_length=100, blank=True)
    to_value = models.CharField("新值", max_length=100, blank=True)
    message = models.ForeignKey(
        "outbox.OutboundMessage", verbose_name="通知", on_delete=models.PROTECT, null=True, blank=True,
        related_name="ticket_events",
    )  # fmt: skip
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "工单记录"
        verbose_name_plural = "工单记录"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_event_ticket_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="ticket_event_kind_valid"),
            # (key, created_at): a partitioned table's unique keys hold its partition key; a trigger
            # keeps the key alone unique across the partitions (support migration 0007).
            models.UniqueConstraint(fields=["key", "created_at"], name="ticket_event_key_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {local(self.created_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("工单记录只能新增，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("工单记录只能新增，不能删除。")

    @property
    def is_public(self) -> bool:
        return self.kind in CUSTOMER_VISIBLE_EVENTS
