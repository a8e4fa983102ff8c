"""Fixtures for the sign-in tests: the security log read back as parsed lines."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from core.security_log import LOGGER_NAME, JsonLinesFormatter, SecurityLogHandler

PASSWORD = "portal-pass-2026"  # every factory-made user's


class SecurityLog:
    def __init__(self, path):
        self.path = path

    def lines(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []

    def entries(self, event: str | None = None) -> list[dict]:
        parsed = [json.loads(line) for line in self.lines()]
        return [e for e in parsed if event is None or e["event"] == event]

    def events(self) -> list[str]:
        return [e["event"] for e in self.entries()]


@pytest.fixture
def security_log(tmp_path):
    """The security log of this test: the real handler and formatter, writing to a file of
    the test's own (the configured file is shared by every process on the machine)."""
    handler = SecurityLogHandler(str(tmp_path / "security.jsonl"), retention_days=180)
    handler.setFormatter(JsonLinesFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield SecurityLog(tmp_path / "security.jsonl")
    logger.removeHandler(handler)
    handler.close()


def client_from(address: str, **extra) -> Client:
    """A browser at `address` (REMOTE_ADDR)."""
    return Client(REMOTE_ADDR=address, **extra)


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)
