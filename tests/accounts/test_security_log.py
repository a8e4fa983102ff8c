"""The security log: one parseable JSON line per event, with who, when (Beijing time), from
where and the outcome — and never an ID number or a phone number."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client

from channels.api.services import api_key_create, api_key_revoke
from core.security_log import (
    EXPORT,
    LOGGER_NAME,
    REDACTED,
    JsonLinesFormatter,
    SecurityLogHandler,
    security_event,
)
from tests import factories
from tests.accounts.conftest import client_from, sign_in
from tests.accounts.otp import code_for

RENEWAL = "/api/v1/renewal-status"
FIELDS = {"time", "event", "outcome", "user", "user_id", "client_ip", "method", "path", "details"}


def assert_well_formed(entry: dict) -> None:
    assert set(entry) == FIELDS
    moment = dt.datetime.fromisoformat(entry["time"])
    assert moment.utcoffset() == dt.timedelta(hours=8)  # Beijing time
    assert abs((moment - dt.datetime.now(dt.UTC)).total_seconds()) < 60


@pytest.fixture
def customer(db):
    return factories.PersonFactory(id_number="110101199003071234", phone="13912345678")


def test_every_line_is_a_json_object_with_the_fields_and_no_personal_data(
    security_log, counter_clerk, supervisor, customer, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    # Sign-in, failed sign-in, lockout (by address), sign-out.
    browser = client_from("192.0.2.50")
    sign_in(browser, "clerk")
    browser.post("/accounts/logout/")
    attacker = client_from("192.0.2.66")
    for _ in range(5):
        sign_in(attacker, "13912345678", "guess")  # a phone number typed as the user name
    # Permission denied: a clerk opens the dashboard.
    clerk = client_from("192.0.2.51")
    clerk.force_login(counter_clerk)
    assert clerk.get("/dashboard/").status_code == 403
    # Two-factor: enrolment with a wrong then the right code; verification.
    boss = client_from("192.0.2.52")
    sign_in(boss, "boss")
    secret = boss.get("/accounts/two-factor/enrol/").context["secret"]
    device = supervisor.totpdevice_set.get()
    assert secret
    boss.post("/accounts/two-factor/enrol/", {"code": f"{(int(code_for(device)) + 1) % 1_000_000:06d}"})
    boss.post("/accounts/two-factor/enrol/", {"code": code_for(device)})
    # A reveal of personal data (the person's admin page), an export, API key use and revocation.
    assert boss.get(f"/admin/policies/person/{customer.pk}/change/").status_code == 200
    security_event(EXPORT, user=supervisor, details={"what": "policies", "rows": 3, "phone": "13912345678"})
    new = api_key_create(channel="website", name="官网", created_by=supervisor)
    api = Client(REMOTE_ADDR="192.0.2.60")
    bearer = {"Authorization": f"Bearer {new.raw}"}
    api.post(RENEWAL, {"plate": "苏A12345"}, content_type="application/json", headers=bearer)
    api_key_revoke(key=new.key, by=supervisor)
    api.post(RENEWAL, {"plate": "苏A12345"}, content_type="application/json", headers=bearer)

    raw = security_log.path.read_text(encoding="utf-8")
    entries = security_log.entries()
    for entry in entries:
        assert_well_formed(entry)
    for secret_text in ("110101199003071234", "13912345678", new.raw, customer.name):
        assert secret_text not in raw
    events = {(e["event"], e["outcome"]) for e in entries}
    assert {
        ("login", "success"),
        ("logout", "success"),
        ("login_failed", "failure"),
        ("lockout", "denied"),
        ("permission_denied", "denied"),
        ("two_factor_failed", "failure"),
        ("two_factor_enrolled", "success"),
        ("recovery_codes_issued", "success"),
        ("personal_data_viewed", "success"),
        ("export", "success"),
        ("api_key_used", "success"),
        ("api_key_revoked", "success"),
        ("api_key_used", "denied"),
    } <= events

    def one(event: str, **match) -> dict:
        found = [e for e in entries if e["event"] == event and all(e[k] == v for k, v in match.items())]
        assert found, (event, match)
        return found[0]

    login = one("login", user="clerk", client_ip="192.0.2.50")
    assert (
        login["user_id"] == counter_clerk.pk
        and login["method"] == "POST"
        and login["path"] == "/accounts/login/"
    )
    assert one("logout", user="clerk")["details"] == {"reason": "user"}
    assert one("login_failed", client_ip="192.0.2.66")["user"] == REDACTED
    assert one("lockout", client_ip="192.0.2.66")["details"] == {
        "failures": 5,
        "limit": 5,
        "cool_off_minutes": 30,
    }
    denied = one("permission_denied", user="clerk")
    assert (denied["path"], denied["method"], denied["client_ip"]) == ("/dashboard/", "GET", "192.0.2.51")
    assert one("two_factor_failed", user="boss")["details"] == {"step": "enrol"}
    assert one("two_factor_enrolled", user="boss")["client_ip"] == "192.0.2.52"
    viewed = one("personal_data_viewed", user="boss")
    assert viewed["details"] == {"person_id": customer.pk, "page": "admin"}
    assert one("export", user="boss")["details"] == {"what": "policies", "rows": 3, "phone": REDACTED}
    used = one("api_key_used", outcome="success")
    assert used["client_ip"] == "192.0.2.60" and used["details"] == {
        "key_id": new.key.pk,
        "channel": "website",
    }
    assert used["path"] == "/api/v1/renewal-status"  # never the query string (a plate, a number)
    assert one("api_key_used", outcome="denied")["details"] == {"key_id": new.key.pk}
    assert one("api_key_revoked", user="boss")["details"] == {"key_id": new.key.pk, "channel": "website"}


def test_values_that_look_like_id_or_phone_numbers_are_blanked_anywhere(security_log):
    entry = security_event(
        EXPORT,
        username="110101199003071234",
        details={
            "note": "客户 13912345678 / 11010119900307123X",
            "items": ["+8613912345678"],
            "count": 13912345678,
        },
    )
    assert entry["user"] == REDACTED
    assert entry["details"] == {
        "note": f"客户 {REDACTED} / {REDACTED}",
        "items": [REDACTED],
        "count": 13912345678,
    }
    assert json.loads(security_log.lines()[-1]) == entry


def test_the_log_goes_to_a_daily_file_kept_180_days():
    handler = next(h for h in logging.getLogger(LOGGER_NAME).handlers if isinstance(h, SecurityLogHandler))
    assert handler.baseFilename == str(django_settings.SECURITY_LOG_PATH)
    assert str(django_settings.SECURITY_LOG_PATH).endswith("var/log/security.jsonl")
    assert handler.when == "MIDNIGHT" and handler.backupCount == 180
    assert isinstance(handler.formatter, JsonLinesFormatter)
    assert logging.getLogger(LOGGER_NAME).propagate is False


def _record(message: str) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": message, "security": {"event": message}})


def test_two_processes_rotating_at_midnight_lose_no_line(tmp_path):
    path = tmp_path / "security.jsonl"
    first, second = (SecurityLogHandler(str(path), retention_days=2) for _ in range(2))
    for handler in (first, second):
        handler.setFormatter(JsonLinesFormatter())
    first.emit(_record("day1-a"))
    second.emit(_record("day1-b"))
    midnight = time.time() - 1
    for handler in (first, second):
        handler.rolloverAt = int(midnight)

    first.emit(_record("day2-a"))
    second.emit(_record("day2-b"))
    first.close()
    second.close()

    rotated = [p for p in tmp_path.iterdir() if p.name != "security.jsonl"]
    assert len(rotated) == 1
    assert [json.loads(x)["event"] for x in rotated[0].read_text().splitlines()] == ["day1-a", "day1-b"]
    assert [json.loads(x)["event"] for x in path.read_text().splitlines()] == ["day2-a", "day2-b"]


def test_old_days_beyond_the_retention_are_deleted(tmp_path):
    path = tmp_path / "security.jsonl"
    for day in range(1, 6):
        (tmp_path / f"security.jsonl.2026-01-0{day}").write_text("{}\n")
    handler = SecurityLogHandler(str(path), retention_days=3)
    handler.setFormatter(JsonLinesFormatter())
    handler.emit(_record("today"))
    handler.rolloverAt = int(time.time()) - 1
    handler.emit(_record("tomorrow"))
    handler.close()

    kept = sorted(p.name for p in tmp_path.iterdir() if p.name != "security.jsonl")
    assert len(kept) == 3 and "security.jsonl.2026-01-05" in kept
    assert os.path.exists(path)
