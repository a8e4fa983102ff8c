import pytest

from policies.roles import SUPERVISOR
from tests import factories
from tests.claims.conftest import claim, claims_adjuster, policy, second_adjuster, walk_to  # noqa: F401


@pytest.fixture
def head_office(db):
    """A supervisor at head office (no branch): every branch, side by side."""
    return factories.UserFactory(username="hq", branch=None, role=SUPERVISOR)
