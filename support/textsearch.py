"""Search terms for Chinese text: PostgreSQL's full-text parser does not segment Chinese,
so text is indexed as overlapping character bigrams (the CJK n-gram approach) plus whole
Latin words and numbers. "保费上涨" → 保费 费上 上涨; an article matches by the share of
the query's bigrams it contains."""

from __future__ import annotations

import math
import re
import unicodedata

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
MAX_QUERY_TERMS = 16
MIN_COVERAGE = 0.6  # share of the query's terms an answer must contain


def terms(text: str) -> list[str]:
    """The distinct search terms of `text`, in order of first appearance."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    found: list[str] = []
    for match in re.finditer(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+", text):
        run = match.group()
        if _CJK_RUN.fullmatch(run):
            found.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        else:
            found.append(run)
    return list(dict.fromkeys(found))


def as_field(text: str) -> str:
    """The terms of `text` as stored: space-separated, with a space at both ends so that
    `LIKE '% 脱保 %'` matches whole terms on databases without full-text search."""
    return f" {' '.join(terms(text))} "


def query_terms(query: str) -> list[str]:
    return terms(query)[:MAX_QUERY_TERMS]


def score(query: list[str], *, title: str, body: str) -> float:
    """How well an article answers `query`: the share of the query's terms it contains,
    a term in the title (or keywords) counting one and a half times. 0 when the article
    holds less than `MIN_COVERAGE` of the terms."""
    if not query:
        return 0.0
    title_terms = set(title.split())
    body_terms = set(body.split())
    hits = [t for t in query if t in title_terms or t in body_terms]
    if len(hits) < math.ceil(len(query) * MIN_COVERAGE):
        return 0.0
    return sum(1.5 if t in title_terms else 1.0 for t in hits) / len(query)
