"""Admin helpers that keep change lists fast on tables of millions of rows, and answer
whatever a URL or a posted form holds with a page, a redirect or a 400 — never a 500."""

from __future__ import annotations

import json
import secrets

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from core.models import ExportLog

# Above this many rows a list shows the planner's estimate instead of counting every row:
# an unfiltered table from its statistics, a filtered list (often on a column no index
# serves, where COUNT(*) reads the whole table) from the plan of its query.
ESTIMATE_TABLE_ABOVE = 20_000
ESTIMATE_FILTERED_ABOVE = 1_000
# Inline rows one admin page edits: a person's licences, a call's attempts. A posted
# `…-TOTAL_FORMS` above this is refused, not built into that many forms.
INLINE_MAX_FORMS = 50


def plan_rows(explained: str) -> int | None:
    """The planner's row estimate in `EXPLAIN (FORMAT JSON)` output, or None when the output
    is not that shape — an empty queryset explains to "", another server version may nest
    differently."""
    try:
        rows = json.loads(explained)[0]["Plan"]["Plan Rows"]
    except (ValueError, TypeError, LookupError):
        return None
    return int(rows) if isinstance(rows, int | float) and not isinstance(rows, bool) else None


class EstimatedCountPaginator(Paginator):
    """Counts big PostgreSQL lists from the planner's estimate instead of `COUNT(*)`: an
    unfiltered table from its statistics, a filtered list from the plan of its query.
    Small results, an empty queryset and a plan without "Plan Rows" are counted exactly."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        if queryset.query.is_empty():  # `.none()`: a search that names nothing
            return 0
        estimate = self._estimate(queryset)
        return estimate if estimate is not None else super().count

    def _estimate(self, queryset: QuerySet) -> int | None:
        """The planner's figure when it is above the threshold, else None (count exactly)."""
        if not queryset.query.where:
            with connections[queryset.db].cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            rows = int(row[0]) if row and row[0] is not None else None
            return rows if rows is not None and rows > ESTIMATE_TABLE_ABOVE else None
        rows = plan_rows(queryset.explain(format="json"))
        return rows if rows is not None and rows > ESTIMATE_FILTERED_ABOVE else None


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


class HardenedChangeList(ChangeList):
    """A change list whose query string cannot end in a 500: what PostgreSQL or Python
    cannot take (a NUL character, a date-hierarchy year of 9999 or of 20 digits) is an
    incorrect lookup, which the admin answers with the unfiltered list and a note (`?e=1`)."""

    def __init__(self, request, *args, **kwargs):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            raise IncorrectLookupParameters("NUL in the query string")
        super().__init__(request, *args, **kwargs)

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:  # datetime(year) and year + 1, unchecked
            raise IncorrectLookupParameters(error) from error


class IndexedSortChangeList(HardenedChangeList):
    """Sorts only by the columns in `sortable_by`, also when the URL asks for another."""

    def get_ordering_field(self, field_name):
        if field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class HardenedAdmin:
    """Mix in before `admin.ModelAdmin` (every model admin of the portal): the change list
    answers any query string without a 500 (`HardenedChangeList`), filters by a regular
    expression are refused (a bad pattern is a PostgreSQL error, a slow one a scan), and
    `list_editable` takes at most a page of rows."""

    REFUSED_LOOKUPS = frozenset({"regex", "iregex"})

    def get_changelist(self, request, **kwargs):
        return HardenedChangeList

    def lookup_allowed(self, lookup, value, request):
        if lookup.rsplit("__", 1)[-1] in self.REFUSED_LOOKUPS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_changelist_formset(self, request, **kwargs):
        kwargs.setdefault("max_num", self.list_per_page)
        kwargs.setdefault("absolute_max", self.list_per_page)
        return super().get_changelist_formset(request, **kwargs)


def harden_registered_admins(site: admin.AdminSite = admin.site) -> list[type]:
    """Give `HardenedAdmin` to the admins registered so far that lack it — those of the
    libraries listed before `core` in INSTALLED_APPS (Django's groups, django-axes' logs,
    django-otp's devices), whose change lists take `?id__regex=[` or a date-hierarchy year
    of 2147483648 to a 500. Returns the models re-registered."""
    hardened = []
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, HardenedAdmin):
            continue
        base = type(model_admin)
        site.unregister(model)
        site.register(model, type(base.__name__, (HardenedAdmin, base), {"__module__": base.__module__}))
        hardened.append(model)
    return hardened


class CappedInline:
    """Mix in before an `InlineModelAdmin`: at most `max_num` rows, and a posted
    `…-TOTAL_FORMS` above it is refused with the formset's error instead of building that
    many forms (Django's own `absolute_max` is `max_num` + 1000)."""

    max_num = INLINE_MAX_FORMS

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.get_max_num(request, obj) or INLINE_MAX_FORMS)
        return super().get_formset(request, obj, **kwargs)


class LargeTableAdmin(HardenedAdmin):
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


class PrivateSearchAdmin:
    """Mixin for model admins searched by ID number or phone: the search box is posted and
    the term kept in the session, so no ID number or phone lands in a URL (the server's
    access log, the browser's history, a proxy's log). The list's URL carries a short random
    key instead (`?qk=…`, see templates/admin/search_form.html). Mix in before
    `admin.ModelAdmin`. A `?q=` typed into the address bar still searches; the portal's own
    links never make one."""

    private_search = True  # the search form template posts for these admins
    search_key_var = "qk"
    search_marker = "_private_search"
    session_key = "admin_search_terms"
    terms_kept = 20

    def _remember_term(self, request, term: str) -> str:
        terms = dict(request.session.get(self.session_key, {}))
        key = secrets.token_urlsafe(6)
        terms[key] = term
        request.session[self.session_key] = dict(list(terms.items())[-self.terms_kept :])
        return key

    def _recall_term(self, request, key: str) -> str | None:
        return request.session.get(self.session_key, {}).get(key) if key else None

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and self.search_marker in request.POST:
            return self._search_redirect(request)
        key = request.GET.get(self.search_key_var, "")
        if key and self._recall_term(request, key) is None:
            messages.warning(request, "该查询已过期，请重新输入查询内容。")
            params = request.GET.copy()
            del params[self.search_key_var]
            return HttpResponseRedirect(f"{request.path}?{params.urlencode()}" if params else request.path)
        return super().changelist_view(request, extra_context)

    def _search_redirect(self, request):
        """The posted search: the term into the session, the list's filters kept, and a
        redirect to the list with the term's key."""
        skip = {"csrfmiddlewaretoken", self.search_marker, SEARCH_VAR, self.search_key_var, "p"}
        params = QueryDict(mutable=True)
        for name, value in request.POST.items():
            if name not in skip:
                params[name] = value
        term = request.POST.get(SEARCH_VAR, "").strip()
        if term:
            params[self.search_key_var] = self._remember_term(request, term)
        query = params.urlencode()
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)

    def get_changelist_instance(self, request):
        """The list searched for the term behind `?qk=`; its links carry the key, not the term."""
        key = request.GET.get(self.search_key_var, "")
        term = self._recall_term(request, key)
        if term is None:
            return super().get_changelist_instance(request)
        original = request.GET
        searched = original.copy()
        del searched[self.search_key_var]
        searched[SEARCH_VAR] = term
        request.GET = searched
        try:
            changelist = super().get_changelist_instance(request)
        finally:
            request.GET = original
        changelist.params = {k: v for k, v in changelist.params.items() if k != SEARCH_VAR}
        changelist.params[self.search_key_var] = key
        changelist.filter_params = {k: v for k, v in changelist.filter_params.items() if k != SEARCH_VAR}
        changelist.filter_params[self.search_key_var] = [key]
        changelist.preserved_filters = self.get_preserved_filters(request)
        return changelist


class RevealAdmin:
    """Mixin for model admins whose change page shows personal data masked (an ID number, a
    phone) with a "显示完整信息" button: the button posts to `<id>/reveal/`, which shows the full
    values once and calls `log_reveal` (the app writes its access log there). Subclasses give
    `reveal_rows(obj)` — [(label, full value)] — and `log_reveal(request, obj)`, which may
    raise `django.core.exceptions.PermissionDenied` when the view cannot be logged. Mix in
    before `admin.ModelAdmin`."""

    reveal_template = "admin/reveal.html"

    def reveal_rows(self, obj) -> list[tuple[str, str]]:
        raise ImproperlyConfigured(f"{type(self).__name__} must say which values reveal_rows() shows.")

    def log_reveal(self, request, obj) -> None:
        raise ImproperlyConfigured(f"{type(self).__name__} must write its access log in log_reveal().")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        reveal = path(
            "<path:object_id>/reveal/",
            self.admin_site.admin_view(self.reveal_view),
            name="{}_{}_reveal".format(*info),
        )
        return [reveal, *super().get_urls()]

    def reveal_button(self, obj):
        """The button for a masked field on the change page (inside its form: `formaction`)."""
        if obj is None or obj.pk is None:
            return ""
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_reveal", args=[obj.pk])
        return format_html(
            ' <button type="submit" class="button" formaction="{}" formmethod="post" formnovalidate '
            'name="_reveal" data-testid="reveal">显示完整信息</button>',
            url,
        )

    def reveal_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404("记录不存在，或不在您的权限范围内。")
        self.log_reveal(request, obj)
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{self.opts.verbose_name}完整信息",
            "rows": self.reveal_rows(obj),
            "change_url": change_url,
        }
        return TemplateResponse(request, self.reveal_template, context)


@admin.register(ExportLog)
class ExportLogAdmin(LargeTableAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    """Every export of a list (core.exports): who, when, which list and filters, how many rows."""

    list_display = [
        "started_at",
        "user",
        "list_title",
        "format",
        "full",
        "row_count",
        "complete",
        "shown_filters",
    ]
    list_filter = ["list_title", "format", "full", "complete"]
    list_select_related = ["user"]
    search_fields = ["=user__username"]
    search_help_text = "输入导出人的用户名"
    sortable_by = ("started_at",)
    ordering = ["-started_at"]
    date_hierarchy = None

    @admin.display(description="筛选条件")
    def shown_filters(self, obj):
        return "；".join(f"{k}={v}" for k, v in obj.filters.items()) or "（无）"


# `core` comes after django.contrib.auth, axes and django_otp in INSTALLED_APPS, so the admin's
# autodiscovery has registered theirs by now; the portal's own apps mix `HardenedAdmin` in.
harden_registered_admins()
