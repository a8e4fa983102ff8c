"""Monthly partitions of the append-only tables (core.partitions, the four partition
migrations, `manage.py maintain_partitions`), on the real PostgreSQL."""

import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from channels.api.services import api_usage_flush, api_usage_record
from channels.models import ApiKey, ApiUsage
from claims.models import ClaimEvent
from core import partitions
from core.clock import SHANGHAI
from core.clock import today as beijing_today
from policies.models import PersonAccessLog
from policies.services import person_view_log
from support.models import TicketEvent
from tests import factories

ACCESS_LOG, API_USAGE = "policies_personaccesslog", "policies_apiusage"
CLAIM_EVENTS, TICKET_EVENTS = "claims_claimevent", "support_ticketevent"
MIGRATIONS = {  # app: (the migration that partitions, the one before it)
    "policies": ("0014_partition_access_log_by_month", "0013_access_log_other_branch"),
    "channels": ("0002_partition_api_usage_by_month", "0001_api_keys_from_policies"),
    "claims": ("0004_partition_claim_events_by_month", "0003_sources_cite_the_repository"),
    "support": ("0007_partition_ticket_events_by_month", "0006_messages_in_the_outbox_app"),
}


def this_month() -> dt.date:
    return partitions.month_start(beijing_today())


def month(n: int) -> dt.date:
    return partitions.add_months(this_month(), n)


def at_in(month_: dt.date, day: int = 15) -> dt.datetime:
    return dt.datetime.combine(month_.replace(day=day), dt.time(12, 0), tzinfo=SHANGHAI)


def where(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        return partitions.partition_of(cursor, table, id=pk)


def partitions_of(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return partitions.partitions(cursor, table)


def relkind(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


def log_at(user, person, at: dt.datetime) -> int:
    """An access-log row at a given time (the model stamps `accessed_at` itself)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO policies_personaccesslog (user_id, person_id, page, path, accessed_at, other_branch) "
            "VALUES (%s, %s, 'counter', '/counter/', %s, false) RETURNING id",
            [user.pk, person.pk, at],
        )
        return cursor.fetchone()[0]


def immediate() -> None:
    """Run the deferred foreign-key checks now: PostgreSQL refuses ALTER TABLE on a table with
    checks pending in the transaction (a real migration or maintenance run has none)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def api_key(db):
    return ApiKey.objects.create(name="官网", channel="website", prefix="jqx_test01", key_hash="0" * 64)


@pytest.fixture
def person(db):
    return factories.PersonFactory()


@pytest.fixture
def claim(branch, hotline_agent):
    policy = factories.PolicyFactory(branch=branch, start_date=beijing_today() - dt.timedelta(days=100))
    return factories.make_claim(policy, by=hotline_agent)


@pytest.fixture
def ticket(branch, hotline_agent):
    queue = factories.QueueFactory(branch=branch)
    return factories.TicketFactory(queue=queue, created_by=hotline_agent)


# --- The tables as the migrations left them ------------------------------------------------


@pytest.mark.django_db
def test_the_four_tables_are_partitioned_by_month_with_a_default():
    for table, spec in settings.PARTITIONED_TABLES.items():
        assert relkind(table) == "p", table
        names = partitions_of(table)
        assert partitions.default_name(table) in names
        # 24 months back to 3 ahead, as the migration made them.
        for n in (-24, -1, 0, 1, 3):
            assert partitions.partition_name(table, month(n)) in names, (table, n)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_partkeydef(%s::regclass), pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND c.contype = 'p'",
                [table, table],
            )
            key, primary_key = cursor.fetchone()
        assert key == f"RANGE ({spec['column']})"
        assert primary_key == f"PRIMARY KEY (id, {spec['column']})"


@pytest.mark.django_db
def test_nothing_references_a_partitioned_table_by_foreign_key():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = ANY(%s::regclass[])",
            [list(settings.PARTITIONED_TABLES)],
        )
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_a_row_of_today_lands_in_this_months_partition_and_a_far_past_one_in_the_default(
    counter_clerk, person, api_key
):
    today_row = person_view_log(user=counter_clerk, person=person, page="counter", path="/counter/")
    old_row = log_at(counter_clerk, person, dt.datetime(2001, 5, 1, 9, 0, tzinfo=SHANGHAI))
    assert where(ACCESS_LOG, today_row.pk) == partitions.partition_name(ACCESS_LOG, this_month())
    assert where(ACCESS_LOG, old_row) == partitions.default_name(ACCESS_LOG)
    assert PersonAccessLog.objects.get(pk=old_row).accessed_at.year == 2001

    # The API counter's upsert (ON CONFLICT on key, day, endpoint) still adds to one row a day.
    api_usage_record(key=api_key, endpoint="quotes", status=200)
    api_usage_record(key=api_key, endpoint="quotes", status=404)
    api_usage_flush()  # counted in memory or Redis, written in one batch
    usage = ApiUsage.objects.get(key=api_key)
    assert (usage.requests, usage.succeeded, usage.not_found) == (2, 1, 1)
    assert where(API_USAGE, usage.pk) == partitions.partition_name(API_USAGE, this_month())
    far = ApiUsage.objects.create(key=api_key, day=dt.date(1999, 12, 31), endpoint="quotes", requests=1)
    assert where(API_USAGE, far.pk) == partitions.default_name(API_USAGE)


@pytest.mark.django_db
def test_a_month_boundary_is_beijing_midnight(counter_clerk, person):
    first = dt.datetime.combine(month(0), dt.time(0, 0), tzinfo=SHANGHAI)
    before = log_at(counter_clerk, person, first - dt.timedelta(microseconds=1))
    after = log_at(counter_clerk, person, first)
    assert where(ACCESS_LOG, before) == partitions.partition_name(ACCESS_LOG, month(-1))
    assert where(ACCESS_LOG, after) == partitions.partition_name(ACCESS_LOG, month(0))


# --- The triggers on the partitioned event tables ------------------------------------------


@pytest.mark.django_db
def test_claim_events_stay_append_only_and_chained(claim):
    event = ClaimEvent.objects.get(claim=claim)
    assert where(CLAIM_EVENTS, event.pk).startswith(f"{CLAIM_EVENTS}_p")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).update(note="改写")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).delete()
    # (claim, seq) stays unique although the constraint now holds the time too: a second
    # event 1 at another time (another partition) is refused by the chain trigger.
    with pytest.raises(IntegrityError, match="does not follow"), transaction.atomic():
        ClaimEvent.objects.create(
            claim=claim, seq=1, action="report", from_state="", to_state="reported", at=at_in(month(-5))
        )
    assert ClaimEvent.objects.filter(claim=claim).count() == 1


@pytest.mark.django_db
def test_ticket_events_stay_append_only_and_their_key_unique_across_partitions(ticket):
    event = ticket.events.get()
    with pytest.raises(Exception, match="只能新增"), transaction.atomic():
        TicketEvent.objects.filter(pk=event.pk).update(body="改写")
    with pytest.raises(Exception, match="只能新增"), transaction.atomic():
        TicketEvent.objects.filter(pk=event.pk).delete()
    # The same key at another time, so in another partition: refused as before.
    with pytest.raises(IntegrityError, match="ticket_event_key_uniq"), transaction.atomic():
        TicketEvent.objects.create(
            ticket=ticket, kind="internal_note", key=event.key, created_at=at_in(month(-3))
        )
    other = TicketEvent.objects.create(ticket=ticket, kind="internal_note", created_at=at_in(month(-3)))
    assert where(TICKET_EVENTS, other.pk) == partitions.partition_name(TICKET_EVENTS, month(-3))
    assert ticket.events.count() == 2


# --- The migrations on tables that hold rows -----------------------------------------------


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


@pytest.mark.django_db
def test_the_migrations_keep_existing_rows_ids_and_sequences(counter_clerk, person, api_key, claim, ticket):
    newer = person_view_log(user=counter_clerk, person=person, page="counter", path="/counter/")
    api_usage_record(key=api_key, endpoint="renewal-status", status=200)
    api_usage_flush()
    claim_events = list(ClaimEvent.objects.filter(claim=claim).values_list("id", "seq", "at"))
    ticket_events = list(ticket.events.values_list("id", "key", "created_at"))
    immediate()

    # Back to the plain tables, then rows written at that state (what production holds).
    _migrate([(app, before) for app, (_, before) in MIGRATIONS.items()])
    for table in settings.PARTITIONED_TABLES:
        assert relkind(table) == "r", table
    old = [
        log_at(counter_clerk, person, at_in(month(-2))),
        log_at(counter_clerk, person, dt.datetime(2003, 3, 3, 3, 3, tzinfo=SHANGHAI)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO policies_apiusage (key_id, day, endpoint, requests, succeeded, not_found, rejected, limited) "
            "VALUES (%s, %s, 'quotes', 7, 7, 0, 0, 0) RETURNING id",
            [api_key.pk, month(-4) + dt.timedelta(days=2)],
        )
        old_usage = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO support_ticketevent (key, ticket_id, kind, body, from_value, to_value, created_at) "
            "VALUES (%s, %s, 'internal_note', '旧备注', '', '', %s) RETURNING id",
            [uuid.uuid4(), ticket.pk, at_in(month(-6))],
        )
        old_ticket_event = cursor.fetchone()[0]
        # The old table's triggers still run at that state.
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM claims_claimevent WHERE claim_id = %s", [claim.pk])
    immediate()

    _migrate([key for key in MigrationExecutor(connection).loader.graph.leaf_nodes() if key[0] in MIGRATIONS])
    for table in settings.PARTITIONED_TABLES:
        assert relkind(table) == "p", table
    assert where(ACCESS_LOG, newer.pk) == partitions.partition_name(ACCESS_LOG, this_month())
    assert where(ACCESS_LOG, old[0]) == partitions.partition_name(ACCESS_LOG, month(-2))
    assert where(ACCESS_LOG, old[1]) == partitions.default_name(ACCESS_LOG)
    assert where(API_USAGE, old_usage) == partitions.partition_name(API_USAGE, month(-4))
    assert ApiUsage.objects.get(pk=old_usage).requests == 7
    assert where(TICKET_EVENTS, old_ticket_event) == partitions.partition_name(TICKET_EVENTS, month(-6))
    assert list(ClaimEvent.objects.filter(claim=claim).values_list("id", "seq", "at")) == claim_events
    assert (
        list(ticket.events.exclude(pk=old_ticket_event).values_list("id", "key", "created_at"))
        == ticket_events
    )
    assert set(PersonAccessLog.objects.values_list("id", flat=True)) == {newer.pk, *old}

    # New rows go on from the old sequences: no id is given twice.
    again = person_view_log(user=counter_clerk, person=person, page="hotline", path="/hotline/")
    assert again.pk > max(newer.pk, *old)
    note = TicketEvent.objects.create(ticket=ticket, kind="internal_note", body="迁移后")
    assert note.pk > old_ticket_event
    # And the triggers came along.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ClaimEvent.objects.filter(claim=claim).delete()
    with pytest.raises(Exception, match="只能新增"), transaction.atomic():
        TicketEvent.objects.filter(pk=old_ticket_event).update(body="改写")


# --- maintain_partitions --------------------------------------------------------------------


@pytest.mark.django_db
def test_maintenance_creates_the_coming_months_and_is_idempotent():
    reports = partitions.maintain(settings.PARTITIONED_TABLES, months_ahead=6)
    for report in reports:
        assert not report.error, report.error
        assert report.created == [partitions.partition_name(report.table, month(n)) for n in (4, 5, 6)]
        assert set(report.created) <= set(partitions_of(report.table))
    before = {table: partitions_of(table) for table in settings.PARTITIONED_TABLES}
    again = partitions.maintain(settings.PARTITIONED_TABLES, months_ahead=6)
    assert all(not (r.created or r.dropped or r.purged or r.error) for r in again)
    assert {table: partitions_of(table) for table in settings.PARTITIONED_TABLES} == before


@pytest.mark.django_db
def test_a_dry_run_changes_nothing(counter_clerk, person):
    log_at(counter_clerk, person, at_in(month(-20)))
    before = {table: partitions_of(table) for table in settings.PARTITIONED_TABLES}
    reports = partitions.maintain(settings.PARTITIONED_TABLES, months_ahead=5, dry_run=True)
    access = next(r for r in reports if r.table == ACCESS_LOG)
    assert access.created == [partitions.partition_name(ACCESS_LOG, month(n)) for n in (4, 5)]
    assert partitions.partition_name(ACCESS_LOG, month(-20)) in access.dropped
    assert {table: partitions_of(table) for table in settings.PARTITIONED_TABLES} == before
    assert PersonAccessLog.objects.count() == 1


@pytest.mark.django_db
def test_retention_drops_whole_expired_months_of_the_access_log_and_api_usage_only(
    counter_clerk, person, api_key, claim
):
    now = timezone.now()
    ages = [0, 30, 150, 179, 200, 240, 400, 800]  # days
    logs = {age: log_at(counter_clerk, person, now - dt.timedelta(days=age)) for age in ages}
    usage = {
        n: ApiUsage.objects.create(key=api_key, day=month(n) + dt.timedelta(days=3), endpoint="quotes").pk
        for n in (0, -12, -23, -24)
    }
    events = ClaimEvent.objects.count()
    event_partitions = {t: partitions_of(t) for t in (CLAIM_EVENTS, TICKET_EVENTS)}
    immediate()

    reports = {r.table: r for r in partitions.maintain(settings.PARTITIONED_TABLES)}
    assert not any(r.error for r in reports.values())

    cutoff = partitions.retention_cutoff(beijing_today(), 7)
    dropped = reports[ACCESS_LOG].dropped
    assert dropped == [partitions.partition_name(ACCESS_LOG, month(n)) for n in range(-24, -7)]
    assert not set(dropped) & set(partitions_of(ACCESS_LOG))
    kept = set(PersonAccessLog.objects.values_list("id", flat=True))
    for age, pk in logs.items():
        young = now - dt.timedelta(days=age) >= dt.datetime.combine(cutoff, dt.time(0), tzinfo=SHANGHAI)
        assert (pk in kept) == young, age
        if age <= 180:  # the law's six months: never lost
            assert pk in kept
    # API usage keeps 24 whole months: nothing of the last 24 goes yet.
    assert reports[API_USAGE].dropped == []
    assert set(ApiUsage.objects.values_list("id", flat=True)) == set(usage.values())
    # Claim and ticket events are never dropped.
    for table in (CLAIM_EVENTS, TICKET_EVENTS):
        assert reports[table].dropped == [] and reports[table].purged == 0
        assert set(event_partitions[table]) <= set(partitions_of(table))
    assert ClaimEvent.objects.count() == events


def test_no_access_log_row_younger_than_180_days_is_ever_dropped():
    """Whatever day maintenance runs on, the access log's cutoff is more than 180 days back."""
    day = dt.date(2026, 1, 1)
    while day < dt.date(2028, 1, 1):
        cutoff = partitions.retention_cutoff(day, settings.PARTITIONED_TABLES[ACCESS_LOG]["keep_months"])
        assert (day - cutoff).days > 180, day
        day += dt.timedelta(days=1)


@pytest.mark.django_db
def test_api_usage_past_24_months_goes_with_its_month_and_from_the_default(api_key):
    old = ApiUsage.objects.create(key=api_key, day=month(-24) + dt.timedelta(days=9), endpoint="quotes").pk
    ancient = ApiUsage.objects.create(key=api_key, day=dt.date(2010, 1, 1), endpoint="quotes").pk
    recent = ApiUsage.objects.create(key=api_key, day=month(-23), endpoint="quotes").pk
    immediate()
    # Two months on, the two oldest months have passed the 24 kept.
    (report,) = partitions.maintain(
        {API_USAGE: settings.PARTITIONED_TABLES[API_USAGE]}, today=month(2) + dt.timedelta(days=20)
    )
    assert not report.error
    assert report.dropped == [partitions.partition_name(API_USAGE, month(n)) for n in (-24, -23)]
    assert report.purged == 1
    assert not ApiUsage.objects.filter(pk__in=[old, ancient, recent]).exists()


@pytest.mark.django_db
def test_rows_of_a_new_month_in_the_default_partition_move_into_it(api_key, ticket, claim):
    later = month(5)
    usage = ApiUsage.objects.create(
        key=api_key, day=later + dt.timedelta(days=1), endpoint="quotes", requests=3
    )
    event = TicketEvent.objects.create(
        ticket=ticket, kind="internal_note", body="预约", created_at=at_in(later)
    )
    beyond = TicketEvent.objects.create(ticket=ticket, kind="internal_note", created_at=at_in(month(9)))
    assert where(API_USAGE, usage.pk) == partitions.default_name(API_USAGE)
    assert where(TICKET_EVENTS, event.pk) == partitions.default_name(TICKET_EVENTS)
    immediate()

    reports = {r.table: r for r in partitions.maintain(settings.PARTITIONED_TABLES, months_ahead=6)}
    assert not any(r.error for r in reports.values())
    name = partitions.partition_name(TICKET_EVENTS, later)
    assert reports[TICKET_EVENTS].moved == {name: 1}
    assert reports[API_USAGE].moved == {partitions.partition_name(API_USAGE, later): 1}
    assert where(TICKET_EVENTS, event.pk) == name
    assert where(API_USAGE, usage.pk) == partitions.partition_name(API_USAGE, later)
    assert where(TICKET_EVENTS, beyond.pk) == partitions.default_name(TICKET_EVENTS)
    moved = TicketEvent.objects.get(pk=event.pk)
    assert (moved.key, moved.body, moved.created_at) == (event.key, "预约", event.created_at)
    assert ApiUsage.objects.get(pk=usage.pk).requests == 3
    assert ticket.events.count() == 3  # nothing lost, nothing doubled

    # The moved-into partition and the reattached default carry the triggers and keys.
    with pytest.raises(Exception, match="只能新增"), transaction.atomic():
        TicketEvent.objects.filter(pk=event.pk).update(body="改写")
    with pytest.raises(Exception, match="只能新增"), transaction.atomic():
        TicketEvent.objects.filter(pk=beyond.pk).delete()
    with pytest.raises(IntegrityError, match="ticket_event_key_uniq"), transaction.atomic():
        TicketEvent.objects.create(
            ticket=ticket, kind="internal_note", key=event.key, created_at=at_in(later, 20)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiUsage.objects.create(key=api_key, day=usage.day, endpoint="quotes")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [name]
        )
        assert cursor.fetchone()[0] == 2  # append-only and key-once, as on every partition


@pytest.mark.django_db
def test_the_command_reports_and_a_second_run_has_nothing_to_do(capsys):
    call_command("maintain_partitions", "--months-ahead", "4", "--dry-run")
    preview = capsys.readouterr().out
    assert f"(dry run) {ACCESS_LOG}: create {partitions.partition_name(ACCESS_LOG, month(4))}" in preview
    assert partitions.partition_name(ACCESS_LOG, month(4)) not in partitions_of(ACCESS_LOG)
    call_command("maintain_partitions", "--months-ahead", "4")
    assert partitions.partition_name(CLAIM_EVENTS, month(4)) in partitions_of(CLAIM_EVENTS)
    capsys.readouterr()
    call_command("maintain_partitions", "--months-ahead", "4")
    out = capsys.readouterr().out
    assert {f"{table}: up to date" for table in settings.PARTITIONED_TABLES} == set(out.split("\n")) - {""}


# --- Partition pruning ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_persons_recent_views_read_only_the_months_asked_for(counter_clerk, person):
    for n in range(-6, 1):
        log_at(counter_clerk, person, at_in(month(n)))
    now = timezone.now()
    recent = PersonAccessLog.objects.filter(person=person, accessed_at__gte=now - dt.timedelta(days=30))
    plan = recent.filter(accessed_at__lte=now).order_by("-accessed_at")[:50].explain()
    scanned = set(re.findall(rf"{ACCESS_LOG}_(?:p\d{{4}}_\d{{2}}|default)", plan))
    # This month and the one before at most, through the (person, time) index; not the 28 others.
    assert scanned <= {partitions.partition_name(ACCESS_LOG, month(n)) for n in (-1, 0)}, plan
    assert len(list(recent)) >= 1
    # Without an upper bound the months ahead and the default may hold matches, still not the past.
    open_ended = recent.order_by("-accessed_at")[:50].explain()
    scanned = set(re.findall(rf"{ACCESS_LOG}_(?:p\d{{4}}_\d{{2}}|default)", open_ended))
    assert len(scanned) <= 6 and partitions.partition_name(ACCESS_LOG, month(-2)) not in scanned
