from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from support import access, selectors
from support.choices import Category


@require_GET
@access.required(access.can_read_articles)
def kb_search(request: HttpRequest) -> HttpResponse:
    """Knowledge-base answers for the search box beside the reply form (an htmx fragment)."""
    query = request.GET.get("q", "").strip()[:100]
    hits = selectors.kb_search(query) if len(query) >= 2 else []
    category = request.GET.get("category", "")
    # Suggestions for a ticket: its subject's answers, else the usual ones of its category.
    fallback = selectors.kb_for_category(category) if not hits and category in Category.values else []
    return render(
        request, "support/includes/kb_results.html", {"query": query, "hits": hits, "fallback": fallback}
    )
