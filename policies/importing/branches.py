"""Import of the branch network: `code,name,province,city`, created or updated by code."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from policies.models import Branch

from .csvfile import ImportRejected, Report, read_rows
from .fields import parse_province, text

BRANCH_HEADER = ("code", "name", "province", "city")
BRANCH_LABELS = {"code": "网点代码", "name": "网点名称", "province": "省份", "city": "城市"}
_MAX = {"code": 20, "name": 100, "city": 50}


@dataclass(frozen=True)
class BranchImportResult:
    created: int
    updated: int
    unchanged: int


def branches_import(source: str | Path | io.TextIOBase, *, dry_run: bool = False) -> BranchImportResult:
    """Validate every row, then create or update the branches by code in one transaction.

    Any bad row rejects the whole file (`ImportRejected`) and nothing is written.
    """
    report = Report(BRANCH_LABELS)
    parsed: dict[str, tuple[int, dict]] = {}
    for row, cells in read_rows(source, BRANCH_HEADER):
        if len(cells) != len(BRANCH_HEADER):
            report.error(row, "", f"应有 {len(BRANCH_HEADER)} 列，实际 {len(cells)} 列。")
            continue
        values = dict(zip(BRANCH_HEADER, cells, strict=True))
        branch = {}
        for column in ("code", "name", "city"):
            value = text(values[column])
            if not value:
                report.error(row, column, "不能为空。")
            elif len(value) > _MAX[column]:
                report.error(row, column, f"不能超过 {_MAX[column]} 个字符。")
            branch[column] = value
        try:
            branch["province"] = parse_province(values["province"])
        except ValidationError as exc:
            report.error(row, "province", exc.messages[0])
        code = branch["code"]
        if code and code in parsed:
            report.error(row, "code", f"网点代码 {code} 与第 {parsed[code][0]} 行重复。")
        elif code:
            parsed[code] = (row, branch)
    if report.errors:
        raise ImportRejected(report)

    existing = {b.code: b for b in Branch.objects.filter(code__in=list(parsed))}
    created, changed = [], []
    for code, (_, values) in parsed.items():
        branch = existing.get(code)
        if branch is None:
            created.append(Branch(**values))
        elif any(getattr(branch, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(branch, k, v)
            changed.append(branch)
    if not dry_run:
        with transaction.atomic():
            Branch.objects.bulk_create(created, batch_size=500)
            Branch.objects.bulk_update(changed, ["name", "province", "city"], batch_size=500)
    return BranchImportResult(
        created=len(created), updated=len(changed), unchanged=len(parsed) - len(created) - len(changed)
    )
