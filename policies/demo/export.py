"""The demo records written out as legacy files, in the formats `import_branches` and
`import_policies` read — sample data for the import and its benchmark."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from policies.importing import BRANCH_HEADER, POLICY_HEADER
from policies.pricing import TariffBook

from .data import BRANCHES
from .generate import DemoGenerator


def export_legacy_files(
    *, policies: int, seed: int, today: dt.date, book: TariffBook, directory: Path, shuffle: bool = True
) -> tuple[Path, Path]:
    """Write `branches.csv` and `policies.csv` (UTF-8 with a BOM, as spreadsheets save it)
    with `policies` rows; rows of one vehicle are scattered through the file when
    `shuffle`. Returns the two paths."""
    directory.mkdir(parents=True, exist_ok=True)
    branches_path = directory / "branches.csv"
    with branches_path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(BRANCH_HEADER)
        for b in BRANCHES:
            writer.writerow((b.code, b.name, b.province, b.city))

    generator = DemoGenerator(seed=seed, today=today, book=book, branch_pks={b.code: 0 for b in BRANCHES})
    rows = []
    for history in generator.histories(policies):
        owner, v = history.owner, history.vehicle
        for p in history.policies:
            rows.append((
                p.number, history.branch.code, owner.name, owner.id_number, owner.phone, v.plate, v.vin,
                v.engine_number, v.premium_category, "" if v.displacement_l is None else v.displacement_l,
                v.energy_type, v.registration_date, p.start_date, p.end_date, p.premium,
                p.at_fault_claims, p.fatal_claims, p.status,
            ))  # fmt: skip
    if shuffle:
        random.Random(seed).shuffle(rows)
    policies_path = directory / "policies.csv"
    with policies_path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(POLICY_HEADER)
        writer.writerows(rows)
    return branches_path, policies_path
