"""The bulk planner: who is reminded, who is not, and that a rerun writes nothing new."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outbox.models import OutboundMessage
from policies.choices import CancelReason, PolicyStatus
from policies.models import Policy, ProvinceRule
from policies.tariffs import tariff_book
from reminders.cadence import SHANGHAI
from reminders.models import CadenceStep, Reminder, RenewalCall
from reminders.planning import due_policies, plan_reminders, reference_target
from reminders.services import reminder_opt_in, reminder_opt_out
from tests.factories import BranchFactory, CustomerFactory, PolicyFactory, VehicleFactory, policy_ending

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
IN_30 = DAY + dt.timedelta(days=30)


def plan(day=DAY, now=NOW, **kwargs):
    return plan_reminders(day=day, now=now, **kwargs)


def test_a_due_policy_gets_one_reminder_per_channel_with_its_message_in_the_outbox():
    policy = policy_ending(IN_30)

    result = plan()

    assert result.by_step == {("sms", 30): 1, ("email", 30): 1, ("push", 30): 1}
    reminders = {r.channel: r for r in Reminder.objects.select_related("message")}
    assert set(reminders) == {"sms", "email", "push"}
    person = policy.policyholder
    assert reminders["sms"].message.recipient == person.phone
    assert reminders["email"].message.recipient == person.email
    assert reminders["push"].message.recipient == person.app_account
    for r in reminders.values():
        assert r.policy == policy and r.days_left == 30 and r.planned_for == DAY
        assert r.message.purpose == "renewal_reminder" and r.message.status == "pending"
        assert r.message.dedupe_key == f"reminder:{policy.pk}:{r.channel}:30"
    assert reminders["email"].message.subject.startswith("交强险续保提醒")


def test_a_rerun_writes_nothing_new():
    policy_ending(IN_30)
    policy_ending(DAY - dt.timedelta(days=1))
    first = plan()

    second = plan(now=NOW + dt.timedelta(hours=3))

    assert first.total == 6 and second.total == 0
    assert Reminder.objects.count() == 6
    assert OutboundMessage.objects.count() == 6


def test_a_dry_run_counts_and_writes_nothing():
    policy_ending(IN_30)
    assert plan(dry_run=True).total == 3
    assert Reminder.objects.count() == 0 and OutboundMessage.objects.count() == 0


def test_a_channel_without_an_address_is_skipped():
    owner = CustomerFactory(email="", app_account="")
    policy_ending(IN_30, owner=owner)
    assert plan().by_step == {("sms", 30): 1}


def test_opt_outs_are_honoured_per_customer_and_channel():
    opted = policy_ending(IN_30)
    other = policy_ending(IN_30)
    reminder_opt_out(person=opted.policyholder, channel="sms", reason="客户来电要求")
    reminder_opt_out(person=opted.policyholder, channel="sms")  # twice is once

    plan()

    assert set(opted.reminders.values_list("channel", flat=True)) == {"email", "push"}
    assert set(other.reminders.values_list("channel", flat=True)) == {"sms", "email", "push"}


def test_an_opt_in_restores_the_channel_for_later_steps():
    policy = policy_ending(IN_30)
    reminder_opt_out(person=policy.policyholder, channel="push")
    plan()
    assert reminder_opt_in(person=policy.policyholder, channel="push") is True
    seven_days = IN_30 - dt.timedelta(days=7)
    plan(day=seven_days, now=dt.datetime.combine(seven_days, dt.time(9), tzinfo=SHANGHAI))
    assert list(policy.reminders.filter(channel="push").values_list("days_left", flat=True)) == [7]


def test_a_vehicle_already_renewed_is_not_reminded():
    old = policy_ending(IN_30)
    PolicyFactory(
        vehicle=old.vehicle, renewed_from=old, start_date=IN_30 + dt.timedelta(days=1),
        number="JQX20270000000001",
    )  # fmt: skip
    assert plan().total == 0


def test_a_vehicle_insured_again_without_a_renewal_link_counts_as_renewed():
    lapsed = policy_ending(DAY - dt.timedelta(days=1))
    PolicyFactory(vehicle=lapsed.vehicle, start_date=DAY + dt.timedelta(days=1))
    assert plan().total == 0


def test_a_cancelled_policy_is_not_reminded():
    policy = policy_ending(IN_30)
    Policy.objects.filter(pk=policy.pk).update(
        status=PolicyStatus.CANCELLED, cancelled_on=DAY - dt.timedelta(days=10),
        end_date=DAY - dt.timedelta(days=10), cancel_reason=CancelReason.LAID_UP,
    )  # fmt: skip
    # Cancelled with its end moved to the cancellation date: not due, not lapsed either.
    assert plan().total == 0
    assert plan(day=DAY - dt.timedelta(days=9)).total == 0


def test_a_vehicle_whose_latest_policy_was_cancelled_gets_no_lapse_reminder():
    old = policy_ending(DAY - dt.timedelta(days=1))
    # A later policy, cancelled at once: the vehicle's status is cancelled (docs/regulation.md §4).
    PolicyFactory(
        vehicle=old.vehicle, start_date=DAY - dt.timedelta(days=60), end_date=DAY - dt.timedelta(days=50),
        status=PolicyStatus.CANCELLED, cancelled_on=DAY - dt.timedelta(days=50),
    )  # fmt: skip
    assert plan().total == 0


def test_the_first_day_of_lapse_gets_the_lapse_message():
    policy = policy_ending(DAY - dt.timedelta(days=1), base_premium=Decimal("950.00"))
    assert plan().by_step == {("sms", -1): 1, ("email", -1): 1, ("push", -1): 1}
    sms = policy.reminders.get(channel="sms").message
    assert "已脱保" in sms.text and "1900.00元" in sms.text


def test_steps_disabled_by_a_supervisor_are_not_planned():
    policy_ending(IN_30)
    CadenceStep.objects.filter(channel="email", days_left=30).update(is_active=False)
    assert set(plan().by_step) == {("sms", 30), ("push", 30)}


def test_a_step_added_by_a_supervisor_is_planned():
    CadenceStep.objects.create(channel="sms", days_left=14)
    policy = policy_ending(DAY + dt.timedelta(days=14))
    assert plan().by_step == {("sms", 14): 1}
    assert policy.reminders.get().step.days_left == 14


def test_a_province_with_a_shorter_advance_window_is_not_reminded_before_it_opens():
    hainan = BranchFactory(code="460100", name="海口龙华营业部", province="海南", city="海口")
    ProvinceRule.objects.create(province="海南", advance_renewal_days=30, valid_from=dt.date(2020, 1, 1))
    policy_ending(DAY + dt.timedelta(days=60), branch=hainan)
    policy_ending(DAY + dt.timedelta(days=7), branch=hainan)
    assert plan().by_step == {("sms", 7): 1, ("email", 7): 1, ("push", 7): 1}


def test_sms_and_push_planned_in_the_quiet_hours_are_scheduled_for_08_00():
    policy = policy_ending(IN_30)
    plan(now=dt.datetime(2026, 11, 25, 22, 30, tzinfo=SHANGHAI))
    messages = {r.channel: r.message for r in policy.reminders.select_related("message")}
    morning = dt.datetime(2026, 11, 26, 8, 0, tzinfo=SHANGHAI)
    assert messages["sms"].not_before == morning
    assert messages["push"].not_before == morning
    assert messages["email"].not_before == dt.datetime(2026, 11, 25, 22, 30, tzinfo=SHANGHAI)


def _sent(policy, channel="sms"):
    OutboundMessage.objects.filter(reminder__policy=policy, reminder__channel=channel).update(
        status="sent", sent_at=NOW
    )


def test_calls_are_planned_only_for_vehicles_an_sms_or_push_reached_without_renewal():
    seven = DAY + dt.timedelta(days=7)
    reached = policy_ending(seven)
    unreached = policy_ending(seven)
    renewed = policy_ending(seven)
    earlier = DAY - dt.timedelta(days=23)
    plan(day=earlier, now=dt.datetime.combine(earlier, dt.time(9), tzinfo=SHANGHAI))
    _sent(reached)
    _sent(renewed, "push")
    PolicyFactory(vehicle=renewed.vehicle, renewed_from=renewed, start_date=seven + dt.timedelta(days=1))

    result = plan()

    assert result.by_step[("call", 7)] == 1
    call = RenewalCall.objects.get()
    assert call.policy == reached and call.status == "open" and call.due_date == DAY
    assert call.phone == reached.policyholder.phone and call.branch == reached.branch
    assert call.reminder.channel == "call" and call.reminder.message is None
    assert not RenewalCall.objects.filter(policy__in=[unreached, renewed]).exists()
    assert plan().total == 0  # and once only


def test_no_second_call_while_one_is_open_for_the_policy():
    policy = policy_ending(DAY - dt.timedelta(days=1))
    RenewalCall.objects.create(
        policy=policy, vehicle=policy.vehicle, person=policy.policyholder, phone="13900000000",
        branch=policy.branch, due_date=DAY - dt.timedelta(days=8), days_left=7,
    )  # fmt: skip
    OutboundMessage.objects.create(
        channel="sms", recipient="1", text="t", purpose="renewal_reminder", dedupe_key="x", not_before=NOW,
        status="sent", sent_at=NOW,
    )  # fmt: skip
    Reminder.objects.create(
        policy=policy, channel="sms", days_left=7, person=policy.policyholder, planned_for=DAY,
        message=OutboundMessage.objects.get(),
    )  # fmt: skip
    assert plan().by_step[("call", -1)] == 0
    assert RenewalCall.objects.count() == 1


# --- the bulk query equals renewal_state -------------------------------------------------

term = st.tuples(
    st.integers(min_value=0, max_value=40),  # gap in days after the previous term ended
    st.sampled_from([365, 364, 180, 30]),  # length of cover in days
    st.one_of(st.none(), st.integers(min_value=0, max_value=200)),  # cancelled after n days
)
history = st.lists(term, min_size=1, max_size=4)


def _make_vehicle(terms, first_start, branch, owner):
    vehicle = VehicleFactory(owner=owner)
    start = first_start
    for gap, length, cancelled_after in terms:
        start = start + dt.timedelta(days=gap)
        end = start + dt.timedelta(days=length - 1)
        extra = {}
        if cancelled_after is not None and cancelled_after < length:
            end = start + dt.timedelta(days=cancelled_after)
            extra = {"status": PolicyStatus.CANCELLED, "cancelled_on": end}
        PolicyFactory(vehicle=vehicle, branch=branch, start_date=start, end_date=end, **extra)
        start = end + dt.timedelta(days=1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    histories=st.lists(history, min_size=1, max_size=6),
    offsets=st.lists(st.integers(min_value=0, max_value=400), min_size=6, max_size=6),
)
def test_the_bulk_selection_equals_renewal_state_for_every_vehicle(histories, offsets):
    """docs/regulation.md §4 through `renewal_state`, vehicle by vehicle, against the planner's one query,
    on every day a cadence step could fall, for generated histories (gaps, short terms,
    cancellations, renewals)."""
    from django.db import transaction

    steps = list(range(-3, 90))
    with transaction.atomic():
        branch = BranchFactory(code="320199", province="江苏", city="南京")
        owner = CustomerFactory()
        origin = dt.date(2024, 2, 1)
        for i, terms in enumerate(histories):
            _make_vehicle(terms, origin + dt.timedelta(days=offsets[i]), branch, owner)
        book = tariff_book()
        policies = list(Policy.objects.select_related("branch").order_by("pk"))
        by_vehicle = {}
        for p in policies:
            by_vehicle.setdefault(p.vehicle_id, []).append(p)
        for day in [origin + dt.timedelta(days=d) for d in range(0, 1300, 37)]:
            expected = {reference_target(ps, day=day, book=book) for ps in by_vehicle.values()}
            expected = {t for t in expected if t is not None and t[1] in steps}
            assert due_policies(day=day, days_left=steps) == expected, day
        transaction.set_rollback(True)


def _written():
    reminders = {
        (r.policy_id, r.channel, r.days_left, r.step_id, r.person_id, r.planned_for,
         r.message.recipient if r.message else None, r.message.subject if r.message else None,
         r.message.text if r.message else None, r.message.not_before if r.message else None,
         r.message.dedupe_key if r.message else None)
        for r in Reminder.objects.select_related("message")
    }  # fmt: skip
    calls = set(RenewalCall.objects.values_list("policy_id", "vehicle_id", "person_id", "phone", "branch_id",
                                                "due_date", "days_left", "status"))  # fmt: skip
    return reminders, calls


def test_the_planner_on_a_mixed_book_writes_each_due_reminder_once():
    """A mixed book: due, lapsed, renewed, cancelled, opted out, stopped, call candidates,
    and a rerun that writes nothing."""
    from django.db import transaction

    hainan = BranchFactory(code="460100", name="海口龙华营业部", province="海南", city="海口")
    ProvinceRule.objects.create(province="海南", advance_renewal_days=30, valid_from=dt.date(2020, 1, 1))
    policies = [policy_ending(DAY + dt.timedelta(days=d)) for d in (60, 30, 7, 7, 1, -1, -1, 0, 14)]
    policies.append(policy_ending(DAY + dt.timedelta(days=60), branch=hainan))
    policy_ending(IN_30, owner=CustomerFactory(email="", app_account=""))
    renewed = policy_ending(IN_30)
    PolicyFactory(vehicle=renewed.vehicle, renewed_from=renewed, start_date=IN_30 + dt.timedelta(days=1))
    reminder_opt_out(person=policies[1].policyholder, channel="push")
    from reminders.models import ReminderStop

    ReminderStop.objects.create(policy=policies[4], channel="sms", reason="wrong_number")
    for p in (policies[2], policies[6]):  # reached by an SMS earlier: call candidates
        m = OutboundMessage.objects.create(channel="sms", recipient="1", text="t", purpose="renewal_reminder",
                                           dedupe_key=f"early:{p.pk}", not_before=NOW, status="sent", sent_at=NOW)  # fmt: skip
        Reminder.objects.create(policy=p, channel="sms", days_left=30, person=p.policyholder,
                                planned_for=DAY - dt.timedelta(days=23), message=m)  # fmt: skip

    with transaction.atomic():
        first = plan()
        again = plan()
        by_step, rerun, (reminders, calls) = first.by_step, again.total, _written()
        # every planned step is one reminder row, beside the two written before the plan
        assert len(reminders) == sum(by_step.values()) + 2
        transaction.set_rollback(True)

    # 7 due or lapsed × 3 channels + one SMS-only customer − one opt-out − one stop, + 2 calls
    assert rerun == 0 and len(calls) == 2 and sum(by_step.values()) == 7 * 3 + 1 - 2 + 2
