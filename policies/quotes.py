"""Quotes for a vehicle: the renewal quote the counter, hotline and API all show, and
short-term cover (docs/regulation.md §3, §4). Pure assembly over rows the caller loaded; the renewal
state is computed once by the caller and handed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.clock import local
from policies.choices import RESUMABLE_CANCEL_REASONS, PolicyStatus, TermKind
from policies.models import Branch, Policy, Vehicle
from policies.pricing import PolicyYear, PreviousPremium, Quote, TariffBook, quote
from policies.renewal import RenewalState, Term, cover_start, one_year_end, renewal_state
from policies.tariffs import tariff_book

SHORT_TERMS = (TermKind.TEMPORARY_ENTRY, TermKind.TEMPORARY_ROAD, TermKind.NEAR_SCRAP)


def policy_terms(policies: Sequence[Policy]) -> list[Term]:
    return [
        Term(
            start=p.start_date,
            end=p.end_date,
            cancelled=p.status == PolicyStatus.CANCELLED,
            policy_id=p.pk,
            resumable=p.status == PolicyStatus.CANCELLED and p.cancel_reason in RESUMABLE_CANCEL_REASONS,
        )
        for p in policies
    ]


def vehicle_renewal_state(
    policies: Sequence[Policy], *, day: dt.date, book: TariffBook | None = None, province: str = ""
) -> RenewalState:
    """The renewal state of one vehicle from its policies (already loaded; no query)."""
    advance = (book or tariff_book()).province_settings(province, day).advance_renewal_days
    return renewal_state(policy_terms(policies), day, advance_days=advance)


def claims_history(policies: Sequence[Policy], *, before: dt.date) -> list[PolicyYear]:
    """The vehicle's previous policy years, most recent first, for the floating rate.

    A policy year is an annual policy that started before `before`; short-term covers are
    not policy years. A cancelled policy is a policy year when something happened in it (an
    at-fault accident or a drink-driving record): an accident counts in the record of the
    vehicle's next policy whatever became of the policy it happened under; a cancelled year
    with nothing in it is skipped, neither a clean year nor a break (docs/regulation.md §2).
    Its record is the at-fault accidents (and drink-driving records) of that year.
    """
    years = [
        p
        for p in policies
        if p.term_kind == TermKind.ANNUAL
        and p.start_date < before
        and (p.status != PolicyStatus.CANCELLED or p.at_fault_claims or p.drink_driving_offences)
    ]
    years.sort(key=lambda p: p.start_date, reverse=True)
    return [
        PolicyYear(at_fault=p.at_fault_claims, fatal=p.fatal_claims, drink_driving=p.drink_driving_offences)
        for p in years
    ]


def renewal_quote(
    *,
    vehicle: Vehicle,
    policies: Sequence[Policy],
    branch: Branch,
    state: RenewalState,
    book: TariffBook | None = None,
    now: dt.datetime | None = None,
) -> Quote:
    """The renewal quote for `vehicle`, priced for `branch` (whose province picks the
    floating plan), from its policies and its renewal `state` (both from the caller, who
    computed the state for `branch`'s province; this runs no query beyond the cached tariff
    book). The one function the counter, hotline and API all call. Where the province
    allows immediate cover, a vehicle without cover today is quoted from the next full hour
    after `now` (docs/regulation.md §4)."""
    book = book or tariff_book()
    immediate = book.province_settings(branch.province, state.day).immediate_cover
    begins = cover_start(state, immediate=immediate, now=local(now or timezone.now()))
    start = begins.day
    end = one_year_end(start)
    history = claims_history(policies, before=start)
    last = max(
        (p for p in policies if p.status != PolicyStatus.CANCELLED and p.start_date < start),
        key=lambda p: p.start_date,
        default=None,
    )
    previous = (
        PreviousPremium(
            premium=last.premium, floating_reason=last.floating_reason, floating_rate=last.floating_rate
        )
        if last is not None and last.term_kind == TermKind.ANNUAL
        else None
    )
    plan, region = book.plan_for(province=branch.province, city=branch.city, day=start)
    return quote(
        book,
        category=vehicle.premium_category,
        plan=plan,
        region=region,
        history=history,
        start=start,
        end=end,
        tax_province=branch.province,
        energy=vehicle.energy_type,
        displacement=vehicle.displacement_l,
        registration_date=vehicle.registration_date,
        previous=previous,
        start_hour=begins.hour,
    )


def renewal_quote_on(
    day: dt.date,
    *,
    vehicle: Vehicle,
    policies: Sequence[Policy],
    branch: Branch,
    book: TariffBook | None = None,
) -> Quote:
    """`renewal_quote` for a caller that has not computed the vehicle's state yet (the API's
    quote, a benchmark): the state is computed here, once."""
    book = book or tariff_book()
    state = vehicle_renewal_state(policies, day=day, book=book, province=branch.province)
    return renewal_quote(vehicle=vehicle, policies=policies, branch=branch, state=state, book=book)


def short_term_quote(
    *,
    term_kind: str,
    start: dt.date,
    end: dt.date,
    branch: Branch,
    category: str,
    energy: str,
    displacement: Decimal | None,
    registration_date: dt.date,
    policies: Sequence[Policy] = (),
    book: TariffBook | None = None,
) -> Quote:
    """Price short-term cover (docs/regulation.md §3) for one of the three cases the law allows, for
    `branch`. `policies` are the vehicle's own (near-scrap cover floats on its record and
    may not overlap its other cover)."""
    if term_kind not in SHORT_TERMS:
        raise ValidationError("短期保险仅限境外机动车临时入境、临时上道路行驶、距报废期限不足一年三种情形。")
    if end < start:
        raise ValidationError("保险止期不能早于起期。", code="period")
    if end >= one_year_end(start):
        raise ValidationError(
            "短期保险的期间须短于一年（%(start)s 起一年期至 %(end)s）；满一年请按一年期投保。",
            code="period",
            params={"start": start.isoformat(), "end": one_year_end(start).isoformat()},
        )
    clash = next(
        (p for p in policies if not p.is_cancelled and p.start_date <= end and p.end_date >= start), None
    )
    if clash is not None:
        raise ValidationError(
            "该车 %(start)s 至 %(end)s 已有保单 %(number)s，短期保险期间不能与之重叠。",
            code="overlap",
            params={"start": clash.start_date, "end": clash.end_date, "number": clash.number},
        )
    book = book or tariff_book()
    plan, region = book.plan_for(province=branch.province, city=branch.city, day=start)
    return quote(
        book,
        category=category,
        plan=plan,
        region=region,
        history=claims_history(policies, before=start),
        start=start,
        end=end,
        term_kind=term_kind,
        tax_province=branch.province,
        energy=energy,
        displacement=displacement,
        registration_date=registration_date,
    )


def short_term_start(policies: Sequence[Policy], *, day: dt.date) -> dt.date:
    """The earliest start of new cover for a vehicle: tomorrow, or the day after its
    last live policy ends, whichever is later."""
    ends = [p.end_date for p in policies if not p.is_cancelled]
    return max([day + dt.timedelta(days=1), *(end + dt.timedelta(days=1) for end in ends)])
