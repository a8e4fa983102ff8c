"""The printable confirmation: the electronic policy's summary in Chinese, A4."""

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from policies.models import PersonAccessLog
from tests.factories import PersonFactory, PolicyFactory, VehicleFactory
from tests.grants import grant_customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def renewal(branch, counter_clerk):
    """周敏's renewal, issued at the counter by the clerk: A2 in 江苏, 1.8 L."""
    owner = PersonFactory(name="周敏", phone="13955556666")
    car = VehicleFactory(
        owner=owner,
        plate="苏A56789",
        brand_model="本田牌 HG7182",
        engine_number="L15B-771",
        displacement_l=D("1.8"),
    )
    previous = PolicyFactory(vehicle=car, branch=branch, start_date=dt.date(2025, 3, 1))
    return PolicyFactory(
        vehicle=car, branch=branch, start_date=dt.date(2026, 3, 1), renewed_from=previous, issued_by=counter_clerk,
        floating_plan="E", floating_reason="A1", floating_rate=D("-0.10"), premium=D("855.00"),
        vehicle_tax=D("360.00"),
    )  # fmt: skip


def confirmation(client, policy):
    """The confirmation, as opened for a customer found by a lookup (tests.grants)."""
    grant_customers(client, policy.vehicle.owner_id)
    return client.get(reverse("counter:confirmation", args=[policy.pk])).content.decode()


def test_confirmation_shows_everything_the_policy_summary_needs(clerk_client, renewal, counter_clerk):
    page = confirmation(clerk_client, renewal)
    for text in (
        "JQX 财产保险股份有限公司",
        "机动车交通事故责任强制保险",
        "电子保单摘要",
        renewal.number,
        "周敏",
        renewal.insured.masked_id_number,
        "苏A56789",
        renewal.vehicle.vin,
        "L15B-771",
        "本田牌 HG7182",
        "家庭自用汽车 6座以下",
        "自 2026 年 3 月 1 日 0 时起至 2027 年 2 月 28 日 24 时止",
        "¥950.00",
        "A1 −10%（方案 E）",
        "¥855.00",
        "¥360.00",
        "¥1,215.00",
        "壹仟贰佰壹拾伍元整",
        "A1：上一年度未发生有责任道路交通事故，保费下浮 10%。交强险保费 = 950.00 × (1 − 10%) = 855.00 元。",
        "南京中山路营业部（320100）",
        str(counter_clerk),
        renewal.renewed_from.number,
    ):
        assert text in page, text
    assert renewal.insured.id_number not in page and "13955556666" not in page


def test_liability_limits_are_those_in_force_at_the_start(clerk_client, renewal, branch):
    """docs/regulation.md §5: from 2020-09-19 180,000 / 18,000 / 2,000 and 18,000 / 1,800 / 100."""
    page = confirmation(clerk_client, renewal)
    limits = page.split('data-testid="limits"')[1].split("</table>")[0]
    for figure in ("180,000", "18,000", "2,000", "1,800", "100"):
        assert f">¥{figure}.00<" in limits, figure

    old = PolicyFactory(branch=branch, start_date=dt.date(2019, 5, 1), floating_plan="N")
    old_limits = confirmation(clerk_client, old).split('data-testid="limits"')[1].split("</table>")[0]
    for figure in ("110,000", "10,000", "2,000", "11,000", "1,000", "100"):
        assert f">¥{figure}.00<" in old_limits, figure


def test_confirmation_has_a_print_stylesheet_for_a4(clerk_client, renewal):
    page = confirmation(clerk_client, renewal)
    assert "css/counter.css" in page
    assert 'data-print data-testid="print"' in page and "d-print-none" in page  # static/js/portal.js prints
    css = (Path(settings.BASE_DIR) / "static" / "css" / "counter.css").read_text()
    assert "@media print" in css and "size: A4" in css


def test_viewing_the_confirmation_is_logged(clerk_client, renewal, counter_clerk):
    confirmation(clerk_client, renewal)
    log = PersonAccessLog.objects.get()
    assert (log.user, log.person, log.page) == (counter_clerk, renewal.insured, "counter_confirmation")


def test_an_unknown_policy_is_404(clerk_client):
    assert clerk_client.get(reverse("counter:confirmation", args=[424242])).status_code == 404
