"""The legal deadlines of docs/regulation.md §6 at their edges: shown on the claim, flagged when breached."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from claims import services
from claims.choices import ClaimState as S
from claims.deadlines import Clock, DeadlineStatus, claim_deadlines, deadline, due_at
from claims.models import Claim
from core.clock import SHANGHAI
from tests.claims.conftest import NOW


def t(day, hour=0, minute=0, second=0):
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI)


def test_a_period_starts_the_day_after_and_ends_at_24_00_of_its_last_day():
    # Reported 3 March 10:00 → documents listed by 24:00 on 4 March (1 day).
    assert due_at(t(3, 10), 1) == t(5)
    # Reported at 23:59 on 3 March: the same deadline.
    assert due_at(t(3, 23, 59), 1) == t(5)
    # Documents complete 3 March → decide by 24:00 on 8 March; agreed 3 March → pay by 24:00 on 13 March.
    assert due_at(t(3, 8), 5) == t(9)
    assert due_at(t(3, 8), 10) == t(14)
    # A UTC time is read in Shanghai: 2 March 16:30 UTC is 3 March 00:30 in Shanghai.
    assert due_at(dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC), 1) == t(5)


@pytest.mark.django_db  # the days come from the deadline table (docs/regulation.md §6)
@pytest.mark.parametrize(("clock", "days"), [(Clock.DOCUMENTS, 1), (Clock.DECISION, 5), (Clock.PAYMENT, 10)])
def test_each_deadline_is_met_at_23_59_59_of_its_last_day_and_breached_at_00_00(clock, days):
    start = t(3, 10)
    last_second = t(3 + days, 23, 59, 59)
    midnight = t(4 + days)
    assert deadline(clock, started_at=start, done_at=last_second, now=midnight).status == DeadlineStatus.MET
    assert deadline(clock, started_at=start, done_at=midnight, now=midnight).status == DeadlineStatus.BREACHED
    assert deadline(clock, started_at=start, done_at=None, now=last_second).status == DeadlineStatus.RUNNING
    assert deadline(clock, started_at=start, done_at=None, now=midnight).status == DeadlineStatus.OVERDUE


@pytest.mark.django_db  # the days come from the deadline table (docs/regulation.md §6)
def test_a_clock_that_never_started_and_a_claim_that_ended_in_time():
    assert (
        deadline(Clock.DECISION, started_at=None, done_at=None, now=t(20)).status
        == DeadlineStatus.NOT_STARTED
    )
    stopped = deadline(Clock.DOCUMENTS, started_at=t(3, 10), done_at=None, now=t(20), ended_at=t(4, 12))
    assert stopped.status == DeadlineStatus.STOPPED
    late = deadline(Clock.DOCUMENTS, started_at=t(3, 10), done_at=None, now=t(20), ended_at=t(5))
    assert late.status == DeadlineStatus.BREACHED


@pytest.mark.django_db  # the days come from the deadline table (docs/regulation.md §6)
def test_the_explanation_names_the_rule_and_the_last_day():
    text = deadline(Clock.DOCUMENTS, started_at=t(3, 10), done_at=None, now=t(3, 11)).explanation
    assert text == "收到报案后 1 日内立案并告知单证（条例第二十七条），期限至 2026-03-04 24:00。"


@pytest.mark.django_db
def test_the_claim_carries_its_due_times_and_the_next_one(claim, claims_adjuster):
    # Reported 20 November 10:00: documents due 24:00 on 21 November.
    assert claim.documents_due_at == dt.datetime(2026, 11, 22, tzinfo=SHANGHAI)
    assert claim.next_due_at == claim.documents_due_at
    registered = services.claim_register(claim=claim, by=claims_adjuster, documents=["policy"], now=NOW)
    assert registered.next_due_at is None  # documents listed; decision clock not started
    done = services.claim_documents(claim=registered, by=claims_adjuster, received=["policy"], now=NOW)
    assert done.decision_due_at == dt.datetime(2026, 11, 26, tzinfo=SHANGHAI)
    assert done.next_due_at == done.decision_due_at


@pytest.mark.django_db
def test_listing_documents_after_the_deadline_marks_the_breach(claim, claims_adjuster):
    late = dt.datetime(2026, 11, 22, 0, 0, tzinfo=SHANGHAI)
    claim = services.claim_register(claim=claim, by=claims_adjuster, documents=["policy"], now=late)
    assert claim.documents_breached
    on_time = claim_deadlines(claim, now=late)[0]
    assert on_time.status == DeadlineStatus.BREACHED


@pytest.mark.django_db
def test_the_scheduled_check_flags_only_what_has_passed(claim, policy, hotline_agent, walk_to):
    from tests import factories

    approved = walk_to(factories.make_claim(policy, by=hotline_agent, now=NOW), S.APPROVED)
    out = StringIO()
    call_command("check_claim_deadlines", "--now", "2026-11-21T23:59:59+08:00", stdout=out)
    assert "flagged 0 deadline breaches" in out.getvalue()

    call_command("check_claim_deadlines", "--now", "2026-11-22T00:00:00+08:00", "--dry-run", stdout=out)
    assert "documents: would flag 1" in out.getvalue()
    assert not Claim.objects.get(pk=claim.pk).documents_breached

    call_command("check_claim_deadlines", "--now", "2026-11-22T00:00:00+08:00", stdout=StringIO())
    assert Claim.objects.get(pk=claim.pk).documents_breached
    assert not Claim.objects.get(pk=approved.pk).documents_breached  # listed in time by the walk

    # The approved claim (agreed 20 November) must be paid by 24:00 on 30 November.
    call_command("check_claim_deadlines", "--now", "2026-11-30T23:59:59+08:00", stdout=StringIO())
    assert not Claim.objects.get(pk=approved.pk).payment_breached
    call_command("check_claim_deadlines", "--now", "2026-12-01T00:00:00+08:00", stdout=StringIO())
    assert Claim.objects.get(pk=approved.pk).payment_breached
    # The flags agree with the deadlines the claim page shows.
    shown = claim_deadlines(Claim.objects.get(pk=approved.pk), now=dt.datetime(2026, 12, 1, tzinfo=SHANGHAI))
    assert shown[2].status == DeadlineStatus.OVERDUE


@pytest.mark.django_db
def test_queue_filters_find_overdue_claims_by_the_indexed_next_due_time(claim):
    assert list(Claim.objects.overdue(dt.datetime(2026, 11, 22, tzinfo=SHANGHAI))) == [claim]
    assert not Claim.objects.overdue(dt.datetime(2026, 11, 21, 23, 59, tzinfo=SHANGHAI)).exists()


@pytest.mark.django_db
def test_a_bad_time_argument_is_refused_in_chinese():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不是有效的时间"):
        call_command("check_claim_deadlines", "--now", "yesterday")
