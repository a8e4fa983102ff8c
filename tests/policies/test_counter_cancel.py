"""The counter's 退保 action and its printed refund note; 收费 with a payment method
(docs/regulation.md §3; the counter records how the customer paid)."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.clock import today
from policies.choices import PaymentMethod, PolicyStatus, PremiumEntryKind
from policies.models import PersonAccessLog, Policy, PremiumEntry
from policies.pricing import cancellation_refund
from tests.factories import PersonFactory, VehicleFactory, policy_chain
from tests.grants import counter_lookup, grant_customers

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
LAID_UP = {
    "reason": "laid_up",
    "document": "停驶证明 No.320100-0042",
    "refund_method": "bank_card",
    "refund_reference": "RF 0042",
}


@pytest.fixture
def current(branch):
    """赵刚's car: two years with us, the current one started 100 days ago."""
    car = VehicleFactory(owner=PersonFactory(name="赵刚"), plate="苏A40001")
    return policy_chain(car, first_start=today() - 465 * DAY, years=2, branch=branch)[-1]


def post_cancel(client, policy, data):
    return client.post(reverse("counter:cancel", args=[policy.pk]), data)


def test_the_customer_page_offers_cancellation_with_todays_refund(clerk_client, current):
    page = counter_lookup(clerk_client, vehicle=current.vehicle).content.decode()
    refund = cancellation_refund(
        current.premium, start=current.start_date, end=current.end_date, cancelled_on=today()
    )
    assert 'data-testid="cancel-form"' in page
    assert f'应退保费 <strong data-testid="cancel-refund">¥{refund:,}</strong>' in page


def test_cancelling_at_the_counter_prints_the_refund_note(clerk_client, current, counter_clerk):
    counter_lookup(clerk_client, vehicle=current.vehicle)
    response = post_cancel(clerk_client, current, LAID_UP)

    cancelled = Policy.objects.get(pk=current.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("counter:refund_note", args=[current.pk])
    assert cancelled.status == PolicyStatus.CANCELLED and cancelled.cancelled_on == today()
    entry = PremiumEntry.objects.get(policy=current)
    assert (entry.kind, entry.method, entry.reference, entry.amount) == (
        PremiumEntryKind.REFUND, PaymentMethod.BANK_CARD, "RF0042", cancelled.refund
    )  # fmt: skip
    note = clerk_client.get(response["Location"]).content.decode()
    term = (cancelled.original_end_date - cancelled.start_date).days + 1
    unexpired = (cancelled.original_end_date - today()).days
    for text in (
        "退保退费通知书",
        "退保成功",
        "车辆办理停驶",
        "停驶证明 No.320100-0042",
        f"{cancelled.premium} × {unexpired} ÷ {term} = {cancelled.refund} 元",
        "银行卡",
        "RF0042",
        str(counter_clerk),
    ):
        assert text in note, text
    assert PersonAccessLog.objects.filter(page="counter_refund_note").count() == 1


def test_a_second_post_does_not_refund_twice(clerk_client, current):
    counter_lookup(clerk_client, vehicle=current.vehicle)
    first = post_cancel(clerk_client, current, LAID_UP)
    second = post_cancel(clerk_client, current, LAID_UP)
    assert first["Location"] == second["Location"]
    assert PremiumEntry.objects.filter(policy=current).count() == 1
    assert "未重复退费" in clerk_client.get(second["Location"]).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "", "请选择退保原因。"),
        ("reason", "sold", "请选择退保原因。"),
        ("document", "  ", "请登记证明材料"),
        ("refund_method", "", "请选择退费方式。"),
        ("refund_reference", "9" * 41, "退费流水号最长 40 个字符。"),
    ],
)
def test_a_bad_cancellation_form_is_shown_again_with_the_reason_and_changes_nothing(
    clerk_client, current, field, value, message
):
    counter_lookup(clerk_client, vehicle=current.vehicle)
    response = post_cancel(clerk_client, current, {**LAID_UP, field: value})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert re.search(r'<details class="cancel-box mt-2" open', page)
    assert Policy.objects.get(pk=current.pk).status == PolicyStatus.IN_FORCE
    assert not PremiumEntry.objects.exists()


def test_hotline_agents_cannot_cancel(agent_client, current):
    grant_customers(agent_client, current.vehicle.owner_id)
    assert post_cancel(agent_client, current, LAID_UP).status_code == 403
    assert Policy.objects.get(pk=current.pk).status == PolicyStatus.IN_FORCE


def test_a_clerk_cannot_cancel_a_policy_of_a_customer_not_looked_up(clerk_client, current):
    assert post_cancel(clerk_client, current, LAID_UP).status_code == 404
    assert Policy.objects.get(pk=current.pk).status == PolicyStatus.IN_FORCE


def test_anonymous_cancel_is_sent_to_login(client, current):
    response = post_cancel(client, current, LAID_UP)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_cancel_is_post_only(clerk_client, current):
    assert clerk_client.get(reverse("counter:cancel", args=[current.pk])).status_code == 405


def test_the_refund_note_of_a_policy_in_force_is_not_found(clerk_client, current):
    grant_customers(clerk_client, current.vehicle.owner_id)
    assert clerk_client.get(reverse("counter:refund_note", args=[current.pk])).status_code == 404


def test_after_cancellation_the_page_shows_the_vehicle_cancelled_and_offers_insuring_it_again(
    clerk_client, current
):
    counter_lookup(clerk_client, vehicle=current.vehicle)
    post_cancel(clerk_client, current, LAID_UP)
    page = counter_lookup(clerk_client, vehicle=current.vehicle).content.decode()
    assert 'data-status="cancelled"' in page
    assert 'data-testid="resuming"' in page and "恢复使用重新投保" in page
    assert 'data-testid="cancel-form"' not in page
    assert "停驶证明 No.320100-0042" in page  # in the policy's history


# --- 收费: the payment method ----------------------------------------------------------------


@pytest.fixture
def due(branch):
    car = VehicleFactory(owner=PersonFactory(name="钱进"), plate="苏A40002")
    return policy_chain(car, first_start=today() - 700 * DAY, years=2, branch=branch)[-1]


def renew_form(client, policy) -> dict:
    page = counter_lookup(client, vehicle=policy.vehicle).content.decode()
    form = re.search(r'<form[^>]*data-testid="renew-form".*?</form>', page, re.S).group(0)
    return dict(re.findall(r'name="(from_policy|fingerprint|quoted_total)" value="([^"]*)"', form))


def test_a_mobile_payment_is_recorded_printed_and_shown_in_the_history(clerk_client, due, counter_clerk):
    data = renew_form(clerk_client, due) | {"payment_method": "mobile", "payment_reference": "wx 4200 0012"}
    response = clerk_client.post(reverse("counter:renew", args=[due.vehicle_id]), data)

    policy = Policy.objects.get(renewed_from=due)
    entry = PremiumEntry.objects.get(policy=policy)
    assert (entry.kind, entry.amount, entry.method, entry.reference, entry.by) == (
        PremiumEntryKind.CHARGE, policy.total, PaymentMethod.MOBILE, "WX42000012", counter_clerk
    )  # fmt: skip
    printout = clerk_client.get(response["Location"]).content.decode()
    assert '<span data-testid="payment-method">移动支付</span>' in printout
    assert "WX42000012" in printout
    page = counter_lookup(clerk_client, vehicle=due.vehicle).content.decode()
    assert re.search(r'data-testid="ledger-entry">收费 ¥[0-9,.]+ · 移动支付 · 流水号', page)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择收费方式。"),
        ({"payment_method": "cheque"}, "请选择收费方式。"),
        ({"payment_method": "bank_card"}, "银行卡收费请填写交易流水号"),
        ({"payment_method": "transfer", "payment_reference": "  "}, "转账收费请填写交易流水号"),
    ],
)
def test_charging_without_a_method_or_reference_is_refused_next_to_the_field(
    clerk_client, due, data, message
):
    form = renew_form(clerk_client, due) | data
    response = clerk_client.post(reverse("counter:renew", args=[due.vehicle_id]), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Policy.objects.filter(renewed_from=due).exists()
    assert not PremiumEntry.objects.exists()


def test_cash_needs_no_reference(clerk_client, due):
    data = renew_form(clerk_client, due) | {"payment_method": "cash"}
    clerk_client.post(reverse("counter:renew", args=[due.vehicle_id]), data)
    entry = PremiumEntry.objects.get(policy__renewed_from=due)
    assert (entry.method, entry.reference, entry.amount) == (
        "cash",
        "",
        Policy.objects.get(renewed_from=due).total,
    )
    assert entry.amount > D(0)
