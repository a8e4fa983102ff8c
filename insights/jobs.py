"""The dashboard's on-demand refresh as a background job.

A supervisor's 立即刷新 records a `RefreshJob` (at most one queued or running: a unique index
says so, so a second click — or two supervisors at once — finds the first); the
`run_insights_jobs` worker takes queued jobs with FOR UPDATE SKIP LOCKED, so two workers never
take the same one, and runs `summaries_refresh` under `INSIGHTS_JOB_TIMEOUT_SECONDS` instead of
the request's statement timeout (per statement). A failure is recorded with its message and
changes no figure (the refresh is one transaction). The worker holds its job's row lock while
the refresh runs: a job marked running whose row is free lost its worker (a crash, a kill) and
is marked failed, so the next click queues a new one.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.clock import today
from insights.models import RefreshJob
from insights.refresh import summaries_refresh
from policies.models import User

logger = logging.getLogger(__name__)

ABANDONED = "处理进程中断，刷新未完成"
Status = RefreshJob.Status


def _timeout_ms() -> str:
    return str(settings.INSIGHTS_JOB_TIMEOUT_SECONDS * 1000)


def jobs_abandoned_fail(*, now: dt.datetime | None = None) -> int:
    """Mark failed the running jobs no worker holds any more (it died mid-run): a worker holds
    its job's row lock for as long as the refresh runs, so a job marked running whose row is
    free — a minute after it started, past the moment between taking it and locking it — lost
    its worker."""
    now = now or timezone.now()
    with transaction.atomic():
        lost = list(
            RefreshJob.objects.select_for_update(skip_locked=True)
            .filter(status=Status.RUNNING, started_at__lt=now - dt.timedelta(minutes=1))
            .values_list("pk", flat=True)
        )
        return RefreshJob.objects.filter(pk__in=lost).update(
            status=Status.FAILED, finished_at=now, error=ABANDONED
        )


def refresh_request(*, by: User, now: dt.datetime | None = None) -> tuple[RefreshJob, bool]:
    """Queue a refresh of this month's figures for the worker. When a refresh is already queued
    or running, return that one and False: nothing more is queued."""
    now = now or timezone.now()
    jobs_abandoned_fail(now=now)
    for _ in range(3):  # the pending job may finish between the refused insert and the read
        try:
            with transaction.atomic():
                job = RefreshJob.objects.create(
                    first_month=today().replace(day=1), requested_by=by, requested_at=now
                )
            return job, True
        except IntegrityError:
            pending = (
                RefreshJob.objects.filter(status__in=RefreshJob.PENDING)
                .select_related("requested_by")
                .first()
            )
            if pending is not None:
                return pending, False
    raise RuntimeError("could not queue a refresh")


def latest_job() -> RefreshJob | None:
    """The most recent refresh job, for the dashboard to say whether one is queued or running."""
    return RefreshJob.objects.select_related("requested_by").order_by("-requested_at", "-pk").first()


def _take_next(*, worker: str) -> RefreshJob | None:
    with transaction.atomic():
        job = (
            RefreshJob.objects.select_for_update(skip_locked=True)
            .filter(status=Status.QUEUED)
            .order_by("requested_at", "pk")
            .first()
        )
        if job is None:
            return None
        job.status, job.started_at, job.worker = Status.RUNNING, timezone.now(), worker[:64]
        job.save(update_fields=["status", "started_at", "worker"])
    return job


def run_next_job(*, worker: str) -> RefreshJob | None:
    """Take the oldest queued job (skipping any another worker holds) and run it; None when
    nothing is queued. The job ends done, with its `SummaryRun`, or failed, with the message."""
    jobs_abandoned_fail()
    job = _take_next(worker=worker)
    if job is None:
        return None
    try:
        with transaction.atomic():
            RefreshJob.objects.select_for_update().filter(pk=job.pk).first()  # held while it runs
            with connection.cursor() as cursor:  # this transaction only: fine behind PgBouncer
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)",
                    [_timeout_ms()],
                )
            job.run = summaries_refresh(first=job.first_month, by=job.requested_by)
            _finish(job, Status.DONE)  # with the figures: never running once they are in
    except Exception as exc:  # any failure is recorded on the job; the figures stay as they were
        logger.exception("refresh job %s failed", job.pk)
        job.run = None
        _finish(job, Status.FAILED, error=(str(exc).strip().splitlines() or [type(exc).__name__])[0][:500])
    return job


def _finish(job: RefreshJob, status: str, *, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    job.save(update_fields=["status", "error", "run", "finished_at"])
