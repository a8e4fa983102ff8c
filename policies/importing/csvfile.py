"""Reading the legacy CSV files: UTF-8 (a BOM tolerated), an exact header, and errors
that name the row (as numbered in the file, the header being row 1), the column and the
reason in Chinese."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

REPORT_LIMIT = 200  # errors printed; all rows are still validated


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def describe(self, labels: dict[str, str]) -> str:
        where = f"第 {self.row} 行"
        if self.column:
            where += f" {self.column}（{labels.get(self.column, self.column)}）"
        return f"{where}：{self.message}"


@dataclass
class Report:
    """Errors and warnings found in a file."""

    labels: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def warn(self, row: int, column: str, message: str) -> None:
        self.warnings.append(RowError(row, column, message))

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def lines(self, items: Sequence[RowError], limit: int = REPORT_LIMIT) -> list[str]:
        ordered = sorted(items, key=lambda e: e.row)
        shown = [e.describe(self.labels) for e in ordered[:limit]]
        if len(ordered) > limit:
            shown.append(f"……另有 {len(ordered) - limit} 处未列出。")
        return shown


class ImportRejected(ValidationError):
    """The file has bad rows; nothing was written. `report` lists them."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(
            "导入失败：%(rows)s 行共 %(count)s 处错误，未写入任何数据。",
            code="import_rejected",
            params={"rows": report.bad_rows, "count": len(report.errors)},
        )


class FileRejected(ValidationError):
    """The file as a whole cannot be read (encoding, header)."""


def read_rows(source: str | Path | io.TextIOBase, header: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) for each non-empty data row after checking the header."""
    if isinstance(source, str | Path):
        try:
            text = Path(source).read_bytes().decode("utf-8-sig")
        except FileNotFoundError as exc:
            raise FileRejected("找不到文件 %(path)s。", params={"path": str(source)}) from exc
        except UnicodeDecodeError as exc:
            raise FileRejected(
                "文件不是 UTF-8 编码（第 %(byte)s 字节无法识别）。请用“另存为 CSV UTF-8”重新导出。",
                params={"byte": exc.start + 1},
            ) from exc
        stream: io.TextIOBase = io.StringIO(text, newline="")
    else:
        stream = source
    reader = csv.reader(stream)
    first = next(reader, None)
    if first is None:
        raise FileRejected("文件为空，缺少表头。")
    got = [cell.strip().lstrip("\ufeff") for cell in first]
    if got != list(header):
        raise FileRejected(
            "表头不正确。应为：%(expected)s；实际为：%(got)s。",
            params={"expected": ",".join(header), "got": ",".join(got)},
        )
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        yield reader.line_num, cells
