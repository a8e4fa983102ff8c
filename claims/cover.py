"""Which policy covers an accident: plain functions over policies already read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from policies.choices import PolicyStatus
from policies.models import Policy


def cover_end(policy: Policy) -> dt.date:
    """The last day of a policy's cover: its end date, or the cancellation date."""
    if policy.status == PolicyStatus.CANCELLED and policy.cancelled_on is not None:
        return min(policy.end_date, policy.cancelled_on)
    return policy.end_date


def covering_policy(policies: Iterable[Policy], day: dt.date) -> Policy | None:
    """The policy whose cover (00:00 of start to 24:00 of its last day) includes `day`."""
    return next((p for p in policies if p.start_date <= day <= cover_end(p)), None)
