"""The claim page's new steps and the approvals list, through the client: access by role,
messages next to the field, constant queries."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from claims import services
from claims.choices import ClaimState as S
from claims.models import ApprovalAuthority, Claim
from tests import factories
from tests.claims.conftest import NOW

pytestmark = pytest.mark.django_db

REPORT = {
    "place": "南京", "at_fault": "0", "description": "追尾", "channel": "counter",
    "party-TOTAL_FORMS": "1", "party-INITIAL_FORMS": "0", "party-MIN_NUM_FORMS": "0", "party-MAX_NUM_FORMS": "20",
    "party-0-kind": "property", "party-0-relation": "third_party", "party-0-name": "护栏", "party-0-property": "300",
}  # fmt: skip


def field_errors(response, name):
    return response.context["form"].errors.get(name, [])


def test_a_report_outside_every_cover_says_why_next_to_the_accident_time(client, counter_clerk, policy):
    client.force_login(counter_clerk)
    response = client.post(
        reverse("claims:report"),
        {**REPORT, "vehicle": policy.vehicle.plate, "accident_at": "2021-06-01T10:00"},
    )
    assert response.status_code == 400
    errors = field_errors(response, "accident_at")
    assert errors and "不在车辆" in errors[0] and policy.number in errors[0]
    assert (
        'id="error_1_id_accident_at"' in response.content.decode()
        or "invalid-feedback" in response.content.decode()
    )
    assert not Claim.objects.exists()


def test_a_report_in_the_future_says_why_next_to_the_accident_time(client, counter_clerk, policy):
    client.force_login(counter_clerk)
    later = (dt.datetime.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("claims:report"), {**REPORT, "vehicle": policy.vehicle.plate, "accident_at": later}
    )
    assert response.status_code == 400
    assert "不能晚于当前时间" in field_errors(response, "accident_at")[0]


def test_an_unknown_vehicle_is_said_next_to_the_vehicle(client, counter_clerk, policy):
    client.force_login(counter_clerk)
    response = client.post(
        reverse("claims:report"), {**REPORT, "vehicle": "苏Z00000", "accident_at": "2026-11-20T08:00"}
    )
    assert response.status_code == 400
    assert "未找到" in field_errors(response, "vehicle")[0]


def test_the_report_form_offers_an_add_button_and_takes_more_than_three_victims(
    client, counter_clerk, policy
):
    client.force_login(counter_clerk)
    page = client.get(reverse("claims:report")).content.decode()
    assert 'data-formset-add="party"' in page and "js/claims-report.js" in page and "onclick" not in page
    data = {
        **REPORT,
        "vehicle": policy.vehicle.plate,
        "accident_at": "2026-11-20T08:00",
        "party-TOTAL_FORMS": "6",
    }
    for n in range(6):
        data |= {f"party-{n}-kind": "property", f"party-{n}-relation": "third_party", f"party-{n}-name": f"护栏{n}",
                 f"party-{n}-property": "100"}  # fmt: skip
    response = client.post(reverse("claims:report"), data)
    assert response.status_code == 302
    assert Claim.objects.get().parties.count() == 6


def test_documents_are_all_received_in_one_tick(client, claim, claims_adjuster, walk_to):
    client.force_login(claims_adjuster)
    services.claim_register(claim=claim, by=claims_adjuster, documents=services.required_documents(claim))
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "以下单证全部收到" in page
    client.post(reverse("claims:act", args=[claim.pk, "documents"]), {"documents-all_received": "on"})
    claim.refresh_from_db()
    assert claim.documents_missing == [] and claim.documents_complete_at is not None


def test_only_a_supervisor_is_offered_the_documents_override(
    client, claim, claims_adjuster, second_adjuster, supervisor
):
    claim = services.claim_register(
        claim=claim, by=claims_adjuster, documents=services.required_documents(claim)
    )
    claim = services.claim_survey(claim=claim, by=claims_adjuster, at_fault=True, note="查勘")
    amounts = {loss.pk: (loss.reported_amount, "") for loss in claim.losses.all()}
    claim = services.claim_assess(claim=claim, by=claims_adjuster, amounts=amounts)
    claim = services.claim_calculate(claim=claim, by=claims_adjuster)
    services.claim_approve(claim=claim, by=second_adjuster)
    client.force_login(claims_adjuster)
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "索赔单证尚缺" in page and "pay-override_reason" not in page
    response = client.post(
        reverse("claims:act", args=[claim.pk, "pay"]), {"pay-reference": "T1"}, follow=True
    )
    assert "不能支付" in response.content.decode()
    client.force_login(supervisor)
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "pay-override_reason" in page
    client.post(
        reverse("claims:act", args=[claim.pk, "pay"]),
        {"pay-reference": "T1", "pay-override_reason": "伤者急需手术费，单证后补"},
    )
    assert Claim.objects.get(pk=claim.pk).state == S.PAID


def test_a_victim_is_added_on_the_claim_page(client, claim, claims_adjuster, walk_to):
    walk_to(claim, S.REGISTERED)
    client.force_login(claims_adjuster)
    response = client.post(
        reverse("claims:act", args=[claim.pk, "add_party"]),
        {"add_party-kind": "person", "add_party-relation": "third_party", "add_party-name": "钱芳",
         "add_party-outcome": "injured", "add_party-medical": "2600", "add_party-rescue": "on"},
        follow=True,
    )  # fmt: skip
    assert "已增补 1 项损失" in response.content.decode()
    assert claim.parties.count() == 3 and claim.losses.filter(rescue=True, reported_amount=D("2600")).exists()
    # Nothing filled in: the message is next to the field, nothing changes.
    response = client.post(
        reverse("claims:act", args=[claim.pk, "add_party"]), {"add_party-relation": "third_party"}
    )
    assert response.status_code == 400 and "请选择已登记的当事方" in response.content.decode()
    assert claim.parties.count() == 3


def test_an_advance_case_page_says_why_death_disability_and_property_wait(
    client, policy, hotline_agent, claims_adjuster
):
    claim = factories.make_claim(policy, by=hotline_agent, now=NOW, advance_case="no_licence")
    client.force_login(claims_adjuster)
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert 'data-testid="advance-case-notice"' in page
    assert "死亡伤残赔偿和财产损失不在垫付范围内" in page and "追偿" in page
    assert 'data-testid="recoveries"' in page


# --- 待我核赔 ------------------------------------------------------------------------------------


def calculated(policy, by, walk_to, n: int, medical: str):
    claim = factories.make_claim(
        policy,
        by=by,
        now=NOW - dt.timedelta(days=n),
        parties=[factories.third_party_person(n, medical=medical)],
    )
    return walk_to(claim, S.CALCULATED, now=NOW - dt.timedelta(days=n))


def test_the_approvals_list_is_oldest_first_with_amount_and_calculator(
    client,
    policy,
    hotline_agent,
    walk_to,
    supervisor,
    claims_adjuster,
    second_adjuster,
    django_assert_max_num_queries,
):
    older = calculated(policy, hotline_agent, walk_to, 3, "15000")
    newer = calculated(policy, hotline_agent, walk_to, 1, "2000")
    client.force_login(supervisor)
    url = reverse("claims:approvals")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        page = client.get(url).content.decode()
    assert page.index(older.number) < page.index(newer.number)
    assert "15,000.00" in page and "2,000.00" in page
    assert "周敏" in page  # claims_adjuster calculated both
    for n in range(5, 10):
        calculated(policy, hotline_agent, walk_to, n, "1000")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-claim="LP') == 7
    # The reviewer sees those within authority (50,000: all) but never their own calculation.
    client.force_login(second_adjuster)
    assert older.number in client.get(url).content.decode()
    ApprovalAuthority.objects.filter(user=second_adjuster).update(max_amount=D("5000"))
    page = client.get(url).content.decode()
    assert older.number not in page and newer.number in page
    client.force_login(claims_adjuster)  # calculated every one of them
    assert "没有等待您核赔的赔案" in client.get(url).content.decode()


def test_the_approvals_list_is_refused_to_staff_who_do_not_approve(client, counter_clerk, hotline_agent):
    assert client.get(reverse("claims:approvals")).status_code == 302
    for user in (counter_clerk, hotline_agent):
        client.force_login(user)
        assert client.get(reverse("claims:approvals")).status_code == 403


def test_the_dashboard_shows_the_recoveries_of_the_months(
    supervisor_client, policy, hotline_agent, walk_to, claims_adjuster, supervisor
):
    from django.utils import timezone

    now = timezone.now()
    claim = factories.make_claim(
        policy, by=hotline_agent, now=now - dt.timedelta(hours=6), advance_case="stolen"
    )
    claim = walk_to(claim, S.REGISTERED, now=now - dt.timedelta(hours=6))
    injured = claim.parties.get(kind="person")
    services.claim_advance(
        claim=claim, by=supervisor, party=injured, amount=D("1800"), now=now - dt.timedelta(hours=1)
    )
    services.claim_recover(
        claim=claim, by=claims_adjuster, amount="1234.56", debtor="盗抢行为人", reference="R-1"
    )
    from insights.refresh import summaries_refresh

    summaries_refresh(first=now.date().replace(day=1))  # the dashboard reads the monthly summaries
    page = supervisor_client.get(reverse("dashboard")).content.decode()
    assert "追偿回收" in page and "¥1,234.56" in page
