"""factory_boy factories: valid ID numbers, VINs and plates by construction."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from policies import models
from policies.choices import EnergyType, PremiumCategory, SalesChannel
from policies.identifiers import id_check_char, vin_check_char
from policies.renewal import one_year_end
from policies.roles import COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR

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


class CounterClerkFactory(UserFactory):
    role = COUNTER_CLERK


class HotlineAgentFactory(UserFactory):
    role = HOTLINE_AGENT


class SupervisorFactory(UserFactory):
    role = SUPERVISOR


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
    """An annual policy; pass `start_date` and the end follows (DOMAIN §4)."""

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
        model = models.OutboundMessage

    channel = "sms"
    recipient = factory.Sequence(lambda n: f"138{n:08d}")
    text = "【交强险服务】测试消息"
    purpose = "renewal_reminder"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    not_before = factory.LazyFunction(timezone.now)


class RenewalCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RenewalCall

    policy = factory.LazyFunction(lambda: policy_ending(dt.date(2026, 12, 2)))
    vehicle = factory.SelfAttribute("policy.vehicle")
    person = factory.SelfAttribute("policy.policyholder")
    phone = factory.SelfAttribute("policy.policyholder.phone")
    branch = factory.SelfAttribute("policy.branch")
    due_date = dt.date(2026, 11, 25)
    days_left = 7
