"""Admin: tickets are found by subject words and by customer, not only by number — through
indexes; the outbox shows what each message is for in words, not codes."""

import re

import pytest
from django.db import connection

from outbox import purposes
from support import selectors
from support.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/support/ticket/"


@pytest.fixture
def tickets(db):
    wang = factories.PersonFactory(name="王晓燕", phone="13912345678")
    li = factories.PersonFactory(name="李建平")
    return {
        "claim": factories.TicketFactory(subject="理赔进度查询", category="claim", customer=li),
        "premium": factories.TicketFactory(subject="续保保费比去年高", customer=wang),
        "other": factories.TicketFactory(subject="电子保单下载", category="other"),
    }


def found(client, q) -> set[str]:
    page = client.get(CHANGELIST, {"q": q}).content.decode()
    return set(re.findall(r"T\d{13}", page))


def test_admin_finds_tickets_by_subject_customer_phone_and_number(supervisor_client, tickets):
    number = {k: t.number for k, t in tickets.items()}
    assert found(supervisor_client, "理赔") == {number["claim"]}
    assert found(supervisor_client, "保费") == {number["premium"]}
    assert found(supervisor_client, "王晓") == {number["premium"]}  # the customer's name, from its start
    assert found(supervisor_client, "13912345678") == {number["premium"]}
    assert found(supervisor_client, number["other"].lower()) == {number["other"]}
    assert found(supervisor_client, "没有这个词") == set()


def test_the_subject_search_reads_the_bigram_index(tickets):
    sql, params = selectors.tickets_matching(Ticket.objects.all(), "理赔").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "ticket_subject_bigram_idx" in plan, plan
    assert "Seq Scan on support_ticket" not in plan, plan


def test_the_outbox_admin_shows_purposes_as_labels(supervisor_client):
    factories.OutboundMessageFactory(purpose="ticket_survey")
    factories.OutboundMessageFactory(purpose="claim_paid")
    page = supervisor_client.get("/admin/outbox/outboundmessage/").content.decode()
    assert "满意度调查" in page and "理赔支付通知" in page
    assert ">ticket_survey<" not in page and ">claim_paid<" not in page
    assert purposes.label("renewal_reminder") == "续保提醒"
