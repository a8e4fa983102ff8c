"""`support.demo.seed` makes realistic tickets over the demo customers, in bulk."""

import datetime as dt
import io
import random

import pytest
from django.db.models import Count
from django.utils import timezone

from support import demo
from support.choices import EventKind, Status
from support.models import Queue, Survey, Ticket, TicketEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(branch, other_branch, hotline_agent, counter_clerk, other_branch_clerk, supervisor):
    for i in range(30):
        owner = factories.PersonFactory()
        factories.PolicyFactory(
            vehicle=factories.VehicleFactory(owner=owner), branch=branch if i % 2 else other_branch,
            start_date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )  # fmt: skip


def test_seed_makes_consistent_tickets_with_histories(demo_world, supervisor):
    out = io.StringIO()
    counts = demo.seed(rng=random.Random(1), today=timezone.localdate(), stdout=out, scale=0.3)
    assert counts["tickets"] == 60 == Ticket.objects.count()
    assert "客服工单 60 张" in out.getvalue()
    # Every branch has its queue, and a supervisor to escalate to.
    assert Queue.objects.filter(branch__isnull=False, category="").count() == 2
    assert not Queue.objects.filter(supervisor__isnull=True).exists()
    # Each ticket starts with its creation, and every status came from the workflow.
    firsts = TicketEvent.objects.filter(kind=EventKind.CREATED).values("ticket").annotate(n=Count("id"))
    assert {row["n"] for row in firsts} == {1} and len(firsts) == 60
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses & {Status.OPEN, Status.WAITING} and statuses & {Status.RESOLVED, Status.CLOSED}
    for ticket in Ticket.objects.exclude(status__in=[Status.RESOLVED, Status.CLOSED, Status.WAITING]):
        assert ticket.sla_due is not None
    resolved = Ticket.objects.filter(resolved_at__isnull=False)
    assert Survey.objects.filter(ticket__in=resolved).count() == resolved.count()
    assert TicketEvent.objects.filter(kind=EventKind.PUBLIC_REPLY, message__isnull=False).exists()


def test_seed_writes_in_bulk(demo_world, django_assert_max_num_queries):
    demo.seed(rng=random.Random(2), today=timezone.localdate(), stdout=io.StringIO(), scale=0.05)
    # Ticket numbers are reserved with one statement per day (at most 61), the rest in a few.
    with django_assert_max_num_queries(61 + 40):
        demo.seed(rng=random.Random(3), today=timezone.localdate(), stdout=io.StringIO(), scale=0.5)
