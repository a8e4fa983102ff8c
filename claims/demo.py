"""Demo claims over the demo policies, in bulk (called by `seed_demo`).

A realistic spread: closed at-fault claims that match the policies' claims records
(`at_fault_claims` / `fatal_claims`, so floating rates and claims agree), open claims at
every step with their deadlines, no-fault claims, refusals with coded reasons,
withdrawals, advances of rescue costs. Every claim carries its full history, payments
and ledger, built with the same payout engine, deadlines and signals as live claims.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from claims import ledger, payout, risk, screening
from claims.choices import (
    ClaimChannel,
    ClaimState,
    DocumentKind,
    LossCategory,
    PartyKind,
    PartyRelation,
    PaymentKind,
    PaymentStatus,
    PersonOutcome,
    RejectReason,
)
from claims.cover import cover_end
from claims.models import ApprovalAuthority, Claim, ClaimEvent, LedgerEntry, Loss, Party, Payment, Recovery
from claims.services.common import apply_deadlines
from claims.workflow import OPEN_STATES, action
from core.clock import SHANGHAI
from policies.models import NumberSequence, Policy, User
from policies.roles import CLAIMS_ADJUSTER, HOTLINE_AGENT, SUPERVISOR

POLICIES_PER_CLAIM = 25  # at scale 1.0, one claim for every 25 policies
MAIN_PATH = [ClaimState.REGISTERED, ClaimState.SURVEYED, ClaimState.ASSESSED, ClaimState.CALCULATED,
             ClaimState.APPROVED, ClaimState.PAID, ClaimState.CLOSED]  # fmt: skip
STEP_ACTION = {ClaimState.REGISTERED: "register", ClaimState.SURVEYED: "survey", ClaimState.ASSESSED: "assess",
               ClaimState.CALCULATED: "calculate", ClaimState.APPROVED: "approve", ClaimState.PAID: "pay",
               ClaimState.CLOSED: "close"}  # fmt: skip
PLACES = ["中山路与北京东路交叉口", "环城高速 12 公里处", "人民广场停车场出口", "解放大道 88 号门前", "长江路隧道入口",
          "新街口地铁站旁", "滨江大道辅路", "建设路与学府路路口"]  # fmt: skip
STORIES = ["追尾前车，前车尾部受损", "变道时与右侧车辆剐蹭", "路口左转未让直行车辆，对方车辆受损、驾驶人受伤",
           "倒车时碰撞路边护栏", "雨天制动不及撞上行人，行人受伤送医", "超车时与电动自行车碰撞，骑车人受伤"]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
FEN = Decimal("0.01")


@dataclass
class Draft:
    """One claim being built in memory before the bulk inserts."""

    claim: Claim
    target: str
    parties: list[Party] = field(default_factory=list)
    losses: list[tuple[Party, Loss]] = field(default_factory=list)
    events: list[ClaimEvent] = field(default_factory=list)
    handler: User | None = None  # the adjuster who works the claim
    approver: User | None = None  # a second pair of eyes for the approval
    reject_reason: str = ""


def seed(*, rng: random.Random, today: dt.date, stdout, scale: float = 1.0) -> int:
    """Seed claims over the existing policies; returns how many. `scale` multiplies the
    default density (one claim for every 25 policies)."""
    policy_ids = list(Policy.objects.filter(start_date__lte=today).values_list("pk", flat=True))
    budget = min(int(len(policy_ids) / POLICIES_PER_CLAIM * scale), len(policy_ids))
    if budget == 0:
        stdout.write("claims: no policies to claim on")
        return 0
    staff = _staff()
    recorded = list(
        Policy.objects.filter(at_fault_claims__gt=0, start_date__lte=today).values_list(
            "pk", "at_fault_claims"
        )
    )
    rng.shuffle(recorded)
    record_budget = budget // 2
    chosen_records, used = [], 0
    for pk, count in recorded:
        if used + count > record_budget:
            break
        chosen_records.append(pk)
        used += count
    taken = set(chosen_records)
    free = [pk for pk in policy_ids if pk not in taken]
    others = rng.sample(free, min(budget - used, len(free)))
    policies = Policy.objects.select_related("branch", "insured").in_bulk(chosen_records + others)
    table = ledger.limit_table()
    thresholds = screening.risk_thresholds()
    now = dt.datetime.combine(today, dt.time(18), tzinfo=SHANGHAI)
    drafts: list[Draft] = []
    for pk in chosen_records:
        policy = policies[pk]
        for n in range(policy.at_fault_claims):
            drafts.append(
                _draft(
                    rng, policy, table, now, staff, at_fault=True, fatal=n < policy.fatal_claims, counted=True
                )
            )
    for pk in others:
        drafts.append(
            _draft(
                rng, policies[pk], table, now, staff, at_fault=rng.random() < 0.6, fatal=False, counted=False
            )
        )
    drafts = [d for d in drafts if d is not None]
    with transaction.atomic():
        _number(drafts)
        _write(drafts, rng, thresholds, now)
        for user in staff.adjusters:
            ApprovalAuthority.objects.get_or_create(
                user=user, defaults={"max_amount": Decimal("20000"), "note": "演示授权"}
            )
        stories = _life_stories(rng, [policies[pk] for pk in others], staff, now)
    by_state = defaultdict(int)
    for d in drafts:
        by_state[d.claim.state] += 1
    for claim in stories:
        by_state[claim.state] += 1
    summary = "、".join(f"{ClaimState(s).label} {n}" for s, n in sorted(by_state.items()))
    stdout.write(f"claims: {len(drafts) + len(stories)} claims ({summary})")
    return len(drafts) + len(stories)


def _life_stories(rng, policies: list[Policy], staff: Staff, now: dt.datetime) -> list[Claim]:
    """Two claims taken through the real services past their first payment, so the demo's
    claim pages show the rest of a claim's life: an advance case (drunk driver) with rescue
    costs advanced and part of them recovered from the driver, and a claim paid, then
    reopened for a supplementary payment (a victim's disability found later), where the
    earlier payments count toward each victim's own share (docs/regulation.md §5)."""
    from claims import services  # the services import the report path, which imports this app's models

    day = (now - dt.timedelta(days=12)).date()
    covering = [p for p in policies if p.start_date <= day <= p.end_date and p.status != "cancelled"]
    if len(covering) < 2 or not staff.adjusters or not staff.supervisors:
        return []
    first, second = rng.sample(covering, 2)
    handler = staff.pick(rng, first.branch_id)
    boss = staff.supervisors[0]
    at = dt.datetime.combine(day, dt.time(21, 40), tzinfo=SHANGHAI)

    def step(hours: float) -> dt.datetime:
        return at + dt.timedelta(hours=hours)

    injured = {"kind": "person", "outcome": "injured", "rescue": True}
    drunk = services.claim_report(
        vehicle=first.vehicle.plate, accident_at=at, place=f"{first.branch.city}{rng.choice(PLACES)}",
        description="驾驶人酒后驾车撞伤行人，交警认定醉酒驾驶、本车全责。", at_fault=True,
        parties=[{**injured, "name": "何建平", "medical": "9600"}], channel=ClaimChannel.HOTLINE,
        reported_by=staff.agents[0] if staff.agents else handler, reporter_name=first.insured.name,
        advance_case="drunk", now=step(0.5),
    )  # fmt: skip
    drunk = services.claim_register(
        claim=drunk, by=handler, documents=services.required_documents(drunk), now=step(10)
    )
    services.claim_advance(
        claim=drunk, by=boss, party=drunk.parties.get(), amount=Decimal("6000"), note="医院催缴抢救费用", now=step(12)
    )  # fmt: skip
    services.claim_recover(
        claim=drunk, by=handler, amount=Decimal("2500"), debtor=f"醉酒驾驶人 {first.insured.name}",
        reference=f"ZC{day:%Y%m%d}0001", note="驾驶人首期还款", now=step(24 * 9),
    )  # fmt: skip

    handler = staff.pick(rng, second.branch_id)
    later = services.claim_report(
        vehicle=second.vehicle.plate, accident_at=at, place=f"{second.branch.city}{rng.choice(PLACES)}",
        description="本车右转时与两辆电动自行车相撞，两名骑车人受伤。", at_fault=True,
        parties=[{"kind": "person", "outcome": "injured", "name": "冯晓梅", "medical": "12000"},
                 {"kind": "person", "outcome": "injured", "name": "蒋立新", "medical": "10000"}],
        channel=ClaimChannel.COUNTER, reported_by=handler, reporter_name=second.insured.name, now=step(1),
    )  # fmt: skip
    later = services.claim_register(
        claim=later, by=handler, documents=services.required_documents(later), now=step(11)
    )
    later = services.claim_documents(claim=later, by=handler, all_received=True, now=step(30))
    later = services.claim_survey(
        claim=later, by=handler, at_fault=True, note="现场查勘，本车全责", now=step(32)
    )
    amounts = {loss.pk: (loss.reported_amount, "") for loss in later.losses.all()}
    later = services.claim_assess(claim=later, by=handler, amounts=amounts, now=step(48))
    later = services.claim_calculate(claim=later, by=handler, now=step(50))
    services.claim_approve(claim=later, by=boss, now=step(60))  # 18,000: above an adjuster's authority
    later.refresh_from_db()
    services.claim_pay(claim=later, by=handler, reference=f"TXN{day:%Y%m%d}8801", now=step(70))
    later.refresh_from_db()
    later = services.claim_supplement(
        claim=later, by=handler, note="伤者冯晓梅经鉴定构成十级伤残，申请追加赔付", now=step(24 * 10)
    )
    victim = later.parties.order_by("pk").first()
    services.claim_add_party(
        claim=later, by=handler, party=victim, amounts={"death_disability": "36000"}, note="伤残鉴定书已收",
        now=step(24 * 10 + 1),
    )  # fmt: skip
    return [Claim.objects.get(pk=drunk.pk), Claim.objects.get(pk=later.pk)]


@dataclass
class Staff:
    adjusters: list[User]
    supervisors: list[User]
    agents: list[User]
    by_branch: dict[int, list[User]]

    def pick(self, rng, branch_id: int) -> User:
        return rng.choice(self.by_branch.get(branch_id) or self.adjusters or self.supervisors)

    def second(self, rng, branch_id: int, first: User) -> User:
        """A reviewer other than `first`: a colleague of the branch, else a supervisor."""
        others = [u for u in self.by_branch.get(branch_id, []) if u != first]
        return rng.choice(others or [u for u in self.supervisors if u != first] or [first])


def _staff() -> Staff:
    adjusters = list(User.objects.filter(groups__name=CLAIMS_ADJUSTER, is_active=True).order_by("pk"))
    supervisors = list(User.objects.filter(groups__name=SUPERVISOR, is_active=True).order_by("pk"))
    agents = list(User.objects.filter(groups__name=HOTLINE_AGENT, is_active=True).order_by("pk"))
    if not adjusters and not supervisors:
        # No claims staff yet: one system account (no password) signs the demo history.
        system, _ = User.objects.get_or_create(
            username="claims_demo", defaults={"last_name": "理赔演示", "is_active": False}
        )
        supervisors = [system]
    by_branch: dict[int, list[User]] = defaultdict(list)
    for user in adjusters:
        by_branch[user.branch_id].append(user)
    return Staff(adjusters, supervisors, agents, dict(by_branch))


def _money(rng, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(FEN)


def _draft(
    rng, policy: Policy, table, now, staff: Staff, *, at_fault: bool, fatal: bool, counted: bool
) -> Draft | None:
    last_day = min(cover_end(policy), now.date())
    span = (last_day - policy.start_date).days
    if span < 0:
        return None
    recent = not counted and policy.start_date <= now.date() - dt.timedelta(days=1) and rng.random() < 0.45
    day = (
        now.date() - dt.timedelta(days=rng.randint(0, min(20, span)))
        if recent
        else policy.start_date + dt.timedelta(days=rng.randint(0, span))
    )
    accident_at = dt.datetime.combine(day, dt.time(rng.randint(6, 21), rng.randint(0, 59)), tzinfo=SHANGHAI)
    delay = dt.timedelta(
        hours=rng.choice([0.5, 1, 2, 3, 5, 20, 30, 70, 200]) if rng.random() < 0.15 else rng.uniform(0.2, 6)
    )
    reported_at = min(accident_at + delay, now - dt.timedelta(minutes=30))
    if reported_at < accident_at:
        return None
    target = _target(rng, reported_at, now, at_fault=at_fault, counted=counted)
    limits = table.limits(day=day, at_fault=at_fault)
    handler = staff.pick(rng, policy.branch_id)
    channel = rng.choice(
        [ClaimChannel.HOTLINE] * 6
        + [ClaimChannel.COUNTER] * 2
        + [ClaimChannel.APP, ClaimChannel.MINI_PROGRAM]
    )
    reporter = {
        ClaimChannel.HOTLINE: rng.choice(staff.agents) if staff.agents else handler,
        ClaimChannel.COUNTER: handler,
    }.get(channel)  # app and mini-program reports come in without a member of staff
    claim = Claim(
        policy=policy, vehicle_id=policy.vehicle_id, branch_id=policy.branch_id, channel=channel,
        state=ClaimState.REPORTED, state_entered_at=reported_at, accident_at=accident_at,
        accident_place=f"{policy.branch.city}{rng.choice(PLACES)}",
        description=rng.choice(STORIES), at_fault=at_fault, reporter_name=policy.insured.name,
        reporter_phone=policy.insured.phone, reported_at=reported_at, reported_by=reporter,
        late_report=risk.is_late_report(accident_at, reported_at, risk.Thresholds()),
        limit_death_disability=limits[LossCategory.DEATH_DISABILITY], limit_medical=limits[LossCategory.MEDICAL],
        limit_property=limits[LossCategory.PROPERTY],
    )  # fmt: skip
    draft = Draft(
        claim=claim, target=target, handler=handler, approver=staff.second(rng, policy.branch_id, handler)
    )
    vehicle = Party(kind=PartyKind.VEHICLE, plate=f"苏A{rng.randint(10000, 99999)}", description="对方车辆")
    draft.parties.append(vehicle)
    draft.losses.append(
        (vehicle, Loss(category=LossCategory.PROPERTY, reported_amount=_money(rng, 200, 6000)))
    )
    # Most 交强险 claims are property damage only; about one in four involves an injured person.
    people = 1 if fatal else (rng.random() < 0.25) + (rng.random() < 0.04)
    for i in range(people):
        died = fatal and i == 0
        person = Party(
            kind=PartyKind.PERSON, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)[: rng.randint(0, 1)],
            outcome=PersonOutcome.DIED if died else rng.choice([PersonOutcome.INJURED] * 24 + [PersonOutcome.DISABLED]),
        )  # fmt: skip
        draft.parties.append(person)
        draft.losses.append(
            (
                person,
                Loss(
                    category=LossCategory.MEDICAL,
                    reported_amount=_money(rng, 300, rng.choice((3000, 8000, 25000))),
                    rescue=rng.random() < 0.3,
                ),
            )
        )
        if died or person.outcome == PersonOutcome.DISABLED:
            draft.losses.append(
                (
                    person,
                    Loss(category=LossCategory.DEATH_DISABILITY, reported_amount=_money(rng, 20000, 260000)),
                )
            )
    if target == ClaimState.REJECTED:
        draft.reject_reason = rng.choice(RejectReason.values)
    return draft


def _target(rng, reported_at, now, *, at_fault: bool, counted: bool) -> str:
    """The state a claim has reached by now: fresh reports early in the workflow, older
    ones decided. At-fault claims are approved only where the policy's record counts them."""
    age = now - reported_at
    if counted:
        if age > dt.timedelta(days=25):
            return ClaimState.CLOSED
        return rng.choice([ClaimState.APPROVED, ClaimState.PAID, ClaimState.CLOSED])
    paid = [] if at_fault else [ClaimState.APPROVED, ClaimState.PAID, ClaimState.CLOSED]
    if age < dt.timedelta(days=1):
        choices = [ClaimState.REPORTED] * 3 + [ClaimState.REGISTERED]
    elif age < dt.timedelta(days=3):
        choices = [ClaimState.REPORTED, ClaimState.REGISTERED, ClaimState.REGISTERED, ClaimState.SURVEYED]
    elif age < dt.timedelta(days=10):
        choices = [
            ClaimState.SURVEYED,
            ClaimState.ASSESSED,
            ClaimState.CALCULATED,
            ClaimState.WITHDRAWN,
        ] + paid[:1]
    elif age < dt.timedelta(days=40):
        choices = [
            ClaimState.ASSESSED,
            ClaimState.CALCULATED,
            ClaimState.REJECTED,
            ClaimState.WITHDRAWN,
        ] + paid
    else:
        choices = [ClaimState.REJECTED, ClaimState.WITHDRAWN] + paid[2:] * 4
    return rng.choice(choices)


def _number(drafts: list[Draft]) -> None:
    """Claim numbers from the same sequences as live reports, one block per year."""
    by_year: dict[int, list[Draft]] = defaultdict(list)
    for d in sorted(drafts, key=lambda d: d.claim.reported_at):
        by_year[d.claim.reported_at.astimezone(SHANGHAI).year].append(d)
    for year, group in by_year.items():
        name = f"claim-{year}"
        NumberSequence.objects.get_or_create(name=name)
        NumberSequence.objects.filter(name=name).update(last_value=F("last_value") + len(group))
        last = NumberSequence.objects.values_list("last_value", flat=True).get(name=name)
        for i, d in enumerate(group, start=last - len(group) + 1):
            d.claim.number = f"LP{year}{i:08d}"


def _write(drafts: list[Draft], rng, thresholds, now) -> None:
    """Build each history in memory, then insert in dependency order. Claims go in with
    their final state (the database checks state changes on UPDATE, not on INSERT) and
    their events follow, chained as live claims chain them."""
    payments: list[tuple[Payment, list[LedgerEntry]]] = []
    for d in drafts:
        _history(d, rng, now, payments)
        claim = d.claim
        amounts: dict[str, Decimal] = defaultdict(Decimal)
        for _, loss in d.losses:
            amounts[loss.category] += loss.amount
        facts = risk.Facts(
            accident_at=claim.accident_at, reported_at=claim.reported_at, cover_start=claim.policy.start_date,
            cover_end=cover_end(claim.policy), amounts=dict(amounts), limits=claim.limits,
        )  # fmt: skip
        claim.risk_codes = [s.code.value for s in risk.signals(facts, thresholds)]
        apply_deadlines(claim, now=now)
    Claim.objects.bulk_create([d.claim for d in drafts], batch_size=2000)
    for d in drafts:
        for party in d.parties:
            party.claim = d.claim
        for party, loss in d.losses:
            loss.claim, loss.party = d.claim, party
    # Related objects were attached before they had keys; bulk_create reads them now.
    Party.objects.bulk_create([p for d in drafts for p in d.parties], batch_size=5000)
    Loss.objects.bulk_create([loss for d in drafts for _, loss in d.losses], batch_size=5000)
    ClaimEvent.objects.bulk_create([e for d in drafts for e in d.events], batch_size=5000)
    Payment.objects.bulk_create([p for p, _ in payments], batch_size=5000)
    entries = []
    for payment, lines in payments:
        for entry in lines:
            entry.payment = payment
            entries.append(entry)
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)


def _history(d: Draft, rng, now, payments: list) -> None:
    """Walk the claim along its path in memory: events, timestamps, amounts, money."""
    claim = d.claim
    clock = claim.reported_at
    seq = 1
    d.events.append(ClaimEvent(claim=claim, seq=1, action="report", from_state="", to_state=ClaimState.REPORTED,
                               at=clock, by=claim.reported_by, note=f"{claim.get_channel_display()}报案"))  # fmt: skip
    third = [loss for p, loss in d.losses if p.relation == PartyRelation.THIRD_PARTY]
    claim.reported_total = sum((loss.reported_amount for loss in third), Decimal(0))
    path = (
        []
        if d.target in (ClaimState.REPORTED, ClaimState.REJECTED, ClaimState.WITHDRAWN)
        else MAIN_PATH[: MAIN_PATH.index(d.target) + 1]
    )
    if d.target in (ClaimState.REJECTED, ClaimState.WITHDRAWN):
        path = MAIN_PATH[: rng.randint(0, 3)]
    hurt = any(loss.category != LossCategory.PROPERTY for _, loss in d.losses)
    steps = _step_times(rng, clock, path, now, still_open=d.target in OPEN_STATES)
    for state, clock in zip(path, steps, strict=True):
        seq += 1
        note = ""
        if state == ClaimState.REGISTERED:
            claim.documents_required = [
                k for k in DocumentKind.values if k != DocumentKind.MEDICAL_RECORDS or hurt
            ]
            claim.documents_listed_at = clock
            complete = d.target not in (ClaimState.REGISTERED,) or rng.random() < 0.5
            claim.documents_received = claim.documents_required if complete else claim.documents_required[:3]
            claim.documents_complete_at = clock + dt.timedelta(hours=rng.uniform(1, 30)) if complete else None
            if complete and d.target in OPEN_STATES:
                # Documents trickle in: most open claims completed theirs in the last few days.
                recent = steps[-1] - dt.timedelta(hours=rng.uniform(0, 30 if rng.random() < 0.85 else 200))
                claim.documents_complete_at = max(claim.documents_complete_at, recent)
            if claim.documents_complete_at and claim.documents_complete_at > now:
                claim.documents_complete_at, claim.documents_received = None, claim.documents_required[:3]
            note = "告知索赔单证"
        elif state == ClaimState.SURVEYED:
            note = "现场查勘完毕，责任认定属实"
        elif state == ClaimState.ASSESSED:
            for _, loss in d.losses:
                loss.assessed_amount = (loss.reported_amount * Decimal(rng.uniform(0.75, 1))).quantize(FEN)
            claim.assessed_total = sum((loss.assessed_amount for loss in third), Decimal(0))
            note = f"核定损失合计 {claim.assessed_total} 元"
        elif state == ClaimState.CALCULATED:
            lines = [payout.LossLine(key=id(loss), party=id(p), category=loss.category, amount=loss.assessed_amount,
                                     rescue=loss.rescue) for p, loss in d.losses]  # fmt: skip
            calculation = payout.calculate(
                limits=claim.limits,
                lines=lines,
                at_fault=claim.at_fault,
                advance_case=bool(claim.advance_case),
            )
            payable = calculation.payable()
            for _, loss in d.losses:
                loss.payable = payable[id(loss)]
            claim.calculated_total = calculation.total
            note = f"理算应赔 {calculation.total} 元"
        elif state == ClaimState.APPROVED:
            if claim.documents_complete_at is None or claim.documents_complete_at > clock:
                claim.documents_complete_at = clock - dt.timedelta(hours=1)
            claim.decided_at = claim.agreed_at = clock
            approver = d.approver
            payment = Payment(claim=claim, kind=PaymentKind.SETTLEMENT, amount=claim.calculated_total,
                              status=PaymentStatus.APPROVED, approved_by=approver, approved_at=clock)  # fmt: skip
            lines = [LedgerEntry(claim=claim, party=p, category=loss.category, amount=loss.payable, at=clock, by=approver,
                                 note="核赔占用限额") for p, loss in d.losses if loss.payable]  # fmt: skip
            if claim.calculated_total > 0:
                payments.append((payment, lines))
            claim.record_counted = claim.at_fault
            claim.record_fatal = claim.at_fault and any(p.outcome == PersonOutcome.DIED for p in d.parties)
            note = f"核准赔款 {claim.calculated_total} 元"
        elif state == ClaimState.PAID:
            if payments and payments[-1][0].claim is claim:
                payment = payments[-1][0]
                payment.status, payment.paid_at, payment.paid_by = PaymentStatus.PAID, clock, d.handler
                payment.reference = f"TXN{clock:%Y%m%d}{rng.randint(100000, 999999)}"
            claim.paid_at = clock
            claim.paid_total = claim.calculated_total
            note = "支付赔款"
        elif state == ClaimState.CLOSED:
            note = "结案"
        by = d.approver if state == ClaimState.APPROVED else d.handler
        d.events.append(_event(claim, seq, STEP_ACTION[state], state, clock, note, by=by))
    if d.target in (ClaimState.REJECTED, ClaimState.WITHDRAWN) and clock + dt.timedelta(hours=2) < now:
        clock += dt.timedelta(hours=rng.uniform(1, 48))
        clock = min(clock, now - dt.timedelta(minutes=5))
        seq += 1
        code = "reject" if d.target == ClaimState.REJECTED else "withdraw"
        if code == "reject":
            claim.reject_reason = d.reject_reason
            claim.decided_at = clock
        reason = d.reject_reason if code == "reject" else ""
        note = RejectReason(reason).label if reason else "报案人撤回报案"
        by = d.handler if code == "reject" or claim.reported_by is None else claim.reported_by
        d.events.append(_event(claim, seq, code, d.target, clock, note, by=by, reason=reason))
    if claim.state not in OPEN_STATES:
        claim.reserve = Decimal(0)
    elif claim.calculated_total is not None:
        claim.reserve = claim.calculated_total
    else:
        lines = [
            payout.LossLine(
                key=id(loss), party=id(p), category=loss.category, amount=loss.amount, rescue=loss.rescue
            )
            for p, loss in d.losses
        ]
        estimate = payout.calculate(limits=claim.limits, lines=lines, at_fault=claim.at_fault)
        claim.reserve = estimate.total


def _step_times(rng, reported_at, path, now, *, still_open: bool) -> list[dt.datetime]:
    """When each step of `path` happened. Registration comes within hours of the report;
    the other steps take hours to days. An open claim's latest step was recent (it is
    being worked on); every step lies before now."""
    if not path:
        return []
    natural = [rng.uniform(0.3, 20) if s == ClaimState.REGISTERED else rng.uniform(2, 60) for s in path]
    available = max((now - reported_at).total_seconds() / 3600 - 0.2, 0.1)
    idle = rng.uniform(0.5, 60 if rng.random() < 0.85 else 300)  # hours since an open claim's last step
    latest = available - idle if still_open else sum(natural)
    latest = min(max(latest, natural[0]), available)
    first = min(natural[0], latest)
    rest = sum(natural[1:]) or 1.0
    scale = (latest - first) / rest
    hours, times = 0.0, []
    for i, natural_hours in enumerate(natural):
        hours += first if i == 0 else natural_hours * scale
        times.append(reported_at + dt.timedelta(hours=hours))
    return times


def _event(
    claim: Claim, seq: int, code: str, target: str, at: dt.datetime, note: str, *, by: User, reason: str = ""
) -> ClaimEvent:
    act = action(code)
    event = ClaimEvent(
        claim=claim, seq=seq, action=act.code, from_state=claim.state, to_state=target, at=at, by=by,
        note=note, reason=reason, step_seconds=max(int((at - claim.state_entered_at).total_seconds()), 0),
    )  # fmt: skip
    claim.state, claim.state_entered_at = target, at
    if target in (ClaimState.CLOSED, ClaimState.REJECTED, ClaimState.WITHDRAWN):
        claim.closed_at = at
    return event


def reset(*, stdout) -> None:
    """Delete the claims on the demo branches' policies, with their events, payments,
    recoveries and ledger (whose append-only triggers are lifted for these deletes only)."""
    from policies.demo import DEMO_BRANCH_CODES
    from policies.demo.triggers import append_only_lifted

    claims = Claim.objects.filter(policy__branch__code__in=DEMO_BRANCH_CODES).values("pk")
    with (
        transaction.atomic(),
        append_only_lifted(
            ("claims_claimevent", "claims_claimevent_append_only"),
            ("claims_ledgerentry", "claims_ledgerentry_append_only"),
            ("claims_recovery", "claims_recovery_append_only"),
        ),
    ):
        Recovery.objects.filter(claim__in=claims).delete()
        LedgerEntry.objects.filter(claim__in=claims).delete()
        Payment.objects.filter(claim__in=claims).delete()
        ClaimEvent.objects.filter(claim__in=claims).delete()
        deleted, _ = Claim.objects.filter(pk__in=claims).delete()
    stdout.write(f"已删除演示赔案 {deleted} 条记录")
