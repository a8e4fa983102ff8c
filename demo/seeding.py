"""The whole demo data set, assembled in one transaction: the policies app's rows first, then
each other app's own demo data on top of them.

Each app that adds demo data has a `demo` module with

    seed(*, rng: random.Random, today: datetime.date, stdout, scale: float) -> object
    reset(*, stdout) -> None          (optional)

`rng` is seeded from the run's seed and the module's name, `today` is the day the data is
built around, `stdout` the command's output. `scale` multiplies the app's own default
density (`seed_demo --scale`): the app reads the demo's people, vehicles and policies from
the database (demo branches have the codes in `DEMO_BRANCH_CODES`) and sizes its data from
them. It must be deterministic given `rng` and `today`.

On `--reset`, each app's `reset` is called first (latest app first), to delete the demo rows
its own rules protect (an append-only table, say); then the rows of any app that refer to
demo people, vehicles, policies, staff or branches are deleted with them
(`policies.demo.demo_reset`), all in the transaction of the new seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from types import ModuleType

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from accounts import demo as accounts_demo
from channels import demo as channels_demo
from claims import demo as claims_demo
from history import demo as history_demo
from insights import demo as insights_demo
from policies.demo import DEMO_PASSWORD, DemoLogin, demo_exists, demo_reset, seed_policies
from policies.demo.generate import Tally
from policies.importing.bulk import without_statement_timeout
from support import demo as support_demo

# The apps that add their demo data after the policies app's, in order (a ticket names a claim;
# the demo supervisor's known second factor; a policy correction and an access-log burst; the
# dashboard's summaries of all of it last).
SEED_HOOKS: tuple[ModuleType, ...] = (
    claims_demo, support_demo, channels_demo, accounts_demo, history_demo, insights_demo,
)  # fmt: skip


@dataclass(frozen=True)
class DemoResult:
    tally: Tally
    logins: tuple[DemoLogin, ...]
    password: str
    hooks: tuple[str, ...]


class DemoDataExists(ValidationError):
    """The demo data is there already; pass `reset=True` to replace it."""


@transaction.atomic
def demo_seed(
    *,
    policies: int,
    seed: int,
    today: dt.date,
    reset: bool = False,
    stdout=None,
    progress: bool = True,
    scale: float = 1.0,
) -> DemoResult:
    """Build the demo data set in one transaction: all of it or nothing.

    Refuses when demo data exists unless `reset`, which deletes it first (in the same
    transaction, so a failed run leaves the old data as it was).
    """
    if policies < 1:
        raise ValidationError("演示保单数量至少为 1。")
    without_statement_timeout()
    if demo_exists():
        if not reset:
            raise DemoDataExists("演示数据已经存在。如需重新生成，请加 --reset（将先删除现有演示数据）。")
        _reset(stdout=stdout)
    seeded = seed_policies(policies=policies, seed=seed, today=today, progress=progress)
    ran = []
    for module in SEED_HOOKS:
        module.seed(rng=random.Random(f"{seed}:{module.__name__}"), today=today, stdout=stdout, scale=scale)
        ran.append(module.__name__)
    return DemoResult(tally=seeded.tally, logins=seeded.logins, password=DEMO_PASSWORD, hooks=tuple(ran))


def _reset(*, stdout) -> None:
    """Delete the demo data: first what each app's `reset` removes itself (rows its own rules
    protect), then everything that refers to demo records."""
    for module in reversed(SEED_HOOKS):  # later apps refer to earlier ones
        if hasattr(module, "reset"):
            module.reset(stdout=stdout)
    try:
        demo_reset()
    except DatabaseError as exc:
        raise ValidationError(
            "无法删除现有演示数据：%(error)s。引用演示数据的应用若不允许删除其记录，"
            "须在其 demo 模块中提供 reset(*, stdout) 先删除自己的演示数据。",
            params={"error": str(exc).splitlines()[0]},
        ) from exc
