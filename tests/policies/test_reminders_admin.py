"""Supervisors edit the cadence and record opt-outs in admin; reminders are read-only there."""

import pytest
from django.urls import reverse

from reminders.models import CadenceStep, ReminderOptOut
from tests.factories import CustomerFactory, RenewalCallFactory

pytestmark = pytest.mark.django_db


def test_a_supervisor_switches_a_cadence_step_off_in_admin(supervisor_client):
    step = CadenceStep.objects.get(channel="sms", days_left=60)
    response = supervisor_client.get(reverse("admin:reminders_cadencestep_changelist"))
    assert response.status_code == 200 and "到期前 60 天" in response.content.decode()
    response = supervisor_client.post(
        reverse("admin:reminders_cadencestep_change", args=[step.pk]),
        {"channel": "sms", "days_left": 60, "note": "春节期间暂停"},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.is_active is False and step.note == "春节期间暂停"


def test_a_cadence_step_outside_the_renewal_window_is_refused_in_chinese(supervisor_client):
    response = supervisor_client.post(
        reverse("admin:reminders_cadencestep_add"), {"channel": "sms", "days_left": 120, "is_active": "on"}
    )
    assert response.status_code == 200
    assert not CadenceStep.objects.filter(days_left=120).exists()


def test_an_opt_out_recorded_in_admin_names_who_recorded_it(supervisor_client, supervisor):
    person = CustomerFactory()
    response = supervisor_client.post(
        reverse("admin:reminders_reminderoptout_add"),
        {"person": person.pk, "channel": "sms", "reason": "来电要求"},
    )
    assert response.status_code == 302
    assert ReminderOptOut.objects.get().created_by == supervisor


def test_reminders_cannot_be_edited_or_deleted_in_admin(supervisor_client):
    assert supervisor_client.get(reverse("admin:reminders_reminder_changelist")).status_code == 200
    assert supervisor_client.get(reverse("admin:reminders_reminder_add")).status_code == 403


def test_the_call_list_in_admin_masks_phones(supervisor_client):
    call = RenewalCallFactory()
    html = supervisor_client.get(reverse("admin:reminders_renewalcall_changelist")).content.decode()
    assert call.phone not in html and call.phone[:3] + "****" + call.phone[-4:] in html


def test_clerks_cannot_reach_the_reminder_admin(clerk_client):
    assert clerk_client.get(reverse("admin:reminders_cadencestep_changelist")).status_code == 302


def test_opening_a_call_in_admin_is_logged_as_a_view_of_the_customer(supervisor_client, supervisor):
    from policies.models import PersonAccessLog

    call = RenewalCallFactory()
    assert (
        supervisor_client.get(reverse("admin:reminders_renewalcall_change", args=[call.pk])).status_code
        == 200
    )
    log = PersonAccessLog.objects.get()
    assert log.person == call.person and log.user == supervisor and log.page == "admin"
