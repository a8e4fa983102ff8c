"""The payout engine of 交强险 (docs/regulation.md §5): plain functions over dates, Decimals and codes.

Limits are per accident and per category (death/disability, medical, property), with one
row set for an insured who was at fault and one for no fault; the accident's date picks
the column (the 2020 limits from 2020-09-19). Inside the limits the fault ratio does not
apply. Several victims in one category share its limit in proportion to their losses:
shares round down to the fen and the left-over fen go to the largest remainders, so the
sum never exceeds the limit.

Shares are computed over every victim's whole assessed loss, whatever was paid before
(docs/regulation.md §5): money already paid to a victim in the category (an advance of rescue
costs, an earlier instalment) counts toward that victim's own share, and only the rest
of the share is paid now. A payment made earlier to one victim never shrinks another's
share — unless an advance already paid one victim more than their share, when what is
left of the limit is all that can still be paid (shared over what the others are owed).
In an advance case (no licence, drunk, stolen, deliberate act of the insured) only
rescue costs are paid, within the medical limit of the fault row.

Nothing here touches the database: the limit table comes in as `LimitRow`s, the ledger
as sums, so the same function prices a preview, a calculation and an approval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from claims.choices import Exclusion, LossCategory
from core import text

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
CATEGORIES = (LossCategory.DEATH_DISABILITY, LossCategory.MEDICAL, LossCategory.PROPERTY)


yuan = text.amount  # 12345.6 → "12,345.60", as every explanation writes money


# --- The limit table -----------------------------------------------------------------------


class LimitMissing(ValidationError):
    """No limit row is in force for the accident's date: nothing can be calculated."""


@dataclass(frozen=True)
class LimitRow:
    """One row of the liability-limit table, in force from `valid_from` to `valid_to`
    inclusive (open-ended when `valid_to` is None)."""

    at_fault: bool
    category: str
    amount: Decimal
    valid_from: dt.date
    valid_to: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class LimitTable:
    rows: tuple[LimitRow, ...]

    def limits(self, *, day: dt.date, at_fault: bool) -> dict[str, Decimal]:
        """The limit of each category for an accident on `day` (docs/regulation.md §5)."""
        result = {}
        for category in CATEGORIES:
            matches = [r for r in self.rows if r.at_fault == at_fault and r.category == category]
            in_force = [r for r in matches if r.in_force(day)]
            if not in_force:
                raise LimitMissing(
                    "%(day)s 没有适用的%(fault)s%(category)s赔偿限额，无法理算。",
                    code="no_limit",
                    params={
                        "day": day.isoformat(),
                        "fault": "有责" if at_fault else "无责",
                        "category": LossCategory(category).label,
                    },
                )
            result[category] = max(in_force, key=lambda r: r.valid_from).amount
        return result


# --- Proportional sharing ------------------------------------------------------------------------


def share_limit(available: Decimal, losses: Sequence[tuple[Hashable, Decimal]]) -> dict[Hashable, Decimal]:
    """Share `available` among losses given as (key, amount).

    When the losses together fit, each is paid in full. Otherwise each gets
    available × loss ÷ total, rounded down to the fen; the fen left over go one each to
    the largest remainders (ties: the larger loss, then the earlier line), so the shares
    add up to exactly `available` and never more.
    """
    fen_available = int((available / FEN).to_integral_value(rounding="ROUND_FLOOR"))
    fen_losses = [(key, int((amount / FEN).to_integral_value())) for key, amount in losses]
    total = sum(amount for _, amount in fen_losses)
    if total <= fen_available:
        return {key: Decimal(amount) * FEN for key, amount in fen_losses}
    shares = []
    for index, (key, amount) in enumerate(fen_losses):
        whole, remainder = divmod(fen_available * amount, total)
        shares.append([key, whole, remainder, amount, index])
    left_over = fen_available - sum(s[1] for s in shares)
    for share in sorted(shares, key=lambda s: (-s[2], -s[3], s[4]))[:left_over]:
        share[1] += 1
    return {key: Decimal(whole) * FEN for key, whole, *_ in shares}


# --- Calculation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LossLine:
    """One victim's loss in one category, as assessed (or reported, for an estimate)."""

    key: Hashable
    party: Hashable
    category: str
    amount: Decimal
    third_party: bool = True
    exclusion: str = ""  # an `Exclusion` code
    rescue: bool = False  # rescue costs (抢救费用), the only costs an advance case pays
    paid: Decimal = ZERO  # already paid to this victim in this category (advances, instalments)
    label: str = ""  # the victim's name or the property, for explanations


@dataclass(frozen=True)
class LineResult:
    line: LossLine
    share: Decimal  # the victim's share of the limit over every victim's whole loss: 0 when excluded
    payable: Decimal  # what is paid now: the share less what was paid before
    reason: str


@dataclass(frozen=True)
class CategoryResult:
    category: str
    limit: Decimal
    used: Decimal  # already taken from the limit by the ledger (advances, instalments)
    available: Decimal  # limit − used
    assessed: Decimal  # every victim's whole loss the category pays (exclusions left out)
    payable: Decimal
    shared: bool
    lines: tuple[LineResult, ...]
    explanation: str

    @property
    def label(self) -> str:
        return LossCategory(self.category).label


@dataclass(frozen=True)
class Calculation:
    at_fault: bool
    advance_case: bool
    categories: tuple[CategoryResult, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return sum((c.payable for c in self.categories), ZERO)

    def payable(self) -> dict[Hashable, Decimal]:
        """Payable amount by line key."""
        return {r.line.key: r.payable for c in self.categories for r in c.lines}

    def category(self, category: str) -> CategoryResult:
        return next(c for c in self.categories if c.category == category)

    @property
    def explanation(self) -> tuple[str, ...]:
        return tuple(c.explanation for c in self.categories)


ADVANCE_CASE_ONLY_RESCUE = "垫付情形只垫付抢救费用，不赔付财产损失、死亡伤残赔偿及其他费用（条例第二十二条）"
OWN_SIDE_EXCLUDED = "被保险人及本车人员、本车财产的损失不属交强险赔偿范围"


def _exclusion_reason(line: LossLine, advance_case: bool) -> str:
    if not line.third_party:
        return OWN_SIDE_EXCLUDED
    if line.exclusion:
        return f"除外：{Exclusion(line.exclusion).label}"
    if advance_case and not (line.category == LossCategory.MEDICAL and line.rescue):
        return ADVANCE_CASE_ONLY_RESCUE
    return ""


def _line_reason(line: LossLine, share: Decimal, payable: Decimal, *, shared: bool, total: Decimal,
                 limit: Decimal, capped: bool) -> str:  # fmt: skip
    if shared:
        text = f"按损失比例分摊：{yuan(line.amount)} ÷ {yuan(total)} × {yuan(limit)} = {yuan(share)}"
    else:
        text = f"限额内全额赔付 {yuan(share)}"
    if line.paid > 0:
        if line.paid >= share:
            return text + f"，已付 {yuan(line.paid)} 元，无余额"
        text += f"，扣除已付 {yuan(line.paid)} 元"
    if capped:
        text += "；因已付款项超过个别受害人的份额，本项剩余限额不足，按各人未付份额比例支付"
    return text


def calculate(
    *,
    limits: Mapping[str, Decimal],
    lines: Sequence[LossLine],
    at_fault: bool,
    used: Mapping[str, Decimal] | None = None,
    advance_case: bool = False,
) -> Calculation:
    """What this accident's victims are owed now, category by category (docs/regulation.md §5).

    `limits` are the accident's limits (`LimitTable.limits`), `used` what the ledger has
    already taken from each, and each line's `paid` what was paid to that victim in its
    category before. Each victim's share is taken over every victim's whole loss; what
    is paid now is the share less what the victim was paid before. The total never takes
    the category past its limit: if an earlier payment went beyond one victim's share,
    the others are paid from what is left, in proportion to what they are still owed.
    """
    used = used or {}
    fault_word = "有责" if at_fault else "无责"
    results = []
    for category in CATEGORIES:
        limit = limits[category]
        already = used.get(category, ZERO)
        available = max(limit - already, ZERO)
        mine = [line for line in lines if line.category == category]
        reasons = {line.key: _exclusion_reason(line, advance_case) for line in mine}
        paid_lines = [line for line in mine if not reasons[line.key] and line.amount > 0]
        total = sum((line.amount for line in paid_lines), ZERO)
        shares = share_limit(limit, [(line.key, line.amount) for line in paid_lines])
        due = {line.key: max(shares[line.key] - line.paid, ZERO) for line in paid_lines}
        capped = sum(due.values(), ZERO) > available
        payable = share_limit(available, [(k, v) for k, v in due.items() if v > 0]) if capped else due
        shared = total > limit
        line_results = []
        for line in mine:
            share = shares.get(line.key, ZERO)
            pay = payable.get(line.key, ZERO)
            reason = reasons[line.key] or _line_reason(
                line, share, pay, shared=shared, total=total, limit=limit, capped=capped
            )
            line_results.append(LineResult(line, share, pay, reason))
        payable_total = sum(payable.values(), ZERO)
        text = f"{LossCategory(category).label}：{fault_word}限额 {yuan(limit)} 元"
        if already > 0:
            text += f"，已付 {yuan(already)} 元，剩余 {yuan(available)} 元"
        if total == 0:
            text += "；本项无应赔损失。"
        else:
            if shared:
                text += f"；各受害人核定损失合计 {yuan(total)} 元超过限额，按各受害人损失比例分摊"
            else:
                text += f"；核定损失合计 {yuan(total)} 元在限额内，全额赔付"
            if already > 0:
                text += "，已付款项计入各受害人本人的份额"
            text += f"，本次应付 {yuan(payable_total)} 元。"
        results.append(
            CategoryResult(
                category=category,
                limit=limit,
                used=already,
                available=available,
                assessed=total,
                payable=payable_total,
                shared=shared,
                lines=tuple(line_results),
                explanation=text,
            )
        )
    return Calculation(at_fault=at_fault, advance_case=advance_case, categories=tuple(results))


def advance_room(*, limits: Mapping[str, Decimal], used: Mapping[str, Decimal]) -> Decimal:
    """How much rescue cost may still be advanced: what is left of the medical limit of
    the accident's fault row (the no-fault medical limit when not at fault)."""
    return max(limits[LossCategory.MEDICAL] - used.get(LossCategory.MEDICAL, ZERO), ZERO)
