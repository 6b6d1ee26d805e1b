"""Full-text search of the policy library on SQLite (FTS5, bm25, snippet) and PostgreSQL (tsvector, ts_rank_cd,
ts_headline), over the same pre-segmented text and character bigrams (engine.segment) and the same parsed query
(engine.query). A query term matches a document as words (the dictionary's cut) or as all its character bigrams
(whatever the dictionary made of either side); documents matching as words rank first.

- `common.py`: the permission filter, facet filters, the window's row tuple, the database's module;
- `window.py`: the candidate window (WINDOW) and the ranking order over it, the same on both databases;
- `sqlite.py`, `postgres.py`: every statement of each database, one module each;
- `facets.py`: facet counts over the window.

Reads go through core.permissions (rows_q): anonymous users find published documents; a liaison also finds its own
city's drafts; the office and auditors everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from metrocoop.policies.engine.query import ParsedQuery, parse_query, render_snippet
from metrocoop.policies.engine.segment import segment_document
from metrocoop.policies.models import PolicyDocument
from metrocoop.policies.search.common import (
    FILTERS,
    ROW_FIELDS,
    SORTS,
    Row,
    Window,
    apply_filters,
    backend,
    has_text,
    matching,
    recent_matches,
    visible,
)
from metrocoop.policies.search.facets import facet_counts
from metrocoop.policies.search.postgres import BUCKET
from metrocoop.policies.search.window import WINDOW, Ranked, rank, search_window

__all__ = [
    "BUCKET",
    "FILTERS",
    "ROW_FIELDS",
    "SORTS",
    "WINDOW",
    "Hit",
    "Ranked",
    "Row",
    "SearchResult",
    "Window",
    "apply_filters",
    "facet_counts",
    "has_text",
    "like_search",
    "matching",
    "rank",
    "rebuild_index",
    "recent_matches",
    "search",
    "search_window",
    "visible",
]


@dataclass
class Hit:
    document: PolicyDocument
    score: float
    snippet: str
    as_words: bool = True  # False: found through the bigram index only


@dataclass
class SearchResult:
    query: str
    within: list[str]
    parsed: ParsedQuery
    total: int
    hits: list[Hit]
    total_exact: bool = True
    window: int = WINDOW
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    history: bool = False

    @property
    def ranked(self) -> bool:
        """Ordered by relevance (a query with words, sorted by relevance)?"""
        return self.sort == "relevance" and has_text(self.parsed)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "within": self.within,
            "steps": list(self.parsed.steps),
            "total": self.total,
            "total_exact": self.total_exact,
            "window": self.window,
            "page": self.page,
            "per_page": self.per_page,
            "sort": self.sort,
            "history": self.history,
            "filters": self.filters,
            "hits": [
                {
                    "key": h.document.key,
                    "title": h.document.title,
                    "doc_number": h.document.doc_number,
                    "issuer": h.document.issuer,
                    "city": h.document.city.code if h.document.city_id else None,
                    "level": h.document.level,
                    "validity": h.document.validity,
                    "issued_on": h.document.issued_on.isoformat() if h.document.issued_on else None,
                    "score": round(h.score, 4),
                    "snippet": h.snippet,
                }
                for h in self.hits
            ],
            "facets": self.facets,
        }


def search(
    query: str,
    *,
    user: Any = None,
    within: list[str] | tuple[str, ...] = (),
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 10,
    with_facets: bool = True,
    history: bool = False,
) -> SearchResult:
    """Search the documents `user` may read. An empty query lists them (newest first), with facets.

    Every step reads at most a few times `cap` rows, however many documents match: the candidate window is the
    `cap` most recently added matches (all of them when there are no more), which gives the count ("500+"
    beyond), the facet counts and, with the documents whose title holds every term (again at most `cap`, the most
    recently added), the candidates that relevance ranking orders (window.rank). Ranked by relevance, documents in
    force come before repealed or expired ones unless `history` is asked for (window.rank)."""
    filters = {k: [v for v in vals if v] for k, vals in (filters or {}).items() if vals}
    parsed = parse_query(query, *within)
    sort = sort if sort in SORTS else "relevance"
    page = max(1, page)
    cap = search_window()
    base = apply_filters(visible(user), filters)
    recent = recent_matches(base, parsed, cap)
    total_exact = len(recent) <= cap
    recent = recent[:cap]
    offset = (page - 1) * per_page
    if sort == "relevance" and has_text(parsed):
        ranked = rank(base, parsed, recent, total_exact, offset, per_page, history=history)
    else:
        # undated documents (imported, not yet completed) last whichever way
        issued = F("issued_on").asc(nulls_last=True) if sort == "date" else F("issued_on").desc(nulls_last=True)
        matched = matching(base, parsed).order_by(issued, "id" if sort == "date" else "-id")
        ranked = [Ranked(i, 0.0) for i in matched.values_list("id", flat=True)[offset : offset + per_page]]
    ids = [r.id for r in ranked]
    docs, snips = backend().documents(ids, parsed, {r.id for r in ranked if not r.as_words})
    hits = [
        Hit(docs[r.id], r.score, snips.get(r.id) or render_snippet(docs[r.id].text[:120]), r.as_words)
        for r in ranked
        if r.id in docs
    ]
    return SearchResult(
        query=query,
        within=list(within),
        parsed=parsed,
        total=len(recent),
        total_exact=total_exact,
        window=cap,
        hits=hits,
        facets=facet_counts(recent) if with_facets else {},
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        history=history,
    )


def like_search(query: str, *, limit: int = 10) -> list[str]:
    """The plain substring baseline of the relevance benchmark: every space-separated part must occur in the title
    or the text (LIKE '%part%'), newest first. Returns document keys."""
    qs = PolicyDocument.objects.filter(status="published")
    for part in query.split():
        qs = qs.filter(Q(title__contains=part) | Q(text__contains=part) | Q(doc_number__contains=part))
    return list(qs.order_by("-issued_on", "key").values_list("key", flat=True)[:limit])


def rebuild_index(progress=None, batch: int = 500) -> int:
    """Segment every document again (after a dictionary change) and rebuild the database's indexes: the words,
    the sub-words and the character bigrams."""
    ids = list(PolicyDocument.objects.order_by("id").values_list("id", flat=True))
    fields = ["title_segmented", "text_segmented", "search_terms", "search_bigrams"]
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            docs = list(PolicyDocument.objects.filter(id__in=ids[start : start + batch]))
            for d in docs:
                seg = segment_document(d.title, d.text)
                d.title_segmented, d.text_segmented, d.search_terms = seg.title, seg.text, seg.terms
                d.search_bigrams = seg.bigrams
            PolicyDocument.objects.bulk_update(docs, fields)
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    backend().after_rebuild()
    return len(ids)
