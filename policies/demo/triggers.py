"""Lifting an app's append-only triggers while `seed_demo --reset` deletes its demo rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def append_only_lifted(*table_triggers: tuple[str, str]) -> Iterator[None]:
    """Disable the named (table, trigger) pairs for the deletes inside the block, then enable
    them again — in the caller's transaction, so a failure leaves them as they were."""
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks are queued: run them first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, trigger in table_triggers:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
        try:
            yield
        finally:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in table_triggers:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are deferred
