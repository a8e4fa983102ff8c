"""A long export is not killed by gunicorn's worker timeout under the portal's gunicorn.conf.py
(threaded workers: the timeout is a heartbeat), while a sync worker cuts the same response off."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from http.client import IncompleteRead
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(**env) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT / "tests" / "data"), "slow_stream_wsgi:application"],
        env=os.environ | {"WEB_CONCURRENCY": "1", "GUNICORN_TIMEOUT": "2", "SLOW_STREAM_SECONDS": "5", **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise AssertionError("gunicorn did not start")


def _stream(port: int) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
        return response.read()


@pytest.mark.parametrize("worker_class", ["", "sync"], ids=["the portal's settings", "sync workers"])
def test_a_response_streaming_past_the_worker_timeout(worker_class):
    # (with threads > 1 gunicorn turns a sync worker into gthread: one thread, as sync runs)
    server, port = _serve(
        **({"GUNICORN_WORKER_CLASS": worker_class, "GUNICORN_THREADS": "1"} if worker_class else {})
    )
    try:
        if worker_class == "sync":
            with pytest.raises((IncompleteRead, ConnectionError)):
                _stream(port)  # killed 2 s into a 5 s response
        else:
            assert _stream(port) == b"0\n1\n2\n3\n4\n"  # 5 s, with a 2 s timeout
    finally:
        server.terminate()
        server.wait(timeout=30)
