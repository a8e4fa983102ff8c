"""Reads of the self-service channels: a vehicle found by plate and VIN together, and its
renewal status as customers see it. The API and the public status page both use these,
over the same `policies.quotes` functions the counter uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from core.masking import mask_plate
from policies.choices import RenewalStatus, SalesChannel
from policies.models import Branch, Policy, Vehicle
from policies.pricing import Quote
from policies.quotes import renewal_quote_on, vehicle_renewal_state
from policies.renewal import RenewalState, renewal_window_opens
from policies.tariffs import tariff_book


@dataclass(frozen=True)
class InsuredVehicle:
    vehicle: Vehicle
    policies: list[Policy]  # oldest first

    def current_policy(self, day: dt.date) -> Policy:
        """The policy the status is read from and the quote priced for: the latest one
        started by `day`, else (cover not yet begun) the first."""
        started = [p for p in self.policies if p.start_date <= day]
        return max(started, key=lambda p: (p.start_date, p.pk)) if started else self.policies[0]

    def issuing_branch(self, day: dt.date) -> Branch:
        """The branch that issued the current policy: its province picks the floating plan
        and the advance-renewal window."""
        return self.current_policy(day).branch


def insured_vehicle(*, plate: str, vin: str) -> InsuredVehicle | None:
    """The vehicle with this plate *and* this VIN, with its policies, or None.

    An unknown plate and a known plate with another VIN run the same single query and
    both answer None, so callers cannot tell them apart. A vehicle with no policy with us
    answers None too. Two queries when found, whatever the number of policies."""
    policies = Policy.objects.select_related("branch").order_by("start_date", "pk")
    vehicle = (
        Vehicle.objects.filter(plate=plate, vin=vin)
        .prefetch_related(Prefetch("policies", queryset=policies, to_attr="history"))
        .first()
    )
    if vehicle is None or not vehicle.history:
        return None
    return InsuredVehicle(vehicle, vehicle.history)


@dataclass(frozen=True)
class RenewChannel:
    code: str
    name: str


ONLINE_CHANNELS = (SalesChannel.WEBSITE, SalesChannel.APP, SalesChannel.MINI_PROGRAM)


@dataclass(frozen=True)
class StatusAnswer:
    """What a customer may learn from plate + VIN: no name, no ID number, a masked plate."""

    status: RenewalStatus
    cover_end: dt.date | None
    days_left: int | None
    renewal_start: dt.date | None
    plate: str  # masked
    channels: tuple[RenewChannel, ...]
    renewal_opens: dt.date | None = None  # in force: the first day a renewal may be bought
    advance_days: int = 90  # the issuing branch province's advance-renewal window

    @property
    def days_lapsed(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def renew_channels(state: RenewalState, branch: Branch) -> tuple[RenewChannel, ...]:
    """Where the customer can renew: online or at the issuing branch while the vehicle is
    renewable (due or lapsed); only at a counter after a cancellation (a laid-up or
    recovered vehicle is insured again in person); nowhere before the renewal window
    opens or once renewed."""
    counter = RenewChannel(SalesChannel.COUNTER.value, f"柜面（{branch.name}）")
    if state.status == RenewalStatus.CANCELLED:
        return (counter,)
    if state.is_renewable:
        return (*(RenewChannel(c.value, c.label) for c in ONLINE_CHANNELS), counter)
    return ()


def status_answer(insured: InsuredVehicle, *, day: dt.date) -> StatusAnswer:
    """The renewal status of `insured` on `day`, from `vehicle_renewal_state` (no query)."""
    branch = insured.issuing_branch(day)
    book = tariff_book()
    state = vehicle_renewal_state(insured.policies, day=day, book=book, province=branch.province)
    opens = None
    if state.status == RenewalStatus.IN_FORCE and state.cover_end:
        opens = renewal_window_opens(state.cover_end, advance_days=state.advance_days)
    return StatusAnswer(
        status=RenewalStatus(state.status),
        cover_end=state.cover_end,
        days_left=state.days_left,
        renewal_start=state.renewal_start,
        plate=mask_plate(insured.vehicle.plate),
        channels=renew_channels(state, branch),
        renewal_opens=opens,
        advance_days=state.advance_days,
    )


def quote_for(insured: InsuredVehicle, *, day: dt.date) -> Quote:
    """The counter's renewal quote, priced for the branch that issued the current policy
    (no query beyond the cached tariff book)."""
    return renewal_quote_on(
        day, vehicle=insured.vehicle, policies=insured.policies, branch=insured.issuing_branch(day)
    )
