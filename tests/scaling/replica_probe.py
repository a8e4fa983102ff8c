"""Run by tests/scaling/test_replicas.py in a process of its own (settings are read at start):
DATABASE_URL is a throwaway primary, DATABASE_REPLICA_URLS its streaming replica. Drives the
portal through Django's test client and the ORM, records which database every statement went
to, and prints what it saw as JSON for the test to judge."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import time

import django

django.setup()

from django.db import connections, router, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from core.clock import today  # noqa: E402
from jqx_portal.db_router import STICKY_COOKIE, reading_from  # noqa: E402
from policies.models import Person, Policy  # noqa: E402
from policies.roles import HOTLINE_AGENT  # noqa: E402
from tests.factories import BranchFactory, PersonFactory, PolicyFactory, UserFactory, VehicleFactory  # noqa: E402

BOOK = ("policies_policy", "policies_vehicle", "policies_person")


class Recorder:
    """Which alias ran each statement (one execute wrapper per connection)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append((context["connection"].alias, sql))
        return execute(sql, params, many, context)

    def book_reads(self) -> dict[str, int]:
        """SELECTs of the policy book (policies, vehicles, people) per alias, then forget."""
        counts: dict[str, int] = {}
        for alias, sql in self.seen:
            if sql.lstrip().upper().startswith("SELECT") and any(f'"{t}"' in sql for t in BOOK):
                counts[alias] = counts.get(alias, 0) + 1
        self.seen.clear()
        return counts

    def writes(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for alias, sql in self.seen:
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                found.setdefault(alias, []).append(re.sub(r"\s+", " ", sql)[:60])
        return found


def until_replicated(query, timeout: float = 15.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if query():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError("not replicated within the timeout")


def main() -> None:
    out: dict = {"aliases": sorted(connections.settings.keys() if hasattr(connections, "settings") else [])}
    out["aliases"] = sorted(connections.databases)
    branch = BranchFactory(code="320100", name="南京中山路营业部")
    agent = UserFactory(username="replica_agent", branch=branch, role=HOTLINE_AGENT)
    owner = PersonFactory(name="李娜")
    vehicle = VehicleFactory(owner=owner, plate="苏A7R3P1")
    day = today()
    PolicyFactory(vehicle=vehicle, branch=branch, start_date=day - dt.timedelta(days=200))
    out["setup_replicated_s"] = until_replicated(
        lambda: Policy.objects.using("replica_0").filter(vehicle__plate="苏A7R3P1").exists()
    )

    # Outside any request: the primary (jobs read what they then write).
    out["outside_request"] = router.db_for_read(Policy)
    # In a read-only request's context: the replica, and it is one (pg_is_in_recovery()).
    with reading_from("replica_0"):
        alias = router.db_for_read(Policy)
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            out["routed_read"] = {"alias": alias, "in_recovery": cursor.fetchone()[0]}
        with transaction.atomic():
            out["in_transaction"] = router.db_for_read(Policy)
        out["session_model"] = router.db_for_read(django.apps.apps.get_model("sessions", "Session"))
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        out["primary_in_recovery"] = cursor.fetchone()[0]

    recorder = Recorder()
    client = Client()
    client.force_login(agent)
    with connections["default"].execute_wrapper(recorder), connections["replica_0"].execute_wrapper(recorder):
        # The hotline search: posted (a read-only POST), answered with its results.
        response = client.post("/hotline/", {"q": "苏A7R3P1"})
        out["search_post"] = {"status": response.status_code, "sticky": STICKY_COOKIE in response.cookies}
        page = response.content.decode()
        results = html.unescape(re.search(r'data-results-url="([^"]*)"', page)[1])  # re-read by GET below
        out["search_results"] = {
            "status": response.status_code,
            "found": "苏A7R3P1" in page,
            "book_reads": recorder.book_reads() or {},
        }
        # The customer page reads on the replica; its access-log row is written on the primary.
        recorder.seen.clear()
        response = client.get(f"/hotline/customer/{owner.pk}/")
        out["customer_page"] = {
            "status": response.status_code,
            "writes": recorder.writes(),
            "book_reads": recorder.book_reads(),
            "sticky": STICKY_COOKIE in response.cookies,
        }

        # A write in a request: to the primary; the rest of that request reads the primary too;
        # the row reaches the replica by streaming.
        with reading_from("replica_0") as route:
            recorder.seen.clear()
            person = Person.objects.create(name="王芳", id_number="11010519491231002X", phone="13900001234")
            out["write"] = {
                "writes": recorder.writes(),
                "pinned": route.wrote,
                "next_read": router.db_for_read(Policy),
            }
        out["write"]["replicated_s"] = until_replicated(
            lambda: Person.objects.using("replica_0").filter(pk=person.pk).exists()
        )

        # Read-your-writes: after the user's write (a POST that writes), their next reads go to
        # the primary for REPLICA_STICKY_SECONDS, then to the replica again.
        client.get(results)
        recorder.seen.clear()
        response = client.post(f"/hotline/customer/{owner.pk}/reveal/")
        out["reveal"] = {"status": response.status_code, "sticky": STICKY_COOKIE in response.cookies,
                         "writes": recorder.writes()}  # fmt: skip
        recorder.seen.clear()
        response = client.get(results)
        out["after_write"] = {"status": response.status_code, "book_reads": recorder.book_reads()}
        time.sleep(float(os.environ["REPLICA_STICKY_SECONDS"]) + 0.5)
        response = client.get(results)
        out["after_sticky"] = {"status": response.status_code, "book_reads": recorder.book_reads()}
    print("RESULT " + json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
