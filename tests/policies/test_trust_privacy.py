"""No personal data in URLs, logs or caches: admin searches posted and kept in the session,
query strings out of the logs, masked admin pages with a logged reveal, no-store and CSP headers."""

import logging
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.logging import StripQueryStringFilter
from core.masking import mask_id_number
from policies.models import PersonAccessLog
from tests.factories import (
    DrivingLicenceFactory,
    OutboundMessageFactory,
    PersonFactory,
    PolicyFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number(4242, area="430104")


def test_the_log_filter_strips_query_strings_from_request_lines():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        (f"GET /support/queue/?q={ID_NUMBER}&page=2 HTTP/1.1", "200", "512"), None,
    )  # fmt: skip
    assert StripQueryStringFilter().filter(record) is True
    assert record.getMessage() == '"GET /support/queue/ HTTP/1.1" 200 512'
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: /counter/?phone=13912345678", (), None
    )
    StripQueryStringFilter().filter(record)
    assert record.getMessage() == "Not Found: /counter/"


def test_the_loggers_of_requests_carry_the_filter():
    for name in ("django.server", "django.request"):
        assert any(isinstance(f, StripQueryStringFilter) for f in logging.getLogger(name).filters), name


def test_gunicorns_access_log_has_the_path_without_the_query_string():
    config = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    assert "%(U)s" in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"] and "%(q)s" not in config["access_log_format"]


@pytest.fixture
def person(branch):
    person = PersonFactory(name="钱多多", id_number=ID_NUMBER, phone="13912345678")
    PolicyFactory(vehicle__owner=person, branch=branch)
    return person


@pytest.mark.parametrize(
    ("admin_list", "term"),
    [
        ("policies_person", ID_NUMBER),
        ("policies_person", "13912345678"),
        ("outbox_outboundmessage", "13912345678"),
    ],
)
def test_an_admin_search_is_posted_and_the_url_carries_a_key_not_the_term(
    supervisor_client, person, admin_list, term
):
    OutboundMessageFactory(person=person, recipient=person.phone)
    url = reverse(f"admin:{admin_list}_changelist")
    page = supervisor_client.get(url).content.decode()
    assert 'id="changelist-search" method="post"' in page
    response = supervisor_client.post(url, {"q": term, "_private_search": "1"})
    assert response.status_code == 302
    location = response["Location"]
    assert term not in location and "qk=" in location
    found = supervisor_client.get(location)
    assert found.status_code == 200 and found.context["cl"].result_count == 1
    html = found.content.decode()
    assert f"q={term}" not in html and f"?q={term}" not in html
    assert found.context["cl"].query == term  # the box shows the term (in the page, not a URL)


def test_an_admin_search_key_from_another_session_is_refused_with_a_message(supervisor_client, person):
    url = reverse("admin:policies_person_changelist")
    response = supervisor_client.get(url, {"qk": "not-a-key"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "该查询已过期" in response.content.decode()


def test_the_licence_admin_masks_the_number_and_logs_the_reveal(supervisor_client, supervisor, person):
    licence = DrivingLicenceFactory(holder=person)
    for url in (reverse("admin:policies_drivinglicence_changelist"),
                reverse("admin:policies_drivinglicence_change", args=[licence.pk])):  # fmt: skip
        html = supervisor_client.get(url).content.decode()
        assert ID_NUMBER not in html and mask_id_number(ID_NUMBER) in html
    assert not PersonAccessLog.objects.filter(page="admin_reveal").exists()
    reveal = reverse("admin:policies_drivinglicence_reveal", args=[licence.pk])
    assert supervisor_client.get(reveal).status_code == 405
    html = supervisor_client.post(reveal).content.decode()
    assert ID_NUMBER in html
    entry = PersonAccessLog.objects.get(page="admin_reveal")
    assert (entry.user, entry.person) == (supervisor, person)


def test_the_message_admin_masks_the_phone_and_logs_the_reveal(supervisor_client, supervisor, person):
    message = OutboundMessageFactory(person=person, recipient=person.phone)
    change = reverse("admin:outbox_outboundmessage_change", args=[message.pk])
    html = supervisor_client.get(change).content.decode()
    assert "13912345678" not in html and "139****5678" in html and "显示完整信息" in html
    html = supervisor_client.post(
        reverse("admin:outbox_outboundmessage_reveal", args=[message.pk])
    ).content.decode()
    assert "13912345678" in html
    assert PersonAccessLog.objects.filter(page="admin_reveal", person=person, user=supervisor).count() == 1


def test_staff_pages_are_not_stored_and_public_ones_keep_their_caching(supervisor_client, client):
    for url in (
        reverse("counter:home"),
        reverse("hotline:home"),
        reverse("admin:index"),
        reverse("dashboard"),
    ):
        response = supervisor_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store, private" and response["Pragma"] == "no-cache", url
    status = supervisor_client.get(reverse("status"))  # its own header (never_cache), not ours
    assert status.get("Cache-Control") != "no-store, private" and "Pragma" not in status


def test_every_page_has_a_content_security_policy_with_a_nonce(supervisor_client):
    response = supervisor_client.get(reverse("counter:home"))
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "img-src 'self' data:",
    ):
        assert directive in policy
    assert (
        "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
