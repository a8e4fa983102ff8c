"""Throwaway servers for the scaling tests (tests/scaling/pgcluster.py), one set per module."""

import pytest
from django.db import connection

from tests.scaling.pgcluster import PgBouncer, Scratch, Server, binaries, copy_database


@pytest.fixture(scope="session")
def pg_binaries(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        major = connection.pg_version // 10000
    return binaries(major)


@pytest.fixture(scope="module")
def scratch(pg_binaries):
    directory = Scratch(pg_binaries[1])
    yield directory
    directory.remove()


@pytest.fixture(scope="module")
def primary(scratch, pg_binaries):
    """A primary on a free port holding a copy of the (migrated) test database as `jqx`."""
    server = Server(scratch, pg_binaries[0], "primary")
    try:
        server.initdb()
        server.start()
        copy_database(connection.settings_dict, server, pg_binaries[0])
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def replica(scratch, pg_binaries, primary):
    """A hot standby of `primary`, streaming."""
    server = Server(scratch, pg_binaries[0], "replica")
    try:
        primary.base_backup_to(server)
        server.start()
        primary.wait_streaming()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pgbouncer(scratch, primary):
    bouncer = PgBouncer(scratch, primary)
    try:
        bouncer.start()
        yield bouncer
    finally:
        bouncer.stop()
