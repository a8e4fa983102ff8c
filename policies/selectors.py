"""Reads of the policies app in domain language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from policies.choices import PolicyStatus, TermKind
from policies.models import Branch, Policy, Vehicle
from policies.pricing import PolicyYear, PreviousPremium, Quote, TariffBook, quote
from policies.renewal import RenewalState, Term, next_start_date, one_year_end, renewal_state
from policies.tariffs import tariff_book


def today() -> dt.date:
    """Today in Asia/Shanghai, the day every status and quote is computed for."""
    return timezone.localdate()


def policy_terms(policies: Sequence[Policy]) -> list[Term]:
    return [
        Term(start=p.start_date, end=p.end_date, cancelled=p.status == PolicyStatus.CANCELLED, policy_id=p.pk)
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

    A policy year is an annual, non-cancelled policy that started before `before`
    (short-term and cancelled covers are not policy years). Its record is the at-fault
    accidents of that year.
    """
    years = [
        p
        for p in policies
        if p.status != PolicyStatus.CANCELLED and p.term_kind == TermKind.ANNUAL and p.start_date < before
    ]
    years.sort(key=lambda p: p.start_date, reverse=True)
    return [PolicyYear(at_fault=p.at_fault_claims, fatal=p.fatal_claims) for p in years]


def renewal_quote(
    *,
    vehicle: Vehicle,
    policies: Sequence[Policy],
    branch: Branch,
    day: dt.date | None = None,
    book: TariffBook | None = None,
) -> Quote:
    """The renewal quote for `vehicle`, priced for `branch` (whose province picks the
    floating plan), from its policies (loaded by the caller; this runs no query beyond
    the cached tariff book). The one function the counter, hotline and API all call."""
    day = day or today()
    book = book or tariff_book()
    state = vehicle_renewal_state(policies, day=day, book=book, province=branch.province)
    start = next_start_date(state)
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
    )
