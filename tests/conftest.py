"""Fixtures named as the people who use the portal."""

import pytest

from channels.api.usage import reset_counters as reset_usage_counters
from policies.branches import clear_branch_choices
from policies.roles import COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR
from policies.tariffs import clear_tariff_cache
from tests import factories


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Transactional tests (live server, real concurrency) flush every table when they end;
    give each of them serialized rollback so the rows the data migrations seeded (tariffs,
    roles, knowledge base) are restored for the next. pytest-django runs them last."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
            {"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ()))
        )
        if transactional:
            kwargs = dict(marker.kwargs) if marker is not None else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` signs the person in fully: an account that needs the second
    factor (supervisors, admin accounts: accounts.access) then passes the two-factor page with
    a real code of a real authenticator (tests.accounts.otp). Tests of the sign-in steps
    themselves go through the login page instead (tests/accounts/)."""
    from django.test import Client

    from accounts.access import two_factor_required
    from tests.accounts.otp import verify_second_factor

    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        if two_factor_required(user):
            verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@pytest.fixture(autouse=True)
def _fresh_tariff_cache():
    """Tariff and branch rows a test changes are rolled back; so must the cached copies be —
    and API requests a test counted in memory, whose key is rolled back too."""
    clear_tariff_cache()
    clear_branch_choices()
    reset_usage_counters()
    yield
    clear_tariff_cache()
    clear_branch_choices()
    reset_usage_counters()


@pytest.fixture
def branch(db):
    return factories.BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")


@pytest.fixture
def other_branch(db):
    return factories.BranchFactory(code="460100", name="海口龙华营业部", province="海南", city="海口")


@pytest.fixture
def counter_clerk(branch):
    return factories.UserFactory(username="clerk", branch=branch, role=COUNTER_CLERK)


@pytest.fixture
def other_branch_clerk(other_branch):
    return factories.UserFactory(username="clerk_hk", branch=other_branch, role=COUNTER_CLERK)


@pytest.fixture
def hotline_agent(branch):
    return factories.UserFactory(username="agent", branch=branch, role=HOTLINE_AGENT)


@pytest.fixture
def supervisor(branch):
    return factories.UserFactory(username="boss", branch=branch, role=SUPERVISOR)


@pytest.fixture
def clerk_client(client, counter_clerk):
    client.force_login(counter_clerk)
    return client


@pytest.fixture
def agent_client(client, hotline_agent):
    client.force_login(hotline_agent)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    """Signed in and verified with a real code of a real authenticator (supervisors need the
    second factor: see _force_login_passes_the_second_factor)."""
    client.force_login(supervisor)
    return client
