"""Run by tests/scaling/test_pgbouncer.py in a process of its own whose DATABASE_URL is PgBouncer
in transaction pooling (DATABASE_PGBOUNCER=1): the portal's critical paths through it — a renewal,
planning and sending reminders, a policy import (temporary tables), a claim from report to
approval, a ticket — while a second thread keeps the two server connections changing hands.
Prints what happened as JSON for the test to judge."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from decimal import Decimal
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from claims import services as claim_services  # noqa: E402
from claims.models import ApprovalAuthority  # noqa: E402
from core.clock import SHANGHAI, today  # noqa: E402
from outbox.models import OutboundMessage  # noqa: E402
from outbox.sender import Sender  # noqa: E402
from policies import services  # noqa: E402
from policies.access_log import detect_bursts  # noqa: E402
from policies.importing import POLICY_HEADER  # noqa: E402
from policies.importing.policy_import import policies_import  # noqa: E402
from policies.models import AccessBurst, Person, PersonAccessLog, Policy  # noqa: E402
from policies.quotes import renewal_quote_on  # noqa: E402
from policies.roles import CLAIMS_ADJUSTER, COUNTER_CLERK, HOTLINE_AGENT  # noqa: E402
from reminders.planning import plan_reminders  # noqa: E402
from support.services import ticket_add_note, ticket_create  # noqa: E402
from tests.factories import (  # noqa: E402
    BranchFactory,
    PersonFactory,
    PolicyFactory,
    UserFactory,
    VehicleFactory,
    make_claim,
    policy_chain,
    policy_ending,
    third_party_vehicle,
)

DATA = Path(__file__).resolve().parent.parent / "data"


def churn(stop: threading.Event, seen: dict) -> None:
    """Other clients' transactions: reads, and an iterator() outside a transaction (a server-side
    cursor WITH HOLD unless DISABLE_SERVER_SIDE_CURSORS)."""
    try:
        while not stop.is_set():
            seen["counted"] = Policy.objects.count()
            seen["iterated"] = sum(1 for _ in Person.objects.order_by("pk").iterator(chunk_size=2))
            seen["rounds"] = seen.get("rounds", 0) + 1
    except Exception as error:  # reported to the test, not swallowed
        seen["error"] = repr(error)
    finally:
        close_old_connections()
        connection.close()


def main() -> None:
    out: dict = {"settings": {
        "prepare_threshold": connection.settings_dict["OPTIONS"].get("prepare_threshold", "unset"),
        "server_side_cursors_disabled": connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"),
        "startup_options": connection.settings_dict["OPTIONS"].get("options"),
    }}  # fmt: skip
    stop, seen = threading.Event(), {}
    worker = threading.Thread(target=churn, args=(stop, seen))
    worker.start()
    try:
        day = today()
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)
        branch = BranchFactory(code="320100", name="南京中山路营业部")
        clerk = UserFactory(username="pgb_clerk", branch=branch, role=COUNTER_CLERK)
        agent = UserFactory(username="pgb_agent", branch=branch, role=HOTLINE_AGENT)
        adjuster = UserFactory(username="pgb_adjuster", branch=branch, role=CLAIMS_ADJUSTER)
        reviewer = UserFactory(username="pgb_reviewer", branch=branch, role=CLAIMS_ADJUSTER)
        ApprovalAuthority.objects.create(user=reviewer, max_amount=Decimal("1000000"))

        # A renewal, and the same request again (idempotent).
        chain = policy_chain(
            VehicleFactory(), first_start=day - dt.timedelta(days=365 + 340), years=2, branch=branch
        )
        current = chain[-1]
        vehicle = current.vehicle
        quote = renewal_quote_on(day, vehicle=vehicle, policies=list(vehicle.policies.all()), branch=branch)
        args = {
            "vehicle": vehicle,
            "clerk": clerk,
            "from_policy_id": current.pk,
            "fingerprint": quote.fingerprint,
            "payment_method": "cash",
        }
        first, again = services.policy_renew(**args), services.policy_renew(**args)
        out["renewal"] = {"created": first.created, "again_created": again.created,
                          "same": first.policy.pk == again.policy.pk, "total": str(first.policy.total)}  # fmt: skip

        # Reminders: planned (temporary tables ON COMMIT DROP, an advisory xact lock), sent once.
        policy_ending(day + dt.timedelta(days=30), branch=branch)
        planned = plan_reminders(day=day, now=noon)
        replanned = plan_reminders(day=day, now=noon)
        sent = Sender(clock=lambda: noon).drain()
        out["reminders"] = {"planned": sum(planned.by_step.values()), "replanned": sum(replanned.by_step.values()),
                            "sent": sent.sent, "unsent": OutboundMessage.objects.exclude(status="sent").count()}  # fmt: skip

        # A policy import (COPY, a temporary table for the updates), then a re-import that updates.
        call_command("import_branches", str(DATA / "branches.csv"), stdout=io.StringIO())
        with (DATA / "policies.csv").open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        holder = [row for row in rows if row["holder_id_number"] == rows[0]["holder_id_number"]]
        for row in holder:  # first without a phone: the re-import fills it in (an UPDATE … FROM)
            row["holder_phone"] = ""
        imported = policies_import(_csv(rows), today=day)
        for row in holder:
            row["holder_phone"] = "13800138000"
        reimported = policies_import(_csv(rows), today=day)
        out["import"] = {"created": imported.created, "persons_updated": reimported.persons_updated,
                         "phone": Person.objects.get(id_number=rows[0]["holder_id_number"]).phone}  # fmt: skip

        # A claim from the report to the approval.
        insured = PolicyFactory(branch=branch, start_date=day - dt.timedelta(days=100))
        claim = make_claim(insured, by=agent, parties=[third_party_vehicle(property="3000.00")])
        claim = claim_services.claim_register(claim=claim, by=adjuster, documents=["policy", "claim_form"])
        claim = claim_services.claim_documents(claim=claim, by=adjuster, received=["policy", "claim_form"])
        claim = claim_services.claim_survey(claim=claim, by=adjuster, at_fault=True, note="查勘")
        amounts = {loss.pk: (loss.reported_amount, "") for loss in claim.losses.all()}
        claim = claim_services.claim_assess(claim=claim, by=adjuster, amounts=amounts)
        claim = claim_services.claim_calculate(claim=claim, by=adjuster)
        claim_services.claim_approve(claim=claim, by=reviewer)
        claim.refresh_from_db()
        out["claim"] = {"state": claim.state, "events": claim.events.count()}

        # A ticket with a note.
        ticket = ticket_create(subject="询问续保时间", channel="hotline", category="renewal_status",
                               customer=insured.policyholder, created_by=agent)  # fmt: skip
        ticket_add_note(ticket=ticket, by=agent, body="已告知到期日。")
        out["ticket"] = {"number": bool(ticket.number), "events": ticket.events.count()}

        # Unusual access: the scan takes its one row with FOR UPDATE SKIP LOCKED (no advisory
        # lock), and a second scan extends rather than writes the burst again.
        with override_settings(ACCESS_LOG_UNUSUAL={"people": 3, "minutes": 60, "days": 7}):
            for _ in range(4):
                PersonAccessLog.objects.create(
                    user=clerk, person=PersonFactory(), page="柜面客户页", path="/counter/"
                )
            scans = [detect_bursts(now=timezone.now()) for _ in range(2)]
        out["bursts"] = {"created": [scan.created for scan in scans],
                         "kept": AccessBurst.objects.filter(user=clerk).count()}  # fmt: skip

        # A long export: keyset chunks, one query each, no cursor kept open between them.
        out["export"] = export_through(branch)
    finally:
        stop.set()
        worker.join(timeout=30)
    out["churn"] = seen
    print("RESULT " + json.dumps(out, ensure_ascii=False, default=str))


def export_through(branch) -> dict:
    """9,000 rows of the access log exported as CSV, as a supervisor's request streams them."""
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from core.exports import CHUNK_ROWS, export_response, read_csv
    from desks.access_log import ACCESS_LOG
    from policies.models import PersonAccessLog
    from policies.roles import SUPERVISOR

    boss = UserFactory(username="pgb_boss", branch=branch, role=SUPERVISOR)
    viewer = UserFactory(username="pgb_viewer", branch=branch, role=COUNTER_CLERK)
    person = Person.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO policies_personaccesslog (user_id, person_id, page, path, accessed_at, other_branch) "
            "SELECT %s, %s, 'counter', '/counter/', now() - g * interval '1 second', false "
            "FROM generate_series(0, 8999) g",
            [viewer.pk, person.pk],
        )
    request = RequestFactory().get("/dashboard/access-log/export/", {"export": "csv"})
    request.user = boss
    rows = PersonAccessLog.objects.filter(user=viewer).select_related("user", "person")
    rows = rows.order_by("-accessed_at", "-pk")
    with CaptureQueriesContext(connection) as captured:
        response = export_response(request=request, spec=ACCESS_LOG, rows=rows, fmt="csv")
        exported = read_csv(b"".join(response.streaming_content))
    reads = [q["sql"] for q in captured.captured_queries if 'FROM "policies_personaccesslog"' in q["sql"]]
    return {
        "rows": len(exported) - 1,
        "reads": len(reads),
        "chunked": all(f"LIMIT {CHUNK_ROWS}" in sql for sql in reads),
        "newest_first": [r[0] for r in exported[1:]] == sorted((r[0] for r in exported[1:]), reverse=True),
    }


def _csv(rows: list[dict]) -> io.StringIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=POLICY_HEADER)
    writer.writeheader()
    writer.writerows(rows)
    text.seek(0)
    return text


if __name__ == "__main__":
    main()
