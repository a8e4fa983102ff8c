"""Index operations for migrations that run on live tables of millions of rows.

They build and drop indexes CONCURRENTLY (no lock that stops writes) when the migration runs
outside a transaction, as `migrate` runs a non-atomic migration. Inside a transaction, where
PostgreSQL refuses CONCURRENTLY (a test that migrates back and forth within its own
transaction), they do the same work with the plain statements.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


def concurrently(schema_editor) -> str:
    """The keyword for raw index SQL: CONCURRENTLY unless inside a transaction."""
    return "" if schema_editor.connection.in_atomic_block else "CONCURRENTLY"


class AddIndexOnline(AddIndexConcurrently):
    def _ensure_not_in_transaction(self, schema_editor):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.in_atomic_block:
            return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)
        return super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.in_atomic_block:
            return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
        return super().database_backwards(app_label, schema_editor, from_state, to_state)


class RemoveIndexOnline(RemoveIndexConcurrently):
    def _ensure_not_in_transaction(self, schema_editor):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.in_atomic_block:
            return RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)
        return super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.in_atomic_block:
            return RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
        return super().database_backwards(app_label, schema_editor, from_state, to_state)
