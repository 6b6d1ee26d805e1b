"""Full-text search of the policy library on SQLite (FTS5, bm25, snippet) and PostgreSQL (tsvector, ts_rank_cd,
ts_headline), over the same pre-segmented text (engine.segment) and the same parsed query (engine.query).

Reads go through core.permissions (rows_q): anonymous users find published documents; a liaison also finds its own
city's drafts; the office and auditors everything.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
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
# The candidate window. Up to this many matches everything is exact: the count, the facet counts, the ranking. With
# more, the count shows "500+", the facets count the 500 most recently added matches, and ranking orders those, after
# the documents whose title holds every term (the 500 most recently added of them). Reading every match of a common
# word in 100,000 documents cannot be done in 50 ms (PostgreSQL reads each match's TOASTed tsvector, ~5 µs; 30,000
# matches are 150 ms before any ranking); reading 500 of them can. The page, the API (`total_exact`, `window`) and
# the CLI say so. 500 rather than 1,000: ranking and facets cost in proportion; with 1,000 an earlier version took
# 33 ms a query on average on PostgreSQL on the loaded 2-core machine, its slowest queries 45-90 ms.
WINDOW = 500


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
    window: int = WINDOW
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10

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
        # date ranges, not EXTRACT(year …): the issued_on index and the planner's estimates then apply
        years = sorted({int(y) for y in filters["year"] if str(y).isdigit() and 1 <= int(y) <= 9998})
        if not years:
            return qs.none()
        in_years = Q()
        for y in years:
            in_years |= Q(issued_on__gte=date(y, 1, 1), issued_on__lt=date(y + 1, 1, 1))
        qs = qs.filter(in_years)
    if filters.get("domain"):
        qs = qs.filter(id__in=PolicyDomainTag.objects.filter(domain__in=filters["domain"]).values("document_id"))
    if filters.get("in_force_on"):
        qs = qs.in_force_on(date.fromisoformat(filters["in_force_on"][0]))
    return qs


def _match_ids_sql(parsed: ParsedQuery) -> tuple[str, list[str]]:
    if connection.vendor == "postgresql":
        return f"SELECT id FROM policies_policydocument WHERE {SEARCH_INDEXED} @@ to_tsquery('simple', %s)", [
            to_tsquery(parsed)
        ]
    return "SELECT rowid FROM policies_fts WHERE policies_fts MATCH %s", [to_fts5(parsed)]


def _with_match(qs: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """`qs` narrowed to the rows matching the query's text, driven by the full-text index: a join with the FTS5
    table on SQLite, the GIN index on PostgreSQL (not `id IN (…)`, which scans the document table)."""
    if connection.vendor == "postgresql":
        return qs.extra(where=[f"{SEARCH_INDEXED} @@ to_tsquery('simple', %s)"], params=[to_tsquery(parsed)])
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


# What the candidate window keeps of each row: enough to rank, count and facet without reading the row again. The
# columns are short ones, on the row's first page (SQLite) or inline in the heap tuple (PostgreSQL).
ROW_FIELDS = ("id", "city_id", "level", "issuer", "validity", "issued_on")
Row = tuple[Any, ...]  # (id, city_id, level, issuer, validity, issued_on), as ROW_FIELDS
# PostgreSQL's GIN indexes (migration 0004) are on these expressions, which queries must repeat for the index to be
# used: the tsvector plus one lexeme naming the document's id bucket ('#97' for ids 99,328-100,351). The lexeme
# lets one GIN scan answer "matches among the most recently added" (`_pg_recent`): no word of a query can be
# '#…' (the parser drops the '#'), and ranking reads the plain tsvector, which has no such lexeme.
BUCKET = 1024
_BUCKET_LEXEME = f"array_to_tsvector(ARRAY['#' || (policies_policydocument.id / {BUCKET})::text])"
SEARCH_INDEXED = f"(policies_policydocument.search_vector || {_BUCKET_LEXEME})"
TITLE_TSVECTOR = "to_tsvector('simple', coalesce(policies_policydocument.title_segmented, ''))"
TITLE_INDEXED = f"({TITLE_TSVECTOR} || {_BUCKET_LEXEME})"


def has_text(parsed: ParsedQuery) -> bool:
    """Does the query require some word (not only a document number or exclusions)?"""
    return any(not t.negated for t in parsed.terms)


def _rows(qs: QuerySet, cap: int) -> list[Row]:
    return [tuple(r) for r in qs.values_list(*ROW_FIELDS)[: cap + 1]]


def _buckets(low: int, high: int) -> str:
    """A tsquery text (for the `::tsquery` cast, not parsed) matching the id buckets of ids `low` … `high`."""
    return " | ".join(f"'#{b}'" for b in range(max(low, 0) // BUCKET, high // BUCKET + 1))


def _pg_recent(
    qs: QuerySet,
    indexed: str,
    loose: str,
    checks: list[tuple[str, str]],
    cap: int,
    lower: int | None,
    upper: int | None,
    score: str | None = None,
) -> list[Row]:
    """The `cap` + 1 highest-id rows of `qs` whose `indexed` tsvector expression matches the tsquery `loose` and
    that pass `checks` ((SQL with one %s, tsquery text): what the index cannot tell, as a phrase's word order), with
    `lower` <= id < `upper`, highest first.

    Neither the primary key nor the GIN index alone gives "the most recently added matches" cheaply: walking the
    key backwards tests each row against its TOASTed tsvector (~5 µs a row), reading all matches costs as many row
    visits as there are matches, and the planner, misled by estimates (several words that go together: 90
    estimated, 11,000 real), will not reliably AND the two bitmaps. So the id buckets are in the GIN index itself
    and a window is asked as `query & ('#97' | '#96' | …)`: one index scan yields only the matches in the window.
    The first window is sized from the planner's estimate of the matches (good for one word), a window that holds
    too few is widened from the share it held; a query visits about `cap` rows whatever the number of matches.
    With `lower`, one query does (over the buckets from `lower` to `upper` when `upper` is given).
    `score` (a tsquery text): each row gets its ts_rank_cd as a last column, read in the same visit of the row."""
    if qs.query.is_empty():
        return []
    fixed = [sql for sql, _ in checks]
    fixed_params: list[Any] = [value for _, value in checks]
    if upper:
        fixed.append("policies_policydocument.id < %s")
        fixed_params.append(upper)
    if lower:
        fixed.append("policies_policydocument.id >= %s")
        fixed_params.append(lower)

    def fetch(cursor: Any, buckets: str | None, low: int = 1) -> list[Row]:
        if buckets:
            match, match_params = f"{indexed} @@ (to_tsquery('simple', %s) && %s::tsquery)", [loose, buckets]
        else:
            match, match_params = f"{indexed} @@ to_tsquery('simple', %s)", [loose]
        where, params = [match, *fixed], [*match_params, *fixed_params]
        if low > 1:
            where.append("policies_policydocument.id >= %s")
            params.append(low)
        window = qs.extra(where=where, params=params)
        if score:
            expression = "ts_rank_cd(policies_policydocument.search_vector, to_tsquery('simple', %s), 1)"
            window = window.extra(select={"score": expression}, select_params=[score])
        fields = (*ROW_FIELDS, "score") if score else ROW_FIELDS
        sql, sql_params = window.order_by().values_list(*fields).query.sql_with_params()
        # bitmap scans only, for this statement: a plain index scan of the primary key over a narrow id range
        # would test every row against the indexed expression (reading its tsvector). One round trip: the
        # statements of one simple-protocol message run in one transaction (an implicit one outside a transaction
        # block), and the settings are put back before the message ends.
        cursor.execute(
            "SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off; "
            f"WITH w AS MATERIALIZED ({sql}) SELECT * FROM w ORDER BY 1 DESC LIMIT %s; "
            "SET LOCAL enable_indexscan TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT",
            [*sql_params, cap + 1],
        )
        while cursor.description is None and cursor.nextset():  # past the SETs to the rows
            pass
        return cursor.fetchall()

    try:
        with connection.cursor() as cursor:
            if lower:
                return fetch(cursor, _buckets(lower, upper - 1) if lower > 1 and upper else None)
            # the highest id and the planner's estimate of the matches, in one round trip
            sql, sql_params = (
                qs.extra(where=[f"{indexed} @@ to_tsquery('simple', %s)", *fixed], params=[loose, *fixed_params])
                .order_by()
                .values("id")
                .query.sql_with_params()
            )
            cursor.execute(f"SELECT max(id) FROM policies_policydocument; EXPLAIN (FORMAT JSON) {sql}", sql_params)
            top = upper - 1 if upper else cursor.fetchone()[0] or 0
            cursor.nextset()
            plan = cursor.fetchone()[0]
            estimate = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
            # a margin of half covers the estimate's error for one word (a second window costs another index scan,
            # more than the extra rows); several words that go together are estimated far too low, so the first
            # window is at most 32 times the cap
            width = min(32 * (cap + 1), max(2 * (cap + 1), int((cap + 1) * top / max(estimate, 1) * 1.5)))
            while True:
                low = top - width + 1
                # a wide window as buckets costs the index more than reading the matches outside it: the wider the
                # window, the rarer the matches (or a filter, as a year, that the planner ANDs with its own index),
                # so beyond a quarter of the ids the window is only a condition on the rows
                rows = fetch(cursor, _buckets(low, top) if 4 * width <= top else None, low)
                if len(rows) > cap or low <= 1:
                    return rows
                width = max(4 * width, int(width * (cap + 1) / max(len(rows), 1) * 1.5))
    except EmptyResultSet:  # a filter that nothing passes (Django does not send such a query)
        return []


def recent_matches(
    base: QuerySet,
    parsed: ParsedQuery,
    cap: int,
    *,
    title: bool = False,
    lower: int | None = None,
    upper: int | None = None,
    scored: bool = False,
    verified: bool = True,
) -> list[Row]:
    """The most recently added (highest id) `cap` + 1 rows of `base` that match the query, highest id first, as
    ROW_FIELDS tuples; more than `cap` rows means more than `cap` matches. `title`: only documents whose title holds
    every required term. `lower` <= id < `upper` when given. `scored`: on PostgreSQL the rows carry their score as
    a last column, computed in the same visit (on SQLite `scores` is cheap and bm25 needs the whole-document query).
    `verified=False` (PostgreSQL): the exclusions of the query are not checked (`scores(…, verify=True)` does).

    Both engines find these without reading every match: FTS5 returns rowids in descending order itself (`ORDER BY
    rowid DESC` is consumed by the virtual table) and SQLite looks each one up in the document table until `cap` + 1
    pass the filters; PostgreSQL works through id windows (`_pg_recent`)."""
    if not has_text(parsed):
        qs = matching(base, parsed)
        if lower:
            qs = qs.filter(id__gte=lower)
        if upper:
            qs = qs.filter(id__lt=upper)
        return _rows(qs.order_by("-id"), cap)
    if parsed.doc_number:
        base = base.filter(doc_number_norm=parsed.doc_number)
    if connection.vendor == "postgresql":
        # the index answers the loose query (no exclusions, phrases as AND); what it cannot tell is checked on the
        # rows it yields: a phrase's word order, in the title or the document, and the exclusions
        loose, positive, full = (
            to_tsquery(parsed, loose=True),
            to_tsquery(parsed, positive_only=True),
            to_tsquery(parsed),
        )
        checks: list[tuple[str, str]] = []
        if title and positive != loose:
            checks.append((f"{TITLE_TSVECTOR} @@ to_tsquery('simple', %s)", positive))
        if verified and full != (positive if title else loose):
            checks.append(("policies_policydocument.search_vector @@ to_tsquery('simple', %s)", full))
        indexed = TITLE_INDEXED if title else SEARCH_INDEXED
        return _pg_recent(base, indexed, loose, checks, cap, lower, upper, full if scored else None)
    where = ["policies_fts.rowid = policies_policydocument.id", "policies_fts MATCH %s"]
    params = [to_fts5(parsed, title_only=title)]
    if lower:
        where.append("policies_fts.rowid >= %s")
        params.append(lower)
    if upper:
        where.append("policies_fts.rowid < %s")
        params.append(upper)
    qs = base.extra(tables=["policies_fts"], where=where, params=params).extra(order_by=["-policies_fts.rowid"])
    return _rows(qs, cap)


def scores(ids: list[int], parsed: ParsedQuery, *, verify: bool = False) -> dict[int, float]:
    """Relevance of those of the documents `ids` that match the query, higher is better: bm25 with the column
    weights on SQLite, ts_rank_cd (normalised by length) on PostgreSQL. `verify`: some ids may not match (they
    were found by the index alone); PostgreSQL then checks the query too (SQLite's MATCH always does)."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsq = to_tsquery(parsed)
            check = " AND search_vector @@ to_tsquery('simple', %s)" if verify else ""
            cursor.execute(
                "SELECT id, ts_rank_cd(search_vector, to_tsquery('simple', %s), 1) FROM policies_policydocument "
                f"WHERE id = ANY(%s){check}",
                [tsq, ids, *([tsq] if verify else [])],
            )
            return {i: float(s) for i, s in cursor.fetchall()}
        # `+rowid` keeps the id list out of FTS5's plan: FTS5 walks the matches from the lowest wanted id once and
        # scores only the listed ones (a `rowid IN (…)` handed to FTS5 runs the whole query once per id)
        cursor.execute(
            f"SELECT rowid, bm25(policies_fts, {BM25_WEIGHTS}) FROM policies_fts WHERE policies_fts MATCH %s "
            "AND rowid >= %s AND +rowid IN (SELECT value FROM json_each(%s))",
            [to_fts5(parsed), min(ids), json.dumps(ids)],
        )
        return {i: -float(s) for i, s in cursor.fetchall()}


def _day(value: Any) -> int:
    return (value if isinstance(value, date) else date.fromisoformat(str(value))).toordinal()


def rank(
    base: QuerySet, parsed: ParsedQuery, recent: list[Row], exact: bool, offset: int, limit: int
) -> list[tuple[int, float]]:
    """Page of (id, score), best first, among the rows of `base` matching the query, `recent` being the candidate
    window (all matches when `exact`, else the most recently added ones).

    Documents whose title holds every required term come first: bm25 gives a word that is in most documents (上海
    in "上海大都市圈") almost no weight, so "上海 排污许可" would otherwise not put 上海市排污许可… first; the
    rule is the same on both databases. The order is fixed, so pages follow each other:
      1. title matches in the window, by score;
      2. only when the window is not every match: older title matches (the `cap` most recently added), by score;
      3. the other matches in the window, by score.
    Within a group equal scores go newest issued first. A group is fetched and scored only when the page reaches
    it: a common word's first page scores the title matches of the window only."""
    want = offset + limit
    if not recent:
        return []
    cap = len(recent)  # the window's size: the cap, or fewer when it holds every match
    lower = recent[-1][0]
    ordered: list[tuple[int, float]] = []

    def add(rows: list[Row], verify: bool = False) -> None:
        if rows and len(rows[0]) > len(ROW_FIELDS):  # scored as they were read
            score = {r[0]: float(r[-1]) for r in rows}
        else:
            score = scores([r[0] for r in rows], parsed, verify=verify)
        rows = sorted((r for r in rows if r[0] in score), key=lambda r: (-score[r[0]], -_day(r[5]), r[0]))
        ordered.extend((r[0], score[r[0]]) for r in rows)

    titled = recent_matches(base, parsed, cap, title=True, lower=lower, upper=recent[0][0] + 1, scored=True)[:cap]
    add(titled)
    if len(ordered) < want and not exact:
        # older title matches are few when the window holds fewer than a page of them: one query over all ids.
        # On PostgreSQL the exclusions are checked when they are scored, on these `cap` at most: checked in the
        # query, a word excluded from most of them would make it read every title match.
        older = recent_matches(base, parsed, cap, title=True, lower=1, upper=lower, verified=False)[:cap]
        add(older, verify=True)
    if len(ordered) < want:
        in_title = {r[0] for r in titled}
        add([r for r in recent if r[0] not in in_title])
    return ordered[offset:want]


HEADLINE_OPTIONS = (
    f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=60, MinWords=20, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
HEADLINE_SQL = "ts_headline('simple', policies_policydocument.text_segmented, to_tsquery('simple', %s), %s)"


def snippets(ids: list[int], parsed: ParsedQuery) -> dict[int, str]:
    """Highlighted snippets (HTML) of the documents `ids` for the query, from the database's own highlighter."""
    if not ids or not has_text(parsed):
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id, {HEADLINE_SQL} FROM policies_policydocument WHERE id = ANY(%s)",
                [to_tsquery(parsed), HEADLINE_OPTIONS, ids],
            )
        else:
            # `+rowid`: one walk over the matches in the ids' range (see `scores`), not one query per id
            cursor.execute(
                "SELECT rowid, snippet(policies_fts, 1, %s, %s, '…', 40) FROM policies_fts "
                "WHERE policies_fts MATCH %s AND rowid BETWEEN %s AND %s "
                "AND +rowid IN (SELECT value FROM json_each(%s))",
                [HIGHLIGHT_START, HIGHLIGHT_END, to_fts5(parsed), min(ids), max(ids), json.dumps(ids)],
            )
        return {i: render_snippet(s, parsed.tokens) for i, s in cursor.fetchall()}


def documents(ids: list[int], parsed: ParsedQuery) -> tuple[dict[int, PolicyDocument], dict[int, str]]:
    """The documents `ids` (with their city) and their snippets. On PostgreSQL the snippet comes with the row (one
    round trip); SQLite's snippet() needs the FTS5 table and is a query of its own."""
    qs = PolicyDocument.objects.select_related("city").defer("title_segmented", "text_segmented", "search_terms")
    if connection.vendor != "postgresql" or not has_text(parsed) or not ids:
        return qs.in_bulk(ids), snippets(ids, parsed)
    docs = qs.annotate(marked=RawSQL(HEADLINE_SQL, [to_tsquery(parsed), HEADLINE_OPTIONS])).in_bulk(ids)
    return docs, {i: render_snippet(d.marked, parsed.tokens) for i, d in docs.items()}


def facet_counts(rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    """Counts per city, level, issuer, domain, validity and year over `rows` (the candidate window: every match when
    there are at most WINDOW, else the WINDOW most recently added), counted here; domains in one grouped
    query over the rows' ids."""
    ids = [r[0] for r in rows]
    counted: dict[str, Counter] = {
        "city": Counter(r[1] for r in rows),
        "level": Counter(r[2] for r in rows),
        "issuer": Counter(r[3] for r in rows),
        "validity": Counter(r[4] for r in rows),
        "year": Counter(str(_year(r[5])) for r in rows),
        "domain": Counter(),
    }
    if ids:
        # one parameter for the ids (an array, a JSON list), not one placeholder each
        match = (
            "document_id = ANY(%s)"
            if connection.vendor == "postgresql"
            else "document_id IN (SELECT value FROM json_each(%s))"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT domain, COUNT(*) FROM policies_policydomaintag WHERE {match} GROUP BY domain",
                [ids if connection.vendor == "postgresql" else json.dumps(ids)],
            )
            counted["domain"] = Counter(dict(cursor.fetchall()))
    cities = {c.pk: c for c in City.objects.all()}
    labels = {"level": dict(Level.choices), "validity": dict(Validity.choices), "domain": dict(PolicyDomain.choices)}
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ("city", "level", "issuer", "domain", "validity", "year")}
    for city_id, count in counted.pop("city").items():
        city = cities.get(city_id) if city_id is not None else None
        out["city"].append(
            {
                "value": city.code if city else "",
                "label": city.name_zh if city else "—",
                "count": count,
                "order": city.sort_order if city else 999,
            }
        )
    for facet, counts in counted.items():
        for value, count in counts.items():
            value = "" if value is None else str(value)
            out[facet].append({"value": value, "label": str(labels.get(facet, {}).get(value, value)), "count": count})
    out["city"].sort(key=lambda r: (r.pop("order"), r["value"]))
    for facet in ("level", "issuer", "domain", "validity"):
        out[facet].sort(key=lambda r: (-r["count"], r["value"]))
    out["issuer"] = out["issuer"][:20]
    out["year"].sort(key=lambda r: r["value"], reverse=True)
    return out


def _year(value: Any) -> int:
    return value.year if isinstance(value, date) else int(str(value)[:4])


def search_window() -> int:
    """WINDOW, or the POLICIES_SEARCH_WINDOW setting where a deployment (or a test) sets another."""
    return int(getattr(settings, "POLICIES_SEARCH_WINDOW", WINDOW))


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
    """Search the documents `user` may read. An empty query lists them (newest first), with facets.

    Every step reads at most a few times `cap` rows, however many documents match: the candidate window is the
    `cap` most recently added matches (all of them when there are no more), which gives the count ("500+"
    beyond), the facet counts and, with the documents whose title holds every term (again at most `cap`, the most
    recently added), the candidates that relevance ranking orders."""
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
        ranked = rank(base, parsed, recent, total_exact, offset, per_page)
    else:
        order = ("issued_on", "id") if sort == "date" else ("-issued_on", "-id")
        matched = matching(base, parsed)
        ranked = [(i, 0.0) for i in matched.order_by(*order).values_list("id", flat=True)[offset : offset + per_page]]
    ids = [i for i, _ in ranked]
    docs, snips = documents(ids, parsed)
    hits = [Hit(docs[i], score, snips.get(i) or render_snippet(docs[i].text[:120])) for i, score in ranked if i in docs]
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
