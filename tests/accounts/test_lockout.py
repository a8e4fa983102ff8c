"""Lockout after failed sign-ins: by account and, apart, by client address; supervisors
unlock in admin."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission

from policies.roles import COUNTER_CLERK, SUPERVISOR
from tests import factories
from tests.accounts.conftest import PASSWORD, client_from, sign_in

LOCKED_TEXT = "登录已被暂时锁定"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(counter_clerk):
    browser = client_from("192.0.2.10")

    statuses = [sign_in(browser, "clerk", "wrong-password").status_code for _ in range(30)]
    response = sign_in(browser, "clerk")

    assert statuses == [200] * 4 + [429] * 26  # the 5th failure locks
    assert response.status_code == 429 and not signed_in(browser)
    page = response.content.decode()
    assert LOCKED_TEXT in page and "连续 5 次登录失败" in page and "30 分钟" in page
    assert 'name="username"' in page  # the login page itself, not a bare text
    assert response["Retry-After"] == "1800"
    # Locked for the account: from another address too.
    other = client_from("192.0.2.99")
    assert sign_in(other, "clerk").status_code == 429 and not signed_in(other)


def test_a_wrong_password_below_the_limit_shows_the_login_form_again(counter_clerk):
    browser = client_from("192.0.2.11")

    response = sign_in(browser, "clerk", "wrong-password")

    assert response.status_code == 200
    assert "请输入正确的用户名和密码" in response.content.decode()
    assert sign_in(browser, "clerk").status_code == 302 and signed_in(browser)


def test_failures_on_several_accounts_from_one_address_lock_the_address(branch):
    factories.UserFactory(username="clerk_a", branch=branch, role=COUNTER_CLERK)
    factories.UserFactory(username="clerk_b", branch=branch, role=COUNTER_CLERK)
    factories.UserFactory(username="clerk_c", branch=branch, role=COUNTER_CLERK)
    attacker = client_from("198.51.100.7")

    for _ in range(3):
        assert sign_in(attacker, "clerk_a", "guess").status_code == 200
    assert sign_in(attacker, "clerk_b", "guess").status_code == 200
    assert sign_in(attacker, "clerk_b", "guess").status_code == 429  # 5 from this address

    # Every account is refused from that address, even with the right password …
    for username in ("clerk_a", "clerk_b", "clerk_c"):
        assert sign_in(attacker, username).status_code == 429
        assert not signed_in(attacker)
    # … while the accounts themselves (3 and 2 failures, under the limit) work elsewhere.
    for username in ("clerk_a", "clerk_b"):
        elsewhere = client_from("203.0.113.20")
        assert sign_in(elsewhere, username).status_code == 302 and signed_in(elsewhere)


def test_behind_a_proxy_the_forwarded_address_is_locked_not_the_proxy(settings, branch):
    settings.TRUSTED_PROXY_COUNT = 1
    factories.UserFactory(username="clerk_a", branch=branch, role=COUNTER_CLERK)
    factories.UserFactory(username="clerk_b", branch=branch, role=COUNTER_CLERK)
    proxy = "10.0.0.1"
    attacker = client_from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    colleague = client_from(proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")

    for username in ("clerk_a", "clerk_a", "clerk_a", "clerk_b", "clerk_b"):
        sign_in(attacker, username, "guess")

    assert sign_in(attacker, "clerk_a").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    # The same proxy forwards a colleague at another address: not locked.
    assert sign_in(colleague, "clerk_b").status_code == 302 and signed_in(colleague)


def test_a_supervisor_unlocks_a_locked_account_in_admin(counter_clerk, supervisor_client):
    clerk_browser = client_from("192.0.2.30")
    for _ in range(5):
        sign_in(clerk_browser, "clerk", "wrong-password")
    assert sign_in(clerk_browser, "clerk").status_code == 429

    page = supervisor_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "登录失败锁定记录" in text and "clerk" in text and "192.0.2.30" in text
    attempt = AccessAttempt.objects.get(username="clerk")
    confirm = supervisor_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert confirm.status_code == 302
    assert not AccessAttempt.objects.exists()

    response = sign_in(clerk_browser, "clerk")
    assert response.status_code == 302 and signed_in(clerk_browser)


def test_supervisors_hold_the_unlock_permissions_from_the_data_migration(db):
    codenames = set(
        Permission.objects.filter(group__name=SUPERVISOR, content_type__app_label="axes").values_list(
            "codename", flat=True
        )
    )
    assert {"view_accessattempt", "delete_accessattempt"} <= codenames
    assert "add_accessattempt" not in codenames


@pytest.mark.parametrize("username", ["clerk", "nobody-by-that-name"])
def test_five_failures_refuse_the_account_whether_or_not_the_name_tried_exists(counter_clerk, username):
    browser = client_from("192.0.2.40")
    for _ in range(5):
        sign_in(browser, username, "guess")
    assert sign_in(browser, "clerk", PASSWORD).status_code == 429
