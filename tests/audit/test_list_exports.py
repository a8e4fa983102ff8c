"""Each supervisor's list exports what its page lists, masked: the claim queue, the ticket
queue, a branch's renewal calls and the failed reminder messages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import exports
from core.exports import read_csv
from core.models import ExportLog
from outbox.models import MessageStatus
from support.models import Queue
from tests import factories

pytestmark = pytest.mark.django_db


def exported(client, url: str, **params) -> list[list[str]]:
    response = client.get(url, {"export": "csv", **params})
    assert response.status_code == 200, response.status_code
    return read_csv(b"".join(response.streaming_content))


def test_the_claim_queue_exports_its_open_claims_masked(supervisor_client, branch, hotline_agent):
    policy = factories.PolicyFactory(branch=branch, start_date=timezone.localdate() - dt.timedelta(days=30))
    claim = factories.make_claim(policy, by=hotline_agent)
    rows = exported(supervisor_client, reverse("claims:export"))
    assert rows[0][:2] == ["赔案号", "状态"]
    assert [r[0] for r in rows[1:]] == [claim.number]
    assert policy.vehicle.plate not in rows[1] and policy.insured.name not in rows[1]
    assert rows[1][2].startswith(policy.vehicle.plate[:2]) and "*" in rows[1][2]
    assert exported(supervisor_client, reverse("claims:export"), state="closed") == [rows[0]]
    assert list(ExportLog.objects.order_by("pk").values_list("list_name", "row_count", "filters")) == [
        ("claims_queue", 1, {}),
        ("claims_queue", 0, {"state": "closed"}),
    ]


def test_the_ticket_queue_exports_what_the_user_may_see(client, branch, other_branch, hotline_agent):
    customer = factories.PersonFactory(name="王芳", phone="13912345678")
    ours = factories.QueueFactory(branch=branch)
    theirs = factories.QueueFactory(branch=other_branch)
    ticket = factories.TicketFactory(customer=customer, queue=ours, created_by=hotline_agent)
    factories.TicketFactory(customer=customer, queue=theirs, created_by=hotline_agent)
    boss = factories.UserFactory(branch=branch, role="主管")
    client.force_login(boss)
    rows = exported(client, reverse("support:queue_export"))
    numbers = [r[0] for r in rows[1:]]
    assert ticket.number in numbers
    text = "\n".join(",".join(r) for r in rows)
    assert "13912345678" not in text and "王芳" not in text and "王*" in text


def test_a_branchs_renewal_calls_export(supervisor_client, branch, hotline_agent):
    call = factories.RenewalCallFactory(
        policy=factories.policy_ending(timezone.localdate() + dt.timedelta(days=7), branch=branch),
        assigned_to=hotline_agent,
    )
    rows = exported(supervisor_client, reverse("hotline:team_export"), branch=branch.pk)
    assert len(rows) == 2
    assert rows[1][0] == str(hotline_agent) and rows[1][7] == call.policy.number
    assert call.phone not in rows[1]


def test_the_failed_reminder_messages_export(supervisor_client):
    factories.OutboundMessageFactory(
        status=MessageStatus.FAILED, recipient="13800001111", last_error="号码无效"
    )
    factories.OutboundMessageFactory(status=MessageStatus.SENT)
    rows = exported(supervisor_client, reverse("reminders:failed_export"))
    assert len(rows) == 2
    assert rows[1][4] == "138****1111" and rows[1][6] == "号码无效"


@pytest.mark.parametrize(
    "url", ["claims:export", "support:queue_export", "hotline:team_export", "reminders:failed_export"]
)
def test_a_clerk_cannot_export_any_list(clerk_client, url):
    assert clerk_client.get(reverse(url), {"export": "csv"}).status_code == 403
    assert not ExportLog.objects.exists()


# --- Chunks and queries -----------------------------------------------------------------------


def _views(user, n: int) -> None:
    """`n` full views of one customer by `user`, a second apart, the newest now."""
    person = factories.PersonFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO policies_personaccesslog (user_id, person_id, page, path, accessed_at, other_branch) "
            "SELECT %s, %s, 'counter', '/counter/', now() - g * interval '1 second', false "
            "FROM generate_series(0, %s - 1) g",
            [user.pk, person.pk, n],
        )


def test_a_long_export_is_read_in_keyset_chunks_in_the_lists_order(
    supervisor_client, counter_clerk, monkeypatch
):
    monkeypatch.setattr(exports, "CHUNK_ROWS", 500)
    _views(counter_clerk, 2300)
    with CaptureQueriesContext(connection) as captured:
        rows = exported(supervisor_client, reverse("access_log_export"), staff=counter_clerk.username)
    assert len(rows) == 1 + 2300
    times = [r[0] for r in rows[1:]]
    assert times == sorted(times, reverse=True)  # newest first, as the page lists them
    reads = [
        q["sql"] for q in captured.captured_queries
        if 'FROM "policies_personaccesslog"' in q["sql"] and "LIMIT 500" in q["sql"]
    ]  # fmt: skip
    assert len(reads) == 5  # 2,300 rows: 4 full chunks and one of 300
    # each chunk after the first starts after the last row of the one before (a row comparison)
    assert all("ROW(" in sql for sql in reads[1:]) and "ROW(" not in reads[0]
    assert ExportLog.objects.get().row_count == 2300


def test_an_order_no_index_gives_is_kept_chunk_by_chunk(client, branch, hotline_agent, monkeypatch):
    """The ticket queue's urgency order (the SLA deadline, NULLs last, then a CASE): the ids in
    that order first, then the rows by chunks of ids."""
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    queue = factories.QueueFactory(branch=branch)
    for _ in range(5):
        factories.TicketFactory(queue=queue, created_by=hotline_agent)
    boss = factories.UserFactory(branch=branch, role="主管")
    client.force_login(boss)
    from support.selectors import queue_tickets

    expected = [t.number for t in queue_tickets(boss)]
    with CaptureQueriesContext(connection) as captured:
        rows = exported(client, reverse("support:queue_export"))
    assert [r[0] for r in rows[1:]] == expected
    chunks = [q for q in captured.captured_queries if '"support_ticket"."id" IN' in q["sql"]]
    assert len(chunks) == 3


def _more_rows(kind: str, *, branch, hotline_agent, n: int) -> None:
    day = timezone.localdate()
    for i in range(n):
        if kind == "claims":
            policy = factories.PolicyFactory(branch=branch, start_date=day - dt.timedelta(days=30))
            factories.make_claim(policy, by=hotline_agent)
        elif kind == "tickets":
            queue = Queue.objects.filter(branch=branch).first() or factories.QueueFactory(branch=branch)
            factories.TicketFactory(queue=queue, created_by=hotline_agent)
        elif kind == "calls":
            factories.RenewalCallFactory(
                policy=factories.policy_ending(day + dt.timedelta(days=7 + i), branch=branch),
                assigned_to=hotline_agent if i % 2 else None,
            )
        elif kind == "failed":
            factories.OutboundMessageFactory(status=MessageStatus.FAILED, last_error="号码无效")
        elif kind == "access":
            _views(hotline_agent, 1)


LISTS = {
    "claims": ("claims:export", {}),
    "tickets": ("support:queue_export", {}),
    "calls": ("hotline:team_export", {"branch": "BRANCH"}),
    "failed": ("reminders:failed_export", {}),
    "access": ("access_log_export", {"staff": "agent"}),
}


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_list_export_reads_a_constant_number_of_queries(
    client, branch, hotline_agent, kind, fmt, django_assert_max_num_queries
):
    boss = factories.UserFactory(branch=branch, role="主管")
    client.force_login(boss)
    name, params = LISTS[kind]
    params = {k: branch.pk if v == "BRANCH" else hotline_agent.username if v == "agent" else v
              for k, v in params.items()}  # fmt: skip
    _more_rows(kind, branch=branch, hotline_agent=hotline_agent, n=2)
    url = reverse(name)
    with django_assert_max_num_queries(40) as few:
        response = client.get(url, {"export": fmt, **params})
        b"".join(response.streaming_content)
    _more_rows(kind, branch=branch, hotline_agent=hotline_agent, n=8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"export": fmt, **params})
        b"".join(response.streaming_content)
    assert ExportLog.objects.order_by("-pk").first().row_count == 10
