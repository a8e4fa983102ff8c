"""Monthly range partitions of the append-only tables (PostgreSQL declarative partitioning).

A partitioned table is split by RANGE on one time column (a `timestamptz` or a `date`) into one
partition a month, named `<table>_pYYYY_MM`, plus `<table>_default` for rows outside every
month (a far past or far future time), so no insert ever fails for want of a partition. A month
is a Beijing month: 2026-12 runs from 2026-12-01 00:00+08:00 to 2027-01-01 00:00+08:00.

- `partition_by_month` / `unpartition`: turn a plain table into a partitioned one and back,
  keeping its rows, ids and identity sequence, columns, check and foreign-key constraints,
  indexes and triggers (the schema migrations call them).
- `maintain`: create the coming months' partitions (moving any rows the default partition
  holds for such a month into it) and drop the partitions a table no longer keeps
  (`manage.py maintain_partitions`, tables and retention from settings.PARTITIONED_TABLES);
  a table with a `min_days` (the access log: 180) is refused a `keep_months` that could drop
  younger rows (`retention_problems`).

Django keeps seeing an ordinary model whose primary key is `id`; in the database the primary
key is (id, <time column>), because PostgreSQL requires every unique key of a partitioned table
to include the partition key. `id` still comes from one sequence, so it stays unique in fact.
No foreign key may point at such a table (PostgreSQL would need the composite key), which is why
only tables nothing references are partitioned (docs/scaling.md, "Partitioned tables").

This module is the shared bottom layer: it knows tables by name only, never another app.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

from core.clock import SHANGHAI
from core.clock import today as beijing_today

MONTHLY = re.compile(r"_p(\d{4})_(\d{2})$")
TIME_TYPES = ("timestamp with time zone", "date")


# --- Months --------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y}_{month:%m}"


def default_name(table: str) -> str:
    return f"{table}_default"


def month_of(partition: str) -> dt.date | None:
    """The month a partition named by `partition_name` holds; None for any other name."""
    match = MONTHLY.search(partition)
    return dt.date(int(match[1]), int(match[2]), 1) if match else None


def bound(kind: str, month: dt.date) -> str:
    """The SQL literal of the first instant of `month` in a column of type `kind`."""
    if kind == "date":
        return f"'{month.isoformat()}'"
    if kind == "timestamp with time zone":
        return f"'{dt.datetime.combine(month, dt.time(0), tzinfo=SHANGHAI).isoformat()}'"
    raise ValueError(f"cannot partition by a column of type {kind}")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- Catalog -------------------------------------------------------------------------------


def _one(cursor, sql: str, params: Sequence[Any] = ()) -> Any:
    cursor.execute(sql, params)
    row = cursor.fetchone()
    return row[0] if row else None


def _all(cursor, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def column_type(cursor, table: str, column: str) -> str:
    kind = _one(
        cursor,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attname = %s AND NOT attisdropped",
        [table, column],
    )
    if kind is None:
        raise ValueError(f"{table} has no column {column}")
    return kind


def is_partitioned(cursor, table: str) -> bool:
    return _one(cursor, "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table]) == "p"


def partitions(cursor, table: str) -> list[str]:
    """The names of the partitions of `table`, in name order (so months in order)."""
    rows = _all(
        cursor,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        [table],
    )
    return [name for (name,) in rows]


def partition_of(cursor, table: str, **where: Any) -> str:
    """The partition a row with these key values lands in (for tests and the docs)."""
    ((column, value),) = where.items()
    return _one(cursor, f"SELECT tableoid::regclass::text FROM {_q(table)} WHERE {_q(column)} = %s", [value])


@dataclass(frozen=True)
class _Definition:
    """What a table's rebuild must carry over from the old table to the new one."""

    primary_key: str | None
    unique: dict[str, list[str]]
    indexes: list[str]
    foreign_keys: list[tuple[str, str]]
    triggers: list[str]
    others: list[str]


def _definition(cursor, table: str) -> _Definition:
    constraints = _all(
        cursor,
        "SELECT conname, contype, pg_get_constraintdef(oid), "
        "ARRAY(SELECT a.attname FROM unnest(conkey) WITH ORDINALITY k(n, i) "
        "      JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n ORDER BY k.i) "
        "FROM pg_constraint WHERE conrelid = %s::regclass AND conparentid = 0 ORDER BY conname",
        [table],
    )
    indexes = _all(
        cursor,
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "                AND c.conrelid = i.indrelid) "
        "ORDER BY i.indexrelid",
        [table],
    )
    triggers = _all(
        cursor,
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgparentid = 0 ORDER BY tgname",
        [table],
    )
    return _Definition(
        primary_key=next((name for name, kind, _, _ in constraints if kind == "p"), None),
        unique={name: list(cols) for name, kind, _, cols in constraints if kind == "u"},
        indexes=[sql.replace(" ON ONLY ", " ON ") for (sql,) in indexes],
        foreign_keys=[(name, sql) for name, kind, sql, _ in constraints if kind == "f"],
        triggers=[sql for (sql,) in triggers],
        others=[name for name, kind, _, _ in constraints if kind not in "pufcn"],
    )


# --- Converting a table --------------------------------------------------------------------


def partition_by_month(
    cursor,
    table: str,
    column: str,
    *,
    unique: Mapping[str, Sequence[str]],
    months_back: int = 24,
    months_ahead: int = 3,
    today: dt.date | None = None,
) -> None:
    """Rebuild the plain table `table` partitioned by month on `column`: partitions from
    `months_back` months before this month to `months_ahead` after it, and the default one;
    primary key (id, column); `unique` names every unique constraint of the new table (each must
    include `column`)."""
    for name, columns in unique.items():
        if column not in columns:
            raise ValueError(f"{name}: a unique key of a partitioned table must include {column}")
    this_month = month_start(today or beijing_today())
    months = [add_months(this_month, n) for n in range(-months_back, months_ahead + 1)]
    _rebuild(cursor, table, column=column, months=months, unique=unique)


def unpartition(cursor, table: str, column: str, *, unique: Mapping[str, Sequence[str]]) -> None:
    """The reverse of `partition_by_month`: one plain table again, primary key (id)."""
    _rebuild(cursor, table, column=column, months=None, unique=unique)


def _rebuild(
    cursor, table: str, *, column: str, months: list[dt.date] | None, unique: Mapping[str, Sequence[str]]
) -> None:
    old = f"{table}__old"
    before = _definition(cursor, table)
    if before.others:
        raise ValueError(f"{table}: cannot carry over constraints {before.others}")
    for name, columns in before.unique.items():
        # Every old unique rule must survive: a new key over (some of) the same columns.
        if not any(set(new) <= {*columns, column} for new in unique.values()):
            raise ValueError(f"{table}: unique constraint {name} {columns} has no counterpart")
    kind = column_type(cursor, table, column)
    if months is not None and kind not in TIME_TYPES:
        raise ValueError(f"cannot partition by a column of type {kind}")
    sequence = _one(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])

    # Free the names of the indexes, keys and sequence, then set the old rows aside.
    for name in [*before.unique, *([before.primary_key] if before.primary_key else [])]:
        cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
    for name, _ in before.foreign_keys:  # re-added after the copy: one check, not one per row
        cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
    for (index,) in _all(
        cursor, "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass", [table]
    ):
        cursor.execute(f"DROP INDEX {index}")
    if sequence:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {_q(old + '_id_seq')}")
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    for partition in partitions(cursor, old):
        cursor.execute(f"ALTER TABLE {_q(partition)} RENAME TO {_q(partition + '__old')}")

    like = "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS"
    partitioned = f" PARTITION BY RANGE ({_q(column)})" if months is not None else ""
    cursor.execute(f"CREATE TABLE {_q(table)} (LIKE {_q(old)} {like}){partitioned}")
    for month in months or ():
        cursor.execute(
            f"CREATE TABLE {_q(partition_name(table, month))} PARTITION OF {_q(table)} "
            f"FOR VALUES FROM ({bound(kind, month)}) TO ({bound(kind, add_months(month, 1))})"
        )
    if months is not None:
        cursor.execute(f"CREATE TABLE {_q(default_name(table))} PARTITION OF {_q(table)} DEFAULT")

    # Rows before keys, indexes and triggers: a bulk copy, checked once.
    cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
    if sequence:
        # The next id is the one the old sequence would have given (never one already used).
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(%s::regclass), false)",
            [table, old + "_id_seq"],
        )
    key = ["id", column] if months is not None else ["id"]
    cursor.execute(
        f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} "
        f"PRIMARY KEY ({', '.join(map(_q, key))})"
    )
    for name, columns in unique.items():
        cursor.execute(
            f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} UNIQUE ({', '.join(map(_q, columns))})"
        )
    cursor.execute(f"DROP TABLE {_q(old)}")
    for sql in before.indexes:
        cursor.execute(sql)
    for name, sql in before.foreign_keys:
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {sql}")
    for sql in before.triggers:
        cursor.execute(sql)
    cursor.execute(f"ANALYZE {_q(table)}")


# --- Maintenance ---------------------------------------------------------------------------


@dataclass
class TableReport:
    """What `maintain` did (or, on a dry run, would do) to one table."""

    table: str
    created: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)  # new partition -> rows from the default
    dropped: list[str] = field(default_factory=list)
    purged: int = 0  # rows past retention deleted from the default partition
    error: str = ""

    def lines(self) -> Iterator[str]:
        if self.error:
            yield f"{self.table}: ERROR {self.error}"
            return
        for name in self.created:
            moved = self.moved.get(name)
            yield f"{self.table}: create {name}" + (
                f" (moving {moved} rows from the default)" if moved else ""
            )
        for name in self.dropped:
            yield f"{self.table}: drop {name}"
        if self.purged:
            yield f"{self.table}: delete {self.purged} expired rows from {default_name(self.table)}"
        if not (self.created or self.dropped or self.purged):
            yield f"{self.table}: up to date"


def retention_cutoff(today: dt.date, keep_months: int) -> dt.date:
    """The first month kept: partitions of earlier months are dropped. With keep_months=7, on
    any day of December May is kept and April goes; a dropped month ended at least 7 whole
    months ago, 212 days or more (the shortest seven months in a row: September to March)."""
    if keep_months < 1:
        raise ValueError("keep_months must be at least 1")
    return add_months(month_start(today), -keep_months)


def shortest_kept_days(keep_months: int) -> int:
    """The fewest days a row of a dropped month has been kept, whatever the day of the run:
    from the end of the dropped month (the cutoff) to the first day of this month, i.e. the
    days of the shortest `keep_months` consecutive months (6 months: 181 days, September to
    February; 7: 212)."""
    shortest = None
    for year in (2025, 2026, 2027, 2028):  # a leap year and three others
        for month in range(1, 13):
            this_month = dt.date(year, month, 1)
            days = (this_month - retention_cutoff(this_month, keep_months)).days
            shortest = days if shortest is None else min(shortest, days)
    return shortest


def retention_problems(tables: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Tables whose `keep_months` could drop rows younger than their `min_days` (the access
    log: 180 days, the Cybersecurity Law's minimum for logs)."""
    problems = []
    for table, spec in tables.items():
        keep, least = spec.get("keep_months"), spec.get("min_days")
        if keep is not None and least is not None and (keep < 1 or shortest_kept_days(keep) < least):
            kept = shortest_kept_days(keep) if keep >= 1 else 0
            problems.append(
                f"{table}: keep_months={keep} may drop rows only {kept} days old; "
                f"they must be kept at least {least} days"
            )
    return problems


def maintain(
    tables: Mapping[str, Mapping[str, Any]],
    *,
    months_ahead: int = 3,
    today: dt.date | None = None,
    dry_run: bool = False,
    using=None,
) -> list[TableReport]:
    """For each partitioned table (settings.PARTITIONED_TABLES shape: {table: {"column": ...,
    "keep_months": N or None}}), one transaction: create the partitions of this month and the
    next `months_ahead` that are missing, then drop those wholly before the retention cutoff
    and delete the default partition's rows before it. Idempotent: a second run does nothing."""
    connection = using or default_connection
    today = today or beijing_today()
    reports = []
    for table, spec in tables.items():
        report = TableReport(table)
        refused = retention_problems({table: spec})
        if refused:  # nothing is done to a table whose retention is below its legal minimum
            report.error = f"refused: {refused[0]}"
            reports.append(report)
            continue
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                # Waiting behind a long query for the parent's lock would stall every insert.
                cursor.execute("SET LOCAL lock_timeout = '10s'")
                _maintain_table(
                    cursor, report, spec["column"], spec.get("keep_months"),
                    months_ahead=months_ahead, today=today, dry_run=dry_run,
                )  # fmt: skip
        except Exception as error:  # one table's failure must not stop the others
            report.error = f"{type(error).__name__}: {error}".strip()
        reports.append(report)
    return reports


def _maintain_table(
    cursor, report: TableReport, column: str, keep_months: int | None, *, months_ahead: int, today, dry_run
) -> None:
    table = report.table
    if not is_partitioned(cursor, table):
        raise ValueError("not a partitioned table (its migration has not run?)")
    kind = column_type(cursor, table, column)
    existing = set(partitions(cursor, table))
    default = default_name(table) if default_name(table) in existing else None
    this_month = month_start(today)
    for month in (add_months(this_month, n) for n in range(months_ahead + 1)):
        name = partition_name(table, month)
        if name in existing:
            continue
        report.created.append(name)
        moved = _count_in(cursor, default, column, kind, month) if default else 0
        if moved:
            report.moved[name] = moved
        if not dry_run:
            _create_month(cursor, table, column, kind, month, default=default if moved else None)
    if keep_months is None:
        return
    cutoff = retention_cutoff(today, keep_months)
    for name in sorted(existing):
        month = month_of(name)
        if month is not None and add_months(month, 1) <= cutoff:
            report.dropped.append(name)
            if not dry_run:
                cursor.execute(f"DROP TABLE {_q(name)}")
    if default:
        where = f"{_q(column)} < {bound(kind, cutoff)}"
        if dry_run:
            report.purged = _one(cursor, f"SELECT count(*) FROM {_q(default)} WHERE {where}")
        else:
            cursor.execute(f"DELETE FROM {_q(default)} WHERE {where}")
            report.purged = cursor.rowcount


def _in_month(column: str, kind: str, month: dt.date) -> str:
    return f"{_q(column)} >= {bound(kind, month)} AND {_q(column)} < {bound(kind, add_months(month, 1))}"


def _count_in(cursor, default: str, column: str, kind: str, month: dt.date) -> int:
    return _one(cursor, f"SELECT count(*) FROM {_q(default)} WHERE {_in_month(column, kind, month)}")


def _create_month(cursor, table: str, column: str, kind: str, month: dt.date, *, default: str | None) -> None:
    """Create the month's partition. PostgreSQL refuses to when the default partition holds rows
    of that month, so then: detach the default, build the month as a plain table holding those
    rows (no row triggers fire: the rows are moved, not new), attach it, attach the default."""
    name = partition_name(table, month)
    values = f"FROM ({bound(kind, month)}) TO ({bound(kind, add_months(month, 1))})"
    if default is None:
        cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES {values}")
        return
    in_month = _in_month(column, kind, month)
    cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(default)}")
    cursor.execute(
        f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)"
    )
    cursor.execute(f"INSERT INTO {_q(name)} SELECT * FROM {_q(default)} WHERE {in_month}")
    cursor.execute(f"DELETE FROM {_q(default)} WHERE {in_month}")
    cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} FOR VALUES {values}")
    cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(default)} DEFAULT")
