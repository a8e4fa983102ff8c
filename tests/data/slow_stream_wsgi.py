"""A WSGI application that streams for `SLOW_STREAM_SECONDS` seconds, one line a second, as a
long export does: served under gunicorn.conf.py by tests/audit/test_gunicorn_timeout.py."""

import os
import time


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])

    def lines():
        for n in range(int(os.environ.get("SLOW_STREAM_SECONDS", "4"))):
            time.sleep(1)
            yield f"{n}\n".encode()

    return lines()
