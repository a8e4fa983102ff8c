"""Read replicas against a real PostgreSQL streaming replica: a throwaway primary holding a copy
of the test database and a standby made by pg_basebackup -R; the portal runs in a process of its
own with DATABASE_URL = the primary and DATABASE_REPLICA_URLS = the replica (tests/scaling/
replica_probe.py) and reports which database each statement went to."""

import json
import subprocess
import sys

import pytest

from tests.scaling.pgcluster import ROOT, django_env

# The test database is what the throwaway primary copies (and what makes pytest-django create it).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def probe(primary, replica):
    env = django_env(
        primary.url(),
        DATABASE_REPLICA_URLS=replica.url(),
        REPLICA_STICKY_SECONDS="2",
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.scaling.replica_probe"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_the_replica_urls_become_database_aliases_and_the_replica_is_a_standby(probe):
    assert probe["aliases"] == ["default", "replica_0"]
    assert probe["routed_read"] == {"alias": "replica_0", "in_recovery": True}
    assert probe["primary_in_recovery"] is False


def test_a_hotline_search_reads_the_policy_book_on_the_replica(probe):
    assert probe["search_post"] == {"status": 200, "sticky": False}  # a search posts, but only reads
    results = probe["search_results"]
    assert results["status"] == 200 and results["found"]
    assert results["book_reads"].get("replica_0", 0) >= 1
    assert "default" not in results["book_reads"]


def test_the_customer_page_reads_the_replica_and_logs_the_view_on_the_primary(probe):
    page = probe["customer_page"]
    assert page["status"] == 200
    assert "default" not in page["book_reads"] and page["book_reads"]["replica_0"] >= 1
    assert any("policies_personaccesslog" in sql for sql in page["writes"]["default"])
    assert "replica_0" not in page["writes"]
    assert page["sticky"] is False  # the access log is not something the user reads back


def test_a_write_goes_to_the_primary_and_streams_to_the_replica(probe):
    write = probe["write"]
    assert list(write["writes"]) == ["default"]
    assert any("policies_person" in sql for sql in write["writes"]["default"])
    assert write["pinned"] is True and write["next_read"] == "default"
    assert write["replicated_s"] < 15


def test_after_a_users_write_their_reads_go_to_the_primary_until_the_sticky_time_passes(probe):
    assert probe["reveal"]["status"] == 200 and probe["reveal"]["sticky"] is True
    assert list(probe["reveal"]["writes"]) == ["default"]
    after = probe["after_write"]
    assert after["status"] == 200 and after["book_reads"].get("default", 0) >= 1
    assert "replica_0" not in after["book_reads"]
    later = probe["after_sticky"]
    assert (
        later["status"] == 200
        and "default" not in later["book_reads"]
        and later["book_reads"]["replica_0"] >= 1
    )


def test_jobs_transactions_and_sessions_read_the_primary(probe):
    assert probe["outside_request"] == "default"
    assert probe["in_transaction"] == "default"
    assert probe["session_model"] == "default"
