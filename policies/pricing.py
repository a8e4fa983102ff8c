"""Pricing of 交强险: one module of plain functions over the regulator's tables.

premium = base premium (docs/regulation.md §1) × (1 + floating rate X) (docs/regulation.md §2)
          × short-term percentage (docs/regulation.md §3, 100% for a year's cover),
rounded half up to the fen once, at the end; the vehicle and vessel tax (docs/regulation.md §8) is
added to make the total. The tables come in a `TariffBook` — plain values loaded from the
database by `policies.tariffs.tariff_book()` — so every function here is pure and the
counter, the hotline, the API and the import price a vehicle the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from core.text import rate_factor, rate_words
from policies.choices import (
    NON_FLOATING_TERMS,
    PASSENGER_CAR_CATEGORIES,
    TAX_EXEMPT_ENERGY,
    EnergyType,
    FloatingReason,
    PremiumCategory,
    TermKind,
)

FEN = Decimal("0.01")
HUNDRED = Decimal(100)


def to_fen(amount: Decimal) -> Decimal:
    """Round half up to the fen (docs/regulation.md §2: once, at the end)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


class TariffMissing(ValidationError):
    """No row of a table is in force for what was asked: the quote cannot be made."""


# --- The tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One row of a table, in force from `valid_from` to `valid_to` inclusive."""

    key: tuple
    value: object
    valid_from: dt.date
    valid_to: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class TaxBand:
    above: Decimal
    up_to: Decimal | None
    annual: Decimal

    def contains(self, displacement: Decimal) -> bool:
        return displacement > self.above and (self.up_to is None or displacement <= self.up_to)

    @property
    def label(self) -> str:
        if self.up_to is None:
            return f"{self.above} 升以上"
        if self.above == 0:
            return f"{self.up_to} 升及以下"
        return f"{self.above}–{self.up_to} 升（含）"


@dataclass(frozen=True)
class ProvinceSettings:
    advance_renewal_days: int = 90
    immediate_cover: bool = False
    drink_driving_surcharge: Decimal = Decimal(0)


@dataclass(frozen=True)
class TariffBook:
    """All tariff tables with their effective dates. Lookups take the day that decides."""

    base_premiums: tuple[Row, ...] = ()  # key (category,), value Decimal yuan
    plan_regions: tuple[Row, ...] = ()  # key (region,), value plan letter
    floating_rates: tuple[Row, ...] = ()  # key (plan, reason), value Decimal rate
    short_term: tuple[Row, ...] = ()  # key (months,), value Decimal percent
    tax_bands: tuple[Row, ...] = ()  # key (province or "",), value TaxBand
    province_rules: tuple[Row, ...] = ()  # key (province or "",), value ProvinceSettings

    @staticmethod
    def _pick(rows: Sequence[Row], key: tuple, day: dt.date) -> object | None:
        matches = [r for r in rows if r.key == key and r.in_force(day)]
        return max(matches, key=lambda r: r.valid_from).value if matches else None

    def base_premium(self, category: str, day: dt.date) -> Decimal:
        amount = self._pick(self.base_premiums, (category,), day)
        if amount is None:
            label = PremiumCategory(category).label if category in PremiumCategory.values else category
            raise TariffMissing(
                "%(day)s 没有适用于“%(label)s”的基础保费，无法报价。",
                code="no_base_premium",
                params={"day": day.isoformat(), "label": label},
            )
        return amount

    def plan_for(self, *, province: str, city: str, day: dt.date) -> tuple[str, str]:
        """The floating plan of a branch and the region that decided it: the city's own
        plan (the five plan-E cities), else the province's, else the national one ("")
        (docs/regulation.md §2)."""
        for region in (city.removesuffix("市"), province, ""):
            plan = self._pick(self.plan_regions, (region,), day)
            if plan is not None:
                return plan, region or "全国"
        raise TariffMissing(
            "%(day)s 没有适用于“%(province)s”的浮动方案。",
            code="no_plan",
            params={"day": day.isoformat(), "province": province},
        )

    def floating_rate(self, plan: str, reason: str, day: dt.date) -> Decimal:
        rate = self._pick(self.floating_rates, (plan, reason), day)
        if rate is None:
            raise TariffMissing(
                "%(day)s 没有方案 %(plan)s、原因 %(reason)s 的浮动费率。",
                code="no_floating_rate",
                params={"day": day.isoformat(), "plan": plan, "reason": reason},
            )
        return rate

    def short_term_percent(self, months: int, day: dt.date) -> Decimal:
        percent = self._pick(self.short_term, (months,), day)
        if percent is None:
            raise TariffMissing(
                "%(day)s 没有 %(months)s 个月的短期费率。",
                code="no_short_term",
                params={"day": day.isoformat(), "months": months},
            )
        return percent

    def tax_schedule(self, province: str, day: dt.date) -> list[TaxBand]:
        own = [r.value for r in self.tax_bands if r.key == (province,) and r.in_force(day)]
        return own or [r.value for r in self.tax_bands if r.key == ("",) and r.in_force(day)]

    def province_settings(self, province: str, day: dt.date) -> ProvinceSettings:
        return (
            self._pick(self.province_rules, (province,), day)
            or self._pick(self.province_rules, ("",), day)
            or ProvinceSettings()
        )


# --- Floating rate (docs/regulation.md §2) --------------------------------------------------------------


@dataclass(frozen=True)
class PolicyYear:
    """The at-fault accident record of one policy year of a vehicle."""

    at_fault: int = 0
    fatal: int = 0
    drink_driving: int = 0  # drink-driving records of the year (a surcharge, not an accident)

    @property
    def clean(self) -> bool:
        return self.at_fault == 0 and self.fatal == 0


def floating_reason(history: Sequence[PolicyYear]) -> FloatingReason:
    """The reason code from the vehicle's previous policy years, most recent first.

    `history[0]` is "last year": at renewal, the policy year now ending. A6 wins over A5
    over A4; clean years are counted back while they are consecutive (a lapse between
    policy years does not break the count, docs/regulation.md §2).
    """
    if not history:
        return FloatingReason.A0
    last = history[0]
    if last.fatal:
        return FloatingReason.A6
    if last.at_fault >= 2:
        return FloatingReason.A5
    if last.at_fault == 1:
        return FloatingReason.A4
    clean_years = 0
    for year in history[:3]:
        if not year.clean:
            break
        clean_years += 1
    return {1: FloatingReason.A1, 2: FloatingReason.A2, 3: FloatingReason.A3}[clean_years]


# --- Short-term cover and cancellation (docs/regulation.md §3) ---------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def months_end(start: dt.date, months: int) -> dt.date:
    """The last day of `months` months of cover from `start`: the day before the same date
    `months` later, or — when that date does not exist — the last day of its month, the
    rule `renewal.one_year_end` follows (2026-01-31 + 1 month → 2026-02-28)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    try:
        return dt.date(year, month, start.day) - dt.timedelta(days=1)
    except ValueError:  # 29–31 of a shorter month: cover runs to that month's last day
        next_first = dt.date(year + month // 12, month % 12 + 1, 1)
        return next_first - dt.timedelta(days=1)


def cover_months(start: dt.date, end: dt.date) -> int:
    """Months of cover from `start` to `end` inclusive; a part month counts as a whole."""
    for months in range(1, 13):
        if months_end(start, months) >= end:
            return months
    return 12


def cancellation_refund(premium: Decimal, *, start: dt.date, end: dt.date, cancelled_on: dt.date) -> Decimal:
    """Premium × unexpired days ÷ days of the term, to the fen (条例 Art. 17).

    Cover runs through 24:00 of `cancelled_on`; the days after it are unexpired."""
    term_days = (end - start).days + 1
    unexpired = max((end - cancelled_on).days, 0)
    return to_fen(premium * unexpired / term_days)


# --- Vehicle and vessel tax (docs/regulation.md §8) ----------------------------------------------------------


@dataclass(frozen=True)
class TaxAssessment:
    amount: Decimal
    note: str
    assessed: bool = True  # False: not in the loaded schedule; collected separately


def vehicle_tax(
    book: TariffBook,
    *,
    province: str,
    category: str,
    energy: str,
    displacement: Decimal | None,
    registration_date: dt.date,
    start: dt.date,
) -> TaxAssessment:
    """The vehicle and vessel tax withheld with the premium for the tax year of `start`."""
    if energy in TAX_EXEMPT_ENERGY:
        return TaxAssessment(Decimal("0.00"), f"{EnergyType(energy).label}汽车免征车船税。")
    if category not in PASSENGER_CAR_CATEGORIES:
        return TaxAssessment(
            Decimal("0.00"),
            "本车型不在乘用车车船税税额表内，车船税按当地税务机关标准另行核定缴纳。",
            assessed=False,
        )
    if displacement is None:
        raise ValidationError("燃油及混合动力乘用车须登记排量，才能计算车船税。", code="no_displacement")
    band = next((b for b in book.tax_schedule(province, start) if b.contains(displacement)), None)
    if band is None:
        raise TariffMissing(
            "%(province)s 没有排量 %(displacement)s 升的车船税税额。",
            code="no_tax_band",
            params={"province": province, "displacement": displacement},
        )
    if registration_date.year == start.year and registration_date <= start:
        months = 13 - registration_date.month
        amount = to_fen(band.annual * months / 12)
        note = (
            f"乘用车排量 {band.label}，年税额 {band.annual} 元；"
            f"本年 {registration_date.month} 月购置，按 {months} 个月计："
            f"{band.annual} ÷ 12 × {months} = {amount} 元。"
        )
        return TaxAssessment(amount, note)
    return TaxAssessment(to_fen(band.annual), f"乘用车排量 {band.label}，年税额 {to_fen(band.annual)} 元。")


# --- The quote ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousPremium:
    """What the vehicle paid last year, for the "why did it change" explanation."""

    premium: Decimal
    floating_reason: str
    floating_rate: Decimal


@dataclass(frozen=True)
class Quote:
    category: str
    start_date: dt.date
    end_date: dt.date
    term_kind: str
    months: int
    base_premium: Decimal
    floating_plan: str
    floating_reason: str
    floating_rate: Decimal
    short_term_percent: Decimal
    premium: Decimal
    vehicle_tax: Decimal
    total: Decimal
    tax_note: str
    tax_assessed: bool
    explanation: tuple[str, ...] = field(default=())
    start_hour: int = 0  # cover starts at this hour of `start_date` (immediate cover); 0 is 00:00
    drink_driving_rate: Decimal = Decimal("0.00")  # the province's surcharge, when it applies

    @property
    def category_label(self) -> str:
        return PremiumCategory(self.category).label

    @property
    def floating_percent(self) -> int:
        return int(self.floating_rate * 100)

    @property
    def fingerprint(self) -> str:
        """Identifies the priced terms; a renewal is charged only against the same one."""
        parts = (
            self.category, self.start_date, self.end_date, self.term_kind, self.base_premium,
            self.floating_plan, self.floating_reason, self.floating_rate, self.premium,
            self.vehicle_tax, self.total, self.start_hour, self.drink_driving_rate,
        )  # fmt: skip
        return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]

    @property
    def explanation_text(self) -> str:
        return "".join(self.explanation)


def _reason_sentence(reason: str, history: Sequence[PolicyYear]) -> str:
    match reason:
        case FloatingReason.A0:
            return "该车首次在本公司投保或无历史记录（A0）"
        case FloatingReason.A1:
            return "该车上一保单年度未发生有责道路交通事故（A1）"
        case FloatingReason.A2:
            return "该车连续 2 个保单年度未发生有责道路交通事故（A2）"
        case FloatingReason.A3:
            clean = next((i for i, y in enumerate(history) if not y.clean), len(history))
            return f"该车连续 {clean} 个保单年度未发生有责道路交通事故（A3）"
        case FloatingReason.A4:
            return "该车上一保单年度发生 1 次有责任、不涉及死亡的道路交通事故（A4）"
        case FloatingReason.A5:
            return f"该车上一保单年度发生 {history[0].at_fault} 次有责任道路交通事故（A5）"
        case _:
            return "该车上一保单年度发生有责任道路交通死亡事故（A6）"


def _comparison(quote_premium: Decimal, reason: str, rate: Decimal, previous: PreviousPremium) -> str:
    diff = quote_premium - previous.premium
    was = (
        f"上年保费 {previous.premium} 元（{previous.floating_reason}，{rate_words(previous.floating_rate)}）"
    )
    if diff == 0:
        return f"与{was}相同。"
    direction = "上升" if diff > 0 else "下降"
    if rate != previous.floating_rate:
        why = f"浮动比率由{rate_words(previous.floating_rate)}变为{rate_words(rate)}"
        if reason in (FloatingReason.A4, FloatingReason.A5, FloatingReason.A6):
            why += "，因为上一保单年度发生了有责事故；无责事故不影响费率"
        elif rate < previous.floating_rate:
            why += "，因为连续无有责事故的年数增加了"
    else:
        why = "浮动比率未变，差额来自基础保费、保险期间或浮动方案的变化"
    return f"与{was}相比{direction} {abs(diff)} 元：{why}。"


def quote(
    book: TariffBook,
    *,
    category: str,
    plan: str,
    region: str,
    history: Sequence[PolicyYear],
    start: dt.date,
    end: dt.date,
    term_kind: str = TermKind.ANNUAL,
    tax_province: str,
    energy: str,
    displacement: Decimal | None,
    registration_date: dt.date,
    previous: PreviousPremium | None = None,
    start_hour: int = 0,
) -> Quote:
    """Price one period of cover and explain it in words a clerk can read out.

    `plan` is the floating plan of the branch that renews (`region` names where it is),
    `history` the vehicle's previous policy years, most recent first. The tables in force
    on `start` apply. Where the branch's province sets a drink-driving surcharge Y and the
    last policy year has a drink-driving record, premium = base × (1 + X) × (1 + Y)
    (docs/regulation.md §2).
    """
    base = book.base_premium(category, start)
    floats = term_kind not in NON_FLOATING_TERMS
    reason = floating_reason(history) if floats else FloatingReason.A0
    rate = book.floating_rate(plan, reason, start) if floats else Decimal("0.00")
    surcharge = book.province_settings(tax_province, start).drink_driving_surcharge
    drunk = floats and surcharge > 0 and bool(history) and history[0].drink_driving > 0
    drink_rate = to_fen(Decimal(surcharge)) if drunk else Decimal("0.00")
    months = 12 if term_kind == TermKind.ANNUAL else cover_months(start, end)
    percent = HUNDRED if term_kind == TermKind.ANNUAL else book.short_term_percent(months, start)
    premium = to_fen(base * (1 + rate) * (1 + drink_rate) * percent / HUNDRED)
    tax = vehicle_tax(
        book, province=tax_province, category=category, energy=energy,
        displacement=displacement, registration_date=registration_date, start=start,
    )  # fmt: skip
    total = premium + tax.amount

    lines = [f"基础保费：{PremiumCategory(category).label}，每年 {to_fen(base)} 元。"]
    if floats:
        lines.append(
            f"浮动费率：承保网点所在地{region}适用浮动方案 {plan}；"
            f"{_reason_sentence(reason, history)}，保费{rate_words(rate)}。"
        )
    else:
        lines.append(f"{TermKind(term_kind).label}的短期保险不实行费率浮动。")
    factor = rate_factor(rate)
    if drunk:
        lines.append(
            f"酒驾上浮：该车上一保单年度有 {history[0].drink_driving} 次酒驾记录，"
            f"{tax_province}规定上浮 {drink_rate * 100:.0f}%，保费再乘 {rate_factor(drink_rate)}。"
        )
        factor = f"{factor} × {rate_factor(drink_rate)}"
    if term_kind == TermKind.ANNUAL:
        lines.append(f"交强险保费 = {to_fen(base)} × {factor} = {premium} 元。")
    else:
        shown = f"{percent.normalize():f}"  # 10.00 → "10", not "1E+1"
        lines.append(
            f"短期保险 {months} 个月，按年保费的 {shown}% 计收：{to_fen(base)} × {factor} × {shown}% = {premium} 元。"
        )
    lines.append(f"车船税：{tax.note}")
    if start_hour:
        lines.append(
            f"即时生效：{tax_province}允许脱保车辆出单后即时生效，保险期间自 {start.isoformat()} {start_hour} 时起"
            f"至 {end.isoformat()} 24 时止。"
        )
    lines.append(f"合计应缴 {premium} + {tax.amount} = {total} 元。")
    if previous is not None:
        lines.append(_comparison(premium, reason, rate, previous))

    return Quote(
        category=category, start_date=start, end_date=end, term_kind=term_kind, months=months,
        base_premium=to_fen(base), floating_plan=plan if floats else "", floating_reason=reason,
        floating_rate=rate, short_term_percent=percent, premium=premium,
        vehicle_tax=tax.amount, total=total, tax_note=tax.note, tax_assessed=tax.assessed,
        explanation=tuple(lines), start_hour=start_hour, drink_driving_rate=drink_rate,
    )  # fmt: skip


def lapse_fine(base_premium: Decimal) -> Decimal:
    """The fine for driving uninsured: twice the premium owed, shown as 2 × the base premium
    of docs/regulation.md §1 (交安法 Art. 98)."""
    return to_fen(base_premium * 2)
