"""The admin for supervisors: every list and change page in a bounded number of queries,
searches on the lookup fields, and a logged view of each person's full record."""

import datetime as dt

import pytest
from django.urls import reverse

from outbox.models import OutboundMessage
from policies.models import PersonAccessLog
from tests.factories import DrivingLicenceFactory, PolicyFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "branch", "user", "person", "drivinglicence", "vehicle", "policy", "personaccesslog",
    "outboundmessage", "numbersequence", "basepremiumrate", "floatingplanregion", "floatingrate",
    "shorttermrate", "vehicletaxrate", "provincerule",
]  # fmt: skip


@pytest.fixture
def book(branch, supervisor):
    """A few vehicles with renewal chains, licences, access-log rows and messages."""
    policies = []
    for _ in range(3):
        first = PolicyFactory(branch=branch)
        renewal = PolicyFactory(
            vehicle=first.vehicle,
            branch=branch,
            renewed_from=first,
            start_date=first.end_date + dt.timedelta(days=1),
        )
        policies += [first, renewal]
    for policy in policies[::2]:
        DrivingLicenceFactory(holder=policy.policyholder)
        PersonAccessLog.objects.create(
            user=supervisor, person=policy.policyholder, page="counter", path="/x/"
        )
        OutboundMessage.objects.create(
            channel="sms", recipient=policy.policyholder.phone, text="续保提醒", purpose="renewal_reminder",
            dedupe_key=f"t:{policy.pk}", person=policy.policyholder, not_before=policy.issued_at,
        )  # fmt: skip
    return policies


def _app(model: str) -> str:
    return "outbox" if model == "outboundmessage" else "policies"


@pytest.mark.parametrize("model", MODELS)
def test_every_change_list_answers_in_a_bounded_number_of_queries(supervisor_client, book, model,
                                                                  django_assert_max_num_queries):  # fmt: skip
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(reverse(f"admin:{_app(model)}_{model}_changelist"))
    assert response.status_code == 200


def test_change_pages_answer_in_a_bounded_number_of_queries(
    supervisor_client, book, django_assert_max_num_queries
):
    policy = book[1]
    pages = {
        "policy": policy.pk, "vehicle": policy.vehicle_id, "person": policy.policyholder_id,
        "drivinglicence": policy.policyholder.licences.get().pk, "branch": policy.branch_id,
        "personaccesslog": PersonAccessLog.objects.first().pk, "outboundmessage": OutboundMessage.objects.first().pk,
    }  # fmt: skip
    for model, pk in pages.items():
        with django_assert_max_num_queries(14):
            response = supervisor_client.get(reverse(f"admin:{_app(model)}_{model}_change", args=[pk]))
        assert response.status_code == 200, model


def test_searches_find_by_the_lookup_fields(supervisor_client, book):
    policy = book[1]
    person, vehicle = policy.policyholder, policy.vehicle
    licence = person.licences.get()
    searches = [
        ("policy", policy.number.lower(), policy.number),
        ("policy", vehicle.plate, policy.number),
        ("policy", vehicle.vin, policy.number),
        ("vehicle", f" {vehicle.plate[:2]} {vehicle.plate[2:]} ", vehicle.vin),
        ("person", person.id_number, person.name),
        ("person", person.phone, person.name),
        ("person", person.name[:2], person.name),
        ("drivinglicence", licence.file_number, licence.file_number),
        ("drivinglicence", licence.number, licence.file_number),
        ("outboundmessage", book[0].policyholder.phone, person.masked_phone),
    ]
    for model, term, expected in searches:
        response = supervisor_client.get(reverse(f"admin:{_app(model)}_{model}_changelist"), {"q": term})
        assert response.status_code == 200
        assert response.context["cl"].result_count >= 1, (model, term)
        assert expected in response.content.decode(), (model, term)
    other = book[2]
    response = supervisor_client.get(reverse("admin:policies_policy_changelist"), {"q": other.vehicle.plate})
    assert {p.pk for p in response.context["cl"].result_list} == {other.pk, book[3].pk}


def test_filters_narrow_the_lists(supervisor_client, book):
    response = supervisor_client.get(
        reverse("admin:policies_personaccesslog_changelist"), {"page": "counter"}
    )
    assert response.context["cl"].result_count == 3
    response = supervisor_client.get(
        reverse("admin:outbox_outboundmessage_changelist"), {"purpose": "survey"}
    )
    assert response.context["cl"].result_count == 0
    response = supervisor_client.get(
        reverse("admin:policies_policy_changelist"), {"status__exact": "cancelled"}
    )
    assert response.context["cl"].result_count == 0


def test_lists_sort_only_on_indexed_columns(supervisor_client, book):
    url = reverse("admin:policies_policy_changelist")
    by_premium = supervisor_client.get(url, {"o": "6"}).context["cl"]  # premium: no index
    assert [p.pk for p in by_premium.result_list] == sorted((p.pk for p in book), reverse=True)
    by_end = supervisor_client.get(url, {"o": "4"}).context["cl"]  # end_date: indexed
    assert [p.end_date for p in by_end.result_list] == sorted(p.end_date for p in book)


def test_lists_mask_personal_data(supervisor_client, book):
    person = book[0].policyholder
    html = supervisor_client.get(reverse("admin:policies_person_changelist")).content.decode()
    assert person.id_number not in html and person.masked_id_number in html
    assert person.phone not in html and person.masked_phone in html
    html = supervisor_client.get(reverse("admin:outbox_outboundmessage_changelist")).content.decode()
    assert person.phone not in html and person.masked_phone in html


def test_opening_a_persons_record_writes_the_access_log(supervisor_client, supervisor, book):
    person = book[0].policyholder
    before = PersonAccessLog.objects.count()
    response = supervisor_client.get(reverse("admin:policies_person_change", args=[person.pk]))
    assert response.status_code == 200
    assert PersonAccessLog.objects.count() == before + 1
    entry = PersonAccessLog.objects.order_by("-pk").first()
    assert (entry.user, entry.person, entry.page) == (supervisor, person, "admin")


def test_clerks_and_agents_do_not_reach_the_admin(client, counter_clerk, hotline_agent):
    for user in (counter_clerk, hotline_agent):
        client.force_login(user)
        response = client.get(reverse("admin:policies_policy_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
