"""Full-text search of the policy library on SQLite (FTS5, bm25, snippet) and PostgreSQL (tsvector, ts_rank_cd,
ts_headline), over the same pre-segmented text (engine.segment) and the same parsed query (engine.query).

Reads go through core.permissions (rows_q): anonymous users find published documents; a liaison also finds its own
city's drafts; the office and auditors everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from metrocoop.core.models import City
from metrocoop.core.permissions import Action, rows_q
from metrocoop.policies.choices import Level, PolicyDomain, Validity
from metrocoop.policies.engine.query import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    ParsedQuery,
    parse_query,
    render_snippet,
    to_fts5,
    to_tsquery,
)
from metrocoop.policies.models import PolicyDocument, PolicyDomainTag

FILTERS = ("city", "level", "issuer", "domain", "validity", "year")
SORTS = ("relevance", "date", "-date")
BM25_WEIGHTS = "10.0, 2.0, 1.0"  # title, text, sub-words
# The hit count is exact up to this many documents and shown as "1,000+" beyond (counting every match of a common
# word in 100,000 documents costs more than ranking them); facet counts are always exact.
COUNT_CAP = 1000


@dataclass
class Hit:
    document: PolicyDocument
    score: float
    snippet: str


@dataclass
class SearchResult:
    query: str
    within: list[str]
    parsed: ParsedQuery
    total: int
    hits: list[Hit]
    total_exact: bool = True
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

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
            "page": self.page,
            "per_page": self.per_page,
            "sort": self.sort,
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
                    "issued_on": h.document.issued_on.isoformat(),
                    "score": round(h.score, 4),
                    "snippet": h.snippet,
                }
                for h in self.hits
            ],
            "facets": self.facets,
        }


def visible(user: Any) -> QuerySet:
    """Documents `user` may read (the permission filter applied directly: its paths are all to-one)."""
    q = rows_q(user, PolicyDocument, Action.VIEW)
    qs = PolicyDocument.objects.all()
    if q is None:
        return qs.none()
    return qs.filter(q) if q else qs


def apply_filters(qs: QuerySet, filters: dict[str, list[str]]) -> QuerySet:
    """Facet selections: values within one facet are ORed, facets are ANDed."""
    if filters.get("city"):
        qs = qs.filter(city__code__in=filters["city"])
    if filters.get("level"):
        qs = qs.filter(level__in=filters["level"])
    if filters.get("issuer"):
        qs = qs.filter(issuer__in=filters["issuer"])
    if filters.get("validity"):
        qs = qs.filter(validity__in=filters["validity"])
    if filters.get("year"):
        years = [int(y) for y in filters["year"] if str(y).isdigit()]
        qs = qs.filter(issued_on__year__in=years)
    if filters.get("domain"):
        qs = qs.filter(id__in=PolicyDomainTag.objects.filter(domain__in=filters["domain"]).values("document_id"))
    if filters.get("in_force_on"):
        qs = qs.in_force_on(date.fromisoformat(filters["in_force_on"][0]))
    return qs


def _match_ids_sql(parsed: ParsedQuery) -> tuple[str, list[str]]:
    if connection.vendor == "postgresql":
        return (
            "SELECT id FROM policies_policydocument WHERE search_vector @@ to_tsquery('simple', %s)",
            [to_tsquery(parsed)],
        )
    return "SELECT rowid FROM policies_fts WHERE policies_fts MATCH %s", [to_fts5(parsed)]


def _with_match(qs: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """`qs` narrowed to the rows matching the query's text, driven by the full-text index: a join with the FTS5
    table on SQLite, the GIN-indexed tsvector on PostgreSQL (not `id IN (…)`, which scans the document table)."""
    if connection.vendor == "postgresql":
        return qs.extra(
            where=["policies_policydocument.search_vector @@ to_tsquery('simple', %s)"], params=[to_tsquery(parsed)]
        )
    return qs.extra(
        tables=["policies_fts"],
        where=["policies_fts.rowid = policies_policydocument.id", "policies_fts MATCH %s"],
        params=[to_fts5(parsed)],
    )


def matching(qs: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """The rows of `qs` that match the query (text terms ANDed; a document number looked up exactly)."""
    if parsed.doc_number:
        qs = qs.filter(doc_number_norm=parsed.doc_number)
    if any(not t.negated for t in parsed.terms):
        qs = _with_match(qs, parsed)
    elif parsed.terms:  # only exclusions: everything but them
        sql, params = _match_ids_sql(ParsedQuery(parsed.raw, tuple(t.__class__(t.alternatives) for t in parsed.terms)))
        qs = qs.exclude(id__in=RawSQL(sql, params))
    return qs


def _title_first(ranked: list[tuple[int, float]], parsed: ParsedQuery) -> list[tuple[int, float]]:
    """Documents whose title holds every query term come first, each group in score order. bm25 gives a word that
    is in most documents (上海 in "上海大都市圈") almost no weight, so "上海 排污许可" would otherwise not put
    上海市排污许可… first; the rule is the same on both databases."""
    positive = [t for t in parsed.terms if not t.negated]
    if not ranked or not positive:
        return ranked
    titles = dict(PolicyDocument.objects.filter(id__in=[i for i, _ in ranked]).values_list("id", "title"))

    def in_title(doc_id: int) -> bool:
        title = titles.get(doc_id, "").lower()
        return all(any("".join(alt) in title for alt in t.alternatives) for t in positive)

    return sorted(ranked, key=lambda pair: not in_title(pair[0]))  # stable: keeps the score order within groups


def _ranked(base: QuerySet, parsed: ParsedQuery, offset: int, limit: int) -> list[tuple[int, float]]:
    """Page of (id, score) by relevance, best first, among the rows of `base` (visibility and facet filters).

    The best `pool` matches by score are taken (SQLite: FTS5 orders by bm25 itself, `ORDER BY rank`, and the
    candidates are then checked against the filters; PostgreSQL: ts_rank_cd over the GIN matches), documents with
    every term in their title are put first (`_title_first`), and the page is cut from that. Pages beyond the pool
    come from a plain join ordered by score."""
    if parsed.doc_number:
        base = base.filter(doc_number_norm=parsed.doc_number)
    want = offset + limit
    pool = max(200, want * 4)
    if connection.vendor == "postgresql":
        tsq = to_tsquery(parsed)
        rows = (
            base.extra(
                select={"score": "ts_rank_cd(policies_policydocument.search_vector, to_tsquery('simple', %s), 1)"},
                select_params=[tsq],
                where=["policies_policydocument.search_vector @@ to_tsquery('simple', %s)"],
                params=[tsq],
            )
            .order_by("-score", "-issued_on", "id")
            .values_list("id", "score")
        )
        if want > pool:
            return [(i, float(s)) for i, s in rows[offset:want]]
        return _title_first([(i, float(s)) for i, s in rows[:pool]], parsed)[offset:want]
    fts = to_fts5(parsed)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, rank FROM policies_fts WHERE policies_fts MATCH %s AND rank MATCH %s ORDER BY rank LIMIT %s",
            [fts, f"bm25({BM25_WEIGHTS})", pool],
        )
        candidates = cursor.fetchall()
    passing = set(base.filter(id__in=[i for i, _ in candidates]).values_list("id", flat=True))
    ranked = [(i, -float(r)) for i, r in candidates if i in passing]
    if len(ranked) >= want or len(candidates) < pool:
        return _title_first(ranked, parsed)[offset:want]
    rows = (
        base.extra(
            tables=["policies_fts"],
            where=["policies_fts.rowid = policies_policydocument.id", "policies_fts MATCH %s"],
            params=[fts],
            select={"score": f"bm25(policies_fts, {BM25_WEIGHTS})"},
        )
        .order_by("score", "-issued_on", "id")
        .values_list("id", "score")[offset:want]
    )
    return [(i, -float(s)) for i, s in rows]


def snippets(ids: list[int], parsed: ParsedQuery) -> dict[int, str]:
    """Highlighted snippets (HTML) of the documents `ids` for the query, from the database's own highlighter."""
    if not ids or not any(not t.negated for t in parsed.terms):
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            options = (
                f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=60, MinWords=20, "
                'MaxFragments=2, FragmentDelimiter=" … "'
            )
            cursor.execute(
                "SELECT id, ts_headline('simple', text_segmented, to_tsquery('simple', %s), %s) "
                "FROM policies_policydocument WHERE id = ANY(%s)",
                [to_tsquery(parsed), options, ids],
            )
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT rowid, snippet(policies_fts, 1, %s, %s, '…', 40) FROM policies_fts "
                f"WHERE policies_fts MATCH %s AND rowid IN ({marks})",
                [HIGHLIGHT_START, HIGHLIGHT_END, to_fts5(parsed), *ids],
            )
        return {i: render_snippet(s, parsed.tokens) for i, s in cursor.fetchall()}


def facet_counts(qs: QuerySet) -> dict[str, list[dict[str, Any]]]:
    """Counts per city, level, issuer, domain, validity and year over the matching rows, in one statement: the
    matching rows are computed once (a materialised CTE) and grouped six ways."""
    inner, params = (
        qs.order_by().values_list("id", "city_id", "level", "issuer", "validity", "issued_on").query.sql_with_params()
    )
    year = "substr(issued_on, 1, 4)" if connection.vendor == "sqlite" else "CAST(EXTRACT(YEAR FROM issued_on) AS int)"
    city_id = "CAST(city_id AS TEXT)" if connection.vendor == "sqlite" else "CAST(city_id AS text)"
    sql = (
        f"WITH m(id, city_id, level, issuer, validity, issued_on) AS MATERIALIZED ({inner}) "
        f"SELECT 'city', {city_id}, COUNT(*) FROM m GROUP BY city_id "
        "UNION ALL SELECT 'level', level, COUNT(*) FROM m GROUP BY level "
        "UNION ALL SELECT 'issuer', issuer, COUNT(*) FROM m GROUP BY issuer "
        "UNION ALL SELECT 'validity', validity, COUNT(*) FROM m GROUP BY validity "
        f"UNION ALL SELECT 'year', CAST({year} AS TEXT), COUNT(*) FROM m GROUP BY {year} "
        "UNION ALL SELECT 'domain', t.domain, COUNT(*) FROM m JOIN policies_policydomaintag t ON t.document_id = m.id "
        "GROUP BY t.domain"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    cities = {str(c.pk): c for c in City.objects.all()}
    labels = {"level": dict(Level.choices), "validity": dict(Validity.choices), "domain": dict(PolicyDomain.choices)}
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("city", "level", "issuer", "domain", "validity", "year")}
    for facet, value, count in rows:
        if facet == "city":
            city = cities.get(str(value)) if value is not None else None
            out["city"].append(
                {
                    "value": city.code if city else "",
                    "label": city.name_zh if city else "—",
                    "count": count,
                    "order": city.sort_order if city else 999,
                }
            )
        else:
            value = "" if value is None else str(value)
            label = str(labels.get(facet, {}).get(value, value))
            out[facet].append({"value": value, "label": label, "count": count})
    out["city"].sort(key=lambda r: (r.pop("order"), r["value"]))
    for facet in ("level", "issuer", "domain", "validity"):
        out[facet].sort(key=lambda r: (-r["count"], r["value"]))
    out["issuer"] = out["issuer"][:20]
    out["year"].sort(key=lambda r: r["value"], reverse=True)
    return out


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
) -> SearchResult:
    """Search the documents `user` may read. An empty query lists them (newest first), with facets."""
    filters = {k: [v for v in vals if v] for k, vals in (filters or {}).items() if vals}
    parsed = parse_query(query, *within)
    sort = sort if sort in SORTS else "relevance"
    page = max(1, page)
    base = apply_filters(visible(user), filters)
    matched = matching(base, parsed) if not parsed.empty or parsed.terms else base
    total = matched.order_by()[: COUNT_CAP + 1].count()
    total_exact = total <= COUNT_CAP
    total = min(total, COUNT_CAP)
    offset = (page - 1) * per_page
    has_text = any(not t.negated for t in parsed.terms)
    if sort == "relevance" and has_text:
        ranked = _ranked(base, parsed, offset, per_page)
    else:
        order = ("issued_on", "id") if sort == "date" else ("-issued_on", "-id")
        ranked = [(i, 0.0) for i in matched.order_by(*order).values_list("id", flat=True)[offset : offset + per_page]]
    ids = [i for i, _ in ranked]
    docs = PolicyDocument.objects.select_related("city").in_bulk(ids)
    snips = snippets(ids, parsed)
    hits = [Hit(docs[i], score, snips.get(i) or render_snippet(docs[i].text[:120])) for i, score in ranked if i in docs]
    return SearchResult(
        query=query,
        within=list(within),
        parsed=parsed,
        total=total,
        total_exact=total_exact,
        hits=hits,
        facets=facet_counts(matched) if with_facets else {},
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
    )


def like_search(query: str, *, limit: int = 10) -> list[str]:
    """The plain substring baseline of the relevance benchmark: every space-separated part must occur in the title
    or the text (LIKE '%part%'), newest first. Returns document keys."""
    qs = PolicyDocument.objects.filter(status="published")
    parts = query.split()
    for part in parts:
        qs = qs.filter(Q(title__contains=part) | Q(text__contains=part) | Q(doc_number__contains=part))
    return list(qs.order_by("-issued_on", "key").values_list("key", flat=True)[:limit])


def rebuild_index(progress=None, batch: int = 500) -> int:
    """Segment every document again (after a dictionary change) and rebuild the database index."""
    from django.db import transaction

    from metrocoop.policies.engine.segment import segment_document

    ids = list(PolicyDocument.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            docs = list(PolicyDocument.objects.filter(id__in=ids[start : start + batch]))
            for d in docs:
                seg = segment_document(d.title, d.text)
                d.title_segmented, d.text_segmented, d.search_terms = seg.title, seg.text, seg.terms
            PolicyDocument.objects.bulk_update(docs, ["title_segmented", "text_segmented", "search_terms"])
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO policies_fts(policies_fts) VALUES ('rebuild')")
    return len(ids)
