"""Query parsing, document-number normalisation and snippet rendering (pure; no ORM).

A query is words separated by spaces; "quoted text" is a phrase; a leading minus excludes a word. Every part is
segmented with the same dictionary as the documents (engine.segment) and all parts must match (AND); an
abbreviation also matches its full form and back (环评 ⇄ 环境影响评价). The parsed query renders to an SQLite FTS5
MATCH expression and to a PostgreSQL tsquery; both see the same tokens, so both databases answer alike.

With `bigrams=True` every term (not a quoted phrase) also matches a document that holds all its character bigrams
(engine.segment.term_bigrams: 人才认定 → 人才 & 才认 & 认定) in the bigram index, whatever the dictionary made of
either side, and a dictionary compound also when the text has its two halves apart (人才 & 认定: 人才 … 分类认定;
engine.segment.term_grams); the search ranks documents that match as words first.

References: SQLite FTS5 query syntax (https://www.sqlite.org/fts5.html#full_text_query_syntax); PostgreSQL
to_tsquery (https://www.postgresql.org/docs/current/textsearch-controls.html).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from metrocoop.policies.engine.segment import abbreviation_pairs, cut, is_word, term_bigrams, term_grams

STOPWORDS = frozenset(["的", "了", "和", "与", "及", "或", "在", "对", "等", "是", "之", "于", "为", "有", "关于"])
HIGHLIGHT_START = "\u27e6"  # ⟦ — markers the databases put around matches; never in policy text
HIGHLIGHT_END = "\u27e7"  # ⟧

_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "[": "(", "]": ")", "【": "(", "】": ")", "（": "(", "）": ")"})
DOC_NUMBER = re.compile(r"^\D{1,20}\((?:19|20)\d{2}\)第?\d{1,5}号$")


def normalise_doc_number(value: str) -> str:
    """One spelling of a 发文字号: 〔〕 [] () ［］ 【】 all become (), full-width forms half-width, spaces and 第
    before the serial number dropped. 苏府规〔2023〕5号 == 苏府规[2023]5号 == 苏府规（2023） 5 号."""
    text = unicodedata.normalize("NFKC", value or "").translate(_BRACKETS)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"\)第(\d)", r")\1", text)


def looks_like_doc_number(value: str) -> bool:
    """Is the query a document number (e.g. 沪府规〔2023〕12号)?"""
    return bool(DOC_NUMBER.match(normalise_doc_number(value)))


@dataclass(frozen=True)
class Term:
    """One required (or excluded) unit of a query: any of its alternatives, each a sequence of tokens."""

    alternatives: tuple[tuple[str, ...], ...]
    negated: bool = False
    # per alternative, the character bigrams a document must all hold to match it as a string (none for a quoted
    # phrase, which matches as words only)
    grams: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query with the steps that explain it (what each part was cut into, which synonyms were added)."""

    raw: str
    terms: tuple[Term, ...]
    doc_number: str = ""
    steps: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.doc_number and not any(not t.negated for t in self.terms)

    @property
    def tokens(self) -> list[str]:
        return [tok for t in self.terms if not t.negated for alt in t.alternatives for tok in alt]

    @property
    def grams(self) -> list[str]:
        """The bigrams of the required terms (what a match through the bigram index holds; highlighted)."""
        return list(dict.fromkeys(g for t in self.terms if not t.negated for alt in t.grams for g in alt))

    @property
    def strings(self) -> list[str]:
        """The required terms as the strings they stand for (人才认定, 湖长), longest first."""
        found = {"".join(alt) for t in self.terms if not t.negated for alt in t.alternatives}
        return sorted(found, key=lambda x: (-len(x), x))


def _synonyms() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for abbr, full in abbreviation_pairs():
        out.setdefault(abbr, []).append(full)
        out.setdefault(full, []).append(abbr)
    return out


_PART = re.compile(r'(-?)"([^"]+)"|(-?)(\S+)')


def parse_query(raw: str, *within: str) -> ParsedQuery:
    """Parse `raw` (and any refinements `within`, all ANDed) into terms."""
    synonyms = _synonyms()
    terms: list[Term] = []
    steps: list[str] = []
    doc_number = ""
    for text in (raw, *within):
        text = unicodedata.normalize("NFKC", text or "").strip()
        if looks_like_doc_number(text):
            doc_number = normalise_doc_number(text)
            steps.append(f"{text} → 发文字号 {doc_number}")
            continue
        for m in _PART.finditer(text):
            negated = bool(m.group(1) or m.group(3))
            phrase = m.group(2)
            part = phrase if phrase is not None else m.group(4)
            if part in ("-", ""):
                continue
            words = [w.lower() for w in cut(part) if is_word(w)]
            if phrase is not None:
                if words:
                    terms.append(Term(((*words,),), negated))
                    steps.append(f'"{part}" → {" ".join(words)}')
                continue
            kept = [w for w in words if w not in STOPWORDS] or words
            steps.append(f"{part} → {' / '.join(kept)}")
            # a run of single characters is a word the dictionary does not know: the documents hold the same
            # characters as single tokens, so the run is searched as a phrase, not as loose characters
            runs: list[list[str]] = []
            for w in kept:
                if len(w) == 1 and runs and len(runs[-1][-1]) == 1:
                    runs[-1].append(w)
                else:
                    runs.append([w])
            for run in runs:
                if len(run) > 1:
                    run_grams = term_bigrams("".join(run))  # none for a run of Latin letters (ò ñ)
                    terms.append(Term((tuple(run),), negated, (run_grams,) if run_grams else ()))
            kept = [run[0] for run in runs if len(run) == 1]
            for w in kept:
                alts: list[tuple[str, ...]] = [(w,)]
                for syn in synonyms.get(w, []):
                    syn_words = tuple(x.lower() for x in cut(syn) if is_word(x))
                    if syn_words and syn_words not in alts:
                        alts.append(syn_words)
                        steps.append(f"{w} ⇄ {syn}")
                grams = tuple(g for g in dict.fromkeys(g for a in alts for g in term_grams("".join(a))) if g)
                terms.append(Term(tuple(alts), negated, grams))
    return ParsedQuery(raw=raw, terms=tuple(terms), doc_number=doc_number, steps=tuple(steps))


def _fts5_token(tok: str, *, prefix: bool) -> str:
    quoted = '"' + tok.replace('"', '""') + '"'
    return quoted + "*" if prefix else quoted


WORD_COLUMNS = "{title_segmented text_segmented search_terms}"
BIGRAM_COLUMN = "{search_bigrams}"


def _fts5_words(term: Term) -> str:
    alts = []
    for alt in term.alternatives:
        if len(alt) == 1:
            alts.append(_fts5_token(alt[0], prefix=len(alt[0]) == 1))
        else:
            alts.append('"' + " ".join(a.replace('"', '""') for a in alt) + '"')
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def _fts5_term(term: Term, bigrams: bool) -> str:
    words = _fts5_words(term)
    if not bigrams:
        return words
    if not term.grams:
        return f"{WORD_COLUMNS} : {words}"
    strings = ["(" + " AND ".join(_fts5_token(g, prefix=False) for g in alt) + ")" for alt in term.grams]
    grams = strings[0] if len(strings) == 1 else "(" + " OR ".join(strings) + ")"
    return f"({WORD_COLUMNS} : {words} OR {BIGRAM_COLUMN} : {grams})"


def to_fts5(query: ParsedQuery, *, title_only: bool = False, bigrams: bool = False) -> str:
    """An FTS5 MATCH expression: terms ANDed, alternatives ORed, phrases as "a b", a single character as a prefix.
    `title_only`: the required terms must all be in the title column (a column filter, FTS5 `{title_segmented} :
    (…)`); exclusions still apply to the whole document. `bigrams`: each term matches as words (in the word
    columns) or as all its bigrams (in the bigram column); without it the expression names no column (the caller
    restricts it to the word columns)."""
    positive: list[str] = []
    negative: list[str] = []
    for term in query.terms:
        use_bigrams = bigrams and (term.negated or not title_only)
        (negative if term.negated else positive).append(_fts5_term(term, use_bigrams))
    out = " AND ".join(positive)
    if title_only and out:
        out = "{title_segmented} : (" + out + ")"
    for expr in negative:
        out += f" NOT {expr}"
    return out


def _ts_token(tok: str, *, prefix: bool) -> str:
    return "'" + tok.replace("'", "''").replace("\\", "") + "'" + (":*" if prefix else "")


def to_tsquery(query: ParsedQuery, *, positive_only: bool = False, loose: bool = False, bigrams: bool = False) -> str:
    """A PostgreSQL to_tsquery('simple', …) text with the same meaning as `to_fts5`. `positive_only` drops the
    exclusions (for the title index, which is checked together with the full query). `loose`: a superset that the
    GIN index answers without reading the row: exclusions dropped and phrases as plain AND (a phrase's order and
    adjacency are only in the tsvector itself); the full query is then checked on the rows found. `bigrams`: each
    term (not a phrase) also matches as all its bigrams, for the tsvector of words and bigrams together; loose, it
    matches as its bigrams only (what every match holds)."""
    parts: list[str] = []
    for term in query.terms:
        if (positive_only or loose) and term.negated:
            continue
        alts = []
        if loose and bigrams and term.grams:
            # every document a term matches as words holds its bigrams too (the words are substrings of the title
            # or text, which the bigrams cover), so the index is asked for the bigrams alone: exact, no phrase or
            # loose word combination (湖 & 长 for 湖长) to check on thousands of rows
            term = Term((), term.negated, term.grams)
        for alt in term.alternatives:
            if len(alt) == 1:
                alts.append(_ts_token(alt[0], prefix=len(alt[0]) == 1))
            else:
                joiner = " & " if loose else " <-> "
                alts.append("(" + joiner.join(_ts_token(a, prefix=False) for a in alt) + ")")
        if bigrams:
            for grams in term.grams:
                expr = " & ".join(_ts_token(g, prefix=False) for g in grams)
                expr = expr if len(grams) == 1 else f"({expr})"
                if expr not in alts:
                    alts.append(expr)
        expr = alts[0] if len(alts) == 1 else "(" + " | ".join(alts) + ")"
        parts.append(f"!{expr}" if term.negated else expr)
    return " & ".join(parts)


_SPACE_NEAR_WIDE = re.compile(r"(?<=[^\x00-\x7f])[ \t]+|[ \t]+(?=[^\x00-\x7f])")


def unsegment(text: str) -> str:
    """Undo the spaces segmentation put between words (kept between two Latin words or numbers)."""
    return _SPACE_NEAR_WIDE.sub("", text)


_MARKERS = re.compile(f"[{HIGHLIGHT_START}{HIGHLIGHT_END}]")
_RUNS = re.compile(rb"\x01+|\x00+")


def render_snippet(marked: str, terms: list[str] | tuple[str, ...] = ()) -> str:
    """Segmented text with ⟦match⟧ markers from the database → safe HTML with <mark> around matches. `terms` (the
    query's words) are marked too where the database matched them as sub-words of longer words (养老 in 养老服务).
    Works on runs of characters, not character by character (a page renders ten of these per search)."""
    text = unsegment(marked or "")
    parts: list[str] = []
    mask = bytearray()
    inside = False
    pos = 0
    for m in _MARKERS.finditer(text):
        chunk = text[pos : m.start()]
        parts.append(chunk)
        mask += (b"\x01" if inside else b"\x00") * len(chunk)
        inside = m.group() == HIGHLIGHT_START
        pos = m.end()
    parts.append(text[pos:])
    mask += (b"\x01" if inside else b"\x00") * (len(text) - pos)
    joined = "".join(parts)
    for term in terms:
        if len(term) < 2:
            continue
        start = joined.find(term)
        while start >= 0:
            mask[start : start + len(term)] = b"\x01" * len(term)
            start = joined.find(term, start + len(term))
    out: list[str] = []
    for run in _RUNS.finditer(bytes(mask)):
        piece = html.escape(joined[run.start() : run.end()])
        out.append(f"<mark>{piece}</mark>" if mask[run.start()] else piece)
    return "".join(out)


def string_snippet(text: str, parsed: ParsedQuery, width: int = 120) -> str:
    """A highlighted snippet (HTML) of a document found through the bigram index, cut here from its text: around
    the first place that holds a required term as a string, else one of its bigrams; the terms and their bigrams
    marked (人才 … 认定 for 人才认定 where the text has 人才 … 分类认定)."""
    text = text or ""
    hits = [text.find(s) for s in parsed.strings if len(s) > 1]
    hits = [h for h in hits if h >= 0] or [h for h in (text.find(g) for g in parsed.grams) if h >= 0] or [0]
    start = max(0, min(hits) - width // 4)
    piece = text[start : start + width].replace("\n", " ")
    marked = render_snippet(piece, [*parsed.strings, *parsed.grams])
    return ("…" if start else "") + marked + ("…" if start + width < len(text) else "")
