"""Writing the policies app's demo rows: branches, staff logins, then the generated records
in bulk (the whole demo, other apps included, is assembled by the `demo` app)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from tqdm import tqdm

from policies.choices import DrinkDrivingKind, PolicyStatus
from policies.importing.bulk import (
    LICENCE_FIELDS,
    PERSON_FIELDS,
    POLICY_FIELDS,
    VEHICLE_FIELDS,
    BulkInserter,
    analyze,
    indexes_built_after,
    release_ids,
    reserve_ids,
)
from policies.models import Branch, DrivingLicence, Person, Policy, ProvinceRule, User, Vehicle
from policies.roles import SUPERVISOR
from policies.tariffs import load_tariff_book

from .data import BRANCHES, DEMO_BRANCH_CODES, DEMO_PASSWORD, DEMO_RULE_SOURCE, STAFF
from .generate import DemoGenerator, FirstKeys, Tally

ANALYZE_FROM = 10_000  # policies; below this the statistics barely move
# From this many policies on, keys and indexes are built once after loading, not per row.
BUILD_INDEXES_AFTER_FROM = 50_000


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    branch: str


@dataclass(frozen=True)
class PoliciesSeeded:
    tally: Tally
    logins: tuple[DemoLogin, ...]


def demo_exists() -> bool:
    return Branch.objects.filter(code__in=DEMO_BRANCH_CODES).exists()


def demo_logins() -> tuple[DemoLogin, ...]:
    """The demo staff logins (all with the password `DEMO_PASSWORD`)."""
    branch_names = {b.code: b.name for b in BRANCHES}
    return tuple(
        DemoLogin(username, f"{surname}{given}", role, branch_names[code])
        for username, surname, given, role, code in STAFF
    )


def seed_policies(*, policies: int, seed: int, today: dt.date, progress: bool = True) -> PoliciesSeeded:
    """The policies app's demo rows: branches, staff logins, then the generated people,
    licences, vehicles and policies in bulk. Runs in the caller's transaction."""
    if policies < 1:
        raise ValidationError("演示保单数量至少为 1。")
    branches = _branches()
    logins = _staff(branches)
    tally = _records(policies=policies, seed=seed, today=today, branches=branches, progress=progress)
    _province_rules(today)
    _drink_driving_record(today)
    return PoliciesSeeded(tally=tally, logins=logins)


# The demo shows the province rules a branch meets (docs/regulation.md §2, §4): 海南 (clerk_hk)
# allows immediate cover, 北京 (clerk_bj) surcharges drink-driving. `demo_reset` removes them.
DEMO_RULES = {"海南": {"immediate_cover": True}, "北京": {"drink_driving_surcharge": "0.15"}}
DEMO_DRINK_DECISION = "京公交决字〔演示〕第0001号"


def _province_rules(today: dt.date) -> None:
    for province, values in DEMO_RULES.items():
        if ProvinceRule.objects.filter(province=province).exists():
            continue  # a rule the business set is never overridden by the demo
        ProvinceRule.objects.create(
            province=province, valid_from=dt.date(2020, 9, 19), source=DEMO_RULE_SOURCE, **values
        )


def _drink_driving_record(today: dt.date) -> None:
    """One 北京 car due for renewal with a drink-driving record in its policy year: its quote at
    the counter shows the surcharge."""
    from policies.services import drink_driving_record_add

    policy = (
        Policy.objects.filter(
            branch__code="DEMO-110100", status=PolicyStatus.IN_FORCE, start_date__lte=today - dt.timedelta(days=60),
            end_date__gte=today + dt.timedelta(days=10), end_date__lte=today + dt.timedelta(days=80),
        )
        .without_successor()
        .select_related("vehicle")
        .order_by("pk")
        .first()
    )  # fmt: skip
    if policy is None:
        return
    drink_driving_record_add(
        vehicle=policy.vehicle, offence_date=policy.start_date + dt.timedelta(days=30),
        kind=DrinkDrivingKind.DRINKING, decision_number=DEMO_DRINK_DECISION,
        by=User.objects.get(username="supervisor"),
    )  # fmt: skip


def _branches() -> dict[str, Branch]:
    return {
        b.code: Branch.objects.create(code=b.code, name=b.name, province=b.province, city=b.city)
        for b in BRANCHES
    }


def _staff(branches: dict[str, Branch]) -> tuple[DemoLogin, ...]:
    taken = User.objects.filter(username__in=[s[0] for s in STAFF]).values_list("username", flat=True)
    if taken:
        raise ValidationError(
            "用户名 %(names)s 已被非演示账号占用，无法创建演示登录。", params={"names": "、".join(taken)}
        )
    password = make_password(DEMO_PASSWORD)  # one hash for all: the password is shared and printed
    groups = {g.name: g for g in Group.objects.filter(name__in={s[3] for s in STAFF})}
    for username, surname, given, role, code in STAFF:
        user = User.objects.create(
            username=username, last_name=surname, first_name=given, password=password,
            branch=branches[code], is_staff=role == SUPERVISOR,
        )  # fmt: skip
        user.groups.add(groups[role])
    return demo_logins()


def _records(
    *, policies: int, seed: int, today: dt.date, branches: dict[str, Branch], progress: bool
) -> Tally:
    first = FirstKeys(
        person=reserve_ids(Person), licence=reserve_ids(DrivingLicence),
        vehicle=reserve_ids(Vehicle), policy=reserve_ids(Policy),
    )  # fmt: skip
    generator = DemoGenerator(
        seed=seed, today=today, book=load_tariff_book(),
        branch_pks={code: b.pk for code, b in branches.items()}, first=first,
    )  # fmt: skip
    tally = Tally()
    bar = tqdm(total=policies, desc="演示保单", unit="单", disable=not progress, mininterval=1)
    deferred = (Person, DrivingLicence, Vehicle, Policy) if policies >= BUILD_INDEXES_AFTER_FROM else ()
    with (
        indexes_built_after(*deferred),
        BulkInserter(Person, PERSON_FIELDS) as persons,
        BulkInserter(DrivingLicence, LICENCE_FIELDS) as licences,
        BulkInserter(Vehicle, VEHICLE_FIELDS) as vehicles,
        BulkInserter(Policy, POLICY_FIELDS) as policy_rows,
    ):
        for history in generator.histories(policies):
            if history.new_owner:
                o = history.owner
                persons.add(
                    (o.pk, o.name, o.id_number, o.phone, o.email, "", o.address, o.created_at, o.created_at)
                )
            for lic in history.licences:
                licences.add((lic.pk, lic.holder_pk, lic.number, lic.file_number, lic.classes,
                              lic.first_issued, lic.valid_from, lic.valid_to))  # fmt: skip
            v = history.vehicle
            vehicles.add((v.pk, v.plate, v.vin, v.engine_number, v.vehicle_type, v.brand_model,
                           v.premium_category, v.seats, v.payload_kg, v.displacement_l, v.energy_type,
                           v.registration_date, v.owner_pk, v.created_at))  # fmt: skip
            for p in history.policies:
                policy_rows.add((
                    p.pk, p.number, p.vehicle_pk, p.holder_pk, p.holder_pk, p.branch_pk, p.channel,
                    p.term_kind, p.start_date, p.end_date, p.base_premium, p.floating_plan,
                    p.floating_reason, p.floating_rate, p.premium, p.vehicle_tax, p.total,
                    p.at_fault_claims, p.fatal_claims, p.status, p.cancelled_on, p.cancel_reason,
                    p.refund, p.renewed_from_pk, None, p.issued_at, False,
                ))  # fmt: skip
            tally.count(history)
            bar.update(len(history.policies))
    bar.close()
    for model in (Person, DrivingLicence, Vehicle, Policy):
        release_ids(model)
    if policies >= ANALYZE_FROM:
        analyze(Person, DrivingLicence, Vehicle, Policy)
    return tally
