"""The claim queue at scale: each page is read in the order of an index — the next deadline
(none last) then the id, or the report time then the id — starting at the cursor inside the
index: no Sort of every claim and no OFFSET, whatever the page (204 ms at page 50 by OFFSET on
the 1,000,000-policy demo before). Sequential scans and sorts are disabled for the EXPLAIN, so
a Sort node left in a plan means no index gives the order."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim
from tests import factories
from tests.claims.conftest import NOW
from tests.sql import statement

pytestmark = pytest.mark.django_db

QUEUE = reverse("claims:queue")


def rows_plan(queries) -> tuple[str, str]:
    [sql] = [
        statement(q["sql"])
        for q in queries
        if q["sql"].startswith("SELECT")
        and 'FROM "claims_claim"' in q["sql"]
        and q["sql"].endswith("LIMIT 26")
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    return sql, plan


@pytest.fixture
def queue(policy, hotline_agent):
    return [factories.make_claim(policy, by=hotline_agent, now=NOW - dt.timedelta(hours=n)) for n in range(8)]


@pytest.mark.parametrize("sort", ["", "-next_due_at", "reported_at", "-reported_at"])
@pytest.mark.parametrize("deep", [False, True], ids=["first page", "deep page"])
@pytest.mark.parametrize("user", ["claims_adjuster", "supervisor"])
def test_each_queue_page_is_read_in_index_order_from_its_cursor(client, queue, request, user, sort, deep):
    client.force_login(request.getfixturevalue(user))
    params = {"sort": sort} if sort else {}
    if deep:
        claim = Claim.objects.for_queue().get(pk=queue[3].pk)
        key = claim.reported_at if "reported_at" in sort else claim.due
        params["after"] = f"{key.isoformat()}~{claim.pk}"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE, params).status_code == 200
    sql, plan = rows_plan(queries)
    assert " OFFSET " not in sql
    assert "Sort" not in plan, f"{sql}\n{plan}"
    index = "claim_reported_id_idx" if "reported_at" in sort else "claim_queue_due_idx"
    assert index in plan, plan
    if deep:
        assert re.search(r"Index Cond: \(ROW\(", plan), plan
