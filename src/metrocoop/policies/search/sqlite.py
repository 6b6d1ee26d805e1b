"""SQLite: every search statement, over the FTS5 table `policies_fts` (migrations 0002, 0005): the segmented title,
text and sub-words (the word index) and the document's character bigrams (`search_bigrams`, the bigram index) as
four columns of one table, so that one MATCH expression ANDs terms that match as words with terms that match as
bigrams. External content on the document table, kept in step by triggers in the row's transaction.

- FTS5 returns rowids newest first by itself (`ORDER BY rowid DESC` is consumed by the virtual table); the document
  rows are looked up until `cap` + 1 pass the filters (`recent`).
- bm25 of a set of ids is one pass over the matches from the lowest id (`rowid >= min AND +rowid IN (json_each(…))`:
  a `rowid IN (…)` handed to FTS5 re-runs the query per id, ~0.6 ms each); snippets use the same form.
"""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import QuerySet

from metrocoop.policies.engine.query import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    WORD_COLUMNS,
    ParsedQuery,
    render_snippet,
    string_snippet,
    to_fts5,
)
from metrocoop.policies.models import PolicyDocument
from metrocoop.policies.search.common import Row, Window, has_text, id_bounds, rows

WORD_WEIGHTS = "10.0, 2.0, 1.0, 0.0"  # title, text, sub-words; bigrams do not count for a match as words
ALL_WEIGHTS = "10.0, 2.0, 1.0, 1.0"  # a match through the bigram index


def _words(parsed: ParsedQuery) -> str:
    """The query matched as words only (the word columns)."""
    return f"{WORD_COLUMNS} : ({to_fts5(parsed)})"


def with_match(qs: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """`qs` joined with the FTS5 table on the rows matching the query (words or bigrams)."""
    return qs.extra(
        tables=["policies_fts"],
        where=["policies_fts.rowid = policies_policydocument.id", "policies_fts MATCH %s"],
        params=[to_fts5(parsed, bigrams=True)],
    )


def match_ids_sql(parsed: ParsedQuery) -> tuple[str, list[str]]:
    return "SELECT rowid FROM policies_fts WHERE policies_fts MATCH %s", [to_fts5(parsed, bigrams=True)]


def recent(base: QuerySet, parsed: ParsedQuery, cap: int, window: Window) -> list[Row]:
    """The `cap` + 1 highest-id rows of `base` matching a query with words (`common.recent_matches`), highest first.
    FTS5 checks everything itself (`window.scored` and `window.verified` concern PostgreSQL)."""
    bounds, bound_params = id_bounds("policies_fts.rowid", window.lower, window.upper)
    where = ["policies_fts.rowid = policies_policydocument.id", "policies_fts MATCH %s", *bounds]
    params: list = [to_fts5(parsed, title_only=window.title, bigrams=True), *bound_params]
    qs = base.extra(tables=["policies_fts"], where=where, params=params).extra(order_by=["-policies_fts.rowid"])
    return rows(qs, cap)


def scores(ids: list[int], parsed: ParsedQuery, *, words: bool, verify: bool = False) -> dict[int, float]:
    """bm25 (higher is better) of those of `ids` that match the query: as words (`words`; title 10, text 2,
    sub-words 1) or through either index (bigrams weigh 1). MATCH always checks (`verify` concerns PostgreSQL)."""
    if not ids:
        return {}
    expression, weights = (_words(parsed), WORD_WEIGHTS) if words else (to_fts5(parsed, bigrams=True), ALL_WEIGHTS)
    with connection.cursor() as cursor:
        # `+rowid` keeps the id list out of FTS5's plan: FTS5 walks the matches from the lowest wanted id once and
        # scores only the listed ones (a `rowid IN (…)` handed to FTS5 runs the whole query once per id)
        cursor.execute(
            f"SELECT rowid, bm25(policies_fts, {weights}) FROM policies_fts WHERE policies_fts MATCH %s "
            "AND rowid >= %s AND +rowid IN (SELECT value FROM json_each(%s))",
            [expression, min(ids), json.dumps(ids)],
        )
        return {i: -float(s) for i, s in cursor.fetchall()}


def documents(
    ids: list[int], parsed: ParsedQuery, strings: set[int]
) -> tuple[dict[int, PolicyDocument], dict[int, str]]:
    """The documents `ids` (with their city) and their highlighted snippets: FTS5's snippet() of the text for the
    documents matching as words, one cut from the text around the terms for those in `strings` (found through the
    bigram index, which holds no text to cut from)."""
    qs = PolicyDocument.objects.select_related("city").defer(
        "title_segmented", "text_segmented", "search_terms", "search_bigrams"
    )
    docs = qs.in_bulk(ids)
    if not ids or not has_text(parsed):
        return docs, {}
    out = {i: string_snippet(docs[i].text, parsed) for i in strings if i in docs}
    worded = [i for i in ids if i not in strings]
    if worded:
        with connection.cursor() as cursor:
            # `+rowid`: one walk over the matches in the ids' range (see `scores`), not one query per id
            cursor.execute(
                "SELECT rowid, snippet(policies_fts, 1, %s, %s, '…', 40) FROM policies_fts "
                "WHERE policies_fts MATCH %s AND rowid BETWEEN %s AND %s "
                "AND +rowid IN (SELECT value FROM json_each(%s))",
                [HIGHLIGHT_START, HIGHLIGHT_END, _words(parsed), min(worded), max(worded), json.dumps(worded)],
            )
            out.update({i: render_snippet(s, parsed.tokens) for i, s in cursor.fetchall()})
    return docs, out


def after_rebuild() -> None:
    """The FTS5 table read again from the document rows (after a bulk change of the segmented columns)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO policies_fts(policies_fts) VALUES ('rebuild')")
