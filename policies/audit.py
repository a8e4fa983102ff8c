"""The access log of personal data: every full view of a person's record is written down, and
whether the person is another branch's customer."""

from __future__ import annotations

from django.db.models import BooleanField, Exists, Func
from django.db.models.expressions import Expression
from django.http import HttpRequest

from core.security_log import PERSONAL_DATA_VIEWED, security_event
from policies.models import Person, PersonAccessLog, Policy, User
from policies.services import client_ip, person_view_log


def other_branch_customer(user: User, person: Person) -> Expression | bool:
    """True when no policy of the user's branch names the person (as policyholder, insured or
    the vehicle's owner): a customer of another branch, served but logged as such. Staff
    without a branch (head office) serve every branch. An SQL expression, evaluated inside
    the log row's INSERT: no query of its own."""
    if user.branch_id is None:
        return False
    ours = Policy.objects.filter(branch_id=user.branch_id)
    return Func(  # NOT (EXISTS … OR EXISTS … OR EXISTS …): each on an indexed column
        Exists(ours.filter(policyholder_id=person.pk)),
        Exists(ours.filter(insured_id=person.pk)),
        Exists(ours.filter(vehicle__owner_id=person.pk)),
        template="NOT (%(expressions)s)",
        arg_joiner=" OR ",
        output_field=BooleanField(),
    )


def log_person_view(request: HttpRequest, person: Person, page: str) -> PersonAccessLog:
    """Record that the signed-in user saw `person`'s full record on `page` (who, when, which
    person, which page and address, from where, and whether another branch's customer)."""
    security_event(PERSONAL_DATA_VIEWED, request=request, details={"person_id": person.pk, "page": page})
    return person_view_log(
        user=request.user,
        person=person,
        page=page,
        path=request.get_full_path(),
        ip_address=client_ip(request),
        other_branch=other_branch_customer(request.user, person),
    )


def branch_customers(user: User, person_ids: list[int]) -> set[int]:
    """Those of `person_ids` a policy of the user's branch names (three indexed lookups);
    everyone for staff without a branch (head office serves every branch)."""
    if user.branch_id is None:
        return set(person_ids)
    ours = Policy.objects.filter(branch_id=user.branch_id)
    found: set[int] = set()
    for column in ("policyholder_id", "insured_id", "vehicle__owner_id"):
        found.update(ours.filter(**{f"{column}__in": person_ids}).values_list(column, flat=True).distinct())
    return found


def log_people_exported(request: HttpRequest, person_ids: list[int], page: str) -> None:
    """Record a full export of these people's data as one full view of each (a bulk insert per
    chunk of the export): who, when, which list (`page`), from where, other branch or not."""
    if not person_ids:
        return
    ours = branch_customers(request.user, person_ids)
    path, ip_address = request.get_full_path()[:300], client_ip(request)
    PersonAccessLog.objects.bulk_create(
        [
            PersonAccessLog(
                user=request.user,
                person_id=pk,
                page=page[:50],
                path=path,
                ip_address=ip_address,
                other_branch=pk not in ours,
            )  # fmt: skip
            for pk in person_ids
        ],
        batch_size=1000,
    )
