"""Exports of the supervisors' lists to CSV and XLSX, streamed in constant memory.

One place for every list: a list describes its columns once (`ExportSpec`), its view hands
over the queryset its page shows (the same access scope and filters) and `export_response`
streams the file:

- rows are read in chunks of `CHUNK_ROWS`, one query each, in the list's order: by keyset
  (`core.keyset.keyset_chunks`: each query starts after the last row of the one before) when
  the order is an index's, else the ids in the list's order first (8 bytes a row) and the rows
  by chunks of ids. No cursor stays open between queries, so this holds behind PgBouncer in
  transaction pooling too (where server-side cursors are off and psycopg would read a whole
  result at once): a 1,000,000-row export holds one chunk in memory, never the list;
- CSV is written row by row into the response (UTF-8 with a BOM, which Excel needs to read
  Chinese); XLSX is written by xlsxwriter in `constant_memory` mode into a temporary file
  (a zip cannot be streamed before it is finished) and the file is streamed back in blocks;
- personal data is masked unless the user may export it in full and asked to; then every
  person in the file counts as a full view, written to the access log chunk by chunk
  (`log_full_views`, given by the list: this module knows no other app);
- every export is logged (`core.models.ExportLog`: who, when, which list and filters, how
  many rows, whether complete) and written to the security log.

Access is decided by the caller (`can_export_lists` plus the list's own scope).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict, StreamingHttpResponse
from django.utils import timezone

from core.clock import local
from core.keyset import Keyset, keyset_chunks, keyset_of
from core.models import ExportLog
from core.security_log import EXPORT, security_event

CSV = "csv"
XLSX = "xlsx"
FORMATS = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_LISTS = "core.export_lists"
EXPORT_FULL = "core.export_full_personal_data"
CHUNK_ROWS = 2000  # rows per query
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows below its header (Excel's limit)
FILE_BLOCK = 256 * 1024
# Query parameters that are not the list's filters: paging, sorting and the export's own.
NOT_FILTERS = frozenset({"page", "per_page", "cursor", "after", "before", "export", "full", "sort"})
TRUNCATED_NOTE = "（Excel 工作表最多 1,048,575 行，其余行未导出；请缩小筛选范围或导出 CSV）"


@dataclass(frozen=True)
class Column:
    """One column of an export: its Chinese title, the value as lists show it (masked where
    personal), and for personal data the full value."""

    title: str
    value: Callable[[Any], Any]
    full: Callable[[Any], Any] | None = None

    @property
    def personal(self) -> bool:
        return self.full is not None


@dataclass(frozen=True)
class ExportSpec:
    """What a list exports: its name (for URLs and the log), its title (for the file name and
    the log) and its columns; `person_ids(row)` names the people a row shows in full."""

    name: str
    title: str
    columns: Sequence[Column]
    person_ids: Callable[[Any], Iterable[int | None]] | None = None


def can_export_lists(user) -> bool:
    return user.is_active and user.has_perm(EXPORT_LISTS)


def can_export_full(user) -> bool:
    return user.is_active and user.has_perm(EXPORT_FULL)


def list_filters(query: QueryDict | Mapping[str, str]) -> dict[str, str]:
    """The list's filters in a query string, as logged: paging and export parameters left out,
    empty values dropped. Lists keep personal data out of their URLs, so none is here."""
    items = query.lists() if isinstance(query, QueryDict) else ((k, [v]) for k, v in query.items())
    filters = {}
    for name, values in items:
        values = [v for v in values if v]
        if name not in NOT_FILTERS and values:
            filters[name] = values[0] if len(values) == 1 else ",".join(values)
    return filters


def requested_format(request: HttpRequest) -> str | None:
    value = request.GET.get("export", "")
    return value if value in FORMATS else None


def asked_export(request: HttpRequest) -> tuple[str | None, bool]:
    """The format asked for (None: none or an unknown one) and whether in full. Refuses (403)
    a user who may not export lists, or not personal data in full. The list's own access is
    its view's to check."""
    full = request.GET.get("full") == "1"
    if not can_export_lists(request.user) or (full and not can_export_full(request.user)):
        raise PermissionDenied
    return requested_format(request), full


def cell(value: Any) -> str | int | Decimal:
    """A value as it goes into a file: dates and times in Beijing time, money as Decimal,
    booleans and missing values in Chinese."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return f"{local(value):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return value
    text = str(value)
    # A cell starting with = + - @ is a formula to Excel (CSV injection): quote it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


class _Echo:
    """A file whose write returns what it was given: csv.writer into a generator."""

    def write(self, value: str) -> str:
        return value


class _Run:
    """One export as it streams: the rows read so far, full views logged chunk by chunk, and
    the log row completed at the end (or left incomplete when the client went away)."""

    def __init__(
        self, *, spec: ExportSpec, rows: QuerySet, full: bool, log: ExportLog,
        log_full_views: Callable[[list[int]], None] | None, limit: int | None, keyset: Keyset | None,
    ):  # fmt: skip
        self.spec = spec
        self.rows = rows
        self.keyset = keyset or keyset_of(rows)
        self.full = full
        self.log = log
        self.log_full_views = log_full_views
        self.limit = limit
        self.count = 0
        self.truncated = False

    def chunks(self) -> Iterator[list]:
        """The rows in the list's order, `CHUNK_ROWS` a query."""
        if self.keyset is not None:
            yield from keyset_chunks(self.rows, self.keyset, size=CHUNK_ROWS)
            return
        # An order no index gives (urgency, a CASE, NULLs first): the ids in that order, then
        # the rows of each chunk of ids, put back in it.
        ids = list(self.rows.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK_ROWS):
            chunk = ids[start : start + CHUNK_ROWS]
            found = {row.pk: row for row in self.rows.filter(pk__in=chunk)}
            yield [found[pk] for pk in chunk if pk in found]

    def rows_in_order(self) -> Iterator[Any]:
        for chunk in self.chunks():
            yield from chunk

    def values(self) -> Iterator[list]:
        """Each row's cells, read in chunks."""
        pending: list[int] = []
        columns = self.spec.columns
        for row in self.rows_in_order():
            if self.limit is not None and self.count >= self.limit:
                self.truncated = True
                break
            self.count += 1
            if self.full:
                pending.extend(pk for pk in self.spec.person_ids(row) if pk)
                if len(pending) >= CHUNK_ROWS:
                    self._flush(pending)
            yield [cell((c.full if self.full and c.personal else c.value)(row)) for c in columns]
        if pending:
            self._flush(pending)

    def _flush(self, pending: list[int]) -> None:
        self.log_full_views(list(dict.fromkeys(pending)))
        pending.clear()

    def finish(self) -> None:
        ExportLog.objects.filter(pk=self.log.pk).update(
            row_count=self.count, finished_at=timezone.now(), complete=True, truncated=self.truncated
        )

    def record_progress(self) -> None:
        """The client went away (or the export failed): the rows sent so far, not complete."""
        ExportLog.objects.filter(pk=self.log.pk).update(row_count=self.count, finished_at=timezone.now())


def _csv_stream(run: _Run) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    done = False
    try:
        yield "\ufeff".encode()
        yield writer.writerow([c.title for c in run.spec.columns]).encode()
        buffer = []
        for values in run.values():
            buffer.append(writer.writerow(values))
            if len(buffer) >= 500:
                yield "".join(buffer).encode()
                buffer.clear()
        if buffer:
            yield "".join(buffer).encode()
        run.finish()
        done = True
    finally:
        if not done:
            run.record_progress()


def _xlsx_stream(run: _Run) -> Iterator[bytes]:
    import xlsxwriter

    done = False
    handle, path = tempfile.mkstemp(prefix="jqx-export-", suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(
            path, {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "strings_to_formulas": False,
                   "strings_to_urls": False, "strings_to_numbers": False}
        )  # fmt: skip
        sheet = workbook.add_worksheet(run.spec.title[:31])
        header = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        for index, column in enumerate(run.spec.columns):
            sheet.write_string(0, index, column.title, header)
            sheet.set_column(index, index, max(10, len(column.title) * 2 + 2))
        row_number = 0
        for row_number, values in enumerate(run.values(), start=1):
            for index, value in enumerate(values):
                if isinstance(value, Decimal):
                    sheet.write_number(row_number, index, value, money)
                elif isinstance(value, int):
                    sheet.write_number(row_number, index, value)
                else:
                    sheet.write_string(row_number, index, value)
        if run.truncated:
            sheet.write_string(row_number + 1, 0, TRUNCATED_NOTE)
        workbook.close()
        with open(path, "rb") as file:
            while block := file.read(FILE_BLOCK):
                yield block
        run.finish()
        done = True
    finally:
        if not done:
            run.record_progress()
        os.unlink(path)


def export_response(
    *,
    request: HttpRequest,
    spec: ExportSpec,
    rows: QuerySet,
    fmt: str,
    full: bool = False,
    log_full_views: Callable[[list[int]], None] | None = None,
    keyset: Keyset | None = None,
) -> StreamingHttpResponse:
    """Stream `rows` (the list's queryset, its filters and scope applied) as a `fmt` file and
    log the export. `full` exports personal data unmasked: the caller has checked
    `can_export_full`, and `log_full_views` writes the people of each chunk to the access log.
    `keyset`: the list's order when the queryset's own ordering does not say it (an annotation)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if full and (spec.person_ids is None or log_full_views is None):
        raise ValueError(f"{spec.name}: a full export must log the people it shows")
    filters = list_filters(request.GET)
    log = ExportLog.objects.create(
        user=request.user, list_name=spec.name, list_title=spec.title, format=fmt, filters=filters, full=full
    )
    security_event(
        EXPORT, request=request,
        details={"export_id": log.pk, "list": spec.name, "format": fmt, "full": full, "filters": sorted(filters)},
    )  # fmt: skip
    run = _Run(
        spec=spec, rows=rows, full=full, log=log, log_full_views=log_full_views,
        limit=XLSX_MAX_ROWS if fmt == XLSX else None, keyset=keyset,
    )  # fmt: skip
    stream = _csv_stream(run) if fmt == CSV else _xlsx_stream(run)
    response = StreamingHttpResponse(stream, content_type=FORMATS[fmt])
    stamp = f"{local(log.started_at):%Y%m%d-%H%M%S}"
    filename = f"{spec.title}-{stamp}.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{spec.name}-{stamp}.{fmt}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    response["X-Export-Id"] = str(log.pk)
    return response


def read_csv(content: bytes) -> list[list[str]]:
    """The rows of an exported CSV (for tests and checks)."""
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
