"""Search terms that may be an ID number or a phone never travel in a URL.

A search is posted; the term is kept in the session under a short random key, and the
results' URL carries only that key — so no ID number or phone lands in the server's access
log, the browser's history or a proxy's log. Each page keeps its own few recent terms.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest

KEEP = 20  # terms kept per page, newest last


def remember_term(request: HttpRequest, page: str, term: str) -> str:
    """Keep `term` for `page` and return the key to put in the URL instead."""
    session_key = f"search_terms:{page}"
    terms = dict(request.session.get(session_key, {}))
    key = secrets.token_urlsafe(6)
    terms[key] = term
    request.session[session_key] = dict(list(terms.items())[-KEEP:])
    return key


def recall_term(request: HttpRequest, page: str, key: str | None) -> str | None:
    """The term kept under `key` for `page` in this session, or None."""
    if not key:
        return None
    return request.session.get(f"search_terms:{page}", {}).get(key)
