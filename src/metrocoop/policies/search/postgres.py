"""PostgreSQL: every search statement. The word index is the stored tsvector `search_vector` ('simple' config over the
segmented text, weighted title A / text B / sub-words C; migration 0002); the bigram index is the stored tsvector
`bigram_vector` over `search_bigrams` (migration 0005). One GIN index covers both plus a lexeme naming the row's id
bucket (`SEARCH_INDEXED`), so one tsquery ANDs terms that match as words with terms that match as bigrams, and
"the most recently added matches" is one index scan (`recent`); a second GIN index covers the title's own tsvector
(`TITLE_INDEXED`, migration 0004). The expressions here must stay those of the indexes for them to be used.

Neither the primary key nor the GIN index alone gives "the newest matches" cheaply: walking the key backwards tests
each row against its TOASTed tsvector (~5 µs a row), and the planner, misled by estimates (several words that go
together: 90 rows estimated, 11,000 real), will not reliably AND the GIN bitmap with a primary-key range. So a window
is asked as `query && ('#97' | '#96' | …)`. Phrases and exclusions, which a GIN index cannot check, are checked on
the rows it yields. The window statements run with bitmap scans only (`_bitmap_only`, the one place that changes a
planner setting, for that statement alone).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from metrocoop.policies.engine.query import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    ParsedQuery,
    render_snippet,
    string_snippet,
    to_tsquery,
)
from metrocoop.policies.models import PolicyDocument
from metrocoop.policies.search.common import ROW_FIELDS, Row, Window, has_text, id_bounds

BUCKET = 1024
_BUCKET_LEXEME = f"array_to_tsvector(ARRAY['#' || (policies_policydocument.id / {BUCKET})::text])"
# words and bigrams together (ranking a match through bigrams, checking phrases and exclusions)
COMBINED = "(policies_policydocument.search_vector || policies_policydocument.bigram_vector)"
SEARCH_INDEXED = f"(policies_policydocument.search_vector || policies_policydocument.bigram_vector || {_BUCKET_LEXEME})"
TITLE_TSVECTOR = "to_tsvector('simple', coalesce(policies_policydocument.title_segmented, ''))"
TITLE_INDEXED = f"({TITLE_TSVECTOR} || {_BUCKET_LEXEME})"
HEADLINE_OPTIONS = (
    f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=60, MinWords=20, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
HEADLINE_SQL = "ts_headline('simple', policies_policydocument.text_segmented, to_tsquery('simple', %s), %s)"


def with_match(qs: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """`qs` narrowed to the rows matching the query (words or bigrams) through the GIN index (not `id IN (…)`,
    which scans the document table)."""
    return qs.extra(where=[f"{SEARCH_INDEXED} @@ to_tsquery('simple', %s)"], params=[to_tsquery(parsed, bigrams=True)])


def match_ids_sql(parsed: ParsedQuery) -> tuple[str, list[str]]:
    return f"SELECT id FROM policies_policydocument WHERE {SEARCH_INDEXED} @@ to_tsquery('simple', %s)", [
        to_tsquery(parsed, bigrams=True)
    ]


def _buckets(low: int, high: int) -> str:
    """A tsquery text (for the `::tsquery` cast, not parsed) matching the id buckets of ids `low` … `high`."""
    return " | ".join(f"'#{b}'" for b in range(max(low, 0) // BUCKET, high // BUCKET + 1))


def _bitmap_only(cursor: Any, sql: str, params: list[Any]) -> list[Row]:
    """Run a window statement with bitmap scans only: a plain index scan of the primary key over a narrow id range
    would test every row against the indexed expression (reading its tsvector). One round trip: the statements of
    one simple-protocol message run in one transaction, and the settings are put back before the message ends
    (this needs Django's default client-side parameter binding)."""
    cursor.execute(
        "SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off; "
        f"{sql}; SET LOCAL enable_indexscan TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT",
        params,
    )
    while cursor.description is None and cursor.nextset():  # past the SETs to the rows
        pass
    return cursor.fetchall()


def _recent(
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
    that pass `checks` ((SQL with one %s, tsquery text): what the index cannot tell), with `lower` <= id < `upper`,
    highest first. The first window is sized from the planner's estimate of the matches (good for one word), a
    window that holds too few is widened from the share it held: a query visits about `cap` rows whatever the
    number of matches. With `lower`, one query does. `score` (a tsquery text): each row gets its ts_rank_cd as a
    last column, read in the same visit of the row."""
    if qs.query.is_empty():
        return []
    bounds, bound_params = id_bounds("policies_policydocument.id", lower, upper)
    fixed = [*(sql for sql, _ in checks), *bounds]
    fixed_params: list[Any] = [*(value for _, value in checks), *bound_params]

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
        return _bitmap_only(
            cursor, f"WITH w AS MATERIALIZED ({sql}) SELECT * FROM w ORDER BY 1 DESC LIMIT %s", [*sql_params, cap + 1]
        )

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
            # a margin of half covers the estimate's error for one word; several words that go together are
            # estimated far too low, so the first window is at most 32 times the cap
            width = min(32 * (cap + 1), max(2 * (cap + 1), int((cap + 1) * top / max(estimate, 1) * 1.5)))
            while True:
                low = top - width + 1
                # beyond a quarter of the ids the window is only a condition on the rows (the matches are then
                # rare, and buckets would cost the index more than reading them)
                found = fetch(cursor, _buckets(low, top) if 4 * width <= top else None, low)
                if len(found) > cap or low <= 1:
                    return found
                width = max(4 * width, int(width * (cap + 1) / max(len(found), 1) * 1.5))
    except EmptyResultSet:  # a filter that nothing passes (Django does not send such a query)
        return []


def recent(base: QuerySet, parsed: ParsedQuery, cap: int, window: Window) -> list[Row]:
    """The `cap` + 1 highest-id rows of `base` matching a query with words (`common.recent_matches`), highest first.
    The index answers the loose query (no exclusions, phrases as AND); a phrase's word order and the exclusions are
    checked on the rows it yields (`window.verified=False`: the exclusions are not, the caller checks them when
    scoring). `window.scored`: the rows carry their word score as a last column."""
    title = window.title
    full = to_tsquery(parsed, bigrams=True)
    checks: list[tuple[str, str]] = []
    if title:
        loose, positive = to_tsquery(parsed, loose=True), to_tsquery(parsed, positive_only=True)
        if positive != loose:
            checks.append((f"{TITLE_TSVECTOR} @@ to_tsquery('simple', %s)", positive))
        if window.verified and any(t.negated for t in parsed.terms):
            checks.append((f"{COMBINED} @@ to_tsquery('simple', %s)", full))
        indexed = TITLE_INDEXED
    else:
        # the index answers the terms' bigrams exactly (what every match holds, as words or not); a quoted phrase's
        # word order and the exclusions are checked on the rows it yields
        loose = to_tsquery(parsed, loose=True, bigrams=True)
        inexact = any(t.negated or not t.grams for t in parsed.terms)
        if window.verified and inexact and full != loose:
            checks.append((f"{COMBINED} @@ to_tsquery('simple', %s)", full))
        indexed = SEARCH_INDEXED
    score = to_tsquery(parsed) if window.scored else None
    return _recent(base, indexed, loose, checks, cap, window.lower, window.upper, score)


def scores(ids: list[int], parsed: ParsedQuery, *, words: bool, verify: bool = False) -> dict[int, float]:
    """ts_rank_cd (normalised by length; higher is better) of those of `ids` that match the query: as words
    (`words`; `verify` checks that they do), or as bigrams (rows the window already checked)."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        if words:
            tsq = to_tsquery(parsed)
            check = " AND search_vector @@ to_tsquery('simple', %s)" if verify else ""
            cursor.execute(
                "SELECT id, ts_rank_cd(search_vector, to_tsquery('simple', %s), 1) FROM policies_policydocument "
                f"WHERE id = ANY(%s){check}",
                [tsq, ids, *([tsq] if verify else [])],
            )
        else:  # found through bigrams: their score in the bigram tsvector (not the two joined, twice the reading)
            cursor.execute(
                "SELECT id, ts_rank_cd(bigram_vector, to_tsquery('simple', %s), 1) FROM policies_policydocument "
                "WHERE id = ANY(%s)",
                [to_tsquery(parsed, bigrams=True, loose=True), ids],
            )
        return {i: float(s) for i, s in cursor.fetchall()}


def documents(
    ids: list[int], parsed: ParsedQuery, strings: set[int]
) -> tuple[dict[int, PolicyDocument], dict[int, str]]:
    """The documents `ids` (with their city) and their highlighted snippets in one query: ts_headline for those
    matching as words, one cut from the text around the terms for those in `strings` (found through bigrams)."""
    qs = PolicyDocument.objects.select_related("city").defer(
        "title_segmented", "text_segmented", "search_terms", "search_bigrams"
    )
    if not has_text(parsed) or not ids:
        return qs.in_bulk(ids), {}
    docs = qs.annotate(marked=RawSQL(HEADLINE_SQL, [to_tsquery(parsed), HEADLINE_OPTIONS])).in_bulk(ids)
    return docs, {
        i: string_snippet(d.text, parsed) if i in strings else render_snippet(d.marked, parsed.tokens)
        for i, d in docs.items()
    }


def after_rebuild() -> None:
    """Nothing: the tsvectors are generated columns, the GIN indexes follow the rows."""
