"""The candidate window and the ranking order over it (the same on both databases; docs/policies.md).

Reading every match of a common word cannot be done in 50 ms at 100,000 documents; reading a few times WINDOW rows
can. Up to WINDOW matches everything is exact: the count, the facet counts, the ranking. With more, the count
shows "500+", the facets count the WINDOW most recently added matches, and ranking orders those, after the
documents whose title holds every term (the WINDOW most recently added of them). The page, the API (`total_exact`,
`window`) and the CLI say so. 500 rather than 1,000: ranking and facets cost in proportion.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from metrocoop.policies.engine.query import ParsedQuery
from metrocoop.policies.search.common import ROW_FIELDS, Row, Window, backend, day, recent_matches

WINDOW = 500
# Versions a reader asking for the law as it stands does not want first: an amended document is still partly in
# force, a repealed or expired one is history.
HISTORY = frozenset({"repealed", "expired"})


def search_window() -> int:
    """WINDOW, or the POLICIES_SEARCH_WINDOW setting where a deployment (or a test) sets another."""
    return int(getattr(settings, "POLICIES_SEARCH_WINDOW", WINDOW))


@dataclass(frozen=True)
class Ranked:
    id: int
    score: float
    as_words: bool = True  # False: matched only through the bigram index (snippet cut from the text)


def rank(
    base: QuerySet,
    parsed: ParsedQuery,
    recent: list[Row],
    exact: bool,
    offset: int,
    limit: int,
    *,
    history: bool = False,
) -> list[Ranked]:
    """Page of documents, best first, among the rows of `base` matching the query, `recent` being the candidate
    window (all matches when `exact`, else the most recently added ones).

    Documents whose title holds every required term come first: bm25 gives a word that is in most documents (上海
    in "上海大都市圈") almost no weight, so "上海 排污许可" would otherwise not put 上海市排污许可… first. Documents
    that match as words come before those found only through the bigram index (a term's characters present, the
    dictionary's words not). The order is fixed, so pages follow each other:
      1. title matches in the window, by score;
      2. only when the window is not every match: older title matches (the `cap` most recently added), by score;
      3. the other matches in the window that match as words, by score;
      4. the rest of the window (matched through bigrams), by their score in both indexes.
    Within a group equal scores go newest issued first. A group is fetched and scored only when the page reaches
    it: a common word's first page scores the title matches of the window only.

    Unless `history` is asked for, repealed and expired documents follow the documents in force within each of
    three blocks (title matches, groups 1–2; word matches; bigram matches): the version of a title in force comes
    before its repealed predecessors, whichever scores higher, and a block's order stays otherwise that of the
    scores. With `history` the order is the scores' alone."""
    db = backend()
    want = offset + limit
    if not recent:
        return []
    cap = len(recent)  # the window's size: the cap, or fewer when it holds every match
    lower = recent[-1][0]
    ordered: list[Ranked] = []
    placed: list[tuple[int, bool]] = []  # per entry of `ordered`: its block, and whether it is history

    def add(rows: list[Row], score: dict[int, float], as_words: bool = True, block: int = 0) -> None:
        rows = sorted((r for r in rows if r[0] in score), key=lambda r: (-score[r[0]], -day(r[5]), r[0]))
        ordered.extend(Ranked(r[0], score[r[0]], as_words) for r in rows)
        placed.extend((block, not history and r[4] in HISTORY) for r in rows)

    def scored(rows: list[Row]) -> dict[int, float]:
        if rows and len(rows[0]) > len(ROW_FIELDS):  # scored as they were read
            return {r[0]: float(r[-1]) for r in rows}
        return db.scores([r[0] for r in rows], parsed, words=True)

    titled = recent_matches(base, parsed, cap, Window(title=True, lower=lower, upper=recent[0][0] + 1, scored=True))
    titled = titled[:cap]
    add(titled, scored(titled))
    if len(ordered) < want and not exact:
        # older title matches are few when the window holds fewer than a page of them: one query over all ids.
        # On PostgreSQL the exclusions are checked when they are scored, on these `cap` at most: checked in the
        # query, a word excluded from most of them would make it read every title match.
        older = recent_matches(base, parsed, cap, Window(title=True, lower=1, upper=lower, verified=False))[:cap]
        add(older, db.scores([r[0] for r in older], parsed, words=True, verify=True))
    if len(ordered) < want:
        in_title = {r[0] for r in titled}
        rest = [r for r in recent if r[0] not in in_title]
        as_words = db.scores([r[0] for r in rest], parsed, words=True, verify=True)
        add(rest, as_words, block=1)
        if len(ordered) < want:
            strings = [r for r in rest if r[0] not in as_words]
            add(strings, db.scores([r[0] for r in strings], parsed, words=False), as_words=False, block=2)
    order = sorted(range(len(ordered)), key=lambda i: placed[i])  # stable: the scores' order within each part
    return [ordered[i] for i in order][offset:want]
