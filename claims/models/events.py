from django.conf import settings
from django.db import models
from django.db.models import Q

from claims.choices import ClaimState, RejectReason
from claims.workflow import BY_CODE, transition_triples

from .claim import Claim


def _valid_transition() -> Q:
    """One (action, from, to) triple of the state machine's table (claims.workflow)."""
    condition = Q(pk__in=[])
    for code, source, target in transition_triples():
        condition |= Q(action=code, from_state=source, to_state=target)
    return condition


class ClaimEvent(models.Model):
    """One step of a claim: who took which action when, from which state to which, and
    why. Append-only (a PostgreSQL trigger refuses updates and deletes)."""

    claim = models.ForeignKey(
        Claim, verbose_name="赔案", on_delete=models.PROTECT, related_name="events",
        db_index=False,  # covered by claim_event_seq_unique
    )  # fmt: skip
    seq = models.PositiveIntegerField("序号")
    action = models.CharField("操作", max_length=12, choices=[(c, a.label) for c, a in BY_CODE.items()])
    from_state = models.CharField("原状态", max_length=12, choices=ClaimState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=12, choices=ClaimState.choices)
    at = models.DateTimeField("时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="claim_events",
    )  # fmt: skip
    note = models.TextField("说明", blank=True)
    reason = models.CharField("拒赔原因", max_length=20, choices=RejectReason.choices, blank=True)
    step_seconds = models.PositiveIntegerField(
        "原状态停留秒数", null=True, blank=True, help_text="状态变化时记录，用于各环节时效统计"
    )

    class Meta:
        verbose_name = "赔案处理记录"
        verbose_name_plural = "赔案处理记录"
        ordering = ["claim_id", "seq"]
        indexes = [models.Index(fields=["from_state", "at"], name="claim_event_step_idx")]
        constraints = [
            # (claim, seq, at): a partitioned table's unique keys hold its partition key (`at`);
            # the event chain trigger keeps (claim, seq) itself unique (claims migration 0004).
            models.UniqueConstraint(fields=["claim", "seq", "at"], name="claim_event_seq_unique"),
            models.CheckConstraint(condition=_valid_transition(), name="claim_event_valid_transition"),
            models.CheckConstraint(
                condition=(Q(action="reject") & Q(reason__in=RejectReason.values))
                | (~Q(action="reject") & Q(reason="")),
                name="claim_event_reject_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(step_seconds__isnull=True) | ~Q(from_state=models.F("to_state")),
                name="claim_event_step_only_on_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}#{self.seq} {self.get_action_display()}"
