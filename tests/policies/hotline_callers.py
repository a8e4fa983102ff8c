"""The customers who call the hotline in these tests."""

import datetime as dt
from decimal import Decimal

from core.clock import today
from policies.choices import CancelReason, PolicyStatus, PremiumCategory, SalesChannel
from tests.factories import (
    PersonFactory,
    PolicyFactory,
    VehicleFactory,
    make_id_number,
    make_vin,
    policy_chain,
)

DAY = dt.timedelta(days=1)
WANG_FANG_PHONE = "13912340001"
WANG_FANG_ID = make_id_number(90001, area="320104")


def make_wang_fang(branch, other_branch):
    """王芳: a car in every renewal status — due in 12 days (南京), in force, lapsed 40 days
    (issued in 海口), renewed, cancelled — and one never insured with us."""
    t = today()
    person = PersonFactory(
        name="王芳", phone=WANG_FANG_PHONE, id_number=WANG_FANG_ID, email="wangfang@example.cn"
    )
    due = VehicleFactory(owner=person, plate="苏A20001", vin=make_vin(90001))
    policy_chain(
        due, first_start=t + 12 * DAY - 3 * 365 * DAY, years=3, branch=branch, channel=SalesChannel.APP
    )
    in_force = VehicleFactory(owner=person, plate="苏A20002", vin=make_vin(90002))
    PolicyFactory(vehicle=in_force, branch=branch, start_date=t - 100 * DAY, channel=SalesChannel.COUNTER)
    lapsed = VehicleFactory(
        owner=person, plate="苏A20003", vin=make_vin(90003), premium_category=PremiumCategory.TRUCK_2_5
    )
    PolicyFactory(
        vehicle=lapsed, branch=other_branch, start_date=t - 405 * DAY, channel=SalesChannel.DEALER,
        floating_plan="A",
    )  # fmt: skip
    renewed = VehicleFactory(owner=person, plate="苏A20004", vin=make_vin(90004))
    policy_chain(renewed, first_start=t - 300 * DAY, years=2, branch=branch)
    cancelled = VehicleFactory(owner=person, plate="苏A20005", vin=make_vin(90005))
    PolicyFactory(
        vehicle=cancelled, branch=branch, start_date=t - 200 * DAY, end_date=t - 30 * DAY,
        status=PolicyStatus.CANCELLED, cancelled_on=t - 30 * DAY, cancel_reason=CancelReason.LAID_UP,
        refund=Decimal("300.00"),
    )  # fmt: skip
    VehicleFactory(owner=person, plate="苏A20006", vin=make_vin(90006))
    return person


def fleet_owner(*, vehicles: int, branch, phone: str, name: str = "赵强", years: int = 3):
    """A customer with many vehicles, each with `years` policies (for query counts)."""
    t = today()
    person = PersonFactory(name=name, phone=phone)
    for i in range(vehicles):
        car = VehicleFactory(owner=person)
        policy_chain(car, first_start=t - (365 * (years - 1) + 20 + i) * DAY, years=years, branch=branch)
    return person
