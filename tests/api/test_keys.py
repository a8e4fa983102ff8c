"""Client keys: one per channel, stored hashed, shown once, revocable; every request
without a working key is a 401 in JSON."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from channels.api.services import api_key_create, api_key_revoke, api_usage_flush
from channels.models import ApiKey, ApiUsage

pytestmark = pytest.mark.django_db

BODY = {"plate": "苏A12345", "vin": "LSVAB2C09A0000101"}


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_api_key"),
        ({"HTTP_AUTHORIZATION": ""}, "missing_api_key"),
        ({"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}, "missing_api_key"),
        ({"HTTP_AUTHORIZATION": "Bearer "}, "missing_api_key"),
        ({"HTTP_AUTHORIZATION": "Bearer not-a-key"}, "invalid_api_key"),
        ({"HTTP_AUTHORIZATION": "Bearer jqx_00000000_" + "A" * 43}, "invalid_api_key"),
    ],
)
def test_request_without_a_working_key_is_401(client, app_key, headers, code):
    response = client.post("/api/v1/renewal-status", BODY, content_type="application/json", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="jqx-api"'
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_key_with_the_right_prefix_and_a_wrong_secret_is_refused(api, app_key):
    forged = app_key.raw[: len("jqx_") + 8] + "_" + "B" * 43

    answer = api.post("renewal-status", BODY, key=forged)

    assert answer.status == 401
    assert answer.error_code == "invalid_api_key"


def test_revoked_key_is_refused_at_once(api, app_key, due_vehicle):
    body = {"plate": due_vehicle.plate, "vin": due_vehicle.vin}
    assert api.post("renewal-status", body).status == 200

    api_key_revoke(key=app_key.key)

    answer = api.post("renewal-status", body)
    assert answer.status == 401
    assert answer.json()["error"] == {
        "code": "revoked_api_key",
        "message": "该 API 密钥已停用，请联系总公司主管申请新密钥。",
    }


def test_bearer_scheme_is_case_insensitive(api, app_key, due_vehicle):
    answer = api.post(
        "renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin},
        HTTP_AUTHORIZATION=f"bearer {app_key.raw}",
    )  # fmt: skip
    assert answer.status == 200


def test_only_a_digest_and_the_prefix_of_a_key_are_stored(app_key):
    stored = ApiKey.objects.get(pk=app_key.key.pk)

    assert stored.key_hash == hashlib.sha256(app_key.raw.encode()).hexdigest()
    assert app_key.raw.startswith(f"jqx_{stored.prefix}_")
    assert app_key.raw not in {getattr(stored, f.attname) for f in ApiKey._meta.concrete_fields}


def test_keys_are_unique_and_long(db):
    raws = {api_key_create(channel="website", name=f"k{i}").raw for i in range(5)}
    assert len(raws) == 5
    assert all(len(raw) >= 50 for raw in raws)


def test_command_prints_a_working_key_once(client, due_vehicle):
    out, err = StringIO(), StringIO()

    call_command(
        "create_api_key", "--channel", "mini_program", "--name", "小程序 生产", stdout=out, stderr=err
    )

    raw = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert (key.channel, key.name) == ("mini_program", "小程序 生产")
    assert "只显示这一次" in err.getvalue()
    assert raw not in err.getvalue()
    response = client.post(
        "/api/v1/renewal-status", {"plate": due_vehicle.plate, "vin": due_vehicle.vin},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip
    assert response.status_code == 200
    api_usage_flush()
    assert ApiUsage.objects.get().key == key


def test_command_refuses_an_unknown_channel(db):
    with pytest.raises(CommandError):
        call_command("create_api_key", "--channel", "fax", stdout=StringIO(), stderr=StringIO())
    assert not ApiKey.objects.exists()


def test_supervisor_creates_a_key_in_admin_and_sees_it_once(supervisor_client):
    response = supervisor_client.post(
        "/admin/channels/apikey/add/",
        {"name": "官网续保页", "channel": "website", "requests_per_minute": 300},
    )

    assert response.status_code == 200
    key = ApiKey.objects.get()
    raw = response.context["raw_key"]
    assert raw.startswith(f"jqx_{key.prefix}_")
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert (key.channel, key.requests_per_minute) == ("website", 300)
    assert key.created_by.username == "boss"
    # The key is not shown again anywhere in admin.
    assert raw not in supervisor_client.get(f"/admin/channels/apikey/{key.pk}/change/").content.decode()
    assert raw not in supervisor_client.get("/admin/channels/apikey/").content.decode()


def test_supervisor_revokes_keys_with_the_admin_action(supervisor_client, supervisor, app_key):
    response = supervisor_client.post(
        "/admin/channels/apikey/",
        {"action": "revoke", "_selected_action": [app_key.key.pk]},
        follow=True,
    )

    assert response.status_code == 200
    key = ApiKey.objects.get(pk=app_key.key.pk)
    assert key.revoked_at is not None
    assert key.revoked_by == supervisor
    assert "已停用 1 个密钥" in response.content.decode()


def test_keys_cannot_be_deleted_only_revoked(supervisor_client, app_key):
    assert supervisor_client.get(f"/admin/channels/apikey/{app_key.key.pk}/delete/").status_code == 403


def test_clerks_and_anonymous_cannot_manage_keys(client, clerk_client):
    assert client.get("/admin/channels/apikey/").status_code == 302
    assert clerk_client.get("/admin/channels/apikey/").status_code == 302


def test_a_rate_of_zero_is_refused_in_chinese(supervisor_client, app_key):
    response = supervisor_client.post(
        f"/admin/channels/apikey/{app_key.key.pk}/change/", {"name": "APP 测试", "requests_per_minute": 0}
    )

    assert response.status_code == 200
    assert "每分钟请求上限须为正整数。" in response.content.decode()
    assert ApiKey.objects.get(pk=app_key.key.pk).requests_per_minute == 600
