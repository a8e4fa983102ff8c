"""Tickets about a claim: linked to it, and the customer's claims beside the ticket."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from support import services
from support.choices import Category, Channel
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_claim_inquiry_links_the_claim_and_takes_its_policy_and_vehicle(policy, hotline_agent, customer):
    claim = factories.make_claim(policy, by=hotline_agent)

    ticket = services.ticket_create(
        subject="理赔进度查询", channel=Channel.HOTLINE, category=Category.CLAIM,
        customer=customer, claim=claim, created_by=hotline_agent,
    )  # fmt: skip

    assert ticket.claim == claim
    assert (ticket.policy, ticket.vehicle) == (policy, policy.vehicle)


def test_a_claim_of_another_policy_is_refused(policy, hotline_agent, customer, branch):
    claim = factories.make_claim(policy, by=hotline_agent)
    other = factories.PolicyFactory(branch=branch)

    with pytest.raises(ValidationError, match="赔案不符"):
        services.ticket_create(
            subject="理赔进度查询", channel=Channel.HOTLINE, category=Category.CLAIM,
            customer=customer, policy=other, claim=claim,
        )  # fmt: skip


def test_ticket_page_shows_the_customers_claims_in_fixed_queries(
    agent_client, ticket, policy, hotline_agent, customer, django_assert_max_num_queries
):
    first = factories.make_claim(policy, by=hotline_agent)
    url = reverse("support:ticket", args=[ticket.pk])
    agent_client.get(url)
    with django_assert_max_num_queries(30) as few:
        page = agent_client.get(url).content.decode()
    assert first.number in page

    second_car = factories.VehicleFactory(owner=customer)
    second = factories.make_claim(
        factories.PolicyFactory(vehicle=second_car, branch=policy.branch), by=hotline_agent
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = agent_client.get(url).content.decode()
    assert first.number in page and second.number in page
