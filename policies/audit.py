"""The access log of personal data: every full view of a person's record is written down."""

from __future__ import annotations

from django.http import HttpRequest

from policies.models import Person, PersonAccessLog
from policies.services import client_ip, person_view_log


def log_person_view(request: HttpRequest, person: Person, page: str) -> PersonAccessLog:
    """Record that the signed-in user saw `person`'s full record on `page` (who, when, which
    person, which page and address, from where)."""
    return person_view_log(
        user=request.user,
        person=person,
        page=page,
        path=request.get_full_path(),
        ip_address=client_ip(request),
    )
