"""Admin helpers that keep change lists fast on tables of millions of rows."""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Above this many rows a list shows the planner's estimate instead of counting every row:
# an unfiltered table from its statistics, a filtered list (often on a column no index
# serves, where COUNT(*) reads the whole table) from the plan of its query.
ESTIMATE_TABLE_ABOVE = 20_000
ESTIMATE_FILTERED_ABOVE = 1_000


class EstimatedCountPaginator(Paginator):
    """Counts big PostgreSQL lists from the planner's estimate instead of `COUNT(*)`: an
    unfiltered table from its statistics, a filtered list from the plan of its query.
    Small results are counted exactly."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > ESTIMATE_TABLE_ABOVE:
                return int(row[0])
        else:
            plan = json.loads(queryset.explain(format="json"))
            if plan[0]["Plan"]["Plan Rows"] > ESTIMATE_FILTERED_ABOVE:
                return int(plan[0]["Plan"]["Plan Rows"])
        return super().count


class RecentValuesListFilter(admin.SimpleListFilter):
    """Filter on the values a column holds in the latest rows (a DISTINCT over the whole
    table would read all of it). Subclass with `parameter_name` (the field) and `title`."""

    recent_rows = 10_000
    order_field = "-pk"

    def lookups(self, request, model_admin):
        latest = model_admin.model._default_manager.order_by(self.order_field).values_list(
            self.parameter_name, flat=True
        )[: self.recent_rows]
        values = sorted({v for v in latest if v not in (None, "")})
        return [(v, v) for v in values]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.parameter_name: self.value()})
        return queryset


class IndexedSortChangeList(ChangeList):
    """Sorts only by the columns in `sortable_by`, also when the URL asks for another."""

    def get_ordering_field(self, field_name):
        if field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class LargeTableAdmin:
    """Mixin for model admins over big tables: no full count, estimated pagination, and
    sorting only on columns an index can serve (list them in `sortable_by`)."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a facet is a COUNT(*) per filter choice
    paginator = EstimatedCountPaginator
    list_per_page = 50
    sortable_by: tuple[str, ...] = ()

    class Media:
        css = {"all": ["css/admin_lists.css"]}

    def get_changelist(self, request, **kwargs):
        return IndexedSortChangeList


class ReadOnlyAdmin:
    """A record nobody edits in admin (logs, histories, the outbox): listed and opened only.
    Mix in before `admin.ModelAdmin`."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
