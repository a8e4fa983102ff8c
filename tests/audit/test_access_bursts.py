"""Unusual access found by an incremental scan of the access log (policies.access_log.detect_bursts)
and kept as bursts the dashboard reads: a scan reads only the views since the last one (less
one window), a burst going on across scans stays one row, two workers never scan at once, and
the panel reads a fixed number of queries whatever it shows."""

import datetime as dt
import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from policies.access_log import detect_bursts
from policies.models import AccessBurst, AccessBurstScan, User
from tests.audit.test_access_log import view
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

SPEC = {"people": 5, "minutes": 60, "days": 7}
NOW = timezone.now().replace(second=0, microsecond=0)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.ACCESS_LOG_UNUSUAL = SPEC


def views(user, start: dt.datetime, count: int, every_minutes: int = 5) -> None:
    """`user` opens `count` different customers, one every `every_minutes` from `start`."""
    for n in range(count):
        view(user, PersonFactory(), at=start + dt.timedelta(minutes=every_minutes * n))


def log_rows_read(sql: str) -> int:
    """The rows of the access log's partitions that `sql` reads, as PostgreSQL executes it."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()[0]
    plan = plan if isinstance(plan, dict) else json.loads(plan)

    def walk(node):
        own = 0
        if node.get("Relation Name", "").startswith("policies_personaccesslog"):
            own = node["Actual Rows"] * node["Actual Loops"]
        return own + sum(walk(child) for child in node.get("Plans", ()))

    return walk(plan["Plan"])


def scan_statement(captured) -> str:
    (sql,) = [q["sql"] for q in captured.captured_queries if "WITH scoped AS" in q["sql"]]
    return sql


def test_a_scan_finds_a_burst_and_the_dashboard_shows_it_with_the_scans_time(
    supervisor_client, counter_clerk, hotline_agent
):
    views(counter_clerk, NOW - dt.timedelta(hours=3), 6)
    views(hotline_agent, NOW - dt.timedelta(hours=3), 4)  # under the threshold
    report = detect_bursts(now=NOW)
    assert (report.found, report.created, report.extended) == (1, 1, 0)
    (burst,) = AccessBurst.objects.all()
    assert (burst.user, burst.people, burst.views) == (counter_clerk, 6, 6)
    assert burst.window_start == burst.peak_start == NOW - dt.timedelta(hours=3)
    page = supervisor_client.get(reverse("dashboard")).content.decode()
    assert page.count('data-testid="burst"') == 1 and counter_clerk.username in page
    assert f"检测至 {timezone.localtime(NOW):%m-%d %H:%M}" in page


def test_a_burst_going_on_across_two_scans_is_extended_not_written_twice(counter_clerk):
    start = NOW - dt.timedelta(hours=3)
    views(counter_clerk, start, 6)  # 0–25 minutes
    detect_bursts(now=start + dt.timedelta(minutes=30))
    views(counter_clerk, start + dt.timedelta(minutes=30), 8, every_minutes=4)  # 30–58 minutes
    report = detect_bursts(now=start + dt.timedelta(minutes=65))
    assert (report.created, report.extended) == (0, 1)
    (burst,) = AccessBurst.objects.all()
    assert burst.window_start == start
    # its last window starts at the 11th view (minute 42): 4 more follow within the hour
    assert burst.window_end == start + dt.timedelta(minutes=42 + 60)
    assert burst.people == 14 and burst.views == 14  # all of them within minutes 0–58
    # Once more with nothing new: nothing changes.
    again = detect_bursts(now=start + dt.timedelta(minutes=70))
    assert (again.found, again.created, again.extended) == (1, 0, 0)
    assert AccessBurst.objects.get().window_end == burst.window_end


def test_a_later_burst_of_the_same_account_is_a_row_of_its_own(counter_clerk):
    views(counter_clerk, NOW - dt.timedelta(hours=6), 6)
    detect_bursts(now=NOW - dt.timedelta(hours=4))
    views(counter_clerk, NOW - dt.timedelta(hours=2), 5)
    assert detect_bursts(now=NOW).created == 1
    assert list(AccessBurst.objects.order_by("window_start").values_list("people", flat=True)) == [6, 5]


def test_a_scan_with_no_new_views_reads_nothing_old(counter_clerk, hotline_agent):
    for day in range(1, 4):  # three days of busy views, old for the next scans
        views(counter_clerk, NOW - dt.timedelta(days=day), 40, every_minutes=3)
        views(hotline_agent, NOW - dt.timedelta(days=day, hours=2), 40, every_minutes=2)
    with CaptureQueriesContext(connection) as first:
        assert detect_bursts(now=NOW).created == 6
    assert log_rows_read(scan_statement(first)) >= 240

    with CaptureQueriesContext(connection) as quiet:
        report = detect_bursts(now=NOW + dt.timedelta(minutes=1))
    assert report.since == NOW - dt.timedelta(minutes=60) and report.found == 0
    assert log_rows_read(scan_statement(quiet)) == 0
    assert len(quiet.captured_queries) <= 6

    views(counter_clerk, NOW + dt.timedelta(minutes=2), 3)
    with CaptureQueriesContext(connection) as fresh:
        detect_bursts(now=NOW + dt.timedelta(minutes=20))
    assert log_rows_read(scan_statement(fresh)) <= 2 * 3  # the window count, the customers' count
    assert AccessBurst.objects.count() == 6


def test_a_scan_at_most_every_minute_when_asked(counter_clerk):
    assert detect_bursts(now=NOW) is not None
    assert detect_bursts(now=NOW + dt.timedelta(seconds=30), every=dt.timedelta(minutes=1)) is None
    assert detect_bursts(now=NOW + dt.timedelta(seconds=61), every=dt.timedelta(minutes=1)) is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_scan_at_once_nor_write_a_burst_twice(branch):
    detect_bursts(now=NOW - dt.timedelta(hours=3))  # the scan row exists
    clerk = UserFactory(branch=branch, username="busy_clerk")
    views(clerk, NOW - dt.timedelta(hours=2), 6)
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:  # another worker, mid-scan
            cursor.execute("SELECT id FROM policies_accessburstscan WHERE id = 1 FOR UPDATE")
        assert detect_bursts(now=NOW) is None  # skipped, not waited for
        assert not AccessBurst.objects.exists()
        other.rollback()
    finally:
        other.close()

    results = []

    def worker():
        try:
            results.append(detect_bursts(now=NOW))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and sum(r.created for r in results if r) == 1
    assert AccessBurst.objects.filter(user=clerk).count() == 1


def test_the_panel_shows_the_viewers_scope_in_a_constant_number_of_queries(
    client, supervisor, branch, other_branch, django_assert_max_num_queries
):
    head = UserFactory(branch=None, role="主管")
    far = UserFactory(branch=other_branch, username="far_clerk")
    views(far, NOW - dt.timedelta(hours=5), 6)
    own = [UserFactory(branch=branch) for _ in range(4)]
    views(own[0], NOW - dt.timedelta(hours=4), 6)
    detect_bursts(now=NOW)
    client.force_login(supervisor)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("dashboard")).content.decode()
    assert page.count('data-testid="burst"') == 1 and "far_clerk" not in page

    for n, user in enumerate(own[1:], start=1):
        views(user, NOW - dt.timedelta(hours=3, minutes=n), 7)
    detect_bursts(now=NOW + dt.timedelta(minutes=2), since=NOW - dt.timedelta(days=1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("dashboard")).content.decode()
    assert page.count('data-testid="burst"') == 4

    client.force_login(head)
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count('data-testid="burst"') == 5 and "far_clerk" in page


def test_a_burst_older_than_the_panels_days_is_not_shown(supervisor_client, counter_clerk):
    views(counter_clerk, NOW - dt.timedelta(days=9), 6)
    detect_bursts(now=NOW - dt.timedelta(days=8))
    assert AccessBurst.objects.count() == 1
    detect_bursts(now=NOW)
    assert 'data-testid="burst"' not in supervisor_client.get(reverse("dashboard")).content.decode()


def test_the_worker_and_the_command_run_the_scan(counter_clerk):
    views(counter_clerk, timezone.now() - dt.timedelta(hours=2), 6)
    out = StringIO()
    call_command("detect_access_bursts", "--dry-run", stdout=out)
    assert "dry run" in out.getvalue() and "1 bursts, 1 new" in out.getvalue()
    assert not AccessBurst.objects.exists() and not AccessBurstScan.objects.exists()

    call_command("run_insights_jobs", stdout=StringIO())  # the worker beside the portal
    assert AccessBurst.objects.get().user == counter_clerk
    out = StringIO()
    call_command("detect_access_bursts", stdout=out)
    assert "0 bursts, 0 new, 0 extended" in out.getvalue()  # its views are older than the last scan
    assert AccessBurst.objects.count() == 1


def test_the_command_refuses_a_bad_day():
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("detect_access_bursts", "--since", "2026-02-30", stdout=StringIO())


def test_the_demo_seed_leaves_a_burst_on_the_dashboard():
    call_command("seed_demo", "--policies", "200", "--seed", "5", "--no-progress", stdout=StringIO())
    burst = AccessBurst.objects.get(user=User.objects.get(username="clerk"))
    assert burst.people == 36 and burst.window_end > timezone.now() - dt.timedelta(days=7)


def test_a_scan_runs_under_its_own_statement_timeout_for_its_transaction_only():
    with transaction.atomic():
        detect_bursts(now=NOW, timeout_ms=1_800_000)
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "30min"


def test_a_rescan_under_a_raised_threshold_drops_what_it_no_longer_finds(counter_clerk, settings):
    views(counter_clerk, NOW - dt.timedelta(days=2), 6)
    views(counter_clerk, NOW - dt.timedelta(hours=5), 9)
    detect_bursts(now=NOW)
    assert AccessBurst.objects.count() == 2
    settings.ACCESS_LOG_UNUSUAL = {**SPEC, "people": 8}
    out = StringIO()
    call_command(
        "detect_access_bursts", "--since", f"{timezone.localdate(NOW - dt.timedelta(days=3))}", stdout=out
    )
    assert list(AccessBurst.objects.values_list("people", flat=True)) == [9]
