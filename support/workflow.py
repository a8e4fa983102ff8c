"""Which status a ticket may move to from which: the one table of allowed transitions."""

from __future__ import annotations

from support.choices import Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.WAITING: frozenset({Status.OPEN, Status.RESOLVED, Status.CLOSED}),
    Status.REOPENED: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.REOPENED, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# The SLA clock runs in these statuses and stands still in the others.
CLOCK_RUNNING = frozenset({Status.NEW, Status.OPEN, Status.REOPENED})
ACTIVE = frozenset({Status.NEW, Status.OPEN, Status.WAITING, Status.REOPENED})
# Statuses an agent still works on (the "open" lists): all but closed.
UNFINISHED = ACTIVE | {Status.RESOLVED}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def next_statuses(current: str) -> list[str]:
    """The statuses `current` may move to, in the order of `Status`."""
    allowed = TRANSITIONS.get(current, frozenset())
    return [s for s in Status.values if s in allowed]
