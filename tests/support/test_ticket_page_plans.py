"""The ticket page at scale: a customer's policies and claims are read by the ids of their few
vehicles, on the (vehicle, date) indexes — never by walking a date index over every policy or
claim until the customer's turn up (6 s at 1,000,000 policies before; under 1 ms now)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

POLICY_OR_CLAIM = re.compile(r'FROM "(policies_policy|claims_claim)"')


def test_the_ticket_page_reads_policies_and_claims_by_the_customers_vehicle_ids(
    agent_client, ticket, customer, policy, hotline_agent
):
    factories.PolicyFactory(vehicle=factories.VehicleFactory(owner=customer))  # a second car
    for _ in range(3):  # other customers' business, newer than this customer's
        factories.PolicyFactory()
    with CaptureQueriesContext(connection) as captured:
        assert agent_client.get(reverse("support:ticket", args=[ticket.pk])).status_code == 200
    reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT") and POLICY_OR_CLAIM.search(q["sql"])]
    ordered = [sql for sql in reads if '"vehicle_id" IN (' in sql]
    assert len(ordered) == 2, reads  # the customer's policies, and their claims
    for sql in ordered:
        # by a list of ids (a literal), not by a subquery the planner may turn inside out
        assert re.search(r'"vehicle_id" IN \([0-9]+(, [0-9]+)+\)', sql), sql
        assert "SELECT" not in sql.split(" WHERE ", 1)[1], sql
        # no date order and no LIMIT: there is nothing a date index could serve by walking it
        assert re.search(r'ORDER BY "(policies_policy|claims_claim)"\."vehicle_id" ASC', sql), sql
        assert " LIMIT " not in sql, sql
    [policies_sql] = [sql for sql in ordered if 'FROM "policies_policy"' in sql]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE policies_policy")  # plan on this data, not stale counts
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {policies_sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
    # served by the (vehicle, start date) index, never by walking the start-date index
    assert re.search(r"Index Cond: \(vehicle_id = ", plan), plan
    assert "Backward" not in plan and "policy_start_id_idx" not in plan, plan
