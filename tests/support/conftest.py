"""The support desk's cast: the customer Wang Fang with her car and policy, the Nanjing
branch queue, and the hotline centre's queues seeded by the migration."""

import datetime as dt

import pytest
from django.utils import timezone

from support.models import Queue
from tests import factories


@pytest.fixture
def customer(db):
    return factories.PersonFactory(name="王芳", phone="13912345678", email="wangfang@example.cn")


@pytest.fixture
def car(customer):
    return factories.VehicleFactory(owner=customer, plate="苏A12345")


@pytest.fixture
def policy(car, branch):
    return factories.PolicyFactory(vehicle=car, branch=branch, start_date=dt.date(2026, 3, 1))


@pytest.fixture
def branch_queue(branch):
    return factories.QueueFactory(name="南京中山路营业部 · 综合", branch=branch)


@pytest.fixture
def other_branch_queue(other_branch):
    return factories.QueueFactory(name="海口龙华营业部 · 综合", branch=other_branch)


@pytest.fixture
def hotline_queue(db):
    return Queue.objects.get(branch=None, category="")


@pytest.fixture
def ticket(customer, policy, branch_queue, hotline_agent):
    """An unassigned hotline ticket about Wang Fang's policy in the Nanjing queue."""
    return factories.TicketFactory(
        customer=customer, policy=policy, queue=branch_queue, created_by=hotline_agent
    )


@pytest.fixture
def hours_ago():
    def at(hours: float) -> dt.datetime:
        return timezone.now() - dt.timedelta(hours=hours)

    return at
