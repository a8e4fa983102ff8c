"""The claims desk pages: every view denies by default, scopes by branch, runs a fixed
number of queries and masks personal data in lists."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from claims import access
from claims.choices import ClaimState as S
from claims.models import Claim
from policies.models import PersonAccessLog
from tests import factories
from tests.claims.conftest import NOW

pytestmark = pytest.mark.django_db


def urls(claim):
    return {
        "queue": reverse("claims:queue"),
        "report": reverse("claims:report"),
        "lookup": reverse("claims:vehicle_covers") + "?vehicle=" + claim.vehicle.plate,
        "detail": reverse("claims:detail", args=[claim.pk]),
    }


def test_anonymous_is_sent_to_login_everywhere(client, claim):
    for name, url in urls(claim).items():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name
    response = client.post(reverse("claims:act", args=[claim.pk, "register"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_staff_without_a_claims_role_are_refused(client, claim, branch):
    client.force_login(factories.UserFactory(branch=branch))
    for name, url in urls(claim).items():
        assert client.get(url).status_code == 403, name
    assert client.post(reverse("claims:act", args=[claim.pk, "register"])).status_code == 403


def test_each_role_lands_on_its_home_and_the_adjuster_on_the_claims_queue(client, claims_adjuster):
    client.force_login(claims_adjuster)
    assert client.get(reverse("home"))["Location"] == reverse("claims:queue")


def test_a_clerk_of_another_branch_cannot_open_the_claim(
    client, claim, other_branch_clerk, other_branch_adjuster
):
    for user in (other_branch_clerk, other_branch_adjuster):
        client.force_login(user)
        assert client.get(reverse("claims:detail", args=[claim.pk])).status_code == 404
        assert (
            client.post(
                reverse("claims:act", args=[claim.pk, "withdraw"]), {"withdraw-note": "x"}
            ).status_code
            == 404
        )
        assert claim.number not in client.get(reverse("claims:queue")).content.decode()


def test_the_hotline_sees_every_branch_and_the_branch_its_own(client, claim, hotline_agent, counter_clerk):
    for user in (hotline_agent, counter_clerk):
        client.force_login(user)
        assert claim.number in client.get(reverse("claims:queue")).content.decode()
        assert client.get(reverse("claims:detail", args=[claim.pk])).status_code == 200


def test_the_queue_masks_names_and_runs_a_fixed_number_of_queries(
    client, claims_adjuster, policy, hotline_agent, django_assert_max_num_queries
):
    client.force_login(claims_adjuster)
    factories.make_claim(policy, by=hotline_agent, now=NOW)
    client.get(reverse("claims:queue"))  # warm the session and permission caches
    with django_assert_max_num_queries(9) as few:
        response = client.get(reverse("claims:queue"))
    for n in range(12):
        factories.make_claim(policy, by=hotline_agent, now=NOW - dt.timedelta(hours=n + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("claims:queue") + "?deadline=overdue&risk=true&state=all")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("claims:queue"))
    page = response.content.decode()
    assert page.count('data-claim="LP') == 13
    insured = policy.insured.name
    assert insured not in page and insured[0] + "*" * (len(insured) - 1) in page


def test_the_queue_sorts_by_a_header_from_the_first_page_and_marks_the_order(
    client, claims_adjuster, policy, hotline_agent
):
    for n in range(3):
        factories.make_claim(policy, by=hotline_agent, now=NOW - dt.timedelta(days=n))
    client.force_login(claims_adjuster)

    page = client.get(reverse("claims:queue"), {"state": "all", "after": "x~1"}).content.decode()
    headers = re.findall(r'<th class="([^"]*)" scope="col"><a href="([^"]+)">', page)
    assert headers == [
        ("orderable", "?state=all&amp;sort=reported_at"),
        ("asc orderable", "?state=all&amp;sort=-next_due_at"),  # the default: the next deadline first
    ]

    page = client.get(reverse("claims:queue"), {"state": "all", "sort": "-reported_at"}).content.decode()
    assert (
        '<th class="desc orderable" scope="col"><a href="?state=all&amp;sort=reported_at">报案时间</a>'
        in page
    )
    latest_first = Claim.objects.order_by("-reported_at").values_list("number", flat=True)
    assert re.findall(r'data-claim="(LP\w+)"', page) == list(latest_first)


def test_the_queue_filters_by_search_state_and_branch(
    client, claim, supervisor, walk_to, policy, hotline_agent
):
    other = factories.make_claim(policy, by=hotline_agent, now=NOW)
    walk_to(other, S.REGISTERED)
    client.force_login(supervisor)
    page = client.get(reverse("claims:queue"), {"q": claim.number.lower()}).content.decode()
    assert claim.number in page and other.number not in page
    page = client.get(reverse("claims:queue"), {"state": "registered"}).content.decode()
    assert other.number in page and claim.number not in page
    page = client.get(reverse("claims:queue"), {"q": policy.vehicle.vin}).content.decode()
    assert claim.number in page and other.number in page
    page = client.get(reverse("claims:queue"), {"branch": policy.branch.pk + 1000}).content.decode()
    assert claim.number not in page


def test_the_claim_page_shows_history_deadlines_signals_and_logs_the_view(client, claim, claims_adjuster):
    client.force_login(claims_adjuster)
    response = client.get(reverse("claims:detail", args=[claim.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("处理记录", "法定时限", "风险提示", "责任限额与占用台账", "告知索赔单证", "立案"):
        assert text in page, text
    assert 'data-action="register"' in page and 'data-action="approve"' not in page
    log = PersonAccessLog.objects.get()
    assert (log.user, log.person, log.page) == (claims_adjuster, claim.policy.insured, "claim_detail")


def test_the_claim_page_runs_a_fixed_number_of_queries(
    client, claim, supervisor, walk_to, django_assert_max_num_queries
):
    client.force_login(supervisor)
    client.get(reverse("claims:detail", args=[claim.pk]))
    with django_assert_max_num_queries(25) as early:
        client.get(reverse("claims:detail", args=[claim.pk]))
    walk_to(claim, S.APPROVED)
    with django_assert_max_num_queries(len(early.captured_queries) + 1):
        client.get(reverse("claims:detail", args=[claim.pk]))


def test_a_step_is_taken_through_its_form_and_redirects_with_a_message(client, claim, claims_adjuster):
    client.force_login(claims_adjuster)
    response = client.post(
        reverse("claims:act", args=[claim.pk, "register"]),
        {"register-documents": ["policy", "claim_form", "id_card"], "register-note": "电话告知"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("claims:detail", args=[claim.pk])
    assert "已立案" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == S.REGISTERED and claim.documents_required == ["policy", "claim_form", "id_card"]


def test_a_bad_form_is_shown_again_with_its_errors_and_changes_nothing(
    client, claim, claims_adjuster, walk_to
):
    walk_to(claim, S.REGISTERED)
    client.force_login(claims_adjuster)
    response = client.post(reverse("claims:act", args=[claim.pk, "reject"]), {"reject-reason": "duplicate"})
    assert response.status_code == 400
    assert "请检查填写的内容" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == S.REGISTERED


def test_a_step_the_role_may_not_take_is_forbidden(client, claim, hotline_agent, walk_to):
    walk_to(claim, S.REGISTERED)
    client.force_login(hotline_agent)
    assert (
        client.post(reverse("claims:act", args=[claim.pk, "survey"]), {"survey-note": "x"}).status_code == 403
    )
    assert client.get(reverse("claims:act", args=[claim.pk, "withdraw"])).status_code == 405


def test_a_step_the_state_does_not_allow_is_refused_with_a_message(client, claim, claims_adjuster):
    client.force_login(claims_adjuster)
    response = client.post(
        reverse("claims:act", args=[claim.pk, "pay"]), {"pay-reference": "T1"}, follow=True
    )
    assert "不能执行“支付赔款”" in response.content.decode()


def test_a_service_refusal_is_shown_in_chinese(client, claim, walk_to, claims_adjuster):
    walk_to(claim, S.CALCULATED)
    client.force_login(claims_adjuster)
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert 'data-action="approve"' not in page  # the calculator is not offered the approval
    response = client.post(reverse("claims:act", args=[claim.pk, "approve"]), {}, follow=True)
    assert "理算人不能核赔自己理算的赔案" in response.content.decode()


def test_the_report_form_opens_a_claim_from_the_hotline(client, hotline_agent, policy):
    client.force_login(hotline_agent)
    assert client.get(reverse("claims:report")).status_code == 200
    data = {
        "vehicle": policy.vehicle.plate.lower(), "accident_at": "2026-11-20T08:30", "place": "南京市鼓楼区",
        "at_fault": "1", "description": "变道剐蹭", "reporter_name": "王先生", "reporter_phone": "13912345678",
        "channel": "hotline", "advance_case": "",
        "party-TOTAL_FORMS": "3", "party-INITIAL_FORMS": "0", "party-MIN_NUM_FORMS": "0", "party-MAX_NUM_FORMS": "20",
        "party-0-kind": "person", "party-0-relation": "third_party", "party-0-name": "赵六",
        "party-0-id_number": "11010519491231002x", "party-0-outcome": "injured", "party-0-medical": "1200.50",
        "party-1-kind": "vehicle", "party-1-relation": "third_party", "party-1-plate": "苏b 12345",
        "party-1-property": "800",
    }  # fmt: skip
    response = client.post(reverse("claims:report"), data)
    assert response.status_code == 302, (response.context["form"].errors, response.context["parties"].errors)
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("claims:detail", args=[claim.pk])
    assert claim.channel == "hotline" and claim.reported_by == hotline_agent
    assert claim.reported_total == D("2000.50")
    assert sorted(claim.parties.values_list("id_number", "plate")) == [
        ("", "苏B12345"),
        ("11010519491231002X", ""),
    ]


def test_a_report_outside_cover_is_refused_on_the_form(client, counter_clerk, policy):
    client.force_login(counter_clerk)
    data = {
        "vehicle": policy.vehicle.plate, "accident_at": "2026-02-01T08:30", "place": "南京", "at_fault": "0",
        "description": "x", "channel": "counter",
        "party-TOTAL_FORMS": "1", "party-INITIAL_FORMS": "0", "party-MIN_NUM_FORMS": "0", "party-MAX_NUM_FORMS": "20",
        "party-0-kind": "property", "party-0-relation": "third_party", "party-0-name": "护栏", "party-0-property": "300",
    }  # fmt: skip
    response = client.post(reverse("claims:report"), data)
    assert response.status_code == 400
    assert "不在车辆" in response.content.decode()
    assert not Claim.objects.exists()


def test_the_vehicle_lookup_shows_the_covers(client, hotline_agent, policy):
    client.force_login(hotline_agent)
    page = client.get(reverse("claims:vehicle_covers"), {"vehicle": policy.number}).content.decode()
    assert policy.number in page and "二十四时" in page
    page = client.get(reverse("claims:vehicle_covers"), {"vehicle": "苏Z00000"}).content.decode()
    assert "未找到" in page


def test_the_access_getter_refuses_outsiders_and_hides_other_branches(
    claim, branch, other_branch_adjuster, hotline_agent, claims_adjuster
):
    with pytest.raises(PermissionDenied):
        access.get_claim_for_user(factories.UserFactory(branch=branch), claim.pk)
    with pytest.raises(Http404):
        access.get_claim_for_user(other_branch_adjuster, claim.pk)
    assert access.get_claim_for_user(hotline_agent, claim.pk) == claim
    assert access.get_claim_for_user(claims_adjuster, claim.pk) == claim
    assert list(access.claims_for_user(other_branch_adjuster)) == []


def test_the_calculator_is_offered_everything_but_the_approval(
    claim, walk_to, claims_adjuster, second_adjuster, hotline_agent
):
    claim = walk_to(claim, S.CALCULATED)
    assert not access.can_act_on_claim(claims_adjuster, claim, "approve")
    assert access.can_act_on_claim(claims_adjuster, claim, "send_back")
    assert access.awaits_other_reviewer(claims_adjuster, claim)
    assert access.can_act_on_claim(second_adjuster, claim, "approve")
    assert not access.awaits_other_reviewer(second_adjuster, claim)
    assert not access.can_act_on_claim(second_adjuster, claim, "pay")  # not from 理算
    assert not access.can_act_on_claim(hotline_agent, claim, "approve")  # not their permission
    assert access.can_take_step(hotline_agent, "withdraw") and not access.can_take_step(
        hotline_agent, "approve"
    )
    assert not access.can_take_step(hotline_agent, "no_such_step")
