"""First notice of loss (报案): from the hotline, a branch, or the channel API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims import access, ledger, risk, screening
from claims.amounts import check_total, parse_amount
from claims.choices import (
    AdvanceCase,
    ClaimChannel,
    ClaimState,
    LossCategory,
    PartyKind,
    PartyRelation,
    PersonOutcome,
)
from claims.cover import covering_policy
from claims.deadlines import documents_promise
from claims.models import Claim, Loss, Party
from claims.services.common import finish, log_event, now_or, refresh_money, refresh_risk
from claims.workflow import action
from core.clock import SHANGHAI
from outbox.services import MessageChannel, enqueue_message
from policies.identifiers import clean_id_number, clean_phone, clean_plate, normalize
from policies.models import Policy, User, Vehicle
from policies.search import TermKind, classify
from policies.services import next_sequence_value

MAX_PARTIES = 20  # third parties and own-side parties of one report


@dataclass(frozen=True)
class PartyReport:
    """One third party as the reporter describes it, with the losses they claim (yuan)."""

    kind: str  # PartyKind: person, vehicle, property
    name: str = ""
    id_number: str = ""
    plate: str = ""
    outcome: str = ""  # PersonOutcome, for people
    relation: str = PartyRelation.THIRD_PARTY
    description: str = ""
    death_disability: Decimal | str | int = 0
    medical: Decimal | str | int = 0
    property: Decimal | str | int = 0
    rescue: bool = False  # the medical loss is rescue costs (抢救费用)

    @classmethod
    def from_mapping(cls, data: Mapping) -> PartyReport:
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValidationError(
                "当事方信息含无法识别的字段：%(fields)s。", code="party_fields",
                params={"fields": "、".join(sorted(unknown))},
            )  # fmt: skip
        return cls(**{k: v for k, v in data.items() if v is not None})


def new_claim_number(*, day: dt.date) -> str:
    """`LP` + year + an 8-digit serial, e.g. LP202600000042."""
    return f"LP{day.year}{next_sequence_value(f'claim-{day.year}'):08d}"


def _clean_party(raw: PartyReport | Mapping, index: int) -> tuple[Party, dict[str, Decimal], bool]:
    report = raw if isinstance(raw, PartyReport) else PartyReport.from_mapping(raw)
    where = f"第 {index} 个当事方"
    if report.kind not in PartyKind.values:
        raise ValidationError(f"{where}的类别无效，应为人员、车辆或其他财产。", code="party_kind")
    if report.relation not in PartyRelation.values:
        raise ValidationError(f"{where}与本车的关系无效。", code="party_relation")
    party = Party(
        kind=report.kind,
        relation=report.relation,
        name=str(report.name or "").strip()[:50],
        description=str(report.description or "").strip()[:200],
    )
    try:
        if report.id_number:
            party.id_number = clean_id_number(report.id_number)
        if report.plate:
            party.plate = clean_plate(report.plate)
    except ValidationError as error:
        raise ValidationError(f"{where}：{error.messages[0]}", code="party_identifier") from None
    amounts = {
        LossCategory.DEATH_DISABILITY: parse_amount(report.death_disability, f"{where}的死亡伤残损失"),
        LossCategory.MEDICAL: parse_amount(report.medical, f"{where}的医疗费用"),
        LossCategory.PROPERTY: parse_amount(report.property, f"{where}的财产损失"),
    }
    if report.kind == PartyKind.PERSON:
        outcome = report.outcome or PersonOutcome.INJURED
        if outcome not in PersonOutcome.values:
            raise ValidationError(f"{where}的伤亡情况无效。", code="party_outcome")
        party.outcome = outcome
    elif amounts[LossCategory.DEATH_DISABILITY] or amounts[LossCategory.MEDICAL] or report.rescue:
        raise ValidationError(f"{where}不是人员，只能填写财产损失。", code="party_losses")
    if report.rescue and not amounts[LossCategory.MEDICAL]:
        raise ValidationError(f"{where}标记为抢救费用，请填写医疗费用金额。", code="party_rescue")
    if report.kind != PartyKind.PERSON and not (party.plate or party.name or party.description):
        raise ValidationError(f"{where}：请填写车辆号牌或财产名称。", code="party_identity")
    return party, amounts, bool(report.rescue)


def find_vehicle(reference: str, *, day: dt.date) -> tuple[Vehicle, list[Policy]]:
    """The insured vehicle named by a plate, VIN or policy number (normalised), with its
    policies. A plate that several vehicles have carried picks the one insured on `day`."""
    kinds = dict(classify(reference))
    value = normalize(reference)
    vehicle_ids: set[int] = set()
    if TermKind.PLATE in kinds:
        vehicle_ids |= set(Vehicle.objects.filter(plate=kinds[TermKind.PLATE]).values_list("pk", flat=True))
    if TermKind.VIN in kinds:
        vehicle_ids |= set(Vehicle.objects.filter(vin=kinds[TermKind.VIN]).values_list("pk", flat=True))
    if TermKind.POLICY_NUMBER in kinds:
        vehicle_ids |= set(
            Policy.objects.filter(number=kinds[TermKind.POLICY_NUMBER]).values_list("vehicle_id", flat=True)
        )
    if not value:
        raise ValidationError("请输入出险车辆的号牌号码、车辆识别代号或保单号。", code="vehicle_required")
    if not vehicle_ids:
        raise ValidationError(
            "未找到号牌号码、车辆识别代号或保单号为“%(value)s”的承保车辆。",
            code="vehicle_not_found",
            params={"value": value},
        )
    policies = list(Policy.objects.filter(vehicle_id__in=vehicle_ids).select_related("vehicle", "branch"))
    by_vehicle: dict[int, list[Policy]] = {pk: [] for pk in vehicle_ids}
    for policy in policies:
        by_vehicle[policy.vehicle_id].append(policy)
    covered = [pk for pk, ps in by_vehicle.items() if covering_policy(ps, day)]
    chosen = (
        covered[0]
        if covered
        else max(by_vehicle, key=lambda pk: max((p.end_date for p in by_vehicle[pk]), default=dt.date.min))
    )
    vehicle = next((p.vehicle for p in by_vehicle[chosen]), None) or Vehicle.objects.get(pk=chosen)
    return vehicle, sorted(by_vehicle[chosen], key=lambda p: p.start_date)


def outside_cover_message(vehicle: Vehicle, policies: Sequence[Policy], accident_at: dt.datetime) -> str:
    when = f"{accident_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    if not policies:
        return f"出险时间 {when} 不在保险期间内：车辆 {vehicle.plate} 在本公司没有交强险保单。"
    covers = []
    for p in policies:
        text = f"保单 {p.number} 保险期间 {p.start_date} 零时至 {p.end_date} 二十四时"
        if p.status == "cancelled" and p.cancelled_on:
            text += f"，已于 {p.cancelled_on} 退保（保障至当日二十四时止）"
        covers.append(text)
    return f"出险时间 {when} 不在车辆 {vehicle.plate} 的任何保险期间内：" + "；".join(covers) + "。"


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def claim_report(
    *,
    vehicle: str,
    accident_at: dt.datetime,
    place: str,
    description: str,
    at_fault: bool,
    parties: Sequence[PartyReport | Mapping],
    channel: str,
    reported_by: User | None = None,
    idempotency_key: str | None = None,
    idempotency_fingerprint: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    advance_case: str = "",
    now: dt.datetime | None = None,
) -> Claim:
    """Take a first notice of loss and open a claim in state 报案 (reported).

    `vehicle` is the insured vehicle's plate, VIN or policy number (normalised);
    `accident_at` a datetime (naive means Asia/Shanghai). The accident must fall in a
    cover of that vehicle (00:00 of the start date to 24:00 of the end date, or of the
    cancellation date), otherwise the report is refused with the reason. A report long
    after the accident is accepted and flagged. Staff reports need `claims.report_claim`;
    channel reports (`reported_by=None`) come from the API.

    A retried call with the same `idempotency_key` returns the first claim (with
    `claim.replayed` True) and writes nothing; the key is unique in the database, so
    concurrent retries land once. `idempotency_fingerprint` (the channel API's hash of
    the request) is kept with the key: the same key with another request is refused
    (`idempotency_conflict`), also when the two race.
    """
    now = now_or(now)
    if channel not in ClaimChannel.values:
        raise ValidationError("报案渠道无效。", code="channel")
    if reported_by is not None:
        access.require_step(reported_by, action("report"))
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 100:
        raise ValidationError("幂等键不能超过 100 个字符。", code="idempotency_key")
    if len(idempotency_fingerprint) > 64:
        raise ValidationError("幂等请求摘要不能超过 64 个字符。", code="idempotency_key")
    if not isinstance(accident_at, dt.datetime):
        raise ValidationError("请填写出险时间。", code="accident_at")
    accident_at = _aware(accident_at)
    if accident_at > now:
        raise ValidationError("出险时间不能晚于报案时间。", code="accident_in_future")
    place = (place or "").strip()
    description = (description or "").strip()
    if not place:
        raise ValidationError("请填写出险地点。", code="place")
    if not description:
        raise ValidationError("请填写事故经过。", code="description")
    if advance_case and advance_case not in AdvanceCase.values:
        raise ValidationError("垫付情形无效。", code="advance_case")
    phone = clean_phone(reporter_phone) if reporter_phone else ""
    if not parties:
        raise ValidationError("请至少填写一个受损的当事方（伤者、车辆或财产）。", code="no_parties")
    if len(parties) > MAX_PARTIES:
        raise ValidationError(
            "一次报案最多填写 %(max)s 个当事方。", code="too_many_parties", params={"max": MAX_PARTIES}
        )
    cleaned = [_clean_party(p, i) for i, p in enumerate(parties, start=1)]
    # Every line fits its column; so must their sum, the claim's reported total.
    check_total((amount for _, amounts, _ in cleaned for amount in amounts.values()), "报损金额")

    day = accident_at.astimezone(SHANGHAI).date()
    if key is not None:
        existing = Claim.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _replay(
                existing,
                fingerprint=idempotency_fingerprint,
                vehicle_ref=vehicle,
                day=day,
                accident_at=accident_at,
            )
    found, policies = find_vehicle(vehicle, day=day)
    policy = covering_policy(policies, day)
    if policy is None:
        raise ValidationError(outside_cover_message(found, policies, accident_at), code="outside_cover")
    limits = ledger.limit_table().limits(day=day, at_fault=at_fault)
    thresholds = screening.risk_thresholds()
    try:
        with transaction.atomic():
            claim = _create(
                policy=policy,
                channel=channel,
                accident_at=accident_at,
                place=place[:200],
                description=description,
                at_fault=at_fault,
                advance_case=advance_case,
                reporter_name=(reporter_name or "").strip()[:50],
                reporter_phone=phone,
                reported_by=reported_by,
                key=key,
                fingerprint=idempotency_fingerprint if key is not None else "",
                limits=limits,
                late=risk.is_late_report(accident_at, now, thresholds),
                thresholds=thresholds,
                parties=cleaned,
                now=now,
            )
    except IntegrityError:
        if key is None:
            raise
        # A concurrent retry with the same key won the race: answer with its claim.
        return _replay(
            Claim.objects.get(idempotency_key=key),
            fingerprint=idempotency_fingerprint,
            vehicle_ref=vehicle,
            day=day,
            accident_at=accident_at,
        )
    claim.replayed = False
    return claim


def _replay(
    existing: Claim, *, fingerprint: str, vehicle_ref: str, day: dt.date, accident_at: dt.datetime
) -> Claim:
    """The claim a retry names, when it is the same request; a conflict otherwise. A claim
    reported before fingerprints were kept is compared by vehicle and accident time."""
    if existing.idempotency_fingerprint:
        same = fingerprint == existing.idempotency_fingerprint
    else:
        found, _ = find_vehicle(vehicle_ref, day=day)
        same = found.pk == existing.vehicle_id and existing.accident_at == accident_at
    if not same:
        raise ValidationError(
            "该幂等键已用于另一笔报案（赔案 %(number)s），请更换幂等键。",
            code="idempotency_conflict",
            params={"number": existing.number},
        )
    existing.replayed = True
    return existing


def _create(*, policy, channel, accident_at, place, description, at_fault, advance_case, reporter_name,
            reporter_phone, reported_by, key, fingerprint, limits, late, thresholds, parties, now) -> Claim:  # fmt: skip
    claim = Claim.objects.create(
        number=new_claim_number(day=now.astimezone(SHANGHAI).date()),
        policy=policy,
        vehicle=policy.vehicle,
        branch=policy.branch,
        channel=channel,
        state=ClaimState.REPORTED,
        state_entered_at=now,
        accident_at=accident_at,
        accident_place=place,
        description=description,
        at_fault=at_fault,
        advance_case=advance_case,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reported_at=now,
        reported_by=reported_by,
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
        late_report=late,
        limit_death_disability=limits[LossCategory.DEATH_DISABILITY],
        limit_medical=limits[LossCategory.MEDICAL],
        limit_property=limits[LossCategory.PROPERTY],
    )
    for party, _, _ in parties:
        party.claim = claim
    created = Party.objects.bulk_create([party for party, _, _ in parties])
    losses = []
    for party, (_, amounts, rescue) in zip(created, parties, strict=True):
        for category, amount in amounts.items():
            if amount > 0:
                losses.append(
                    Loss(
                        claim=claim, party=party, category=category, reported_amount=amount,
                        rescue=rescue and category == LossCategory.MEDICAL,
                    )
                )  # fmt: skip
    Loss.objects.bulk_create(losses)
    claim.reported_total = sum(
        (loss.reported_amount for loss in losses if loss.party.relation == PartyRelation.THIRD_PARTY),
        Decimal("0.00"),
    )
    source = ClaimChannel(channel).label
    note = f"{source}报案" + ("；出险后较长时间才报案，已标记延迟报案" if late else "")
    log_event(claim, action("report"), by=reported_by, at=now, note=note)
    # What was just written is at hand: the engine's line order, and an empty ledger.
    losses.sort(key=lambda loss: (loss.party_id, loss.category))
    refresh_money(claim, losses=losses, sums=ledger.LedgerSums.empty())
    refresh_risk(claim, losses=losses, parties=created, thresholds=thresholds)
    finish(claim, now=now)
    _acknowledge(claim)
    return claim


def _acknowledge(claim: Claim) -> None:
    """Text the reporter the claim number and what happens next, once."""
    phone = claim.reporter_phone or claim.policy.insured.phone
    if not phone:
        return
    enqueue_message(
        channel=MessageChannel.SMS,
        recipient=phone,
        text=(
            f"【交强险】您的报案已受理，赔案号 {claim.number}（车辆 {claim.vehicle.plate}）。"
            f"{documents_promise(claim)}，请保留事故证明及费用票据。"
        ),
        purpose="claim_report",
        dedupe_key=f"claim-report-{claim.number}",
        person=claim.policy.insured,
    )
