"""factory_boy factories: valid ID numbers, VINs and plates by construction."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from outbox import models as outbox_models
from policies import models
from policies.choices import EnergyType, PremiumCategory, SalesChannel
from policies.identifiers import id_check_char, vin_check_char
from policies.renewal import one_year_end
from policies.roles import CLAIMS_ADJUSTER, SUPERVISOR
from reminders import models as reminder_models

_serial = itertools.count(1)


def make_id_number(
    n: int | None = None, *, birth: dt.date = dt.date(1985, 6, 15), area: str = "320102"
) -> str:
    """A valid 18-character resident ID number (GB 11643), distinct for each `n`."""
    n = next(_serial) if n is None else n
    # Vary the birth date as well as the sequence so there are plenty of distinct numbers.
    birth = birth + dt.timedelta(days=n // 1000)
    first17 = f"{area}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def make_vin(n: int | None = None, *, wmi: str = "LSV") -> str:
    """A valid China-made VIN (WMI starting with L) with its check digit, distinct for each `n`."""
    n = next(_serial) if n is None else n
    body = f"{wmi}AB2C0RA{n:07d}"  # position 9 holds the check digit, computed below
    return body[:8] + vin_check_char(body) + body[9:]


def make_plate(n: int | None = None, *, prefix: str = "苏A") -> str:
    n = next(_serial) if n is None else n
    return f"{prefix}{n % 100000:05d}"


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"32010{n:03d}")
    name = factory.Sequence(lambda n: f"南京第{n}营业部")
    province = "江苏"
    city = "南京"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    last_name = "王"
    first_name = factory.Sequence(lambda n: f"员工{n}")
    branch = factory.SubFactory(BranchFactory)
    password = factory.django.Password("portal-pass-2026")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.save()
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == SUPERVISOR:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    name = factory.Sequence(
        lambda n: f"张{'伟芳娜敏静丽强磊军洋'[n % 10]}{'一二三四五六七八九十'[n // 10 % 10]}"
    )
    id_number = factory.Sequence(lambda n: make_id_number(n + 1000))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    address = "江苏省南京市玄武区中山路 1 号"


class DrivingLicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DrivingLicence

    holder = factory.SubFactory(PersonFactory)
    number = factory.SelfAttribute("holder.id_number")
    file_number = factory.Sequence(lambda n: f"{320100000000 + n}")
    classes = "C1"
    first_issued = dt.date(2010, 5, 1)
    valid_from = dt.date(2022, 5, 1)
    valid_to = dt.date(2032, 5, 1)


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Vehicle

    plate = factory.Sequence(lambda n: make_plate(n + 1000))
    vin = factory.Sequence(lambda n: make_vin(n + 1000))
    engine_number = factory.Sequence(lambda n: f"E{n:08d}")
    vehicle_type = "小型普通客车"
    brand_model = "大众牌 SVW7155"
    premium_category = PremiumCategory.FAMILY_LT6
    seats = 5
    displacement_l = Decimal("1.50")
    energy_type = EnergyType.FUEL
    registration_date = dt.date(2018, 4, 10)
    owner = factory.SubFactory(PersonFactory)


class PolicyFactory(factory.django.DjangoModelFactory):
    """An annual policy; pass `start_date` and the end follows (docs/regulation.md §4)."""

    class Meta:
        model = models.Policy

    number = factory.Sequence(lambda n: f"JQXT{n:012d}")
    vehicle = factory.SubFactory(VehicleFactory)
    policyholder = factory.SelfAttribute("vehicle.owner")
    insured = factory.SelfAttribute("vehicle.owner")
    branch = factory.SubFactory(BranchFactory)
    channel = SalesChannel.COUNTER
    start_date = dt.date(2026, 3, 1)
    end_date = factory.LazyAttribute(lambda p: one_year_end(p.start_date))
    base_premium = Decimal("950.00")
    floating_plan = "E"
    floating_reason = "A0"
    floating_rate = Decimal("0.00")
    premium = Decimal("950.00")
    vehicle_tax = Decimal("300.00")
    total = factory.LazyAttribute(lambda p: p.premium + p.vehicle_tax)


# --- Counter desk: renewal chains --------------------------------------------------------------


def policy_chain(
    vehicle: models.Vehicle,
    *,
    first_start: dt.date,
    years: int,
    branch: models.Branch,
    claims: dict[int, tuple[int, int]] | None = None,
    gaps: dict[int, int] | None = None,
    **kwargs,
) -> list[models.Policy]:
    """`years` annual policies of `vehicle`, each renewed from the one before.

    `claims` maps a year's index to its (at-fault, fatal) accidents; `gaps` maps an index
    to the days without cover before that year (a lapse)."""
    claims, gaps = claims or {}, gaps or {}
    policies: list[models.Policy] = []
    start = first_start
    for i in range(years):
        start += dt.timedelta(days=gaps.get(i, 0))
        at_fault, fatal = claims.get(i, (0, 0))
        policies.append(
            PolicyFactory(
                vehicle=vehicle,
                branch=branch,
                start_date=start,
                at_fault_claims=at_fault,
                fatal_claims=fatal,
                renewed_from=policies[-1] if policies else None,
                **kwargs,
            )
        )
        start = one_year_end(start) + dt.timedelta(days=1)
    return policies


def person_with_fleet(
    *, vehicles: int, years: int, branch: models.Branch, today: dt.date, licences: int = 2
) -> models.Person:
    """A person owning `vehicles` vehicles, each with `years` consecutive policies, the last
    of them ending within the renewal window, and `licences` driving licences."""
    person = PersonFactory()
    for i in range(licences):
        DrivingLicenceFactory(
            holder=person, classes="C1" if i == 0 else "A2,D", valid_from=dt.date(2016 + i, 3, 1)
        )
    for i in range(vehicles):
        vehicle = VehicleFactory(owner=person)
        last_start = today - dt.timedelta(days=300 + i)
        first = dt.date(last_start.year - (years - 1), last_start.month, min(last_start.day, 28))
        policy_chain(vehicle, first_start=first, years=years, branch=branch, claims={years - 2: (1, 0)})
    return person


# --- support ---------------------------------------------------------------------------


class QueueFactory(factory.django.DjangoModelFactory):
    """A branch queue of every category unless told otherwise."""

    class Meta:
        model = "support.Queue"

    name = factory.Sequence(lambda n: f"队列{n}")
    branch = factory.SubFactory(BranchFactory)
    category = ""


class TicketFactory(factory.Factory):
    """A ticket opened through `support.services.ticket_create`, as every channel does."""

    class Meta:
        model = "support.Ticket"

    subject = "续保后保费上涨了"
    channel = "hotline"
    category = "premium"
    priority = "normal"
    description = "客户询问续保保费为什么比去年高。"

    @classmethod
    def _create(cls, model_class, **kwargs):
        from support.services import ticket_create

        return ticket_create(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise TypeError("TicketFactory only creates tickets through the service.")


# --- Claims ----------------------------------------------------------------------------------


class ClaimsAdjusterFactory(UserFactory):
    """理赔人员 (the role is a post-generation hook, so its default is set here)."""

    @classmethod
    def _generate(cls, strategy, params):
        params.setdefault("role", CLAIMS_ADJUSTER)
        return super()._generate(strategy, params)


def third_party_person(
    n: int = 1, *, medical="3000.00", death_disability="0", outcome="injured", **kwargs
) -> dict:
    """A third party injured in the accident, as a reporter describes them."""
    return {
        "kind": "person",
        "name": f"李{'明华强芳'[n % 4]}",
        "id_number": make_id_number(5000 + n, area="320104"),
        "outcome": outcome,
        "medical": medical,
        "death_disability": death_disability,
        **kwargs,
    }


def third_party_vehicle(n: int = 1, *, property="1500.00", **kwargs) -> dict:
    return {"kind": "vehicle", "plate": make_plate(7000 + n, prefix="苏B"), "property": property, **kwargs}


def make_claim(policy, *, accident_at=None, now=None, parties=None, at_fault=True, by=None, **kwargs):
    """A claim reported through the real service (the way every claim begins)."""
    from django.utils import timezone

    from claims.services import claim_report

    now = now or timezone.now()
    return claim_report(
        vehicle=policy.vehicle.plate,
        accident_at=accident_at or now - dt.timedelta(hours=3),
        place=kwargs.pop("place", "南京市玄武区中山路与北京东路交叉口"),
        description=kwargs.pop("description", "追尾前车，前车受损，前车驾驶人受伤送医。"),
        at_fault=at_fault,
        parties=parties if parties is not None else [third_party_person(), third_party_vehicle()],
        channel=kwargs.pop("channel", "hotline"),
        reported_by=by,
        now=now,
        **kwargs,
    )


# --- Renewal reminders -------------------------------------------------------------------


class CustomerFactory(PersonFactory):
    """A person reachable through every reminder channel."""

    email = factory.Sequence(lambda n: f"customer{n}@example.cn")
    app_account = factory.Sequence(lambda n: f"app{n:06d}")


def policy_ending(end: dt.date, **kwargs) -> models.Policy:
    """An annual policy whose cover ends on `end` (it started the day after `end` a year earlier)."""
    start = end + dt.timedelta(days=1)
    try:
        start = start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        start = start.replace(year=start.year - 1, day=28) + dt.timedelta(days=1)
    if "vehicle" not in kwargs:
        kwargs["vehicle"] = VehicleFactory(owner=kwargs.pop("owner", None) or CustomerFactory())
    return PolicyFactory(start_date=start, end_date=end, **kwargs)


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = outbox_models.OutboundMessage

    channel = "sms"
    recipient = factory.Sequence(lambda n: f"138{n:08d}")
    text = "【交强险服务】测试消息"
    purpose = "renewal_reminder"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    not_before = factory.LazyFunction(timezone.now)
    # As the reminder planner flags them: reminder SMS and pushes wait out the quiet hours.
    quiet_hours = factory.LazyAttribute(
        lambda m: m.purpose == "renewal_reminder" and m.channel in ("sms", "push")
    )


class RenewalCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = reminder_models.RenewalCall

    policy = factory.LazyFunction(lambda: policy_ending(dt.date(2026, 12, 2)))
    vehicle = factory.SelfAttribute("policy.vehicle")
    person = factory.SelfAttribute("policy.policyholder")
    phone = factory.SelfAttribute("policy.policyholder.phone")
    branch = factory.SelfAttribute("policy.branch")
    due_date = dt.date(2026, 11, 25)
    days_left = 7
