"""First notice of loss: the vehicle by plate, VIN or policy number; the accident inside a
cover; late reports flagged; retries with one idempotency key land once."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from claims.choices import ClaimChannel, ClaimState, LossCategory
from claims.models import Claim, ClaimEvent, Loss, Party
from claims.services import claim_report
from core.clock import SHANGHAI
from outbox.models import OutboundMessage
from tests import factories
from tests.claims.conftest import NOW

pytestmark = pytest.mark.django_db


def report(policy_or_ref, *, accident_at, now=NOW, **kwargs):
    ref = policy_or_ref if isinstance(policy_or_ref, str) else policy_or_ref.vehicle.plate
    kwargs.setdefault("parties", [factories.third_party_person(), factories.third_party_vehicle()])
    kwargs.setdefault("channel", ClaimChannel.HOTLINE)
    return claim_report(
        vehicle=ref,
        accident_at=accident_at,
        place="南京市中山路",
        description="追尾",
        at_fault=True,
        now=now,
        **kwargs,
    )


def at(day: dt.date, hour=0, minute=0, second=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def test_hotline_report_opens_a_claim_with_parties_losses_and_its_first_event(policy, hotline_agent):
    claim = report(policy, accident_at=NOW - dt.timedelta(hours=2), reported_by=hotline_agent,
                   reporter_name="王先生", reporter_phone="139 1234 5678")  # fmt: skip

    assert claim.state == ClaimState.REPORTED
    assert claim.number.startswith("LP2026")
    assert claim.policy == policy and claim.branch == policy.branch and claim.vehicle == policy.vehicle
    assert claim.reporter_phone == "13912345678"
    assert claim.limits == {
        LossCategory.DEATH_DISABILITY: D("180000"), LossCategory.MEDICAL: D("18000"), LossCategory.PROPERTY: D("2000")
    }  # fmt: skip
    assert Party.objects.filter(claim=claim).count() == 2
    assert sorted(Loss.objects.filter(claim=claim).values_list("category", "reported_amount")) == [
        ("medical", D("3000.00")), ("property", D("1500.00"))
    ]  # fmt: skip
    assert claim.reported_total == D("4500.00")
    assert claim.reserve == D("4500.00")  # the estimate: both losses fit their limits
    event = ClaimEvent.objects.get(claim=claim)
    assert (event.seq, event.action, event.from_state, event.to_state, event.by) == (
        1, "report", "", "reported", hotline_agent
    )  # fmt: skip
    assert not claim.late_report
    sms = OutboundMessage.objects.get(dedupe_key=f"claim-report-{claim.number}")
    assert sms.recipient == "13912345678" and claim.number in sms.text


@pytest.mark.parametrize("field", ["plate", "vin", "number"])
def test_the_vehicle_is_found_by_plate_vin_or_policy_number_as_typed(policy, field):
    raw = policy.number if field == "number" else getattr(policy.vehicle, field)
    typed = " " + raw.lower().replace("苏", "苏 ") + " "  # spaces and lower case, as people type
    claim = report(typed, accident_at=NOW - dt.timedelta(hours=1))
    assert claim.vehicle == policy.vehicle


def test_an_unknown_vehicle_is_refused_in_chinese(policy):
    with pytest.raises(ValidationError) as error:
        report("苏Z99999", accident_at=NOW - dt.timedelta(hours=1))
    assert "未找到" in error.value.messages[0]
    assert not Claim.objects.exists()


def test_cover_runs_from_00_00_of_the_start_to_24_00_of_the_end(policy):
    # 2026-03-01 00:00 is covered, 2027-02-28 23:59:59 is covered, 2026-02-28 23:59:59 is not.
    later = at(dt.date(2027, 3, 10), 12)
    assert report(policy, accident_at=at(dt.date(2026, 3, 1)), now=later).policy == policy
    assert report(policy, accident_at=at(dt.date(2027, 2, 28), 23, 59, 59), now=later).policy == policy
    with pytest.raises(ValidationError) as error:
        report(policy, accident_at=at(dt.date(2026, 2, 28), 23, 59, 59), now=later)
    message = error.value.messages[0]
    assert "不在车辆" in message and "2026-03-01 零时至 2027-02-28 二十四时" in message
    with pytest.raises(ValidationError):
        report(policy, accident_at=at(dt.date(2027, 3, 1)), now=later)


def test_a_renewal_picks_the_policy_of_the_year_the_accident_happened_in(policy):
    successor = factories.PolicyFactory(
        vehicle=policy.vehicle, branch=policy.branch, start_date=dt.date(2027, 3, 1), renewed_from=policy
    )
    later = at(dt.date(2027, 3, 10), 12)
    assert report(policy, accident_at=at(dt.date(2027, 2, 28), 22), now=later).policy == policy
    assert report(policy, accident_at=at(dt.date(2027, 3, 1), 0, 30), now=later).policy == successor


def test_a_cancelled_policy_covers_through_24_00_of_its_cancellation_date(branch):
    policy = factories.PolicyFactory(
        branch=branch, start_date=dt.date(2026, 3, 1), status="cancelled", cancelled_on=dt.date(2026, 6, 30),
        cancel_reason="laid_up", refund=D("500.00"),
    )  # fmt: skip
    assert report(policy, accident_at=at(dt.date(2026, 6, 30), 23, 59)).policy == policy
    with pytest.raises(ValidationError) as error:
        report(policy, accident_at=at(dt.date(2026, 7, 1), 0, 1))
    assert "已于 2026-06-30 退保" in error.value.messages[0]


def test_an_accident_in_the_future_is_refused(policy):
    with pytest.raises(ValidationError) as error:
        report(policy, accident_at=NOW + dt.timedelta(minutes=5))
    assert "不能晚于" in error.value.messages[0]


def test_a_report_long_after_the_accident_is_accepted_and_flagged(policy):
    on_time = report(policy, accident_at=NOW - dt.timedelta(hours=48))
    late = report(policy, accident_at=NOW - dt.timedelta(hours=48, seconds=1))
    assert not on_time.late_report
    assert late.late_report and "late_report" in late.risk_codes
    assert "延迟报案" in ClaimEvent.objects.get(claim=late).note


def test_a_retried_report_with_the_same_idempotency_key_lands_once(policy):
    first = report(
        policy, accident_at=NOW - dt.timedelta(hours=1), channel=ClaimChannel.APP, idempotency_key="k-1"
    )
    again = report(
        policy, accident_at=NOW - dt.timedelta(hours=1), channel=ClaimChannel.APP, idempotency_key="k-1"
    )
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Claim.objects.count() == 1 and ClaimEvent.objects.count() == 1


def test_an_idempotency_key_reused_for_another_accident_is_refused(policy):
    report(policy, accident_at=NOW - dt.timedelta(hours=1), idempotency_key="k-2")
    with pytest.raises(ValidationError) as error:
        report(policy, accident_at=NOW - dt.timedelta(hours=5), idempotency_key="k-2")
    assert "幂等键已用于另一笔报案" in error.value.messages[0]


@pytest.mark.parametrize(
    ("party", "message"),
    [
        ({"kind": "person", "id_number": "360426199101010072", "medical": "100"}, "校验位"),
        ({"kind": "vehicle", "plate": "苏A12", "property": "100"}, "号牌号码"),
        ({"kind": "vehicle", "plate": "苏A12345", "medical": "100"}, "只能填写财产损失"),
        ({"kind": "person", "medical": "-1"}, "不能为负数"),
        ({"kind": "person", "medical": "12.345"}, "精确到分"),
        ({"kind": "person", "medical": "abc"}, "不是有效金额"),
        ({"kind": "robot"}, "类别无效"),
        ({"kind": "person", "colour": "red"}, "无法识别的字段"),
    ],
)
def test_bad_party_details_are_refused_and_nothing_is_written(policy, party, message):
    with pytest.raises(ValidationError) as error:
        report(policy, accident_at=NOW - dt.timedelta(hours=1), parties=[party])
    assert message in error.value.messages[0]
    assert not Claim.objects.exists()


def test_a_report_needs_at_least_one_party(policy):
    with pytest.raises(ValidationError, match="至少填写一个"):
        report(policy, accident_at=NOW - dt.timedelta(hours=1), parties=[])


def test_staff_without_the_report_permission_cannot_report(policy, branch):
    nobody = factories.UserFactory(branch=branch)
    with pytest.raises(ValidationError, match="报案"):
        report(policy, accident_at=NOW - dt.timedelta(hours=1), reported_by=nobody)


def test_an_accident_before_the_reform_gets_the_2008_limits(branch):
    old = factories.PolicyFactory(branch=branch, start_date=dt.date(2020, 1, 1))
    claim = report(old, accident_at=at(dt.date(2020, 9, 18), 23, 59), now=at(dt.date(2020, 9, 19), 9),
                   parties=[factories.third_party_person()])  # fmt: skip
    assert claim.limit_medical == D("10000")
    newer = report(old, accident_at=at(dt.date(2020, 9, 19), 0, 1), now=at(dt.date(2020, 9, 19), 9),
                   parties=[factories.third_party_person()])  # fmt: skip
    assert newer.limit_medical == D("18000")
