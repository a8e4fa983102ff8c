"""Channel backends: the JSON-lines file backend, the HTTP gateway backend against a real
HTTP server on 127.0.0.1, and email through Django's mail."""

import datetime as dt
import json
import threading

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from outbox.backends import (
    DjangoMailBackend,
    FileBackend,
    HttpGatewayBackend,
    Outgoing,
    Result,
    get_backend,
)
from tests.policies.gateway_server import Gateway
from tests.policies.smtp_server import SmtpServer


def message(n=1, channel="sms", **kwargs):
    fields = dict(
        id=n, channel=channel, recipient="13800001111", text="【交强险服务】您好", purpose="renewal_reminder"
    )
    return Outgoing(**(fields | kwargs))


# --- file backend ---------------------------------------------------------------------


def test_the_file_backend_appends_one_json_line_per_message(tmp_path, settings):
    settings.MESSAGE_FILE_DIR = tmp_path
    backend = get_backend("sms")
    assert isinstance(backend, FileBackend)

    deliveries = backend.send_messages([message(1), message(2, recipient="13800002222")])
    backend.send_messages([message(3)])

    assert [d.result for d in deliveries] == [Result.SENT, Result.SENT]
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.startswith("sms-") and files[0].suffix == ".jsonl"
    lines = [json.loads(line) for line in files[0].read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [1, 2, 3]
    assert lines[0]["channel"] == "sms"
    assert lines[0]["recipient"] == "13800001111"
    assert lines[0]["text"] == "【交强险服务】您好"  # UTF-8, not \u escapes
    assert lines[0]["purpose"] == "renewal_reminder"
    assert "\\u" not in files[0].read_text(encoding="utf-8")


def test_the_file_backend_finds_messages_it_already_delivered(tmp_path):
    backend = FileBackend("push", directory=tmp_path)
    backend.send_messages([message(7, channel="push"), message(8, channel="push")])
    with backend.path_for(dt.date.today()).open("a") as torn:
        torn.write('{"id": 9, "chan')  # a torn last line proves nothing
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)

    found = backend.delivered_ids([message(7), message(9), message(10)], since=yesterday)

    assert found == {7}


def test_concurrent_file_writers_never_interleave_lines(tmp_path):
    backend = FileBackend("sms", directory=tmp_path)
    long_text = "续保提醒" * 500

    def write(start):
        for i in range(start, start + 50):
            backend.send_messages([message(i, text=long_text), message(i + 10_000, text=long_text)])

    threads = [threading.Thread(target=write, args=(n * 100,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = next(tmp_path.iterdir()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert all(json.loads(line)["text"] == long_text for line in lines)


# --- HTTP gateway backend against a real local server --------------------------------


@pytest.fixture
def gateway(settings):
    gw = Gateway()
    settings.SMS_GATEWAY_URL = gw.url
    settings.GATEWAY_TOKEN = "secret-token"
    settings.GATEWAY_TIMEOUT_SECONDS = 0.5
    settings.SMS_BACKEND = "outbox.backends.HttpGatewayBackend"
    yield gw
    gw.close()


def test_the_http_backend_posts_json_with_token_and_idempotency_key(gateway):
    backend = get_backend("sms")
    assert isinstance(backend, HttpGatewayBackend) and backend.idempotent

    [delivery] = backend.send_messages([message(42)])

    assert delivery.result == Result.SENT
    headers, body = gateway.requests[0]
    assert headers["Authorization"] == "Bearer secret-token"
    assert headers["Idempotency-Key"] == "jqx-outbox-42"
    assert body == {"id": 42, "channel": "sms", "recipient": "13800001111", "text": "【交强险服务】您好"}


@pytest.mark.parametrize(
    ("status", "result"),
    [
        (200, Result.SENT),
        (202, Result.SENT),
        (409, Result.SENT),  # the gateway has this idempotency key already
        (500, Result.TRANSIENT),
        (503, Result.TRANSIENT),
        (429, Result.TRANSIENT),
        (408, Result.TRANSIENT),
        (400, Result.PERMANENT),
        (401, Result.PERMANENT),
        (422, Result.PERMANENT),
    ],
)
def test_the_http_backend_classifies_gateway_answers(gateway, status, result):
    gateway.script = [(status, 0)]
    [delivery] = get_backend("sms").send_messages([message(1)])
    assert delivery.result == result
    if status >= 400 and status != 409:
        assert f"HTTP {status}" in delivery.error


def test_a_gateway_timeout_is_transient(gateway):
    gateway.script = [(200, 1.5)]
    [delivery] = get_backend("sms").send_messages([message(1)])
    assert delivery.result == Result.TRANSIENT
    assert "网关连接失败" in delivery.error


def test_a_gateway_that_is_down_is_transient(settings):
    gw = Gateway()
    url = gw.url
    gw.close()  # nothing listens on the port any more
    [delivery] = HttpGatewayBackend("sms", url=url, token="t").send_messages([message(1)])
    assert delivery.result == Result.TRANSIENT


def test_the_http_backend_needs_a_gateway_url(settings):
    settings.PUSH_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        HttpGatewayBackend("push")


# --- email ----------------------------------------------------------------------------


def test_email_goes_through_django_mail_with_the_outbox_id_as_message_id(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    backend = get_backend("email")
    assert isinstance(backend, DjangoMailBackend)

    deliveries = backend.send_messages(
        [message(5, channel="email", recipient="wang@example.cn", subject="交强险续保提醒", text="正文")]
    )

    assert [d.result for d in deliveries] == [Result.SENT]
    [sent] = mail.outbox
    assert sent.to == ["wang@example.cn"] and sent.subject == "交强险续保提醒" and sent.body == "正文"
    assert sent.extra_headers["Message-ID"] == "<jqx-outbox-5@jqx.example.cn>"


def test_email_to_a_file_directory_in_tests(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    [d] = DjangoMailBackend("email").send_messages([message(6, channel="email", recipient="a@example.cn")])
    assert d.result == Result.SENT
    assert "jqx-outbox-6" in next(tmp_path.iterdir()).read_text()


def test_an_unreachable_smtp_server_is_transient(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    [d] = DjangoMailBackend("email").send_messages([message(1, channel="email", recipient="a@example.cn")])
    assert d.result == Result.TRANSIENT


@pytest.mark.parametrize(
    ("rcpt", "data", "result"),
    [
        ("250 OK", "250 OK queued", Result.SENT),
        ("550 5.1.1 mailbox unavailable", "250 OK", Result.PERMANENT),
        ("450 4.2.1 mailbox busy", "250 OK", Result.TRANSIENT),
        ("250 OK", "554 5.7.1 rejected as spam", Result.PERMANENT),
        ("250 OK", "451 4.3.0 try again later", Result.TRANSIENT),
    ],
)
def test_smtp_answers_are_classified_against_a_real_smtp_server(settings, rcpt, data, result):
    server = SmtpServer(rcpt_reply=rcpt, data_reply=data)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        deliveries = DjangoMailBackend("email").send_messages(
            [message(1, channel="email", recipient="wang@example.cn", subject="续保提醒", text="正文"),
             message(2, channel="email", recipient="li@example.cn", subject="续保提醒", text="正文")]
        )  # fmt: skip
    finally:
        server.close()
    assert [d.result for d in deliveries] == [result, result]
    if result == Result.SENT:
        assert len(server.accepted) == 2 and "jqx-outbox-1@jqx.example.cn" in server.accepted[0]


def test_backends_that_send_one_by_one_skip_what_the_deadline_leaves(gateway, settings):
    import time

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    past = time.monotonic() - 1
    http = get_backend("sms").send_messages([message(1), message(2)], deadline=past)
    email = DjangoMailBackend("email").send_messages(
        [message(3, channel="email", recipient="a@example.cn")], deadline=past
    )
    assert [d.result for d in http + email] == [Result.SKIPPED] * 3
    assert gateway.requests == [] and mail.outbox == []
