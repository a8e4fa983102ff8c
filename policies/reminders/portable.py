"""The planner for databases other than PostgreSQL (the SQLite demo): the same reminders as
the bulk SQL planner, chosen vehicle by vehicle with `renewal_state` and written with
`bulk_create`. Fine for thousands of policies; production plans on PostgreSQL. A test runs
both on the same data and compares what they write."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from policies.models import (
    CadenceStep,
    OutboundMessage,
    Policy,
    Reminder,
    ReminderOptOut,
    ReminderStop,
    RenewalCall,
)
from policies.models.messaging import MessageStatus
from policies.models.reminders import CallStatus, ReminderChannel
from policies.reminders import cadence, messages
from policies.tariffs import tariff_book

RECIPIENT_FIELD = {"sms": "phone", "email": "email", "push": "app_account"}


def plan_portable(
    *, day: dt.date, now: dt.datetime, steps: list[CadenceStep], prerequisite: tuple, result
) -> None:
    """Write the day's reminders for `steps` (message steps first, then call steps)."""
    days_wanted = {s.days_left for s in steps}
    ends = {cadence.end_date_for(day, d) for d in days_wanted}
    vehicle_ids = set(Policy.objects.filter(end_date__in=ends).values_list("vehicle_id", flat=True))
    by_vehicle: dict[int, list[Policy]] = defaultdict(list)
    for policy in (
        Policy.objects.filter(vehicle_id__in=vehicle_ids)
        .select_related("branch", "vehicle", "policyholder")
        .order_by("pk")
    ):
        by_vehicle[policy.vehicle_id].append(policy)

    from policies.reminders.planning import reference_target

    book = tariff_book()
    targets: list[tuple[Policy, int]] = []
    for policies in by_vehicle.values():
        target = reference_target(policies, day=day, book=book)
        if target and target[1] in days_wanted:
            targets.append((next(p for p in policies if p.pk == target[0]), target[1]))
    if not targets:
        return
    policy_ids = [p.pk for p, _ in targets]
    opted_out = set(
        ReminderOptOut.objects.filter(person_id__in=[p.policyholder_id for p, _ in targets]).values_list(
            "person_id", "channel"
        )
    )
    stopped = set(ReminderStop.objects.filter(policy_id__in=policy_ids).values_list("policy_id", "channel"))
    planned = set(
        Reminder.objects.filter(policy_id__in=policy_ids).values_list("policy_id", "channel", "days_left")
    )
    steps_by_days = defaultdict(list)
    for step in steps:
        steps_by_days[step.days_left].append(step)

    def wanted(policy: Policy, step: CadenceStep) -> bool:
        return (
            (policy.policyholder_id, step.channel) not in opted_out
            and (policy.pk, step.channel) not in stopped
            and (policy.pk, step.channel, step.days_left) not in planned
        )

    # Messages.
    outbox, reminders = [], []
    for policy, days_left in targets:
        for step in steps_by_days[days_left]:
            if step.channel == ReminderChannel.CALL or not wanted(policy, step):
                continue
            recipient = getattr(policy.policyholder, RECIPIENT_FIELD[step.channel])
            if not recipient:
                continue
            text = messages.render(
                step.channel, name=policy.policyholder.name, plate=policy.vehicle.plate, end_date=policy.end_date,
                days_left=days_left, branch=policy.branch.name, base_premium=policy.base_premium,
            )  # fmt: skip
            outbox.append(
                OutboundMessage(
                    channel=step.channel,
                    recipient=recipient,
                    subject=text.subject,
                    text=text.text,
                    purpose=cadence.REMINDER_PURPOSE,
                    person_id=policy.policyholder_id,
                    dedupe_key=f"reminder:{policy.pk}:{step.channel}:{days_left}",
                    status=MessageStatus.PENDING,
                    not_before=cadence.send_at(channel=step.channel, day=day, now=now),
                )  # fmt: skip
            )
            reminders.append(
                Reminder(
                    policy=policy,
                    channel=step.channel,
                    days_left=days_left,
                    step=step,
                    person_id=policy.policyholder_id,
                    planned_for=day,
                )  # fmt: skip
            )
    OutboundMessage.objects.bulk_create(outbox)
    for reminder, message in zip(reminders, outbox, strict=True):
        reminder.message = message
        result.by_step[(reminder.channel, reminder.days_left)] += 1
    Reminder.objects.bulk_create(reminders)

    # Calls: only where an SMS or push already went out, and no call is open.
    reached = set(
        Reminder.objects.filter(
            policy_id__in=policy_ids, channel__in=prerequisite, message__status=MessageStatus.SENT
        ).values_list("policy_id", flat=True)
    )
    open_calls = set(
        RenewalCall.objects.filter(policy_id__in=policy_ids, status=CallStatus.OPEN).values_list(
            "policy_id", flat=True
        )
    )
    for policy, days_left in targets:
        for step in steps_by_days[days_left]:
            if step.channel != ReminderChannel.CALL or not wanted(policy, step):
                continue
            if not policy.policyholder.phone or policy.pk not in reached or policy.pk in open_calls:
                continue
            reminder = Reminder.objects.create(
                policy=policy, channel=step.channel, days_left=days_left, step=step,
                person_id=policy.policyholder_id, planned_for=day,
            )  # fmt: skip
            RenewalCall.objects.create(
                reminder=reminder, policy=policy, vehicle_id=policy.vehicle_id, person_id=policy.policyholder_id,
                phone=policy.policyholder.phone, branch_id=policy.branch_id, due_date=day, days_left=days_left,
            )  # fmt: skip
            result.by_step[(step.channel, days_left)] += 1
