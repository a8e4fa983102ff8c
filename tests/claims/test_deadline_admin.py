"""Supervisors keep the claim deadlines of docs/regulation.md §6 in admin, as effective-dated rows;
recoveries are listed there read-only."""

import datetime as dt

import pytest

from claims import deadlines
from claims.deadlines import Clock
from claims.models import ClaimDeadline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_deadlines():
    deadlines.clear_deadline_cache()
    yield
    deadlines.clear_deadline_cache()


def test_a_supervisor_adds_a_deadline_row_in_admin_and_it_applies_at_once(supervisor_client):
    assert supervisor_client.get("/admin/claims/claimdeadline/").status_code == 200
    assert supervisor_client.get("/admin/claims/recovery/").status_code == 200
    before = deadlines.deadline_table().rule(Clock.PAYMENT, dt.date(2027, 6, 1))
    assert before.days == 10
    old = ClaimDeadline.objects.get(clock=Clock.PAYMENT)
    response = supervisor_client.post(
        f"/admin/claims/claimdeadline/{old.pk}/change/",
        {"clock": "payment", "days": "10", "valid_from": old.valid_from.isoformat(), "valid_to": "2027-05-31",
         "source": old.source},
    )  # fmt: skip
    assert response.status_code == 302
    response = supervisor_client.post(
        "/admin/claims/claimdeadline/add/",
        {"clock": "payment", "days": "7", "valid_from": "2027-06-01", "valid_to": "", "source": "docs/regulation.md §6 新规"},
    )  # fmt: skip
    assert response.status_code == 302
    # The save cleared the process's table: the new row applies to clocks started from its date.
    assert deadlines.deadline_table().rule(Clock.PAYMENT, dt.date(2027, 6, 1)).days == 7
    assert deadlines.deadline_table().rule(Clock.PAYMENT, dt.date(2027, 5, 31)).days == 10


def test_a_deadline_row_needs_a_positive_number_of_days(supervisor_client):
    response = supervisor_client.post(
        "/admin/claims/claimdeadline/add/",
        {"clock": "decision", "days": "0", "valid_from": "2027-01-01", "valid_to": "", "source": "x"},
    )
    assert response.status_code == 200 and not ClaimDeadline.objects.filter(days=0).exists()


def test_staff_without_admin_rights_cannot_edit_deadlines(client, claims_adjuster):
    client.force_login(claims_adjuster)
    assert client.get("/admin/claims/claimdeadline/").status_code in (302, 403)
