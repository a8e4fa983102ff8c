"""Bulk writes for the legacy import and the demo data.

Rows are plain tuples in the order of the fields named; they stream in through
`COPY … FROM STDIN` (psycopg 3). Callers give primary keys themselves (`reserve_ids`), so rows that refer to
each other — a renewal chain — are written in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection
from django.db.models import Model


def _sequence_name(table: str, column: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        return cursor.fetchone()[0]


def reserve_ids(model: type[Model]) -> int:
    """The first free primary key of `model`'s table, locked for this transaction.

    The table is locked against other writers until the transaction ends, so keys handed
    out from here on cannot collide; `release_ids` moves the sequence past them.
    """
    table = model._meta.db_table
    pk = model._meta.pk.column
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {qn(table)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")
        highest = cursor.fetchone()[0]
        sequence = _sequence_name(table, pk)
        if sequence:
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            last_value, is_called = cursor.fetchone()
            highest = max(highest, last_value if is_called else last_value - 1)
        return highest + 1


def release_ids(model: type[Model]) -> None:
    """Move the table's key sequence past the keys written by hand."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    sequence = _sequence_name(table, pk)
    if not sequence:
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}), "
            f"(SELECT last_value FROM {sequence})))",
            [sequence],
        )


class BulkInserter:
    """Buffers rows for one table and writes them in batches.

    Use as a context manager; the rows left in the buffer are written on exit.
    """

    def __init__(self, model: type[Model], fields: Sequence[str], *, batch_size: int = 20_000) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in fields]
        self.batch_size = batch_size
        self.rows: list[tuple] = []
        self.written = 0
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.columns = ", ".join(qn(f.column) for f in self.fields)

    def __enter__(self) -> BulkInserter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.flush()

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def extend(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        self.written += len(rows)


def bulk_update_rows(model: type[Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Update `fields` of the rows given as (pk, value, …) tuples.

    COPY into a temporary table, then one UPDATE … FROM it.
    """
    rows = list(rows)
    if not rows:
        return 0
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    columns = [qn(model._meta.get_field(f).column) for f in fields]
    with connection.cursor() as cursor:
        temp = qn(f"jqx_update_{model._meta.db_table}")
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
        cursor.execute(f"CREATE TEMP TABLE {temp} AS SELECT {pk}, {', '.join(columns)} FROM {table} LIMIT 0")
        with cursor.cursor.copy(f"COPY {temp} ({pk}, {', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        assignments = ", ".join(f"{c} = t.{c}" for c in columns)
        cursor.execute(f"UPDATE {table} SET {assignments} FROM {temp} t WHERE {table}.{pk} = t.{pk}")
        cursor.execute(f"DROP TABLE {temp}")
    return len(rows)


def analyze(*models: type[Model]) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL), so the first
    queries after it do not plan on the counts of an empty table."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def without_statement_timeout() -> None:
    """Lift the server's statement timeout (meant for web requests) for the rest of the
    current transaction: a bulk load or delete may run for minutes."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")


@contextmanager
def indexes_built_after(*models: type[Model]) -> Iterator[None]:
    """Load without maintaining the tables' keys and indexes row by row.

    Drops the foreign keys, unique and exclusion constraints and secondary indexes of the
    tables (not their primary keys), and builds them again when the block ends — one sort
    per index and one join per foreign key instead of a lookup for every row written. Run
    inside the transaction that loads: the rebuild checks every row, a violation aborts the
    transaction, and other sessions wait on the tables until it commits.
    """
    if not models:
        yield
        return
    qn = connection.ops.quote_name
    constraints, indexes = [], []
    with connection.cursor() as cursor:
        # ALTER TABLE refuses tables with deferred checks pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'x') ORDER BY contype DESC",
                [table],
            )
            for name, definition, _ in cursor.fetchall():
                constraints.append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                indexes.append(definition)
                cursor.execute(f"DROP INDEX {qn(name)}")
    yield
    with connection.cursor() as cursor:
        # Unique and exclusion constraints first (ORDER BY contype DESC: x, u, f), so the
        # foreign keys are checked last, over complete tables.
        for statement in constraints + indexes:
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are initially deferred


# The columns every bulk loader (the policy import, the demo data) writes, in COPY order.
PERSON_FIELDS = (
    "id",
    "name",
    "id_number",
    "phone",
    "email",
    "app_account",
    "address",
    "created_at",
    "updated_at",
)
LICENCE_FIELDS = (
    "id",
    "holder",
    "number",
    "file_number",
    "classes",
    "first_issued",
    "valid_from",
    "valid_to",
)
VEHICLE_FIELDS = (
    "id", "plate", "vin", "engine_number", "vehicle_type", "brand_model", "premium_category", "seats",
    "payload_kg", "displacement_l", "energy_type", "registration_date", "owner", "created_at",
)  # fmt: skip
POLICY_FIELDS = (
    "id", "number", "vehicle", "policyholder", "insured", "branch", "channel", "term_kind", "start_date",
    "end_date", "base_premium", "floating_plan", "floating_reason", "floating_rate", "premium",
    "vehicle_tax", "total", "at_fault_claims", "fatal_claims", "status", "cancelled_on", "cancel_reason",
    "refund", "renewed_from", "issued_by", "issued_at", "imported",
)  # fmt: skip
