"""Short lists read in their parent's row (core.nested): the instances made back from the JSON
equal the rows read the usual way, to the fen and the microsecond, with their related rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import OuterRef

from core.nested import instances, nested_rows
from policies.models import Person, PremiumEntry
from support.models import Ticket
from tests.factories import PersonFactory, TicketFactory, VehicleFactory, policy_chain

pytestmark = pytest.mark.django_db

TICKET = ("id", "number", "subject", "status", "created_at", "vehicle__id", "vehicle__plate")


def test_nested_rows_come_back_as_the_rows_themselves_with_their_related_rows(branch):
    person = PersonFactory()
    car = VehicleFactory(owner=person, plate="苏A12345")
    with_car = TicketFactory(customer=person, vehicle=car, branch=branch)
    without = TicketFactory(customer=person, branch=branch, subject="咨询")
    tickets = Ticket.objects.filter(customer=OuterRef("pk")).order_by("-pk")

    row = Person.objects.annotate(ticket_rows=nested_rows(tickets, *TICKET)).get(pk=person.pk)
    made = instances(Ticket, row.ticket_rows)

    assert [t.pk for t in made] == [without.pk, with_car.pk]  # the list's own order
    assert made[1].created_at == with_car.created_at and made[1].created_at.tzinfo is not None
    assert made[1].vehicle.plate == "苏A12345" and made[1].vehicle_id == car.pk
    assert made[0].vehicle is None and made[0].get_status_display() == without.get_status_display()


def test_decimals_travel_exactly_and_an_empty_list_is_empty(branch, counter_clerk):
    person = PersonFactory()
    (policy,) = policy_chain(
        VehicleFactory(owner=person), first_start=dt.date(2026, 1, 1), years=1, branch=branch
    )
    entries = PremiumEntry.objects.filter(policy__policyholder=OuterRef("pk")).order_by("pk")
    at = dt.datetime(2026, 1, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    PremiumEntry.objects.create(
        policy=policy, kind="charge", amount=Decimal("98765432.19"), method="cash", at=at, by=counter_clerk
    )

    row = Person.objects.annotate(entries=nested_rows(entries, "id", "kind", "amount", "at")).get(
        pk=person.pk
    )
    (entry,) = instances(PremiumEntry, row.entries)
    assert entry.amount == Decimal("98765432.19") and entry.at == at and entry.get_kind_display() == "收费"

    nobody = PersonFactory()
    row = Person.objects.annotate(entries=nested_rows(entries, "id", "amount")).get(pk=nobody.pk)
    assert instances(PremiumEntry, row.entries) == []
