"""Staff sessions end after 30 minutes without activity and 12 hours after sign-in whatever
happens; the API, the status page and health checks have no session to end."""

from __future__ import annotations

import time

import pytest

from accounts.middleware import LAST_SEEN_KEY, LOGIN_AT_KEY

IDLE = 1800
ABSOLUTE = 12 * 3600


def age_session(client, *, idle_for: int | None = None, signed_in_for: int | None = None) -> None:
    """Move the session's clock back: last activity `idle_for` seconds ago, sign-in
    `signed_in_for` seconds ago."""
    session = client.session
    now = int(time.time())
    if idle_for is not None:
        session[LAST_SEEN_KEY] = now - idle_for
    if signed_in_for is not None:
        session[LOGIN_AT_KEY] = now - signed_in_for
    session.save()


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_starts_the_session_clock(clerk_client):
    session = clerk_client.session
    assert abs(session[LOGIN_AT_KEY] - time.time()) < 5
    assert session[LAST_SEEN_KEY] == session[LOGIN_AT_KEY]


def test_after_thirty_idle_minutes_the_next_page_signs_out_with_a_chinese_notice(clerk_client, security_log):
    age_session(clerk_client, idle_for=IDLE + 1)

    response = clerk_client.get("/counter/?q=abc")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fcounter%2F%3Fq%3Dabc"
    assert not signed_in(clerk_client)
    login_page = clerk_client.get(response["Location"])
    assert "您已 30 分钟未操作" in login_page.content.decode()
    expired = security_log.entries("session_expired")[-1]
    assert expired["user"] == "clerk" and expired["details"] == {"reason": "idle"}
    assert security_log.entries("logout")[-1]["details"] == {"reason": "timeout_idle"}


def test_activity_keeps_the_session_going(clerk_client):
    age_session(clerk_client, idle_for=IDLE - 60)

    response = clerk_client.get("/counter/")

    assert response.status_code == 200
    assert abs(clerk_client.session[LAST_SEEN_KEY] - time.time()) < 5
    assert IDLE - 5 <= int(response["X-Session-Expires-In"]) <= IDLE
    age_session(clerk_client, idle_for=IDLE - 60)
    assert clerk_client.get("/counter/").status_code == 200  # refreshed again: still signed in


def test_requests_the_page_makes_by_itself_do_not_count_as_activity(clerk_client):
    age_session(clerk_client, idle_for=IDLE - 100)
    before = clerk_client.session[LAST_SEEN_KEY]

    response = clerk_client.get("/counter/", headers={"HX-Request": "true", "X-Session-Passive": "1"})
    status = clerk_client.get("/accounts/keep-alive/")

    assert response.status_code == 200 and clerk_client.session[LAST_SEEN_KEY] == before
    assert status.status_code == 200 and 95 <= status.json()["expires_in"] <= 100
    age_session(clerk_client, idle_for=IDLE)
    assert clerk_client.get("/counter/", headers={"X-Session-Passive": "1"}).status_code == 302


def test_continuing_from_the_warning_refreshes_the_session(clerk_client):
    age_session(clerk_client, idle_for=IDLE - 30)

    response = clerk_client.post("/accounts/keep-alive/")

    assert response.status_code == 200
    assert response.json() == {"expires_in": IDLE, "absolute": False}
    assert abs(clerk_client.session[LAST_SEEN_KEY] - time.time()) < 5


def test_after_twelve_hours_the_session_ends_however_active(clerk_client, security_log):
    age_session(clerk_client, idle_for=5, signed_in_for=ABSOLUTE + 1)

    response = clerk_client.get("/counter/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not signed_in(clerk_client)
    assert "登录已满 12 小时" in clerk_client.get(response["Location"]).content.decode()
    assert security_log.entries("session_expired")[-1]["details"] == {"reason": "absolute"}


def test_near_the_twelve_hours_keep_alive_cannot_extend_past_them(clerk_client):
    age_session(clerk_client, idle_for=5, signed_in_for=ABSOLUTE - 40)

    response = clerk_client.post("/accounts/keep-alive/")

    assert response.json()["absolute"] is True and 35 <= response.json()["expires_in"] <= 40


def test_an_htmx_request_of_an_ended_session_is_sent_to_the_login_page(clerk_client):
    age_session(clerk_client, idle_for=IDLE + 1)

    response = clerk_client.get("/counter/", headers={"HX-Request": "true"})

    assert response.status_code == 204 and response["HX-Redirect"] == "/accounts/login/"


def test_keep_alive_of_an_ended_session_answers_401(clerk_client, client):
    age_session(clerk_client, idle_for=IDLE + 1)

    response = clerk_client.get("/accounts/keep-alive/")

    assert response.status_code == 401 and response.json()["expired"] is True
    assert client.get("/accounts/keep-alive/").status_code == 401  # never signed in


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/renewal-status?plate=x", "/status"])
def test_the_api_status_page_and_health_checks_are_no_staff_pages(clerk_client, path):
    age_session(clerk_client, idle_for=IDLE + 1)
    before = dict(clerk_client.session.items())

    response = clerk_client.get(path)

    assert response.status_code < 500 and "X-Session-Expires-In" not in response
    assert dict(clerk_client.session.items()) == before  # nothing read, refreshed or ended


def test_a_staff_page_carries_the_idle_warning_script_and_its_data(clerk_client, settings):
    settings.SESSION_IDLE_SECONDS = 600
    page = clerk_client.get("/counter/").content.decode()

    assert 'src="/static/js/session-timeout.js"' in page
    assert 'data-keep-alive-url="/accounts/keep-alive/"' in page
    assert 'data-session-warn-seconds="60"' in page and 'data-session-absolute="false"' in page
    assert "data-session-expires-in=" in page


def test_the_settings_come_from_the_environment_with_the_defaults(settings):
    assert settings.SESSION_IDLE_SECONDS == 1800 and settings.SESSION_ABSOLUTE_SECONDS == 43200


def test_the_keep_alive_ping_is_lightweight(clerk_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the session and the user: nothing written
        assert clerk_client.get("/accounts/keep-alive/").status_code == 200
    with django_assert_max_num_queries(5):  # … and the session's new time (an UPDATE in a savepoint)
        assert clerk_client.post("/accounts/keep-alive/").status_code == 200


def test_a_verified_supervisors_page_costs_one_query_more_than_a_clerks(
    supervisor_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # the session, the user and the verified device
        assert supervisor_client.get("/accounts/keep-alive/").status_code == 200
