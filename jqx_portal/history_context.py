"""Who and which page, for the change history (django-pghistory's context), on the requests that
may change a tracked record.

pghistory's middleware enters its context for every POST, and from then on prefixes each
statement that is not a plain SELECT — a search's UNION, a savepoint, the session's UPDATE —
with two `set_config` calls and the context as JSON. The POSTs that only read
(`db_router.READ_ONLY_POST_VIEWS`: the desks' searches, the API's renewal status and quote) write
no tracked table (history.models), so they go without it.
"""

from __future__ import annotations

from django.urls import Resolver404, resolve
from pghistory import config
from pghistory.middleware import HistoryMiddleware as PghistoryMiddleware

from jqx_portal.db_router import READ_ONLY_POST_VIEWS


def reads_only(request) -> bool:
    """Whether the request is a POST to a view that only reads."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.view_name in READ_ONLY_POST_VIEWS


class HistoryMiddleware(PghistoryMiddleware):
    def __call__(self, request):
        if request.method in config.middleware_methods() and reads_only(request):
            return self.get_response(request)
        return super().__call__(request)
