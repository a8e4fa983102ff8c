"""The demo data set: `python manage.py seed_demo --policies N [--seed S]`.

Realistic and deterministic (the same N, seed and day give the same data): branches in
provinces of every floating plan, people with valid ID numbers, licences, vehicles with
valid plates and VINs, one to four policy years each priced through the tariff book, every
renewal status, and staff logins for each role.

Other apps add their own demo data through a hook. After the policies app's records are
written (in the same transaction), `seed_demo` imports `claims.demo` and `support.demo`
when they exist and calls

    seed(*, rng: random.Random, today: datetime.date, stdout, scale: float) -> object

`rng` is seeded from the run's seed and the module's name, `today` is the day the data is
built around, `stdout` the command's output. `scale` multiplies the app's own default
density (`seed_demo --scale`, 1.0 by default): the hook reads the demo's people, vehicles
and policies from the database (demo branches have the codes in `DEMO_BRANCH_CODES`) and
sizes its data from them, so a larger `--policies` already means more claims and tickets.
It must be deterministic given `rng` and `today`.

On `--reset`, each of these modules that defines `reset(*, stdout) -> None` is called
first, to delete the demo rows its own rules protect (an append-only table, say); then the
rows of any app that refer to demo people, vehicles, policies, staff or branches are
deleted with them (see `reset`), all in the transaction of the new seed.
"""

from .data import DEMO_BRANCH_CODES, DEMO_PASSWORD
from .generate import DemoGenerator, VehicleHistory
from .reset import demo_reset
from .seed import DemoDataExists, DemoResult, demo_exists, demo_logins, demo_seed

__all__ = [
    "DEMO_BRANCH_CODES",
    "DEMO_PASSWORD",
    "DemoDataExists",
    "DemoGenerator",
    "DemoResult",
    "VehicleHistory",
    "demo_exists",
    "demo_logins",
    "demo_reset",
    "demo_seed",
]
