"""The policies app's part of the demo data set (`python manage.py seed_demo`).

Realistic and deterministic (the same N, seed and day give the same data): branches in
provinces of every floating plan, people with valid ID numbers, licences, vehicles with
valid plates and VINs, one to four policy years each priced through the tariff book, every
renewal status, and staff logins for each role.

The whole demo (claims and tickets on top of these rows) is assembled by the `demo` app,
which calls `seed_policies` and then each other app's `demo.seed` in one transaction.
"""

from .data import DEMO_BRANCH_CODES, DEMO_PASSWORD
from .generate import DemoGenerator, VehicleHistory
from .reset import demo_reset
from .seed import DemoLogin, PoliciesSeeded, demo_exists, demo_logins, seed_policies

__all__ = [
    "DEMO_BRANCH_CODES",
    "DEMO_PASSWORD",
    "DemoGenerator",
    "DemoLogin",
    "PoliciesSeeded",
    "VehicleHistory",
    "demo_exists",
    "demo_logins",
    "demo_reset",
    "seed_policies",
]
