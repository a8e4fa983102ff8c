"""Two-factor sign-in: supervisors and admin accounts enrol an authenticator app, then give a
code (or a recovery code) after the password; nobody else is asked."""

from __future__ import annotations

import datetime as dt
import io
import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import demo, services
from accounts.demo import DEMO_TOTP_SECRET, demo_totp_code, enrol_demo_totp
from policies.roles import COUNTER_CLERK, SUPERVISOR
from tests import factories
from tests.accounts.conftest import sign_in
from tests.accounts.otp import code_for, code_for_secret

TWO_FACTOR = "/accounts/two-factor/"
ENROL = "/accounts/two-factor/enrol/"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def enrolled_supervisor(supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="手机验证器", confirmed=True)
    return supervisor, device


def test_a_counter_clerk_signs_in_without_a_second_factor(client, counter_clerk):
    response = sign_in(client, "clerk")

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/counter/").status_code == 200
    assert not TOTPDevice.objects.filter(user=counter_clerk).exists()


def test_a_supervisor_without_a_device_enrols_then_gets_ten_recovery_codes_once(
    client, supervisor, security_log
):
    response = sign_in(client, "boss")
    assert response["Location"] == f"{TWO_FACTOR}?next=%2F"
    response = client.get(response["Location"])
    assert response["Location"] == f"{ENROL}?next=%2F"

    page = client.get(f"{ENROL}?next=%2F")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "扫描二维码" in text and "<script>" not in text
    secret = page.context["secret"]
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", secret)
    assert client.get(f"{ENROL}?next=%2F").context["secret"] == secret  # same secret on reload

    confirmed = client.post(ENROL, {"code": code_for_secret(secret), "next": "/"})
    assert confirmed.status_code == 302 and confirmed["Location"].startswith(
        "/accounts/two-factor/recovery-codes/"
    )
    codes_page = client.get(confirmed["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", code) for code in codes)
    assert "只显示这一次" in codes_page.content.decode() and "打印" in codes_page.content.decode()
    assert client.get(confirmed["Location"]).status_code == 302  # shown once only

    assert TOTPDevice.objects.get(user=supervisor).confirmed
    assert StaticToken.objects.filter(device__user=supervisor).count() == 10
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert {"login", "two_factor_enrolled", "recovery_codes_issued"} <= set(security_log.events())


def test_a_wrong_enrolment_code_is_refused_and_confirms_nothing(client, supervisor):
    sign_in(client, "boss")
    secret = client.get(ENROL).context["secret"]
    wrong = f"{(int(code_for_secret(secret)) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"code": wrong})

    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    assert client.get("/dashboard/").status_code == 302


def test_an_enrolled_supervisor_cannot_enrol_another_device(client, enrolled_supervisor):
    supervisor, _ = enrolled_supervisor
    sign_in(client, "boss")

    response = client.get(ENROL)

    assert response.status_code == 302 and response["Location"].startswith(TWO_FACTOR)
    assert TOTPDevice.objects.filter(user=supervisor).count() == 1


def test_a_supervisor_reaches_nothing_before_verifying(client, enrolled_supervisor):
    sign_in(client, "boss")

    for path in ("/dashboard/", "/admin/", "/admin/policies/person/", "/counter/", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(TWO_FACTOR), path
    htmx = client.get("/dashboard/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(TWO_FACTOR)
    assert client.get(TWO_FACTOR).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert not signed_in(client)


def test_the_code_from_the_authenticator_lets_the_supervisor_in(client, enrolled_supervisor, security_log):
    _, device = enrolled_supervisor
    sign_in(client, "boss")
    half_signed_in = client.session.session_key
    response = client.post(TWO_FACTOR, {"code": code_for(device), "next": "/admin/"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session.session_key != half_signed_in  # a new session id for the raised privilege
    assert client.get("/admin/").status_code == 200
    assert client.get("/dashboard/").status_code == 200
    verified = security_log.entries("two_factor_verified")
    assert verified[-1]["user"] == "boss" and verified[-1]["details"] == {"method": "authenticator"}


def test_a_code_is_accepted_once_only(client, enrolled_supervisor):
    _, device = enrolled_supervisor
    code = code_for(device)
    sign_in(client, "boss")
    assert client.post(TWO_FACTOR, {"code": code}).status_code == 302
    client.post("/accounts/logout/")

    sign_in(client, "boss")
    response = client.post(TWO_FACTOR, {"code": code})
    assert response.status_code == 400 and client.get("/dashboard/").status_code == 302


def test_a_wrong_code_is_refused(client, enrolled_supervisor, security_log, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the pause after a failure is tested below
    _, device = enrolled_supervisor
    sign_in(client, "boss")

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(TWO_FACTOR, {"code": wrong})

    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302
    failed = security_log.entries("two_factor_failed")[-1]
    assert failed["outcome"] == "failure" and failed["user"] == "boss"
    assert wrong not in security_log.path.read_text(encoding="utf-8")
    # The right one still works.
    assert client.post(TWO_FACTOR, {"code": code_for(device)}).status_code == 302


def test_after_a_wrong_code_the_device_pauses_before_the_next(client, enrolled_supervisor):
    _, device = enrolled_supervisor
    sign_in(client, "boss")
    client.post(TWO_FACTOR, {"code": f"{(int(code_for(device)) + 1) % 1_000_000:06d}"})

    response = client.post(TWO_FACTOR, {"code": code_for(device)})

    assert response.status_code == 400 and "错误次数过多" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, enrolled_supervisor):
    _, device = enrolled_supervisor
    sign_in(client, "boss")
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    statuses = [client.post(TWO_FACTOR, {"code": wrong}).status_code for _ in range(5)]

    assert statuses == [400] * 4 + [429]
    assert not signed_in(client)  # the half-finished sign-in ended
    again = Client()
    assert sign_in(again, "boss").status_code == 429


def test_a_recovery_code_works_once(client, enrolled_supervisor, security_log):
    supervisor, _ = enrolled_supervisor
    codes = services.issue_recovery_codes(supervisor)
    code = services.format_recovery_code(codes[3]).upper()  # typed with a hyphen, in capitals

    sign_in(client, "boss")
    response = client.post(TWO_FACTOR, {"code": code}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[0][0] == "/"
    assert "还剩 9 个" in response.content.decode()
    assert client.get("/admin/").status_code == 200
    assert security_log.entries("two_factor_verified")[-1]["details"] == {
        "method": "recovery_code",
        "recovery_codes_left": 9,
    }
    client.post("/accounts/logout/")

    sign_in(client, "boss")
    response = client.post(TWO_FACTOR, {"code": code})
    assert response.status_code == 400 and client.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(device__user=supervisor).count() == 9
    assert codes[3] not in security_log.path.read_text(encoding="utf-8")


def test_an_admin_account_without_the_supervisor_role_needs_the_second_factor_too(client, branch):
    factories.UserFactory(username="it_admin", branch=branch, role=COUNTER_CLERK, is_staff=True)

    response = sign_in(client, "it_admin")

    assert response["Location"].startswith(TWO_FACTOR)
    assert client.get("/counter/")["Location"].startswith(TWO_FACTOR)


def test_the_admin_login_page_sends_people_to_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/policies/person/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpolicies%2Fperson%2F"


def test_a_verified_clerk_is_refused_admin_with_403(clerk_client):
    assert clerk_client.get("/admin/login/").status_code == 403
    assert clerk_client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_demo_supervisor_signs_in_with_the_printed_secret(client, supervisor):
    assert enrol_demo_totp(supervisor) == DEMO_TOTP_SECRET
    assert demo_totp_code() == code_for_secret(DEMO_TOTP_SECRET)
    assert not StaticDevice.objects.filter(user=supervisor).exists()

    sign_in(client, "boss")
    assert client.post(TWO_FACTOR, {"code": demo_totp_code()}).status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_the_demo_code_command_prints_only_in_the_demo(settings, capsys):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="仅在演示环境"):
        call_command("demo_totp_code")
    settings.DEBUG = True
    call_command("demo_totp_code")
    out = capsys.readouterr().out
    assert re.search(r"演示验证码：\d{6}", out) and DEMO_TOTP_SECRET in out


def test_the_demo_seed_hook_enrols_the_demo_logins_that_need_the_second_factor(branch):
    boss = factories.UserFactory(username="supervisor", branch=branch, role=SUPERVISOR)
    clerk = factories.UserFactory(username="clerk", branch=branch, role=COUNTER_CLERK)
    out = io.StringIO()

    assert demo.seed(rng=random.Random(0), today=dt.date(2026, 6, 1), stdout=out, scale=1.0) == 1

    assert TOTPDevice.objects.get(user=boss, confirmed=True).key == demo.demo_key_hex()
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert DEMO_TOTP_SECRET in out.getvalue() and "demo_totp_code" in out.getvalue()
