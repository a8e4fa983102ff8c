"""Conversion: which reminder preceded which renewal.

A reminder is *sent* when its message went out (outbox `sent_at`) or, for a call, when the
first call attempt was made. A reminder *preceded a renewal* when the policy's successor
(the policy renewed from it) was issued after the reminder was sent. Of the reminders that
preceded one renewal, the *last touch* is the latest sent — the one credited with it; the
*first touch* is each policy's earliest sent reminder (so their sums count policies).

The figures are counted over millions of reminders by `conversion_refresh` into one row per
planning day, channel and step and the reminded policy's branch, sales channel and vehicle
category, with each day's totals beside them (`ReminderConversionDay`: the unfiltered page
reads the totals, a few hundred rows a year) — after each day's planning, for
the last `REFRESH_DAYS` days — and the supervisors' pages sum those rows for any period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from reminders.models import ReminderChannel, ReminderConversionDay

REFRESH_DAYS = 120  # renewals come up to ~60 days after the first reminder, and lapses later

# Each reminder planned from %(first)s to %(last)s, `touched_at` when it went out and `converted`
# when the policy's renewal was issued after that; the CTEs a rollup selects from.
SCORED = """
    WITH touches AS (
        SELECT r.id, r.policy_id, r.channel, r.days_left, r.planned_for,
               COALESCE(m.sent_at, rc.first_attempt_at) AS touched_at
        FROM policies_reminder r
        LEFT JOIN policies_outboundmessage m ON m.id = r.message_id
        LEFT JOIN policies_renewalcall rc ON rc.reminder_id = r.id
        WHERE r.planned_for BETWEEN %(first)s AND %(last)s
    ),
    scored AS (
        SELECT t.*, CASE WHEN t.touched_at IS NOT NULL AND s.issued_at > t.touched_at THEN 1 ELSE 0 END
                    AS converted
        FROM touches t LEFT JOIN policies_policy s ON s.renewed_from_id = t.policy_id
    ),
    ranked_last AS (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY policy_id ORDER BY touched_at DESC, id DESC) AS n
        FROM scored WHERE converted = 1
    ),
    ranked_first AS (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY policy_id ORDER BY touched_at, id) AS n
        FROM scored WHERE touched_at IS NOT NULL
    )
"""


def _rate(part: int, whole: int) -> Decimal | None:
    return Decimal(part * 100 / whole).quantize(Decimal("0.1")) if whole else None


@dataclass(frozen=True)
class StepConversion:
    channel: str
    days_left: int
    planned: int
    sent: int
    renewed_after: int  # sent reminders followed by the policy's renewal
    last_touch: int  # renewals credited to this reminder (the last sent before renewing)

    @property
    def channel_label(self) -> str:
        return ReminderChannel(self.channel).label

    @property
    def step_label(self) -> str:
        if self.days_left > 0:
            return f"到期前 {self.days_left} 天"
        return "到期当天" if self.days_left == 0 else f"脱保第 {-self.days_left} 天"

    @property
    def conversion_rate(self) -> Decimal | None:
        return _rate(self.renewed_after, self.sent)


@dataclass(frozen=True)
class ConversionFigures:
    first: dt.date
    last: dt.date
    steps: list[StepConversion]
    policies_reminded: int  # policies whose first reminder was planned in the period
    policies_renewed: int  # renewals credited (last touch) to a reminder planned in the period
    computed_at: dt.datetime | None = None

    @property
    def by_channel(self) -> list[StepConversion]:
        """The steps summed per channel (days_left 0 stands for "all steps")."""
        totals: dict[str, list[int]] = {}
        for s in self.steps:
            t = totals.setdefault(s.channel, [0, 0, 0, 0])
            for i, v in enumerate((s.planned, s.sent, s.renewed_after, s.last_touch)):
                t[i] += v
        order = {c: i for i, c in enumerate(ReminderChannel.values)}
        return [StepConversion(c, 0, *t) for c, t in sorted(totals.items(), key=lambda kv: order[kv[0]])]

    @property
    def renewal_rate(self) -> Decimal | None:
        return _rate(self.policies_renewed, self.policies_reminded)

    @property
    def channels(self) -> list[tuple[str, str]]:
        """The channels that have reminders in the period, in the usual order."""
        present = {s.channel for s in self.steps}
        return [(c, label) for c, label in ReminderChannel.choices if c in present]

    @property
    def grid(self) -> list[tuple[str, list[StepConversion | None]]]:
        """One row per cadence step (60, 30, … days before, lapse), one cell per channel."""
        cells = {(s.days_left, s.channel): s for s in self.steps}
        rows = []
        for days_left in sorted({s.days_left for s in self.steps}, reverse=True):
            label = next(s.step_label for s in self.steps if s.days_left == days_left)
            rows.append((label, [cells.get((days_left, c)) for c, _ in self.channels]))
        return rows


@transaction.atomic
def conversion_refresh(*, last: dt.date, days: int = REFRESH_DAYS, now: dt.datetime | None = None) -> int:
    """Recount the conversion of the reminders planned in the `days` days up to `last` into
    `ReminderConversionDay` (one INSERT … SELECT); returns the rows written."""
    first = last - dt.timedelta(days=days - 1)
    ReminderConversionDay.objects.filter(planned_for__range=(first, last)).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            SCORED
            + """
            INSERT INTO policies_reminderconversionday
                (planned_for, channel, days_left, branch_id, sales_channel, category,
                 planned, sent, renewed_after, last_touch, first_touch, computed_at)
            SELECT s.planned_for, s.channel, s.days_left, p.branch_id, COALESCE(p.channel, ''),
                   COALESCE(v.premium_category, ''),
                   count(*), count(s.touched_at), sum(s.converted), count(l.id), count(f.id), %(now)s
            FROM scored s
            JOIN policies_policy p ON p.id = s.policy_id
            JOIN policies_vehicle v ON v.id = p.vehicle_id
            LEFT JOIN ranked_last l ON l.id = s.id AND l.n = 1
            LEFT JOIN ranked_first f ON f.id = s.id AND f.n = 1
            GROUP BY GROUPING SETS (
                (s.planned_for, s.channel, s.days_left),
                (s.planned_for, s.channel, s.days_left, p.branch_id, p.channel, v.premium_category)
            )
            """,
            {"first": first, "last": last, "now": now or timezone.now()},
        )
    return ReminderConversionDay.objects.filter(planned_for__range=(first, last)).count()


def conversion_figures(
    *, first: dt.date, last: dt.date, branch_ids: list[int] | None = None, sales_channel: str = "",
    category: str = "",
) -> ConversionFigures:  # fmt: skip
    """Conversion of the reminders planned from `first` to `last`, summed from the rollup
    (one query); of the reminded policies of `branch_ids` (None: every branch), `sales_channel`
    and `category` ("": all) when given — each policy is in one segment, so every figure,
    first and last touches included, sums over segments."""
    rows = ReminderConversionDay.objects.filter(planned_for__range=(first, last))
    if branch_ids is None and not sales_channel and not category:
        rows = rows.totals()
    else:
        rows = rows.segments()
        if branch_ids is not None:
            rows = rows.filter(branch_id__in=branch_ids)
        if sales_channel:
            rows = rows.filter(sales_channel=sales_channel)
        if category:
            rows = rows.filter(category=category)
    rows = list(
        rows.values("channel", "days_left")
        .annotate(
            planned=Sum("planned"), sent=Sum("sent"), renewed_after=Sum("renewed_after"),
            last_touch=Sum("last_touch"), first_touch=Sum("first_touch"), computed_at=Max("computed_at"),
        )
    )  # fmt: skip
    order = {c: i for i, c in enumerate(ReminderChannel.values)}
    steps = sorted(
        (
            StepConversion(
                r["channel"], r["days_left"], r["planned"], r["sent"], r["renewed_after"], r["last_touch"]
            )
            for r in rows
        ),
        key=lambda s: (order[s.channel], -s.days_left),
    )
    return ConversionFigures(
        first,
        last,
        steps,
        policies_reminded=sum(r["first_touch"] for r in rows),
        policies_renewed=sum(r["last_touch"] for r in rows),
        computed_at=max((r["computed_at"] for r in rows), default=None),
    )
