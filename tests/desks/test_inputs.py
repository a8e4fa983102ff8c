"""Numbers from URLs and forms (`core.inputs`), the pages' paging, the admin's change lists
and inline formsets, and the request-size limits: each failure that once answered 500,
asked for again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from core.admin import INLINE_MAX_FORMS, EstimatedCountPaginator, plan_rows
from core.clock import today
from core.inputs import MAX_PAGE, ascii_int, page_number
from outbox.models import MessageStatus, OutboundMessage
from policies.models import Branch, Person
from reminders.models import RenewalCall
from tests import factories
from tests.accounts.otp import verify_second_factor

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
NOT_DIGITS = [
    "",
    " ",
    "-1",
    "+1",
    "1.0",
    "1e3",
    "0x10",
    "1 2",
    "1\n",
    "²",
    "³",
    "٣",
    "۳",
    "३",
    "১",
    "๓",
    "①",
    "𝟗",
    "一",
]


# --- core.inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), ("０４２", 42), (" 7 ", 7), ("0", 0), ("9" * 18, 10**18 - 1), (42, 42)],
)
def test_ascii_int_reads_ascii_and_full_width_digits(value, expected):
    assert ascii_int(value) == expected


@pytest.mark.parametrize("value", [None, *NOT_DIGITS, HUGE, "９" * 19, "4" * 5000])
def test_ascii_int_is_none_for_anything_but_up_to_18_ascii_digits(value):
    assert ascii_int(value) is None


def test_ascii_int_keeps_within_its_bound():
    assert ascii_int("100", max_value=100) == 100
    assert ascii_int("101", max_value=100) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3), ("３", 3), ("0003", 3), (None, 1), ("0", 1), *[(v, 1) for v in NOT_DIGITS]],
)
def test_a_page_number_is_a_positive_ascii_number_else_the_first_page(value, expected):
    assert page_number(value) == expected


@pytest.mark.parametrize("value", [str(MAX_PAGE + 1), HUGE, "９" * 30, "4" * 5000])
def test_a_page_number_past_the_bound_is_the_bound(value):
    assert page_number(value) == MAX_PAGE


# --- Non-ASCII digits in the desks' query parameters --------------------------------------------


@pytest.fixture
def customer(branch):
    policy = factories.policy_ending(today() + dt.timedelta(days=20), branch=branch)
    return policy.vehicle.owner


def _logged_in(user, *, second_factor: bool = False) -> Client:
    client = Client()
    client.force_login(user)
    if second_factor:  # supervisors verify a one-time code after the password
        verify_second_factor(client, user)
    return client


@pytest.mark.parametrize("value", ["²", "٣", "३", HUGE, "-1", "abc"])
def test_a_vehicle_parameter_that_is_no_id_opens_the_page_on_no_vehicle(
    counter_clerk, hotline_agent, customer, value
):
    clerk, agent = _logged_in(counter_clerk), _logged_in(hotline_agent)
    assert clerk.post(reverse("counter:home"), {"number": customer.id_number}).status_code == 302
    assert agent.post(reverse("hotline:home"), {"q": customer.id_number}, follow=True).status_code == 200
    pages = [
        (clerk, reverse("counter:person", args=[customer.pk]), "focus"),
        (clerk, reverse("counter:short_term"), "vehicle"),
        (agent, reverse("hotline:customer", args=[customer.pk]), "focus"),
    ]
    for client, url, shown in pages:
        response = client.get(url, {"vehicle": value})
        assert response.status_code == 200, url
        assert response.context[shown] is None, url


def test_a_full_width_vehicle_id_opens_the_page_on_that_vehicle(clerk_client, customer):
    assert clerk_client.post(reverse("counter:home"), {"number": customer.id_number}).status_code == 302
    vehicle = customer.vehicles.get()
    full_width = str(vehicle.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = clerk_client.get(reverse("counter:person", args=[customer.pk]), {"vehicle": full_width})
    assert response.context["focus"] == vehicle.pk


@pytest.mark.parametrize("value", ["²", "٣", HUGE, "abc", "-1"])
def test_a_branch_that_is_no_id_is_not_found_and_nothing_is_spread(
    supervisor_client, branch, hotline_agent, value
):
    factories.RenewalCallFactory(
        policy=factories.policy_ending(today() + dt.timedelta(days=7), branch=branch)
    )
    assert supervisor_client.get(reverse("hotline:team"), {"branch": value}).status_code == 404
    response = supervisor_client.post(reverse("hotline:team_spread"), {"branch": value})
    assert response.status_code == 404
    assert RenewalCall.objects.filter(assigned_to__isnull=False).count() == 0


def test_without_a_branch_the_team_page_shows_the_supervisors_own(supervisor_client, branch):
    response = supervisor_client.get(reverse("hotline:team"))
    assert response.status_code == 200 and response.context["branch"] == branch


# --- Paging ----------------------------------------------------------------------------------------


@pytest.fixture
def failed_messages(db):
    return [
        factories.OutboundMessageFactory(status=MessageStatus.FAILED, last_error="网关超时")
        for _ in range(30)
    ]


def _rows(response) -> int:
    return len(response.context["table"].page.object_list)


@pytest.mark.parametrize("page", [HUGE, "９" * 20, "1001", "3"])
def test_a_counted_list_past_its_end_shows_its_last_page_and_says_so(
    supervisor_client, failed_messages, page
):
    response = supervisor_client.get(reverse("reminders:failed"), {"page": page})
    assert response.status_code == 200
    assert response.context["table"].page.number == 2 and _rows(response) == 5
    assert "已显示第 2 页" in response.content.decode()


@pytest.mark.parametrize("page", ["²", "٣", "abc", "-1", "0", ""])
def test_a_page_that_is_no_number_is_the_first(supervisor_client, failed_messages, page):
    response = supervisor_client.get(reverse("reminders:failed"), {"page": page})
    assert response.status_code == 200 and response.context["table"].page.number == 1


@pytest.mark.parametrize("per_page", ["0", "-1", "1000000000", HUGE, "²"])
def test_the_page_size_is_the_pages_own(supervisor_client, failed_messages, per_page):
    response = supervisor_client.get(reverse("reminders:failed"), {"per_page": per_page})
    assert response.status_code == 200 and _rows(response) == 25


@pytest.mark.parametrize("page", [HUGE, "９" * 20, "１２", "5"])
def test_lazy_lists_past_their_end_show_the_first_page_and_say_so(hotline_agent, supervisor, branch, page):
    agent_client, supervisor_client = _logged_in(hotline_agent), _logged_in(supervisor, second_factor=True)
    for n in range(3):
        factories.RenewalCallFactory(
            policy=factories.policy_ending(today() + dt.timedelta(days=5 + n), branch=branch),
            assigned_to=hotline_agent,
        )
    for client, url, params in [
        (agent_client, reverse("hotline:calls"), {}),
        (supervisor_client, reverse("hotline:team"), {}),
    ]:
        response = client.get(url, {**params, "page": page, "per_page": "0"})
        assert response.status_code == 200, url
        assert response.context["table"].page.number == 1 and _rows(response) == 3, url
        assert "已显示第 1 页" in response.content.decode(), url
    # The hotline's results go by cursor (core.keyset): a page number is not read at all.
    response = agent_client.get(reverse("hotline:home"), {"branch": branch.pk, "page": page, "per_page": "0"})
    assert response.status_code == 200 and response.context["table"].keyset.number == 1
    assert len(response.context["table"].keyset.rows) == 3


# --- Admin change lists --------------------------------------------------------------------------

CHANGE_LISTS = sorted(
    (m._meta.app_label, m._meta.model_name)
    for m in admin.site._registry
    if m._meta.app_label in ("policies", "outbox", "reminders", "channels")
)
SEARCHES = ["abc", "0", "²", "٣٢٠١", HUGE, "' OR 1=1 --", "张" * 2000]


@pytest.fixture
def book(branch, supervisor):
    policy = factories.PolicyFactory(branch=branch)
    factories.DrivingLicenceFactory(holder=policy.policyholder)
    factories.OutboundMessageFactory(person=policy.policyholder)
    return policy


@pytest.mark.parametrize(("app", "model"), CHANGE_LISTS)
def test_every_change_list_answers_any_search(
    supervisor_client, book, app, model, django_assert_max_num_queries
):
    url = reverse(f"admin:{app}_{model}_changelist")
    for term in SEARCHES:
        with django_assert_max_num_queries(14):
            response = supervisor_client.get(url, {"q": term})
        assert response.status_code == 200, term


@pytest.mark.parametrize("model", ["person", "vehicle", "policy"])
@pytest.mark.parametrize("term", ["abc", "0"])
def test_a_search_that_names_nothing_lists_nothing(supervisor_client, book, model, term):
    response = supervisor_client.get(reverse(f"admin:policies_{model}_changelist"), {"q": term})
    assert response.status_code == 200 and response.context["cl"].result_count == 0


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("admin:policies_person_changelist", {"q": "a\x00b"}),
        ("admin:policies_branch_changelist", {"q": "\x00"}),
        ("admin:policies_policy_changelist", {"status__exact": "\x00"}),
        ("admin:channels_apiusage_changelist", {"day__year": "9999"}),
        ("admin:channels_apiusage_changelist", {"day__year": HUGE}),
        ("admin:channels_apiusage_changelist", {"day__year": "2026", "day__month": "13"}),
        ("admin:reminders_reminder_changelist", {"days_left__exact": "²"}),
        ("admin:axes_accesslog_changelist", {"attempt_time__year": "2147483648"}),
    ],
)
def test_a_filter_postgresql_or_python_cannot_take_is_an_incorrect_lookup(supervisor_client, url, params):
    response = supervisor_client.get(reverse(url), params)
    assert response.status_code == 302 and response.url.endswith("?e=1")


def test_the_libraries_admins_are_hardened_too(supervisor_client):
    assert (
        supervisor_client.get(reverse("admin:auth_group_changelist"), {"name__regex": "["}).status_code == 400
    )
    assert (
        supervisor_client.get(reverse("admin:axes_accesslog_changelist"), {"id__regex": "["}).status_code
        == 400
    )


@pytest.mark.parametrize(("app", "model"), CHANGE_LISTS)
def test_a_regular_expression_filter_is_refused_and_any_page_number_answered(supervisor_client, app, model):
    url = reverse(f"admin:{app}_{model}_changelist")
    assert supervisor_client.get(url, {"id__regex": "["}).status_code == 400
    assert supervisor_client.get(url, {"id__iregex": "(a+)+$"}).status_code == 400
    for page in (HUGE, "-1", "²"):
        assert supervisor_client.get(url, {"p": page}).status_code in (200, 302), page


def test_the_estimated_count_of_an_empty_queryset_is_zero(django_assert_num_queries, book):
    with django_assert_num_queries(0):
        assert EstimatedCountPaginator(Person.objects.none().order_by("pk"), 50).count == 0
        assert EstimatedCountPaginator(Person.objects.filter(pk__in=[]).order_by("pk"), 50).count == 0
    assert (
        EstimatedCountPaginator(Person.objects.filter(pk=book.policyholder_id).order_by("pk"), 50).count == 1
    )
    assert EstimatedCountPaginator(Branch.objects.order_by("pk"), 50).count == Branch.objects.count()


@pytest.mark.parametrize(
    "explained", ["", "null", "[]", "{}", '"Plan"', '[{"Plan": {}}]', '[{"Plan": {"Plan Rows": "x"}}]']
)
def test_a_plan_without_plan_rows_has_no_estimate(explained):
    assert plan_rows(explained) is None


def test_the_plan_rows_are_read_from_a_json_plan():
    assert plan_rows('[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 1234}}]') == 1234


# --- Inline formsets and request limits ----------------------------------------------------------


def test_every_inline_of_these_apps_is_capped(rf, supervisor):
    request = rf.get("/")
    request.user = supervisor
    inlines = [
        inline
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ("policies", "outbox", "reminders", "channels")
        for inline in model_admin.get_inline_instances(request)
    ]
    assert inlines
    for inline in inlines:
        formset = inline.get_formset(request)
        assert inline.max_num <= INLINE_MAX_FORMS and formset.absolute_max <= INLINE_MAX_FORMS, inline


@pytest.mark.parametrize("total", ["99999", "1001", "51"])
def test_a_person_form_with_a_forged_licence_count_is_refused(supervisor_client, total):
    data = {
        "name": "李四",
        "id_number": factories.make_id_number(991),
        "phone": "13912345678",
        "licences-TOTAL_FORMS": total,
        "licences-INITIAL_FORMS": "0",
        "licences-MIN_NUM_FORMS": "0",
        "licences-MAX_NUM_FORMS": "1000",
    }
    before = Person.objects.count()
    response = supervisor_client.post(reverse("admin:policies_person_add"), data)
    assert response.status_code == 200 and Person.objects.count() == before
    (licences,) = response.context["inline_admin_formsets"]
    assert len(licences.formset.forms) <= INLINE_MAX_FORMS
    assert licences.formset.non_form_errors()
    assert "licences-51-number" not in response.content.decode()


def test_a_person_form_with_a_negative_licence_count_has_no_licences(supervisor_client):
    data = {
        "name": "李四",
        "id_number": factories.make_id_number(992),
        "phone": "13912345678",
        "licences-TOTAL_FORMS": "-1",
        "licences-INITIAL_FORMS": "0",
    }
    response = supervisor_client.post(reverse("admin:policies_person_add"), data)
    assert response.status_code in (200, 302)
    assert not Person.objects.filter(id_number=data["id_number"], licences__isnull=False).exists()


def test_a_body_over_the_limit_is_refused_in_chinese(clerk_client):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 256 * 1024
    response = clerk_client.post(reverse("counter:home"), {"number": "1" * (300 * 1024)})
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


def test_too_many_fields_are_refused_in_chinese(agent_client):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 2000
    before = OutboundMessage.objects.count()
    response = agent_client.post(reverse("hotline:home"), {f"f{n}": "1" for n in range(2001)})
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()
    assert OutboundMessage.objects.count() == before
