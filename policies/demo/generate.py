"""Deterministic generation of demo records: people, licences, vehicles and their
policy histories, priced through the tariff book.

Plain records, no ORM: the loader streams them into the database in bulk, and the import
benchmark writes the same records out as a legacy CSV file. Everything random comes from
one `random.Random(seed)` and one Faker seeded with the same number, so the same seed,
size and day give the same data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from faker import Faker

from policies.choices import (
    CancelReason,
    EnergyType,
    PolicyStatus,
    PremiumCategory,
    RenewalStatus,
    SalesChannel,
    TermKind,
)
from policies.identifiers import id_check_char, vin_check_char
from policies.pricing import PolicyYear, TariffBook, cancellation_refund, quote
from policies.renewal import Term, one_year_end, renewal_state

from .data import (
    BRANCHES,
    CATEGORIES,
    CHANNEL_WEIGHTS,
    EVS,
    HISTORY_WEIGHTS,
    MIGRANT_AREAS,
    STATUS_WEIGHTS,
    WMIS_CHINA,
    WMIS_IMPORTED,
    CategoryProfile,
    DemoBranch,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O
SERIAL_CHARS = "0123456789" + PLATE_LETTERS
MODEL_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 2010 = A … 2030 = Y, then 2031 = 1
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                  "152", "155", "157", "158", "159", "166", "176", "177", "180", "181", "182",
                  "185", "186", "187", "188", "189", "191", "198", "199")  # fmt: skip
MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}
FIRST_CATEGORY_SWEEP = 500  # from this many policies on, every category appears


@dataclass(slots=True)
class PersonRecord:
    pk: int
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    created_at: dt.datetime


@dataclass(slots=True)
class LicenceRecord:
    pk: int
    holder_pk: int
    number: str
    file_number: str
    classes: str
    first_issued: dt.date
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(slots=True)
class VehicleRecord:
    pk: int
    plate: str
    vin: str
    engine_number: str
    vehicle_type: str
    brand_model: str
    premium_category: str
    seats: int | None
    payload_kg: int | None
    displacement_l: Decimal | None
    energy_type: str
    registration_date: dt.date
    owner_pk: int
    created_at: dt.datetime


@dataclass(slots=True)
class PolicyRecord:
    pk: int
    number: str
    vehicle_pk: int
    holder_pk: int
    branch_pk: int
    channel: str
    start_date: dt.date
    end_date: dt.date
    base_premium: Decimal
    floating_plan: str
    floating_reason: str
    floating_rate: Decimal
    premium: Decimal
    vehicle_tax: Decimal
    total: Decimal
    at_fault_claims: int
    fatal_claims: int
    status: str
    cancelled_on: dt.date | None
    cancel_reason: str
    refund: Decimal | None
    renewed_from_pk: int | None
    issued_at: dt.datetime
    term_kind: str = TermKind.ANNUAL


@dataclass(slots=True)
class VehicleHistory:
    """One vehicle with its owner (new or already yielded), licences and policies."""

    branch: DemoBranch
    owner: PersonRecord
    new_owner: bool
    licences: list[LicenceRecord]
    vehicle: VehicleRecord
    policies: list[PolicyRecord]
    status: RenewalStatus


@dataclass
class FirstKeys:
    """The first free primary key of each table (from `bulk.reserve_ids`)."""

    person: int = 1
    licence: int = 1
    vehicle: int = 1
    policy: int = 1


def year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return dt.date(day.year - 1, 2, 28)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 2, 28)


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    cumulative = list(itertools.accumulate(weights.values()))
    return lambda: rng.choices(keys, cum_weights=cumulative)[0]


class DemoGenerator:
    """Yields `VehicleHistory` records until `n_policies` policies have been made."""

    def __init__(
        self,
        *,
        seed: int,
        today: dt.date,
        book: TariffBook,
        branch_pks: dict[str, int],
        first: FirstKeys | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.today = today
        self.book = book
        self.branch_pks = branch_pks
        first = first or FirstKeys()
        self._person_pk = itertools.count(first.person)
        self._licence_pk = itertools.count(first.licence)
        self._vehicle_pk = itertools.count(first.vehicle)
        self._policy_pk = itertools.count(first.policy)
        self._file_serial = itertools.count(60_000_000)
        self._policy_serials: dict[int, itertools.count] = {}
        self._id_numbers: set[str] = set()
        self._vins: set[str] = set()
        self._plates: set[str] = set()
        self._owners: dict[str, deque[PersonRecord]] = {b.code: deque(maxlen=400) for b in BRANCHES}
        self._branch = _weighted(self.rng, {b: b.weight for b in BRANCHES})
        self._status = _weighted(self.rng, STATUS_WEIGHTS)
        self._years = _weighted(self.rng, HISTORY_WEIGHTS)
        self._category = _weighted(self.rng, {c: p.weight for c, p in CATEGORIES.items()})
        self._channel = _weighted(self.rng, CHANNEL_WEIGHTS)
        self._plans: dict[tuple[str, dt.date], tuple[str, str]] = {}

    # --- the stream -----------------------------------------------------------------------

    def histories(self, n_policies: int) -> Iterator[VehicleHistory]:
        made = 0
        categories = list(PremiumCategory.values)
        statuses = list(STATUS_WEIGHTS)
        for index in itertools.count():
            if made >= n_policies:
                return
            # The first vehicles show every renewal status, then every category.
            status = statuses[index] if index < len(statuses) else self._status()
            sweep = n_policies >= FIRST_CATEGORY_SWEEP and index < len(categories)
            category = categories[index] if sweep else self._category()
            years = min(self._years(), n_policies - made)
            if status == RenewalStatus.RENEWED:
                if years < 2 and n_policies - made >= 2:
                    years = 2
                elif years < 2:
                    status = RenewalStatus.IN_FORCE
            history = self._vehicle_history(status, category, years)
            made += len(history.policies)
            yield history

    def _vehicle_history(self, status: RenewalStatus, category: str, years: int) -> VehicleHistory:
        rng = self.rng
        branch = self._branch()
        profile = CATEGORIES[category]
        energy = self._energy(profile)
        starts = self._starts(status, years)
        new_car = rng.random() < 0.5
        registration = self._registration_date(starts[0], new_car)

        pool = self._owners[branch.code]
        new_owner = not pool or rng.random() >= 0.12
        licences: list[LicenceRecord] = []
        if new_owner:
            owner = self._person(branch, created_at=self._issued_at(starts[0]))
            pool.append(owner)
            if rng.random() < 0.85:
                licences.append(self._licence(owner, category))
        else:
            owner = pool[rng.randrange(len(pool))]

        vehicle = self._vehicle(branch, category, profile, energy, registration, owner)
        policies = self._policies(branch, vehicle, starts, status, new_car, profile.claim_factor)
        vehicle.created_at = policies[0].issued_at
        terms = [
            Term(p.start_date, p.end_date, cancelled=p.status == PolicyStatus.CANCELLED) for p in policies
        ]
        actual = renewal_state(terms, self.today).status
        return VehicleHistory(branch, owner, new_owner, licences, vehicle, policies, actual)

    # --- people ---------------------------------------------------------------------------

    def _person(self, branch: DemoBranch, *, created_at: dt.datetime) -> PersonRecord:
        rng = self.rng
        male = rng.random() < 0.55
        area, district = branch.districts[rng.randrange(len(branch.districts))]
        born_in = area if rng.random() < 0.88 else MIGRANT_AREAS[rng.randrange(len(MIGRANT_AREAS))]
        birth = self.today - dt.timedelta(days=rng.randint(20 * 365 + 5, 72 * 365))
        id_number = self._id_number(born_in, birth, male)
        name = self.faker.name_male() if male else self.faker.name_female()
        phone = PHONE_PREFIXES[rng.randrange(len(PHONE_PREFIXES))] + f"{rng.randrange(10**8):08d}"
        email = self.faker.free_email() if rng.random() < 0.3 else ""
        region = (
            branch.city + "市" if branch.province in MUNICIPALITIES else f"{branch.province}省{branch.city}市"
        )
        address = f"{region}{district}{self.faker.street_name()}{rng.randint(1, 399)}号"
        if rng.random() < 0.7:
            address += (
                f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
            )
        pk = next(self._person_pk)
        return PersonRecord(pk, name, id_number, phone, email, address, created_at)

    def _id_number(self, area: str, birth: dt.date, male: bool) -> str:
        rng = self.rng
        while True:
            sequence = rng.randrange(500) * 2 + (1 if male else 0)  # odd for men (GB 11643)
            first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_char(first17)
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number
            birth -= dt.timedelta(days=1)

    def _licence(self, holder: PersonRecord, category: str) -> LicenceRecord:
        rng = self.rng
        birth = dt.date(
            int(holder.id_number[6:10]), int(holder.id_number[10:12]), int(holder.id_number[12:14])
        )
        adult = add_years(birth, 18)
        first_issued = adult + dt.timedelta(days=rng.randint(0, max((self.today - adult).days - 30, 0)))
        classes = self._licence_classes(category)
        # 6 years, then 10 years, then long-term (docs/regulation.md §7).
        held = (self.today - first_issued).days / 365.25
        if held < 6:
            valid_from, valid_to = first_issued, add_years(first_issued, 6)
        elif held < 16:
            valid_from, valid_to = add_years(first_issued, 6), add_years(first_issued, 16)
        else:
            valid_from, valid_to = add_years(first_issued, 16), None
        if valid_to is not None and rng.random() < 0.07:  # not renewed in time: expired
            valid_to = self.today - dt.timedelta(days=rng.randint(1, 400))
            valid_from = max(first_issued, add_years(valid_to, -6))
            if valid_from >= valid_to:
                valid_from = valid_to - dt.timedelta(days=365)
        file_number = f"{holder.id_number[:4]}{next(self._file_serial):08d}"
        pk = next(self._licence_pk)
        return LicenceRecord(
            pk, holder.pk, holder.id_number, file_number, classes, first_issued, valid_from, valid_to
        )

    def _licence_classes(self, category: str) -> str:
        rng = self.rng
        if category.startswith("MOTO"):
            return rng.choice(("D", "E", "C1,D", "C1,E"))
        if category.startswith(("BUS", "COACH")) or category in ("TAXI_20_36", "TAXI_GE36"):
            return "A1"
        if category == "SPECIAL_4":
            return "A2"
        if category.startswith(("TRUCK", "FREIGHT", "SPECIAL")) and not category.endswith("LT2"):
            return "B2"
        return rng.choices(("C1", "C2", "C1,D", "B1"), weights=(80, 12, 5, 3))[0]

    # --- vehicles -------------------------------------------------------------------------

    def _energy(self, profile: CategoryProfile) -> str:
        draw = self.rng.random()
        if draw < profile.electric_share:
            return EnergyType.FUEL_CELL if self.rng.random() < 0.03 else EnergyType.ELECTRIC
        if draw < profile.electric_share + profile.hybrid_share:
            return EnergyType.HYBRID
        return EnergyType.FUEL

    def _vehicle(
        self,
        branch: DemoBranch,
        category: str,
        profile: CategoryProfile,
        energy: str,
        registration: dt.date,
        owner: PersonRecord,
    ) -> VehicleRecord:
        rng = self.rng
        electric = energy in (EnergyType.ELECTRIC, EnergyType.FUEL_CELL)
        car = category in ("FAMILY_LT6", "ENTERPRISE_LT6", "GOVT_LT6", "TAXI_LT6")
        models = EVS if electric and car else profile.models
        seats = rng.randint(*profile.seats) if profile.seats else None
        payload = (
            rng.randrange(profile.payload_kg[0], profile.payload_kg[1] + 1, 5) if profile.payload_kg else None
        )
        displacement = None if electric else profile.displacements[rng.randrange(len(profile.displacements))]
        large = not car and not category.startswith(("MOTO", "FAMILY"))
        plate = self._plate(branch, energy, large)
        vin = self._vin(registration.year, imported=car and rng.random() < 0.08)
        if electric:
            engine = f"TZ{rng.randint(180, 240)}X{rng.choice('SY')}{rng.randrange(10**6):06d}"
        else:
            engine = "".join(rng.choices(string.ascii_uppercase, k=2)) + f"{rng.randrange(10**7):07d}"
        return VehicleRecord(
            next(self._vehicle_pk), plate, vin, engine, profile.vehicle_type,
            models[rng.randrange(len(models))], category, seats, payload, displacement, energy,
            registration, owner.pk, owner.created_at,
        )  # fmt: skip

    def _plate(self, branch: DemoBranch, energy: str, large: bool) -> str:
        rng = self.rng
        prefix = branch.plate_prefixes[rng.randrange(len(branch.plate_prefixes))]
        while True:
            if energy == EnergyType.FUEL:
                serial = [rng.choice("0123456789") for _ in range(5)]
                for _ in range(rng.choices((0, 1, 2), weights=(45, 40, 15))[0]):
                    serial[rng.randrange(5)] = rng.choice(PLATE_LETTERS)
                plate = prefix + "".join(serial)
            else:
                electric = energy == EnergyType.ELECTRIC  # D… pure electric, F… any other (GA 36)
                if large:  # large new-energy plates put the energy letter last
                    plate = f"{prefix}{rng.randrange(10**5):05d}{'D' if electric else 'F'}"
                else:
                    letter = rng.choice("DABCE") if electric else rng.choice("FGHJK")
                    plate = f"{prefix}{letter}{rng.choice(SERIAL_CHARS)}{rng.randrange(10**4):04d}"
            if plate not in self._plates:
                self._plates.add(plate)
                return plate

    def _vin(self, year: int, *, imported: bool) -> str:
        rng = self.rng
        wmis = WMIS_IMPORTED if imported else WMIS_CHINA
        year_code = MODEL_YEAR_CODES[(year - 2010) % 30] if year >= 2010 else str(year - 2000)
        while True:
            body = (
                wmis[rng.randrange(len(wmis))]
                + "".join(rng.choices(VIN_CHARS, k=5))
                + "0"
                + year_code
                + rng.choice(VIN_CHARS)
                + f"{rng.randrange(10**6):06d}"
            )
            vin = body[:8] + vin_check_char(body) + body[9:]
            if vin not in self._vins:
                self._vins.add(vin)
                return vin

    def _registration_date(self, first_start: dt.date, new_car: bool) -> dt.date:
        if new_car:  # bought new: insured first, registered within days (条例 requires cover first)
            return min(first_start + dt.timedelta(days=self.rng.randint(0, 5)), self.today)
        earlier = first_start - dt.timedelta(days=self.rng.randint(30, 12 * 365))
        return max(earlier, dt.date(2006, 1, 1))

    # --- policies -------------------------------------------------------------------------

    def _starts(self, status: RenewalStatus, years: int) -> list[dt.date]:
        """Start dates of the vehicle's policies, oldest first, laid out back from today."""
        rng, today = self.rng, self.today
        match status:
            case RenewalStatus.IN_FORCE:
                last = today - dt.timedelta(days=rng.randint(0, 273))
            case RenewalStatus.DUE:
                last = today - dt.timedelta(days=rng.randint(276, 364))
            case RenewalStatus.RENEWED:
                last = today + dt.timedelta(days=rng.randint(1, 60))
            case RenewalStatus.LAPSED:
                last = today - dt.timedelta(days=rng.randint(367, 1000))
            case _:
                last = today - dt.timedelta(days=rng.randint(40, 700))
        starts = [last]
        for _ in range(years - 1):
            previous = year_before(starts[-1])
            if rng.random() < 0.06:  # a lapse between two policy years
                previous -= dt.timedelta(days=rng.randint(15, 240))
            starts.append(previous)
        starts.reverse()
        return starts

    def _policies(
        self,
        branch: DemoBranch,
        vehicle: VehicleRecord,
        starts: list[dt.date],
        status: RenewalStatus,
        new_car: bool,
        claim_factor: float,
    ) -> list[PolicyRecord]:
        rng, today = self.rng, self.today
        policies: list[PolicyRecord] = []
        history: list[PolicyYear] = []  # most recent first
        for index, start in enumerate(starts):
            end = one_year_end(start)
            last = index == len(starts) - 1
            plan, region = self._plan(branch, start)
            q = quote(
                self.book, category=vehicle.premium_category, plan=plan, region=region, history=history,
                start=start, end=end, tax_province=branch.province, energy=vehicle.energy_type,
                displacement=vehicle.displacement_l, registration_date=vehicle.registration_date,
            )  # fmt: skip
            cancelled_on = None
            if last and status == RenewalStatus.CANCELLED:
                latest = min(end, today)
                cancelled_on = start + dt.timedelta(
                    days=rng.randint(min(10, (latest - start).days), (latest - start).days)
                )
            covered_until = cancelled_on or end
            at_fault, fatal = self._claims(start, covered_until, claim_factor)
            channel = (
                SalesChannel.DEALER if index == 0 and new_car and rng.random() < 0.6 else self._channel()
            )
            issued_at = self._issued_at(start, first=index == 0 and new_car)
            policy = PolicyRecord(
                pk=next(self._policy_pk), number=self._policy_number(start), vehicle_pk=vehicle.pk,
                holder_pk=vehicle.owner_pk, branch_pk=self.branch_pks[branch.code], channel=channel,
                start_date=start, end_date=covered_until, base_premium=q.base_premium,
                floating_plan=q.floating_plan, floating_reason=q.floating_reason,
                floating_rate=q.floating_rate, premium=q.premium, vehicle_tax=q.vehicle_tax,
                total=q.total, at_fault_claims=at_fault, fatal_claims=fatal,
                status=PolicyStatus.CANCELLED if cancelled_on else PolicyStatus.IN_FORCE,
                cancelled_on=cancelled_on,
                cancel_reason=self._cancel_reason() if cancelled_on else "",
                refund=cancellation_refund(q.premium, start=start, end=end, cancelled_on=cancelled_on)
                if cancelled_on else None,
                renewed_from_pk=policies[-1].pk if policies else None, issued_at=issued_at,
            )  # fmt: skip
            policies.append(policy)
            history.insert(0, PolicyYear(at_fault=at_fault, fatal=fatal))
        return policies

    def _plan(self, branch: DemoBranch, start: dt.date) -> tuple[str, str]:
        key = (branch.code, start)
        if key not in self._plans:
            self._plans[key] = self.book.plan_for(province=branch.province, city=branch.city, day=start)
        return self._plans[key]

    def _claims(self, start: dt.date, end: dt.date, factor: float) -> tuple[int, int]:
        """At-fault accidents of one policy year (so far, for the year now running)."""
        if start > self.today:
            return 0, 0
        elapsed = min((self.today - start).days + 1, (end - start).days + 1) / 365
        draw = self.rng.random() / (factor * elapsed)
        at_fault = 0 if draw >= 0.14 else 1 if draw >= 0.035 else 2 if draw >= 0.008 else 3
        fatal = 1 if at_fault and self.rng.random() < 0.04 else 0
        return at_fault, fatal

    def _policy_number(self, start: dt.date) -> str:
        counter = self._policy_serials.setdefault(start.year, itertools.count(1))
        return f"JQXD{start.year}{next(counter):09d}"

    def _issued_at(self, start: dt.date, *, first: bool = False) -> dt.datetime:
        rng = self.rng
        day = start if first else start - dt.timedelta(days=rng.randint(0, 25))
        day = min(day, self.today - dt.timedelta(days=1))
        return dt.datetime(
            day.year, day.month, day.day, rng.randint(8, 19), rng.randrange(60), tzinfo=SHANGHAI
        )

    def _cancel_reason(self) -> str:
        return self.rng.choices(
            (CancelReason.DEREGISTERED, CancelReason.LAID_UP, CancelReason.LOST), weights=(70, 25, 5)
        )[0]


@dataclass
class Tally:
    """What a run made, for the summary."""

    persons: int = 0
    licences: int = 0
    vehicles: int = 0
    policies: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)

    def count(self, history: VehicleHistory) -> None:
        self.persons += history.new_owner
        self.licences += len(history.licences)
        self.vehicles += 1
        self.policies += len(history.policies)
        self.statuses[history.status] = self.statuses.get(history.status, 0) + 1
        self.categories.add(history.vehicle.premium_category)
