import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from claims.choices import (
    AdvanceCase,
    ClaimChannel,
    ClaimState,
    Exclusion,
    LossCategory,
    PartyKind,
    PartyRelation,
    PersonOutcome,
    RejectReason,
)
from claims.workflow import OPEN_STATES
from core.clock import SHANGHAI
from core.masking import mask_id_number, mask_name
from policies.identifiers import validate_id_number
from policies.models import Branch, Policy, Vehicle

NO_DEADLINE = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)  # sorts after every real deadline
QUEUE_DUE = Coalesce(F("next_due_at"), Value(NO_DEADLINE))


class ClaimQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, now: dt.datetime):
        """Open claims with a legal deadline already passed."""
        return self.filter(next_due_at__lte=now)

    def for_queue(self):
        """The queue's rows, each with `due`: its next deadline, or `NO_DEADLINE` (last) — the
        first column of the queue's index (`claim_queue_due_idx`, with the id)."""
        return self.select_related("vehicle", "branch", "policy__insured").annotate(due=QUEUE_DUE)


class Claim(models.Model):
    """One accident of one insured vehicle, from first notice of loss to close.

    The limits of docs/regulation.md §5 apply per accident; they are copied here from the limit
    table when the claim is reported (and again if the fault finding changes), and the
    ledger may never take more than them from any category.
    """

    number = models.CharField("赔案号", max_length=20, unique=True)
    policy = models.ForeignKey(Policy, verbose_name="保单", on_delete=models.PROTECT, related_name="claims")
    vehicle = models.ForeignKey(
        Vehicle, verbose_name="出险车辆", on_delete=models.PROTECT, related_name="claims",
        db_index=False,  # covered by claim_vehicle_accident_idx
    )  # fmt: skip
    branch = models.ForeignKey(
        Branch, verbose_name="处理网点", on_delete=models.PROTECT, related_name="claims",
        db_index=False,  # covered by claim_branch_state_due_idx
    )  # fmt: skip
    channel = models.CharField("报案渠道", max_length=16, choices=ClaimChannel.choices)
    state = models.CharField("状态", max_length=12, choices=ClaimState.choices, default=ClaimState.REPORTED)
    state_entered_at = models.DateTimeField("进入当前状态时间")

    accident_at = models.DateTimeField("出险时间")
    accident_place = models.CharField("出险地点", max_length=200)
    description = models.TextField("事故经过")
    at_fault = models.BooleanField("被保险人有责", default=True)
    advance_case = models.CharField(
        "垫付情形", max_length=16, choices=AdvanceCase.choices, blank=True,
        help_text="属条例第二十二条情形时，只在医疗费用限额内垫付抢救费用",
    )  # fmt: skip
    reporter_name = models.CharField("报案人", max_length=50, blank=True)
    reporter_phone = models.CharField("报案人电话", max_length=20, blank=True)
    reported_at = models.DateTimeField("报案时间")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="受理人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="reported_claims",
    )  # fmt: skip
    idempotency_key = models.CharField("幂等键", max_length=100, null=True, blank=True, unique=True)
    # SHA-256 of the request the key came with (method, path, canonical body): a retry of the
    # same request replays the claim, the same key with another request is a conflict.
    idempotency_fingerprint = models.CharField("幂等请求摘要", max_length=64, blank=True, default="")
    late_report = models.BooleanField("延迟报案", default=False)

    limit_death_disability = models.DecimalField("死亡伤残限额", max_digits=12, decimal_places=2)
    limit_medical = models.DecimalField("医疗费用限额", max_digits=12, decimal_places=2)
    limit_property = models.DecimalField("财产损失限额", max_digits=12, decimal_places=2)

    documents_required = models.JSONField("需提供单证", default=list, blank=True)
    documents_received = models.JSONField("已收单证", default=list, blank=True)
    documents_listed_at = models.DateTimeField("告知单证时间", null=True, blank=True)
    documents_complete_at = models.DateTimeField("单证齐全时间", null=True, blank=True)
    decided_at = models.DateTimeField("核定时间", null=True, blank=True)
    agreed_at = models.DateTimeField("核赔通过时间", null=True, blank=True)
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    closed_at = models.DateTimeField("终结时间", null=True, blank=True, help_text="结案、拒赔或注销的时间")

    documents_due_at = models.DateTimeField("告知单证期限", null=True, blank=True)
    decision_due_at = models.DateTimeField("核定期限", null=True, blank=True)
    payment_due_at = models.DateTimeField("支付期限", null=True, blank=True)
    next_due_at = models.DateTimeField("最近期限", null=True, blank=True, help_text="尚未完成的最早期限")
    documents_breached = models.BooleanField("告知单证超时", default=False)
    decision_breached = models.BooleanField("核定超时", default=False)
    payment_breached = models.BooleanField("支付超时", default=False)

    reported_total = models.DecimalField("报损金额", max_digits=12, decimal_places=2, default=0)
    assessed_total = models.DecimalField("核定损失", max_digits=12, decimal_places=2, null=True, blank=True)
    calculated_total = models.DecimalField("理算金额", max_digits=12, decimal_places=2, null=True, blank=True)
    paid_total = models.DecimalField("已付金额", max_digits=12, decimal_places=2, default=0)
    recovered_total = models.DecimalField(
        "已追偿金额", max_digits=12, decimal_places=2, default=0, help_text="向致害人追回的垫付款项"
    )
    reserve = models.DecimalField("未决估损", max_digits=12, decimal_places=2, default=0)

    reject_reason = models.CharField("拒赔原因", max_length=20, choices=RejectReason.choices, blank=True)
    record_counted = models.BooleanField("已计入保单年度有责记录", default=False)
    record_fatal = models.BooleanField("计为有责死亡事故", default=False)
    risk_codes = models.JSONField("风险提示", default=list, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "赔案"
        verbose_name_plural = "赔案"
        permissions = [
            ("view_all_claims", "可查看所有网点的赔案"),
            ("report_claim", "可受理报案"),
            ("register_claim", "可立案、登记单证"),
            ("survey_claim", "可查勘"),
            ("assess_claim", "可定损核损"),
            ("calculate_claim", "可理算"),
            ("approve_claim", "可核赔（在本人权限内）"),
            ("approve_any_amount", "可核赔任意金额（主管）"),
            ("revoke_approval", "可撤销核赔、冲正赔款"),
            ("advance_claim", "可垫付抢救费用"),
            ("pay_claim", "可登记支付"),
            ("close_claim", "可结案"),
            ("reject_claim", "可拒赔"),
            ("withdraw_claim", "可注销赔案"),
            ("reopen_claim", "可重开已结案的赔案（主管）"),
            ("recover_claim", "可登记追偿款"),
            ("pay_without_documents", "可在单证不齐时准予支付（主管）"),
        ]
        indexes = [
            models.Index(fields=["state", "next_due_at"], name="claim_state_due_idx"),
            models.Index(fields=["branch", "state", "next_due_at"], name="claim_branch_state_due_idx"),
            models.Index(fields=["vehicle", "accident_at"], name="claim_vehicle_accident_idx"),
            models.Index(fields=["next_due_at"], name="claim_next_due_idx"),
            # The queue pages by keyset on these, in the index's full order (core.keyset).
            models.Index(QUEUE_DUE, F("id"), name="claim_queue_due_idx"),
            models.Index(fields=["reported_at", "id"], name="claim_reported_id_idx"),
            models.Index(fields=["paid_at"], name="claim_paid_at_idx"),
            # The approvals list: calculated claims, the longest waiting first.
            models.Index(fields=["state", "state_entered_at"], name="claim_state_entered_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ClaimState.values), name="claim_state_valid"),
            models.CheckConstraint(condition=Q(channel__in=ClaimChannel.values), name="claim_channel_valid"),
            models.CheckConstraint(
                condition=Q(advance_case="") | Q(advance_case__in=AdvanceCase.values),
                name="claim_advance_case_valid",
            ),
            models.CheckConstraint(
                condition=(Q(state=ClaimState.REJECTED) & Q(reject_reason__in=RejectReason.values))
                | (~Q(state=ClaimState.REJECTED) & Q(reject_reason="")),
                name="claim_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(accident_at__lte=F("reported_at")), name="claim_accident_before_report"
            ),
            models.CheckConstraint(
                condition=Q(reported_total__gte=0, paid_total__gte=0, reserve__gte=0, recovered_total__gte=0)
                & (Q(assessed_total__isnull=True) | Q(assessed_total__gte=0))
                & (Q(calculated_total__isnull=True) | Q(calculated_total__gte=0)),
                name="claim_money_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(limit_death_disability__gt=0, limit_medical__gt=0, limit_property__gt=0),
                name="claim_limits_positive",
            ),
            models.CheckConstraint(
                condition=Q(record_fatal=False) | Q(record_counted=True), name="claim_fatal_within_counted"
            ),
            models.CheckConstraint(
                condition=Q(record_counted=False) | Q(at_fault=True), name="claim_record_only_at_fault"
            ),
        ]
        # On PostgreSQL, triggers (migration 0001) refuse a state change without its
        # logged event and keep the event log and the ledger append-only.

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def accident_day(self) -> dt.date:
        """The accident's date in Asia/Shanghai: it picks the cover and the limits."""
        return self.accident_at.astimezone(SHANGHAI).date()

    @property
    def limits(self) -> dict[str, Decimal]:
        return {
            LossCategory.DEATH_DISABILITY: self.limit_death_disability,
            LossCategory.MEDICAL: self.limit_medical,
            LossCategory.PROPERTY: self.limit_property,
        }

    @property
    def documents_missing(self) -> list[str]:
        return [d for d in self.documents_required if d not in self.documents_received]


class Party(models.Model):
    """A third party (or the insured side) of the accident: a person, a vehicle or other property."""

    claim = models.ForeignKey(Claim, verbose_name="赔案", on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField("类别", max_length=10, choices=PartyKind.choices)
    relation = models.CharField(
        "与本车关系", max_length=12, choices=PartyRelation.choices, default=PartyRelation.THIRD_PARTY
    )
    name = models.CharField("姓名或名称", max_length=50, blank=True)
    id_number = models.CharField("身份证号码", max_length=18, blank=True, validators=[validate_id_number])
    plate = models.CharField("号牌号码", max_length=10, blank=True)
    outcome = models.CharField("伤亡情况", max_length=10, choices=PersonOutcome.choices, blank=True)
    description = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "事故当事方"
        verbose_name_plural = "事故当事方"
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["id_number"], name="party_id_number_idx", condition=~Q(id_number="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartyKind.values), name="party_kind_valid"),
            models.CheckConstraint(
                condition=Q(relation__in=PartyRelation.values), name="party_relation_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | (Q(kind=PartyKind.PERSON) & Q(outcome__in=PersonOutcome.values)),
                name="party_outcome_for_people",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == PartyKind.PERSON:
            return mask_name(self.name) or "伤者"
        if self.kind == PartyKind.VEHICLE:
            return self.plate or self.name or "车辆"
        return self.name or self.description or "财产"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_third_party(self) -> bool:
        return self.relation == PartyRelation.THIRD_PARTY


class Loss(models.Model):
    """One party's loss in one category: reported, then assessed, then calculated."""

    claim = models.ForeignKey(Claim, verbose_name="赔案", on_delete=models.CASCADE, related_name="losses")
    party = models.ForeignKey(Party, verbose_name="当事方", on_delete=models.CASCADE, related_name="losses")
    category = models.CharField("赔偿项目", max_length=20, choices=LossCategory.choices)
    reported_amount = models.DecimalField("报损金额", max_digits=12, decimal_places=2, default=0)
    assessed_amount = models.DecimalField("核定金额", max_digits=12, decimal_places=2, null=True, blank=True)
    rescue = models.BooleanField("抢救费用", default=False)
    exclusion = models.CharField("除外原因", max_length=12, choices=Exclusion.choices, blank=True)
    payable = models.DecimalField("理算金额", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "损失"
        verbose_name_plural = "损失"
        ordering = ["party_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["party", "category"], name="loss_one_per_party_category"),
            models.CheckConstraint(condition=Q(category__in=LossCategory.values), name="loss_category_valid"),
            models.CheckConstraint(
                condition=Q(exclusion="") | Q(exclusion__in=Exclusion.values), name="loss_exclusion_valid"
            ),
            models.CheckConstraint(
                condition=Q(reported_amount__gte=0)
                & (Q(assessed_amount__isnull=True) | Q(assessed_amount__gte=0))
                & (Q(payable__isnull=True) | Q(payable__gte=0)),
                name="loss_money_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(rescue=False) | Q(category=LossCategory.MEDICAL), name="loss_rescue_is_medical"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.get_category_display()}"

    @property
    def amount(self):
        """The assessed amount once assessed, else the reported one (an estimate)."""
        return self.reported_amount if self.assessed_amount is None else self.assessed_amount
