"""Pages of a long list by keyset ("next / previous"), never by OFFSET and never with a count.

A page is the rows after (or before) the last (first) row shown, in the order of an index
whose columns are the sort's columns ending with the primary key: the condition
`(end_date, id) > ('2026-05-01', 42)` is a row comparison PostgreSQL starts an index scan
from, so page 500 costs what page 1 costs. The cursor in the URL is that row's sort values
("2026-05-01~42"); a cursor that does not parse is the first page, never an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Func, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan

SEPARATOR = "~"
MAX_CURSOR = 100  # characters: a cursor is a few dates and numbers


class Row(Func):
    """`ROW(a, b)`: the left or right side of a row comparison."""

    function = "ROW"
    output_field = models.Field()


@dataclass(frozen=True)
class Keyset:
    """A sort over an index: its columns (the last one unique, usually "pk"), all ascending or
    all descending — a row comparison compares every column in one direction."""

    fields: tuple[str, ...]
    descending: bool = False
    types: tuple[tuple[str, models.Field], ...] = ()  # the fields of annotated columns

    def order_by(self, *, reverse: bool = False) -> list:
        down = self.descending != reverse
        return [F(name).desc() if down else F(name).asc() for name in self.fields]

    def beyond(self, values: tuple, *, reverse: bool = False):
        """The rows after `values` in this order (before them with `reverse`)."""
        comparison = LessThan if self.descending != reverse else GreaterThan
        return comparison(Row(*(F(name) for name in self.fields)), Row(*(Value(v) for v in values)))

    def cursor(self, row) -> str:
        return SEPARATOR.join(_text(_read(row, name)) for name in self.fields)

    def parse(self, model: type[models.Model], cursor: str | None) -> tuple | None:
        """The sort values a cursor names, or None when it names none (a hand-edited URL)."""
        if not cursor or len(cursor) > MAX_CURSOR:
            return None
        parts = cursor.split(SEPARATOR)
        if len(parts) != len(self.fields):
            return None
        values = []
        for name, text in zip(self.fields, parts, strict=True):
            field = dict(self.types).get(name) or (
                model._meta.pk if name == "pk" else model._meta.get_field(name)
            )
            try:
                value = field.to_python(text)
                if isinstance(field, models.AutoField | models.IntegerField) and not 0 <= value < 2**63:
                    return None
            except (ValidationError, ValueError, TypeError, OverflowError):
                return None
            if value is None:
                return None
            values.append(value)
        return tuple(values)


@dataclass
class KeysetPage:
    rows: list
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    number: int | None = None  # unknown past the first page: nothing is counted
    stale: bool = False  # a cursor past the data (its rows were closed or deleted since)


def keyset_page(
    queryset: QuerySet,
    keyset: Keyset,
    *,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
) -> KeysetPage:
    """One page of `queryset` in `keyset` order: the first, the one after the row `after`
    names, or the one before the row `before` names — one query of at most `per_page + 1`
    rows (the extra one says whether there is more)."""
    model = queryset.model
    backwards = keyset.parse(model, before)
    forwards = None if backwards else keyset.parse(model, after)
    if backwards:
        found = list(
            queryset.filter(keyset.beyond(backwards, reverse=True)).order_by(*keyset.order_by(reverse=True))[
                : per_page + 1
            ]
        )
        rows = found[:per_page][::-1]
        page = KeysetPage(rows, has_next=True, has_previous=len(found) > per_page)
    else:
        if forwards:
            queryset = queryset.filter(keyset.beyond(forwards))
        found = list(queryset.order_by(*keyset.order_by())[: per_page + 1])
        rows = found[:per_page]
        page = KeysetPage(rows, has_next=len(found) > per_page, has_previous=forwards is not None)
        if forwards is None:
            page.number = 1
    if rows:
        page.next_cursor = keyset.cursor(rows[-1]) if page.has_next else ""
        page.previous_cursor = keyset.cursor(rows[0]) if page.has_previous else ""
    elif backwards or forwards:  # past the data: the pager offers the first page
        page.has_next, page.has_previous, page.stale = False, False, True
    return page


@dataclass(frozen=True)
class SortHeader:
    """A column header that sorts a keyset list: the sort a click asks for (`next`), and
    "asc" / "desc" when the list is in the column's order (its `alias`)."""

    next: str
    ordered: str = ""


def sort_header(alias: str, current: str) -> SortHeader:
    if current == alias:
        return SortHeader(f"-{alias}", "asc")
    if current == f"-{alias}":
        return SortHeader(alias, "desc")
    return SortHeader(alias)


def _read(row, name: str):
    return row.pk if name == "pk" else getattr(row, name)


def _text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def keyset_of(queryset: QuerySet) -> Keyset | None:
    """The queryset's order as a keyset, when it is one: plain columns that are never NULL (a
    NULL makes a row comparison unknown), all in one direction, ending with the primary key."""
    model = queryset.model
    ordering = list(
        queryset.query.order_by or (model._meta.ordering if queryset.query.default_ordering else [])
    )
    if not ordering or not all(isinstance(item, str) for item in ordering):
        return None
    directions = {item.startswith("-") for item in ordering}
    names = [item.lstrip("-") for item in ordering]
    if len(directions) != 1 or names[-1] not in ("pk", model._meta.pk.name):
        return None
    for name in names[:-1]:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # an annotation or a relation's column: not a plain column
            return None
        if not field.concrete or field.null or field.is_relation:
            return None
    return Keyset((*names[:-1], "pk"), descending=directions.pop())


def keyset_chunks(queryset: QuerySet, keyset: Keyset, *, size: int) -> Iterator[list]:
    """Every row of `queryset` in `keyset` order, `size` rows a query, each query starting after
    the last row of the one before (an index scan from there): memory holds one chunk, and no
    cursor stays open between queries, so it works behind PgBouncer's transaction pooling."""
    ordered = queryset.order_by(*keyset.order_by())
    first = keyset.fields[0]
    last: tuple | None = None
    while True:
        # The first column's bound beside the row comparison: PostgreSQL prunes partitions by it.
        bound = {f"{first}__{'lte' if keyset.descending else 'gte'}": last[0]} if last else {}
        rows = list((ordered.filter(keyset.beyond(last), **bound) if last else ordered)[:size])
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = tuple(_read(rows[-1], name) for name in keyset.fields)
