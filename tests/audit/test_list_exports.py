"""Each supervisor's list exports what its page lists, masked: the claim queue, the ticket
queue, a branch's renewal calls and the failed reminder messages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exports import read_csv
from core.models import ExportLog
from outbox.models import MessageStatus
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
