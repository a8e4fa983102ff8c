"""Rebuilding the monthly summaries (insights.models) from the domain tables.

Each summary is rebuilt for a range of months by one INSERT … SELECT after deleting those
months, all in one transaction: running it twice gives the same rows, and a failure leaves
the previous figures. The nightly job rebuilds the last `RECENT_MONTHS` months (figures of
older months no longer move: a renewal counts only within 30 days of the end, docs/regulation.md
§9); `--all` rebuilds every month that has data. Figures are "to date": nothing after the
refresh day is counted (a renewal issued early, starting next month, counts when it starts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from claims.choices import PaymentStatus
from claims.workflow import UNDECIDED_STATES
from core.clock import start_of_day, today
from insights.models import ClaimMonth, ClaimStepMonth, PolicyMonth, ReminderMonth, SummaryRun, TicketMonth
from policies.choices import PolicyStatus
from policies.figures import RENEWAL_GRACE
from policies.models import Policy, User
from policies.pricing import add_months
from reminders.conversion import SCORED
from support.choices import Status as TicketStatus

RECENT_MONTHS = 3
TZ = "Asia/Shanghai"

_POLICIES = f"""
INSERT INTO insights_policymonth
    (month, branch_id, channel, category, started, started_premium, ended, renewed, earned)
SELECT month, branch_id, channel, category, sum(started), sum(started_premium), sum(ended),
       sum(renewed), sum(earned)
FROM (
    SELECT date_trunc('month', p.start_date)::date AS month, p.branch_id, p.channel,
           v.premium_category AS category, count(*) AS started, sum(p.premium) AS started_premium,
           0 AS ended, 0 AS renewed, 0 AS earned
    FROM policies_policy p JOIN policies_vehicle v ON v.id = p.vehicle_id
    WHERE p.status <> %(cancelled)s AND p.start_date BETWEEN %(first)s AND %(day)s
    GROUP BY 1, 2, 3, 4
  UNION ALL
    SELECT date_trunc('month', p.end_date)::date, p.branch_id, p.channel, v.premium_category,
           0, 0, count(*), count(s.id), 0
    FROM policies_policy p JOIN policies_vehicle v ON v.id = p.vehicle_id
    LEFT JOIN policies_policy s ON s.renewed_from_id = p.id
         AND s.start_date <= p.end_date + {RENEWAL_GRACE.days}
    WHERE p.status <> %(cancelled)s AND p.end_date BETWEEN %(first)s AND %(day)s
    GROUP BY 1, 2, 3, 4
  UNION ALL
    -- premium earned in each month: premium × days of cover in the month ÷ days of cover
    SELECT m.month, p.branch_id, p.channel, v.premium_category, 0, 0, 0, 0,
           sum(p.premium * (LEAST(p.last_day, m.month_end) - GREATEST(p.start_date, m.month) + 1)
               / (p.end_date - p.start_date + 1))
    FROM (
        SELECT p.*, CASE WHEN p.status = %(cancelled)s AND p.cancelled_on IS NOT NULL
                         THEN LEAST(p.end_date, p.cancelled_on) ELSE p.end_date END AS last_day
        FROM policies_policy p
        WHERE p.start_date <= %(day)s AND p.end_date >= %(first)s
    ) p
    JOIN policies_vehicle v ON v.id = p.vehicle_id
    JOIN (
        SELECT g::date AS month, LEAST((g + interval '1 month')::date - 1, %(day)s) AS month_end
        FROM generate_series(%(first)s::date, %(day)s::date, interval '1 month') g
    ) m ON p.start_date <= m.month_end AND p.last_day >= m.month
    GROUP BY 1, 2, 3, 4
) u
GROUP BY 1, 2, 3, 4
"""

_MONTH = f"date_trunc('month', {{}} AT TIME ZONE '{TZ}')::date"

_CLAIMS = f"""
INSERT INTO insights_claimmonth
    (month, branch_id, channel, category, paid_amount, paid_claims, cycle_seconds, reported, decision_breached,
     recovered)
SELECT month, branch_id, channel, category, sum(paid_amount), sum(paid_claims), sum(cycle_seconds),
       sum(reported), sum(decision_breached), sum(recovered)
FROM (
    SELECT {_MONTH.format("pay.paid_at")} AS month, c.branch_id, p.channel,
           v.premium_category AS category, sum(pay.amount) AS paid_amount, 0 AS paid_claims,
           0 AS cycle_seconds, 0 AS reported, 0 AS decision_breached, 0 AS recovered
    FROM claims_payment pay JOIN claims_claim c ON c.id = pay.claim_id
    JOIN policies_policy p ON p.id = c.policy_id JOIN policies_vehicle v ON v.id = c.vehicle_id
    WHERE pay.status = %(paid)s AND pay.paid_at >= %(since)s AND pay.paid_at < %(until)s
    GROUP BY 1, 2, 3, 4
  UNION ALL
    SELECT {_MONTH.format("c.paid_at")}, c.branch_id, p.channel, v.premium_category, 0, count(*),
           sum(extract(epoch FROM c.paid_at - c.reported_at))::bigint, 0, 0, 0
    FROM claims_claim c
    JOIN policies_policy p ON p.id = c.policy_id JOIN policies_vehicle v ON v.id = c.vehicle_id
    WHERE c.paid_at >= %(since)s AND c.paid_at < %(until)s
    GROUP BY 1, 2, 3, 4
  UNION ALL
    SELECT {_MONTH.format("c.reported_at")}, c.branch_id, p.channel, v.premium_category, 0, 0, 0,
           count(*),
           count(*) FILTER (WHERE c.decision_breached
                            OR (c.decided_at IS NULL AND c.decision_due_at <= %(now)s
                                AND c.state = ANY(%(undecided)s))), 0
    FROM claims_claim c
    JOIN policies_policy p ON p.id = c.policy_id JOIN policies_vehicle v ON v.id = c.vehicle_id
    WHERE c.reported_at >= %(since)s AND c.reported_at < %(until)s
    GROUP BY 1, 2, 3, 4
  UNION ALL
    -- advances recovered from the wrongdoer (docs/regulation.md §5), by the claim's branch
    SELECT {_MONTH.format("r.at")}, c.branch_id, p.channel, v.premium_category, 0, 0, 0, 0, 0, sum(r.amount)
    FROM claims_recovery r JOIN claims_claim c ON c.id = r.claim_id
    JOIN policies_policy p ON p.id = c.policy_id JOIN policies_vehicle v ON v.id = c.vehicle_id
    WHERE r.at >= %(since)s AND r.at < %(until)s
    GROUP BY 1, 2, 3, 4
) u
GROUP BY 1, 2, 3, 4
"""

_STEPS = f"""
INSERT INTO insights_claimstepmonth (month, branch_id, channel, category, state, steps, seconds)
SELECT {_MONTH.format("e.at")}, c.branch_id, p.channel, v.premium_category, e.from_state, count(*),
       sum(e.step_seconds)
FROM claims_claimevent e JOIN claims_claim c ON c.id = e.claim_id
JOIN policies_policy p ON p.id = c.policy_id JOIN policies_vehicle v ON v.id = c.vehicle_id
WHERE e.at >= %(since)s AND e.at < %(until)s AND e.step_seconds IS NOT NULL
GROUP BY 1, 2, 3, 4, 5
"""

# The rule of support.reports.compliance: a first response (resolution) is measured when given
# (done) or overdue and still missing, and within target when its time is at most the target.
_TICKETS = f"""
INSERT INTO insights_ticketmonth
    (month, branch_id, channel, tickets, responded, responded_within, resolved, resolved_within)
SELECT {_MONTH.format("t.created_at")}, q.branch_id, t.channel, count(*),
       count(*) FILTER (WHERE t.first_responded_at IS NOT NULL
                        OR t.first_response_due < %(now)s),
       count(*) FILTER (WHERE t.first_responded_at IS NOT NULL
                        AND t.first_response_time <= t.first_response_target),
       count(*) FILTER (WHERE (t.resolution_time IS NOT NULL AND t.status = ANY(%(done)s))
                        OR (t.resolved_at IS NULL AND t.resolution_due < %(now)s)),
       count(*) FILTER (WHERE t.resolution_time IS NOT NULL AND t.status = ANY(%(done)s)
                        AND t.resolution_time <= t.resolution_target)
FROM support_ticket t LEFT JOIN support_queue q ON q.id = t.queue_id
WHERE t.created_at >= %(since)s AND t.created_at < %(until)s AND t.created_at <= %(now)s
      AND t.merged_into_id IS NULL
GROUP BY 1, 2, 3
"""

# Reminders by the month they were planned for and the reminded policy's segment.
_REMINDERS = (
    SCORED
    + """
INSERT INTO insights_remindermonth
    (month, branch_id, channel, category, reminder_channel, days_left, planned, sent, renewed_after)
SELECT date_trunc('month', s.planned_for)::date, p.branch_id, p.channel, v.premium_category, s.channel,
       s.days_left, count(*), count(s.touched_at), sum(s.converted)
FROM scored s JOIN policies_policy p ON p.id = s.policy_id JOIN policies_vehicle v ON v.id = p.vehicle_id
GROUP BY 1, 2, 3, 4, 5, 6
"""
)

SUMMARIES = (PolicyMonth, ClaimMonth, ClaimStepMonth, TicketMonth, ReminderMonth)


def earliest_month() -> dt.date:
    """The first month any policy starts in (where `--all` begins)."""
    first = Policy.objects.aggregate(first=Min("start_date"))["first"] or today()
    return first.replace(day=1)


@transaction.atomic
def summaries_refresh(
    *, first: dt.date, day: dt.date | None = None, by: User | None = None, now: dt.datetime | None = None
) -> SummaryRun:
    """Rebuild every summary for the months from `first`'s month to `day`'s (today), counting
    nothing after `day`; record the run. Idempotent: the months are deleted and inserted again."""
    started = timezone.now()
    now = now or started
    day = day or today()
    first = first.replace(day=1)
    last = day.replace(day=1)
    params = {
        "first": first,
        "day": day,
        "last": day,  # the reminders' planning days: up to the refresh day
        "since": start_of_day(first),
        "until": start_of_day(day + dt.timedelta(days=1)),
        "now": now,
        "cancelled": PolicyStatus.CANCELLED,
        "paid": PaymentStatus.PAID,
        "undecided": list(UNDECIDED_STATES),
        "done": [TicketStatus.RESOLVED, TicketStatus.CLOSED],
    }
    rows = 0
    with connection.cursor() as cursor:
        for model in SUMMARIES:
            model.objects.filter(month__gte=first, month__lte=last).delete()
        for sql in (_POLICIES, _CLAIMS, _STEPS, _TICKETS, _REMINDERS):
            cursor.execute(sql, params)
            rows += cursor.rowcount
    return SummaryRun.objects.create(
        first_month=first, last_month=last, started_at=started, finished_at=timezone.now(), by=by, rows=rows
    )


def refresh_in_batches(
    *, first: dt.date, day: dt.date | None = None, months: int = RECENT_MONTHS
) -> Iterator[SummaryRun]:
    """Rebuild from `first`'s month to `day`'s `months` months at a time, oldest first, each
    batch one `summaries_refresh` (its own transaction): a backfill of years holds no lock for
    long, and an interrupted one resumes by running again."""
    day = day or today()
    start = first.replace(day=1)
    while start <= day:
        end = add_months(start, months) - dt.timedelta(days=1)
        yield summaries_refresh(first=start, day=min(end, day))
        start = add_months(start, months)


def last_run() -> SummaryRun | None:
    return SummaryRun.objects.order_by("-finished_at").first()
