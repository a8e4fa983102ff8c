"""The writer of test_postgres_restart: opens support tickets (ticket_create: a number
from the sequence table, the ticket, its CREATED event, in one transaction) in a loop for
until the file STOP exists, as a worker process of the portal would, and prints one JSON
line per attempt.

    python -m tests.faults.restart_writer RUN STOP    (DATABASE_URL: the server to write to)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import django


def main(run: str, stop: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")
    django.setup()
    from django.db import DatabaseError, close_old_connections

    from support.choices import Category, Channel
    from support.services.tickets import ticket_create

    attempt = 0
    while not stop.exists():
        attempt += 1
        began = time.time()
        try:
            ticket_create(subject=f"{run}-{attempt}", channel=Channel.HOTLINE, category=Category.OTHER)
            outcome = {"ok": True}
        except DatabaseError as error:
            outcome = {"ok": False, "error": type(error).__name__}
        print(json.dumps({"attempt": attempt, "began": began, "ended": time.time(), **outcome}), flush=True)
        close_old_connections()  # what the end of a request does: a broken connection goes
        time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
