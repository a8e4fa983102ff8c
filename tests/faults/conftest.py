"""Fault fixtures: servers the tests start themselves so they can stop them mid-test.

`redis_server` is a real redis-server on a free port of its own (no persistence), which a
test stops and starts again; the tests marked `slow` start their own PostgreSQL too."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis

from channels.api import ratelimit


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: starts its own servers (PostgreSQL, gunicorn) and runs for up to a minute"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on 127.0.0.1:`port`; `stop()` and `start()` at will."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(free_port())
    server.start()
    ratelimit.reset_counters()  # a port used before must not bring back an old Redis state
    yield server
    with contextlib.suppress(Exception):
        server.stop()
    ratelimit.reset_counters()


@pytest.fixture
def rate_limits_on(settings, redis_server):
    """The portal's rate limits counted in `redis_server`, under a prefix of the test's own."""
    settings.RATE_LIMIT_REDIS_URL = redis_server.url
    settings.RATE_LIMIT_KEY_PREFIX = f"jqx-fault:{uuid.uuid4().hex}:"
    return redis_server
