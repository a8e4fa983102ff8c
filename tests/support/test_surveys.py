"""The satisfaction survey: sent once on resolution, through the ticket's channel, behind
a one-time link that only the customer can answer."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outbox.models import OutboundMessage
from outbox.services import MessageChannel
from support import services
from support.choices import Channel, EventKind, Status
from support.models import Survey
from support.services.surveys import token_hash
from tests import factories

pytestmark = pytest.mark.django_db


def resolve(ticket, agent):
    return services.ticket_transition(ticket=ticket, to=Status.RESOLVED, by=agent)


def link_token(ticket) -> str:
    text = OutboundMessage.objects.get(dedupe_key=f"support:survey:{ticket.pk}").text
    return re.search(r"/support/s/([\w-]+)/", text).group(1)


def test_resolving_sends_one_survey_by_sms_for_a_hotline_ticket(ticket, hotline_agent):
    services.ticket_assign(ticket=ticket, to=hotline_agent, by=hotline_agent)
    resolve(ticket, hotline_agent)
    survey = Survey.objects.get(ticket=ticket)
    message = survey.message
    assert (message.channel, message.recipient, message.purpose) == (
        MessageChannel.SMS,
        "13912345678",
        "ticket_survey",
    )
    assert "1–5 分" in message.text
    assert (survey.agent, survey.queue, survey.channel) == (hotline_agent, ticket.queue, Channel.HOTLINE)
    # Reopened and resolved again: still one survey, one message.
    services.ticket_customer_reply(ticket=ticket, body="还有问题")
    resolve(ticket, hotline_agent)
    assert Survey.objects.filter(ticket=ticket).count() == 1
    assert OutboundMessage.objects.filter(purpose="ticket_survey").count() == 1


@pytest.mark.parametrize(
    ("channel", "expected"),
    [(Channel.EMAIL, MessageChannel.EMAIL), (Channel.WEBSITE, MessageChannel.EMAIL), (Channel.WALK_IN, MessageChannel.SMS),
     (Channel.MINI_PROGRAM, MessageChannel.SMS), (Channel.APP, MessageChannel.PUSH)],
)  # fmt: skip
def test_the_survey_goes_back_the_way_the_ticket_came(
    customer, branch_queue, hotline_agent, channel, expected
):
    customer.app_account = "app-9001"
    customer.save()
    ticket = factories.TicketFactory(customer=customer, queue=branch_queue, channel=channel)
    resolve(ticket, hotline_agent)
    assert Survey.objects.get(ticket=ticket).message.channel == expected


def test_the_link_token_is_stored_only_as_a_hash(ticket, hotline_agent):
    resolve(ticket, hotline_agent)
    token = link_token(ticket)
    survey = Survey.objects.get(ticket=ticket)
    assert len(token) >= 40
    assert survey.token_hash == token_hash(token) != token
    assert not Survey.objects.filter(token_hash=token).exists()


def test_the_customer_answers_once(ticket, hotline_agent, client):
    resolve(ticket, hotline_agent)
    url = reverse("support:survey", args=[link_token(ticket)])
    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "4", "comment": "回复很及时"})
    assert "感谢您的评价" in response.content.decode()
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.score, survey.comment) == (4, "回复很及时")
    assert ticket.events.filter(kind=EventKind.SURVEY_ANSWERED, to_value="4").exists()
    again = client.post(url, {"score": "1", "comment": "改个分"})
    assert "您已提交过评价" in again.content.decode()
    survey.refresh_from_db()
    assert survey.score == 4


def test_a_second_answer_is_refused_by_the_service(ticket, hotline_agent):
    resolve(ticket, hotline_agent)
    token = link_token(ticket)
    services.survey_answer(token=token, score=5)
    with pytest.raises(ValidationError, match="只能评价一次"):
        services.survey_answer(token=token, score=1)


def test_staff_cannot_answer_for_the_customer(ticket, hotline_agent, agent_client):
    resolve(ticket, hotline_agent)
    token = link_token(ticket)
    url = reverse("support:survey", args=[token])
    assert agent_client.get(url).status_code == 403
    response = agent_client.post(url, {"score": "5"})
    assert response.status_code == 403
    assert "员工账号不能代客户填写" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.survey_answer(token=token, score=5, user=hotline_agent)
    assert Survey.objects.get(ticket=ticket).answered_at is None


def test_the_link_never_shows_on_the_staff_ticket_page(ticket, hotline_agent, agent_client):
    resolve(ticket, hotline_agent)
    page = agent_client.get(reverse("support:ticket", args=[ticket.pk])).content.decode()
    assert link_token(ticket) not in page
    assert "/support/s/" not in page


def test_an_unknown_or_expired_link_is_refused(ticket, hotline_agent, client):
    assert client.get(reverse("support:survey", args=["not-a-real-token"])).status_code == 404
    resolve(ticket, hotline_agent)
    token = link_token(ticket)
    Survey.objects.filter(ticket=ticket).update(expires_at=ticket.created_at - dt.timedelta(days=1))
    assert client.get(reverse("support:survey", args=[token])).status_code == 410
    with pytest.raises(ValidationError, match="已过期"):
        services.survey_answer(token=token, score=3)


def test_a_score_outside_one_to_five_is_refused(ticket, hotline_agent, client):
    resolve(ticket, hotline_agent)
    response = client.post(reverse("support:survey", args=[link_token(ticket)]), {"score": "9"})
    assert response.status_code == 200
    assert Survey.objects.get(ticket=ticket).answered_at is None


def test_no_survey_without_a_way_to_reach_the_customer(branch_queue, hotline_agent):
    anonymous = factories.TicketFactory(
        queue=branch_queue, contact_phone="", contact_email="x@example.cn", channel=Channel.HOTLINE
    )
    resolve(anonymous, hotline_agent)
    assert not Survey.objects.filter(ticket=anonymous).exists()
    assert anonymous.events.get(kind=EventKind.SURVEY_SENT).body == "客户未留联系方式，未发送满意度调查。"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_answers_record_one(ticket, hotline_agent):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    resolve(ticket, hotline_agent)
    token = link_token(ticket)

    def answer(score):
        try:
            services.survey_answer(token=token, score=score)
            return "recorded"
        except ValidationError:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(answer, [5, 1]))
    assert outcomes == ["recorded", "refused"]
    assert ticket.events.filter(kind=EventKind.SURVEY_ANSWERED).count() == 1


def test_staff_reading_the_outbox_never_see_a_surveys_token(supervisor_client, customer):
    from outbox.services import enqueue_message

    message = enqueue_message(
        channel="sms", recipient=customer.phone, purpose="ticket_survey", dedupe_key="survey-test",
        text="请为本次服务评分：https://portal.jqx.example.cn/support/s/Zx9secretTOKENvalue/ 回复退订",
        person=customer,
    )  # fmt: skip

    page = supervisor_client.get(f"/admin/outbox/outboundmessage/{message.pk}/change/").content.decode()

    assert "Zx9secretTOKENvalue" not in page
    assert "/support/s/******/" in page


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("pending", "满意度调查已排队，短信待发送"),
        ("sent", "满意度调查已于 12-05 02:31 通过短信发出，待客户评价"),
        ("failed", "满意度调查发送失败（短信）"),
    ],
)
def test_the_ticket_says_what_became_of_its_survey(ticket, hotline_agent, agent_client, status, said):
    resolve(ticket, hotline_agent)
    message = Survey.objects.get(ticket=ticket).message
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=status, sent_at=dt.datetime(2026, 12, 4, 18, 31, tzinfo=dt.UTC) if status == "sent" else None
    )
    page = agent_client.get(reverse("support:ticket", args=[ticket.pk])).content.decode()
    assert said in page  # the sent time in Beijing time
