"""The bulk planner: what is due on a day, written as reminders and outbox rows in a few
INSERT … SELECT statements (PostgreSQL).

Which policies are due is the renewal status of docs/regulation.md §4 (`policies.renewal`), expressed
as one query: `_CANDIDATES` selects, for the cover end dates of the day's cadence steps,
the policies whose vehicle is `due` (covered, no successor, inside the advance window of
the branch's province) or `lapsed` (not covered, no later policy, this one ended last) —
never `renewed`, `cancelled` or `in_force`. `reference_target` is the same rule through
`renewal_state`, and the tests prove the two agree on generated vehicle histories.

A rerun writes nothing new: each reminder is unique on (policy, channel, days_left) and
inserted with ON CONFLICT DO NOTHING; only the reminders inserted now get a message.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from policies.models import Policy, ProvinceRule
from policies.pricing import TariffBook
from policies.quotes import vehicle_renewal_state
from policies.renewal import DEFAULT_ADVANCE_DAYS
from policies.tariffs import tariff_book
from reminders import cadence, messages
from reminders.models import CadenceStep, ReminderChannel

MESSAGE_CHANNELS = (ReminderChannel.SMS, ReminderChannel.EMAIL, ReminderChannel.PUSH)
# A call is planned only for vehicles that an SMS or push has already reached.
CALL_PREREQUISITE_CHANNELS = (ReminderChannel.SMS, ReminderChannel.PUSH)

# The policies due on %(day)s for the steps in `steps` (days_left), with the vehicle's
# renewal status (docs/regulation.md §4) due or lapsed and this policy the one its days are counted from.
_CANDIDATES = """
    SELECT p.id AS policy_id, p.vehicle_id, p.policyholder_id, p.branch_id, p.end_date, p.base_premium,
           (p.end_date - %(day)s::date) AS days_left
    FROM policies_policy p
    JOIN policies_branch b ON b.id = p.branch_id
    WHERE p.end_date = ANY(%(ends)s::date[])
      AND p.status = 'in_force'
      -- due: the day is covered and inside the province's advance renewal window
      AND (p.end_date < %(day)s::date OR (
            p.start_date <= %(day)s::date
            AND p.end_date - %(day)s::date < COALESCE(
                (SELECT a.days FROM unnest(%(adv_provinces)s::text[], %(adv_days)s::int[]) AS a(province, days)
                 WHERE a.province = b.province), %(adv_default)s)))
      -- no other live policy covers the day or starts after it (covered or renewed)
      AND NOT EXISTS (
            SELECT 1 FROM policies_policy q
            WHERE q.vehicle_id = p.vehicle_id AND q.status = 'in_force'
              AND q.end_date >= %(day)s::date AND q.id <> p.id)
      -- the vehicle's latest policy is not cancelled
      AND (SELECT q.status FROM policies_policy q WHERE q.vehicle_id = p.vehicle_id
           ORDER BY q.start_date DESC, q.end_date DESC, q.id DESC LIMIT 1) = 'in_force'
      -- lapsed: this policy is the one that ended last
      AND (p.end_date >= %(day)s::date OR NOT EXISTS (
            SELECT 1 FROM policies_policy q
            WHERE q.vehicle_id = p.vehicle_id AND q.id <> p.id AND q.end_date < %(day)s::date
              AND (q.end_date > p.end_date
                   OR (q.end_date = p.end_date AND (q.start_date, q.id) < (p.start_date, p.id)))))
"""

# The per-candidate checks below end in OFFSET 0, which keeps PostgreSQL from turning them
# into joins: each stays a probe of a unique index per candidate, whatever the (possibly
# stale) statistics say about the size of the tables probed.
_NOT_SUPPRESSED = """
      AND NOT EXISTS (SELECT 1 FROM policies_reminderoptout o WHERE o.person_id = c.policyholder_id
                      AND o.channel = s.channel OFFSET 0)
      AND NOT EXISTS (SELECT 1 FROM policies_reminderstop x WHERE x.policy_id = c.policy_id
                      AND x.channel = s.channel OFFSET 0)
"""


@dataclass
class PlanResult:
    day: dt.date
    by_step: Counter = field(default_factory=Counter)  # (channel, days_left) → reminders written

    @property
    def total(self) -> int:
        return sum(self.by_step.values())

    def count(self, channel: str) -> int:
        return sum(n for (ch, _), n in self.by_step.items() if ch == channel)


def _advance_params(day: dt.date) -> dict:
    """The advance renewal window of every province with a rule in force on `day`."""
    book = tariff_book()
    provinces = sorted(set(ProvinceRule.objects.exclude(province="").values_list("province", flat=True)))
    return {
        "adv_provinces": provinces,
        "adv_days": [book.province_settings(p, day).advance_renewal_days for p in provinces],
        "adv_default": book.province_settings("", day).advance_renewal_days or DEFAULT_ADVANCE_DAYS,
    }


def _steps(channels: Sequence[str]) -> list[CadenceStep]:
    return list(CadenceStep.objects.filter(is_active=True, channel__in=channels).order_by("pk"))


def due_policies(*, day: dt.date, days_left: Sequence[int]) -> set[tuple[int, int]]:
    """(policy id, days_left) of every policy due for a reminder with one of `days_left`
    on `day` — the planner's selection before channels, opt-outs and stops."""
    params = {"day": day, "ends": [cadence.end_date_for(day, d) for d in days_left]} | _advance_params(day)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT policy_id, days_left FROM ({_CANDIDATES}) c", params)
        return {(row[0], row[1]) for row in cursor.fetchall()}


def reference_target(policies: Sequence[Policy], *, day: dt.date, book: TariffBook) -> tuple[int, int] | None:
    """(policy id, days_left) a reminder of this vehicle on `day` would be about, by
    `renewal_state` — or None when the vehicle is renewed, cancelled or in force.
    `policies` are all of one vehicle's policies, with their branches, in primary-key order."""
    state = vehicle_renewal_state(policies, day=day, book=book)
    if state.current is None:
        return None
    current = next(p for p in policies if p.pk == state.current.policy_id)
    state = vehicle_renewal_state(policies, day=day, book=book, province=current.branch.province)
    if state.status not in ("due", "lapsed") or state.current.cancelled:
        return None
    return state.current.policy_id, state.days_left


def _text_case(column: str) -> tuple[str, dict]:
    """CASE over channel and kind choosing the message template, for PostgreSQL's format()."""
    args = "r.name, r.plate, to_char(r.end_date, 'YYYY\"年\"FMMM\"月\"FMDD\"日\"'), r.days_left, -r.days_left, " \
        "r.branch_name, to_char(2 * r.base_premium, 'FM9999999990.00')"  # fmt: skip
    whens, params = [], {}
    sources = {
        "text": messages.TEMPLATES,
        "subject": {"email": messages.EMAIL_SUBJECT},
    }[column]
    for channel, by_kind in sources.items():
        for kind, template in by_kind.items():
            name = f"{column}_{channel}_{kind}"
            params[name] = messages.sql_format(template)
            condition = {"due": "r.days_left > 0", "last_day": "r.days_left = 0", "lapse": "r.days_left < 0"}[
                kind
            ]
            whens.append(f"WHEN r.channel = '{channel}' AND {condition} THEN format(%({name})s, {args})")
    return f"CASE {' '.join(whens)} ELSE '' END", params


_STEPS = """
    steps AS (
        SELECT * FROM unnest(%(step_ids)s::bigint[], %(step_channels)s::text[], %(step_days)s::int[])
            AS s(step_id, channel, days_left)
    )
"""

_NOT_PLANNED_YET = """
      AND NOT EXISTS (SELECT 1 FROM policies_reminder pr WHERE pr.policy_id = c.policy_id
                      AND pr.channel = s.channel AND pr.days_left = c.days_left OFFSET 0)
"""


def _step_params(day: dt.date, steps: list[CadenceStep]) -> dict:
    return {
        "day": day,
        "ends": sorted({cadence.end_date_for(day, s.days_left) for s in steps}),
        "step_ids": [s.pk for s in steps],
        "step_channels": [s.channel for s in steps],
        "step_days": [s.days_left for s in steps],
        **_advance_params(day),
    }


def _batch_table(cursor, name: str, select_sql: str, params: dict) -> None:
    """Materialise the day's selection in an analysed temporary table, so the inserts that
    follow are planned on real row counts (hash joins, not nested loops over CTEs)."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS {select_sql}", params)
    cursor.execute(f"ANALYZE {name}")


def _plan_messages(day: dt.date, now: dt.datetime, steps: list[CadenceStep], result: PlanResult) -> None:
    text_sql, text_params = _text_case("text")
    subject_sql, subject_params = _text_case("subject")
    select = f"""
    WITH {_STEPS},
    c AS ({_CANDIDATES}),
    r AS (
        SELECT c.*, s.step_id, s.channel, pe.name, v.plate, b.name AS branch_name,
               CASE s.channel WHEN 'sms' THEN pe.phone WHEN 'email' THEN pe.email
                              WHEN 'push' THEN pe.app_account END AS recipient
        FROM c
        JOIN steps s ON s.days_left = c.days_left
        JOIN policies_person pe ON pe.id = c.policyholder_id
        JOIN policies_vehicle v ON v.id = c.vehicle_id
        JOIN policies_branch b ON b.id = c.branch_id
        WHERE true {_NOT_SUPPRESSED} {_NOT_PLANNED_YET}
    )
    SELECT r.policy_id, r.policyholder_id, r.days_left, r.step_id, r.channel, r.recipient,
           {subject_sql} AS subject, {text_sql} AS text,
           CASE r.channel WHEN 'sms' THEN %(at_sms)s WHEN 'push' THEN %(at_push)s ELSE %(at_email)s END
               AS not_before,
           nextval(pg_get_serial_sequence('policies_outboundmessage', 'id')) AS message_id
    FROM r WHERE r.recipient <> ''
    """
    write = """
    WITH ins AS (
        INSERT INTO policies_reminder
            (policy_id, channel, days_left, step_id, person_id, planned_for, message_id, created_at)
        SELECT policy_id, channel, days_left, step_id, policyholder_id, %(day)s, message_id, %(now)s
        FROM reminder_batch
        ON CONFLICT (policy_id, channel, days_left) DO NOTHING
        RETURNING message_id, channel, days_left
    ),
    outbox AS (
        INSERT INTO policies_outboundmessage
            (id, channel, recipient, subject, text, purpose, dedupe_key, person_id, status, attempts,
             not_before, quiet_hours, claimed_by, claimed_until, last_error, created_at, sent_at)
        SELECT b.message_id, b.channel, b.recipient, b.subject, b.text, %(purpose)s,
               'reminder:' || b.policy_id || ':' || b.channel || ':' || b.days_left, b.policyholder_id,
               'pending', 0, b.not_before, b.channel = ANY(%(quiet_channels)s), '', NULL, '', %(now)s, NULL
        FROM reminder_batch b WHERE b.message_id IN (SELECT message_id FROM ins)
    )
    SELECT channel, days_left, count(*) FROM ins GROUP BY channel, days_left
    """
    params = {
        **_step_params(day, steps),
        **{f"at_{ch}": cadence.send_at(channel=ch, day=day, now=now) for ch in ("sms", "push", "email")},
        **text_params,
        **subject_params,
    }
    with connection.cursor() as cursor:
        _batch_table(cursor, "reminder_batch", select, params)
        cursor.execute(
            write,
            {
                "day": day,
                "now": now,
                "purpose": cadence.REMINDER_PURPOSE,
                "quiet_channels": sorted(cadence.QUIET_CHANNELS),
            },
        )
        for channel, days_left, count in cursor.fetchall():
            result.by_step[(channel, days_left)] += count


def _plan_calls(day: dt.date, now: dt.datetime, steps: list[CadenceStep], result: PlanResult) -> None:
    select = f"""
    WITH {_STEPS},
    c AS ({_CANDIDATES})
    SELECT c.policy_id, c.vehicle_id, c.branch_id, c.policyholder_id, c.days_left, s.step_id, s.channel, pe.phone
    FROM c
    JOIN steps s ON s.days_left = c.days_left
    JOIN policies_person pe ON pe.id = c.policyholder_id
    WHERE pe.phone <> '' {_NOT_SUPPRESSED} {_NOT_PLANNED_YET}
      AND EXISTS (
            SELECT 1 FROM policies_reminder pr
            WHERE pr.policy_id = c.policy_id AND pr.channel = ANY(%(prerequisite)s::text[])
              AND (SELECT m.status FROM policies_outboundmessage m WHERE m.id = pr.message_id) = 'sent'
            OFFSET 0)
      AND NOT EXISTS (
            SELECT 1 FROM policies_renewalcall rc WHERE rc.policy_id = c.policy_id AND rc.status = 'open'
            OFFSET 0)
    """
    write = """
    WITH ins AS (
        INSERT INTO policies_reminder
            (policy_id, channel, days_left, step_id, person_id, planned_for, message_id, created_at)
        SELECT policy_id, channel, days_left, step_id, policyholder_id, %(day)s, NULL, %(now)s FROM call_batch
        ON CONFLICT (policy_id, channel, days_left) DO NOTHING
        RETURNING id, policy_id, channel, days_left
    ),
    calls AS (
        INSERT INTO policies_renewalcall
            (reminder_id, policy_id, vehicle_id, person_id, phone, branch_id, assigned_to_id, due_date,
             days_left, call_after, status, outcome, outcome_note, attempts, first_attempt_at,
             last_attempt_at, closed_at, created_at)
        SELECT ins.id, b.policy_id, b.vehicle_id, b.policyholder_id, b.phone, b.branch_id, NULL, %(day)s,
               b.days_left, NULL, 'open', '', '', 0, NULL, NULL, NULL, %(now)s
        FROM ins JOIN call_batch b ON b.policy_id = ins.policy_id
    )
    SELECT channel, days_left, count(*) FROM ins GROUP BY channel, days_left
    """
    params = _step_params(day, steps) | {"prerequisite": list(CALL_PREREQUISITE_CHANNELS)}
    with connection.cursor() as cursor:
        _batch_table(cursor, "call_batch", select, params)
        cursor.execute(write, {"day": day, "now": now})
        for channel, days_left, count in cursor.fetchall():
            result.by_step[(channel, days_left)] += count


def plan_reminders(*, day: dt.date, now: dt.datetime | None = None, dry_run: bool = False) -> PlanResult:
    """Write the reminders due on `day` — messages to the outbox, calls to the call list —
    in one transaction. Idempotent: a rerun (or a concurrent planner) writes nothing new.
    With `dry_run` everything is counted and rolled back. The selection and the writes are
    a few set-based statements."""
    now = now or timezone.now()
    result = PlanResult(day=day)
    with transaction.atomic():
        message_steps = _steps(MESSAGE_CHANNELS)
        call_steps = _steps([ReminderChannel.CALL])
        with connection.cursor() as cursor:
            # Planners of the same day wait for each other instead of racing on the same rows.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('plan_reminders'))")
        if message_steps:
            _plan_messages(day, now, message_steps, result)
        if call_steps:
            _plan_calls(day, now, call_steps, result)
        if dry_run:
            transaction.set_rollback(True)
    return result
