"""The allowed status transitions, in one table."""

import pytest

from support import workflow
from support.choices import Status


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (Status.NEW, Status.OPEN, True),
        (Status.OPEN, Status.WAITING, True),
        (Status.WAITING, Status.OPEN, True),
        (Status.OPEN, Status.RESOLVED, True),
        (Status.RESOLVED, Status.REOPENED, True),
        (Status.RESOLVED, Status.CLOSED, True),
        (Status.REOPENED, Status.RESOLVED, True),
        (Status.RESOLVED, Status.OPEN, False),
        (Status.CLOSED, Status.REOPENED, False),
        (Status.CLOSED, Status.OPEN, False),
        (Status.OPEN, Status.NEW, False),
        (Status.OPEN, Status.REOPENED, False),
    ],
)
def test_transition_table(current, target, allowed):
    assert workflow.can_move(current, target) is allowed


def test_closed_is_final():
    assert workflow.next_statuses(Status.CLOSED) == []


def test_the_clock_runs_only_while_someone_owes_the_customer_an_answer():
    assert {Status.NEW, Status.OPEN, Status.REOPENED} == workflow.CLOCK_RUNNING
