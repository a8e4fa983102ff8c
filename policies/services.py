"""Rules that write the policies app's data. Each is one transaction and raises
`ValidationError` with a message a clerk can read."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from policies.choices import PolicyStatus, SalesChannel
from policies.identifiers import is_trailer_plate
from policies.models import Branch, NumberSequence, Person, PersonAccessLog, Policy, User, Vehicle
from policies.pricing import Quote


def next_sequence_value(name: str) -> int:
    """The next value of a named counter; the row lock serialises concurrent callers."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(name=name)
        NumberSequence.objects.filter(name=name).update(last_value=F("last_value") + 1)
        return NumberSequence.objects.values_list("last_value", flat=True).get(name=name)


def new_policy_number(*, start: dt.date) -> str:
    """`JQX` + year of cover + a 10-digit serial, e.g. JQX20270000000042."""
    return f"JQX{start.year}{next_sequence_value(f'policy-{start.year}'):010d}"


def overlapping_policies(*, vehicle: Vehicle, start: dt.date, end: dt.date, exclude_pk: int | None = None):
    """Non-cancelled policies of `vehicle` whose cover shares a day with start..end."""
    qs = Policy.objects.not_cancelled().filter(vehicle=vehicle, start_date__lte=end, end_date__gte=start)
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def check_no_overlap(
    *, vehicle: Vehicle, start: dt.date, end: dt.date, exclude_pk: int | None = None
) -> None:
    clash = overlapping_policies(vehicle=vehicle, start=start, end=end, exclude_pk=exclude_pk).first()
    if clash is not None:
        raise ValidationError(
            "车辆 %(plate)s 在 %(start)s 至 %(end)s 已有保单 %(number)s，保险期间不能重叠。",
            code="overlap",
            params={
                "plate": vehicle.plate,
                "start": clash.start_date.isoformat(),
                "end": clash.end_date.isoformat(),
                "number": clash.number,
            },
        )


@transaction.atomic
def policy_issue(
    *,
    vehicle: Vehicle,
    policyholder: Person,
    insured: Person,
    branch: Branch,
    channel: str,
    quote: Quote,
    issued_by: User | None = None,
    renewed_from: Policy | None = None,
) -> Policy:
    """Issue a policy with the premium parts of `quote`. Refuses trailers (条例 Art. 42)
    and cover overlapping another policy of the vehicle."""
    if is_trailer_plate(vehicle.plate):
        raise ValidationError("挂车自 2013 年 3 月 1 日起不再投保交强险。", code="trailer")
    if channel not in SalesChannel.values:
        raise ValidationError("销售渠道无效。", code="channel")
    check_no_overlap(vehicle=vehicle, start=quote.start_date, end=quote.end_date)
    policy = Policy(
        number=new_policy_number(start=quote.start_date),
        vehicle=vehicle,
        policyholder=policyholder,
        insured=insured,
        branch=branch,
        channel=channel,
        term_kind=quote.term_kind,
        start_date=quote.start_date,
        end_date=quote.end_date,
        base_premium=quote.base_premium,
        floating_plan=quote.floating_plan,
        floating_reason=quote.floating_reason,
        floating_rate=quote.floating_rate,
        premium=quote.premium,
        vehicle_tax=quote.vehicle_tax,
        total=quote.total,
        status=PolicyStatus.IN_FORCE,
        renewed_from=renewed_from,
        issued_by=issued_by,
    )
    policy.full_clean(validate_unique=False, validate_constraints=False)
    policy.save()
    return policy


def person_view_log(
    *, user: User, person: Person, page: str, path: str = "", ip_address: str | None = None
) -> PersonAccessLog:
    """Write down one full view of a person's record (who, when, which person, which page)."""
    return PersonAccessLog.objects.create(
        user=user, person=person, page=page, path=path[:300], ip_address=ip_address
    )


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
