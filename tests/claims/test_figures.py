"""Loss ratio (premium earned pro rata by days), claim cycle time and refusals by reason,
on the supervisors' dashboard; and the admin of limits, thresholds and authority."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from claims import figures, services
from claims.choices import ClaimState as S
from claims.choices import RejectReason
from claims.models import ApprovalAuthority, Claim
from tests import factories

pytestmark = pytest.mark.django_db


def test_premium_is_earned_pro_rata_by_days_of_cover(branch):
    # 365.00 over 2026-03-01..2027-02-28 (365 days): 1.00 a day.
    factories.PolicyFactory(branch=branch, start_date=dt.date(2026, 3, 1), premium=D("365.00"))
    assert figures.earned_premium(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)) == D("30.00")
    assert figures.earned_premium(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 1)) == D("1.00")
    assert figures.earned_premium(start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31)) == D("365.00")


def test_a_cancelled_policy_earns_only_up_to_its_cancellation_date(branch):
    factories.PolicyFactory(
        branch=branch, start_date=dt.date(2026, 3, 1), premium=D("365.00"), status="cancelled",
        cancelled_on=dt.date(2026, 3, 10), cancel_reason="laid_up", refund=D("355.00"),
    )  # fmt: skip
    assert figures.earned_premium(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)) == D("10.00")


def test_the_loss_ratio_is_paid_plus_reserves_over_earned(claim, walk_to, policy, hotline_agent):
    walk_to(claim, S.PAID)  # pays 4,500.00 on 20 November 2026
    open_claim = factories.make_claim(policy, by=hotline_agent)  # reserve 4,500.00
    ratio = figures.loss_ratio(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert ratio.paid == D("4500.00") and ratio.reserves == open_claim.reserve == D("4500.00")
    assert ratio.earned == D("78.08")  # 950.00 × 30 ÷ 365
    assert ratio.ratio == (D("9000.00") * 100 / D("78.08")).quantize(D("0.1"))


def test_cycle_time_is_report_to_payment_and_per_step(claim, walk_to):
    walk_to(claim, S.PAID)  # one hour a step, six steps to payment
    average, paid, steps = figures.cycle_times(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert paid == 1 and average == dt.timedelta(hours=6)
    assert [(s.state, s.claims, s.average_seconds) for s in steps] == [
        (S.REPORTED, 1, 3600), (S.REGISTERED, 1, 3600), (S.SURVEYED, 1, 3600), (S.ASSESSED, 1, 3600),
        (S.CALCULATED, 1, 3600), (S.APPROVED, 1, 3600),
    ]  # fmt: skip


def test_refusals_are_counted_by_coded_reason(policy, hotline_agent, claims_adjuster):
    from tests.claims.conftest import NOW

    for reason in (RejectReason.DUPLICATE, RejectReason.DUPLICATE, RejectReason.OWN_SIDE):
        claim = factories.make_claim(policy, by=hotline_agent, now=NOW)
        services.claim_reject(claim=claim, by=claims_adjuster, reason=reason, note="见事故认定书", now=NOW)
    assert figures.rejections(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)) == [
        ("own_side", "损失属本车或本车人员，不属交强险赔偿范围", 1),
        ("duplicate", "重复报案", 2),
    ]


def test_the_dashboard_shows_the_claims_panel_in_a_fixed_number_of_queries(
    supervisor_client, claim, walk_to, policy, hotline_agent, django_assert_max_num_queries
):
    supervisor_client.get(reverse("dashboard"))
    with django_assert_max_num_queries(30) as few:
        response = supervisor_client.get(reverse("dashboard"))
    page = response.content.decode()
    assert "赔付率趋势" in page and 'data-testid="panel-claim-steps"' in page and "超 5 日核定时限" in page
    walk_to(claim, S.PAID)
    for _ in range(5):
        factories.make_claim(policy, by=hotline_agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        supervisor_client.get(reverse("dashboard"))


def test_supervisors_manage_limits_thresholds_and_authority_in_admin(
    supervisor_client, claim, claims_adjuster
):
    for name in (
        "liabilitylimit",
        "riskthreshold",
        "approvalauthority",
        "claim",
        "payment",
        "ledgerentry",
        "claimevent",
    ):
        assert supervisor_client.get(f"/admin/claims/{name}/").status_code == 200, name
    authority = ApprovalAuthority.objects.get(user=claims_adjuster)
    response = supervisor_client.post(
        f"/admin/claims/approvalauthority/{authority.pk}/change/",
        {"user": claims_adjuster.pk, "max_amount": "20000.00", "note": "2026 年授权"},
    )
    assert response.status_code == 302
    assert ApprovalAuthority.objects.get(user=claims_adjuster).max_amount == D("20000.00")
    assert supervisor_client.get(f"/admin/claims/claim/{claim.pk}/change/").status_code == 200
    assert supervisor_client.post(f"/admin/claims/claim/{claim.pk}/delete/").status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_the_claims_admin_lists_run_a_fixed_number_of_queries(
    supervisor_client, claim, policy, hotline_agent, django_assert_max_num_queries
):
    supervisor_client.get("/admin/claims/claim/")
    with django_assert_max_num_queries(12) as few:
        supervisor_client.get("/admin/claims/claim/")
    for _ in range(5):
        factories.make_claim(policy, by=hotline_agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        supervisor_client.get("/admin/claims/claim/")
