"""Numbers a person types into a URL or a form field, read without a 500 whatever they type.

Only ASCII digits are digits here, after folding full-width ones (a Chinese IME types
"４２"): `str.isdigit()` also says yes to "²", "٣" and "३", which `int()` then refuses or
reads as a number nobody meant. A database id is a PostgreSQL bigint, and a page number
becomes an OFFSET (a bigint too): both are bounded before a query sees them.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.paginator import EmptyPage, Paginator
from django.http import HttpRequest
from django_tables2 import Table
from django_tables2.paginators import LazyPaginator

BIGINT_MAX = 2**63 - 1
MAX_DIGITS = 18  # every 18-digit number fits a bigint
MAX_PAGE = 1_000  # past this a list is a search to narrow, not pages to turn
PAGE_BEYOND_NOTE = "没有第 {page} 页，已显示第 {shown} 页。"

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _digits(value: object) -> str | None:
    """The value as ASCII digits (full-width folded, spaces around trimmed), else None."""
    if value is None:
        return None
    text = str(value).translate(_FULL_WIDTH_DIGITS).strip(" \t")
    return text if _ASCII_DIGITS.fullmatch(text) else None


def ascii_int(value: object, *, max_value: int = BIGINT_MAX) -> int | None:
    """`value` as a whole number from 0 to `max_value`: "42" → 42, "４２" → 42; None for
    anything else — "", "-1", "1.0", "1e3", "²", "٣", "99999999999999999999", "4" * 5000."""
    digits = _digits(value)
    if digits is None or len(digits) > MAX_DIGITS:
        return None
    number = int(digits)
    return number if number <= max_value else None


def page_number(value: object, *, max_page: int = MAX_PAGE) -> int:
    """The page a list is asked for: 1 for anything not a number (or 0); a page past
    `max_page`, however many digits, is `max_page` (past the data, see `paginate`)."""
    digits = _digits(value)
    if digits is None:
        return 1
    digits = digits.lstrip("0")
    if not digits:
        return 1
    return max_page if len(digits) > len(str(max_page)) else min(int(digits), max_page)


def paginate(
    request: HttpRequest, table: Table, *, per_page: int, lazy: bool = False, max_page: int = MAX_PAGE
) -> Table:
    """django-tables2's `RequestConfig`, without its 500s: the page comes from
    `page_number`, and the page size is the view's — never `?per_page=` (0 divides by zero,
    -1 is a negative slice, 10⁹ reads the whole table).

    A page past the data shows the last page (the first, for a `LazyPaginator`, which counts
    nothing and so cannot know the last) with a note saying so. Build the table without
    `request=`: django-tables2 would page it by the URL first."""
    table.request = request
    order_by = request.GET.getlist(table.prefixed_order_by_field)
    if order_by:
        table.order_by = order_by
    asked = page_number(request.GET.get(table.prefixed_page_field), max_page=max_page)
    paginator_class = LazyPaginator if lazy else Paginator
    try:
        table.paginate(paginator_class=paginator_class, per_page=per_page, page=asked)
    except EmptyPage:
        shown = 1 if lazy else max(table.paginator.num_pages, 1)
        table.paginate(paginator_class=paginator_class, per_page=per_page, page=shown)
        messages.info(request, PAGE_BEYOND_NOTE.format(page=asked, shown=shown))
    return table
