"""Admin helpers that keep change lists fast on tables of millions of rows."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered PostgreSQL table from the planner's estimate instead of
    `COUNT(*)`; filtered lists (narrowed by an index) are counted exactly."""

    @cached_property
    def count(self) -> int:
        query = self.object_list.query
        connection = connections[self.object_list.db]
        if connection.vendor == "postgresql" and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > 10_000:
                return int(row[0])
        return super().count


class LargeTableAdmin:
    """Mixin for model admins over big tables."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
