"""The branches as choices of a filter, kept in this process: every desk's filter lists them,
and they change a few times a year (a save or delete here clears the copy at once; another
process's copy after `BRANCH_CHOICES_SECONDS`)."""

from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save

from policies.models import Branch

BRANCH_CHOICES_SECONDS = 300
_lock = threading.Lock()
_cached: dict[bool, tuple[float, list[tuple[int, str]]]] = {}


def branch_choices(*, active_only: bool = False) -> list[tuple[int, str]]:
    """(pk, "name（code）") of every branch (or every open one), by code."""
    with _lock:
        now = time.monotonic()
        entry = _cached.get(active_only)
        if entry is None or entry[0] < now:
            branches = Branch.objects.order_by("code")
            if active_only:
                branches = branches.filter(is_active=True)
            entry = (now + BRANCH_CHOICES_SECONDS, [(b.pk, str(b)) for b in branches])
            _cached[active_only] = entry
        return entry[1]


def clear_branch_choices(**kwargs) -> None:
    with _lock:
        _cached.clear()


post_save.connect(clear_branch_choices, sender=Branch, dispatch_uid="branch-choices-save")
post_delete.connect(clear_branch_choices, sender=Branch, dispatch_uid="branch-choices-delete")
