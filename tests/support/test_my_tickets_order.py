"""我的工单: what needs action first — the deadline breaching soonest (already breached first),
tickets whose clock stands still (waiting on the customer, resolved) last, as its caption says."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from support import services
from support.choices import Status
from tests import factories

pytestmark = pytest.mark.django_db


def _ticket(agent, customer, subject, *, hours_ago, priority="normal"):
    return factories.TicketFactory(
        subject=subject, customer=customer, assignee=agent, priority=priority,
        at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=hours_ago),
    )  # fmt: skip


def test_my_tickets_put_what_breaches_soonest_first_and_paused_ones_last(
    agent_client, hotline_agent, customer
):
    resolved = _ticket(hotline_agent, customer, "已解决的", hours_ago=1)
    services.ticket_transition(ticket=resolved, to=Status.RESOLVED, by=hotline_agent)
    waiting = _ticket(hotline_agent, customer, "等客户的", hours_ago=2)
    services.ticket_transition(ticket=waiting, to=Status.WAITING, by=hotline_agent)
    fresh = _ticket(hotline_agent, customer, "刚来的", hours_ago=0)
    older = _ticket(hotline_agent, customer, "快到期的", hours_ago=20)
    breached = _ticket(hotline_agent, customer, "已超时的", hours_ago=24 * 10)

    page = agent_client.get(reverse("support:mine")).content.decode()

    order = re.findall(
        r"(已解决的|等客户的|刚来的|快到期的|已超时的)", page.split('data-testid="my-tickets"')[1]
    )
    assert order == ["已超时的", "快到期的", "刚来的", "等客户的", "已解决的"]
    assert {breached.pk, older.pk, fresh.pk}  # all assigned to the agent

    # Sorted by the 时限 header the other way: latest deadline first, paused ones still last.
    page = agent_client.get(reverse("support:mine"), {"mine-sort": "-sla"}).content.decode()
    order = re.findall(
        r"(已解决的|等客户的|刚来的|快到期的|已超时的)", page.split('data-testid="my-tickets"')[1]
    )
    assert order == ["刚来的", "快到期的", "已超时的", "等客户的", "已解决的"]
