"""The dashboard's 立即刷新 as a background job: the click queues one job (never two), the
`run_insights_jobs` worker runs it — two workers never take the same job — and records a
failure with its message; the page says whether a refresh is queued or running."""

import datetime as dt
import signal
import subprocess
import sys
from io import StringIO

import psycopg
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from core.clock import today
from insights.jobs import ABANDONED, refresh_request, run_next_job
from insights.models import PolicyMonth, RefreshJob, SummaryRun
from policies.pricing import add_months
from tests import factories
from tests.policies.subprocesses import MANAGE, sender_env

THIS_MONTH = today().replace(day=1)


def _ends_this_month(branch):
    end = THIS_MONTH
    return factories.PolicyFactory(
        branch=branch, start_date=add_months(end, -12) + dt.timedelta(days=1), end_date=end
    )


def _direct_connection() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
    )


@pytest.mark.django_db
def test_the_click_records_a_queued_job_and_the_page_says_so(supervisor_client, supervisor):
    response = supervisor_client.post(reverse("dashboard_refresh"), {"query": "channel=app"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/?channel=app"
    job = RefreshJob.objects.get()
    assert (job.status, job.requested_by, job.first_month) == ("queued", supervisor, THIS_MONTH)
    assert not SummaryRun.objects.exists()  # nothing computed in the request
    page = supervisor_client.get(reverse("dashboard")).content.decode()
    assert "已提交刷新" in page and "排队中" in page
    assert 'hx-trigger="every 5s"' in page  # the status polls itself while the job waits


@pytest.mark.django_db
def test_a_second_click_queues_nothing_and_says_a_refresh_is_pending(supervisor_client, head_office, client):
    supervisor_client.post(reverse("dashboard_refresh"))
    response = supervisor_client.post(reverse("dashboard_refresh"), follow=True)
    assert "已有刷新任务排队中" in response.content.decode() and "无需重复提交" in response.content.decode()
    RefreshJob.objects.update(status="running")
    other, queued = refresh_request(by=head_office)
    assert not queued and other.status == "running"
    assert RefreshJob.objects.count() == 1


@pytest.mark.django_db
def test_the_worker_runs_the_job_and_the_figures_change(supervisor_client, supervisor, branch):
    supervisor_client.post(reverse("dashboard_refresh"))
    _ends_this_month(branch)
    assert not PolicyMonth.objects.exists()
    call_command("run_insights_jobs", worker="w1", stdout=StringIO())
    job = RefreshJob.objects.get()
    assert (job.status, job.worker, job.error) == ("done", "w1", "")
    assert job.run.by == supervisor and job.finished_at >= job.started_at
    assert PolicyMonth.objects.get(month=THIS_MONTH, branch=branch).ended == 1
    # done: a new click queues a new job, and the page shows when the figures were computed
    page = supervisor_client.get(reverse("dashboard")).content.decode()
    assert "统计时间" in page and "北京时间" in page and "手动刷新" in page and "排队中" not in page
    assert refresh_request(by=supervisor)[1] is True


@pytest.mark.django_db
def test_nothing_queued_means_nothing_run(supervisor):
    assert run_next_job(worker="w1") is None
    assert not SummaryRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_another_worker_holds_is_skipped(supervisor):
    job, _ = refresh_request(by=supervisor)
    with _direct_connection() as other, other.transaction():
        # the other worker's FOR UPDATE SKIP LOCKED has taken the row and not yet committed
        other.execute("SELECT id FROM insights_refreshjob WHERE id = %s FOR UPDATE", [job.pk])
        assert run_next_job(worker="w2") is None
    job.refresh_from_db()
    assert job.status == "queued" and job.worker == ""
    assert run_next_job(worker="w2").status == "done"


@pytest.mark.django_db(transaction=True)
def test_a_failed_refresh_is_recorded_with_its_message_and_changes_no_figure(supervisor, branch, settings):
    settings.INSIGHTS_JOB_TIMEOUT_SECONDS = 1
    _ends_this_month(branch)
    job, _ = refresh_request(by=supervisor)
    with _direct_connection() as other, other.transaction():
        # a long maintenance holds the summary table: the refresh outruns its time limit
        other.execute("LOCK TABLE insights_policymonth IN ACCESS EXCLUSIVE MODE")
        done = run_next_job(worker="w1")
    assert done.pk == job.pk and done.status == "failed"
    assert "statement timeout" in done.error and done.run is None and done.finished_at
    assert not PolicyMonth.objects.exists() and not SummaryRun.objects.exists()
    # the next click queues again
    assert refresh_request(by=supervisor)[1] is True


@pytest.mark.django_db
def test_the_page_says_when_the_last_refresh_failed(supervisor_client, supervisor):
    job, _ = refresh_request(by=supervisor)
    RefreshJob.objects.filter(pk=job.pk).update(
        status="failed", error="canceling statement", finished_at=job.requested_at
    )
    page = supervisor_client.get(reverse("dashboard")).content.decode()
    assert "上次刷新未完成，数据未变" in page and "排队中" not in page


@pytest.mark.django_db
def test_a_job_abandoned_by_a_dead_worker_does_not_block_the_next_click(supervisor):
    job, _ = refresh_request(by=supervisor)
    started = job.requested_at - dt.timedelta(minutes=2)  # and no worker holds its row
    RefreshJob.objects.filter(pk=job.pk).update(status="running", started_at=started, worker="gone")
    again, queued = refresh_request(by=supervisor)
    assert queued and again.pk != job.pk
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", ABANDONED)


@pytest.mark.django_db(transaction=True)
def test_a_long_refresh_its_worker_still_holds_is_not_taken_for_abandoned(supervisor):
    job, _ = refresh_request(by=supervisor)
    started = job.requested_at - dt.timedelta(hours=3)
    RefreshJob.objects.filter(pk=job.pk).update(status="running", started_at=started, worker="busy")
    with _direct_connection() as other, other.transaction():
        other.execute("SELECT id FROM insights_refreshjob WHERE id = %s FOR UPDATE", [job.pk])  # the worker
        again, queued = refresh_request(by=supervisor)
    assert not queued and again.pk == job.pk and again.status == "running"


@pytest.mark.django_db
def test_only_those_who_may_refresh_queue_a_refresh(client, counter_clerk, hotline_agent, branch):
    viewer = factories.UserFactory(username="viewer", branch=branch)
    viewer.user_permissions.add(Permission.objects.get(codename="view_dashboards"))
    for user in (counter_clerk, hotline_agent, viewer):
        client.force_login(user)
        assert client.post(reverse("dashboard_refresh")).status_code == 403
    assert not RefreshJob.objects.exists()
    client.force_login(counter_clerk)
    assert client.get(reverse("dashboard_refresh_status")).status_code == 403
    client.force_login(viewer)
    assert client.get(reverse("dashboard_refresh_status")).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200  # the viewer sees the page
    assert "立即刷新</button>" not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
def test_the_status_fragment_polls_while_pending_and_offers_a_reload_when_done(
    supervisor_client, supervisor, django_assert_max_num_queries
):
    refresh_request(by=supervisor)
    url = reverse("dashboard_refresh_status")
    supervisor_client.get(url)
    with django_assert_max_num_queries(12):
        fragment = supervisor_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "排队中" in fragment and "every 5s" in fragment
    run_next_job(worker="w1")
    fragment = supervisor_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "重新载入看板" in fragment and "every 5s" not in fragment


@pytest.mark.django_db(transaction=True)
def test_a_following_worker_runs_a_job_and_stops_cleanly_on_sigterm(supervisor, branch, tmp_path):
    worker = subprocess.Popen(
        [sys.executable, MANAGE, "run_insights_jobs", "--follow", "0.5", "--worker", "bg"],
        env=sender_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        job, _ = refresh_request(by=supervisor)
        for _ in range(120):
            job.refresh_from_db()
            if job.status in ("done", "failed"):
                break
            subprocess.run(["sleep", "0.25"], check=True)
        assert (job.status, job.worker) == ("done", "bg")
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert f"job {job.pk}" in out and "stopped on SIGTERM" in out
