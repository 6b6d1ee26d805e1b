"""Chinese word segmentation for the policy library: jieba (Sun Junyi, https://github.com/fxsjy/jieba, MIT) with a
user dictionary of policy terms shipped in `policies/data/policy_dict.txt`.

The same segmentation feeds both databases: the text is cut into words here and the database indexes the words
separated by spaces (SQLite FTS5 `unicode61`, PostgreSQL `to_tsvector('simple', …)`), so a 2-character term such as
环评 or 医保 is a token of its own and both engines see the same tokens.

Indexing stores the precise cut (`cut`, which keeps punctuation so that snippets read like the original) and the
dictionary sub-words of long words (`subwords`, as jieba's `cut_for_search` does), so that a query for 技术企业
finds 高新技术企业: the title with its sub-words, the text, and the text's sub-words as a third, low-weight field.

Alongside the words, each document stores its distinct character bigrams (`bigrams`): every two adjacent CJK
characters, every single CJK character, and Latin/digit runs as words, as Elasticsearch's cjk_bigram filter cuts
text. A query term then matches either as words or when all its bigrams are in the document (`term_bigrams`), so a
place name the dictionary does not know (盛泽, cut 盛 / 泽 in a query and glued into 盛泽镇 in the text) or a compound
whose halves stand apart in the text (人才认定 against 人才 … 分类认定) is still found; the index no longer depends on
both sides segmenting alike. Words rank above such matches (search.py).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
USER_DICT = DATA / "policy_dict.txt"
ABBREVIATIONS = DATA / "abbreviations.txt"

_lock = threading.Lock()
_WORD = re.compile(r"\w", re.UNICODE)
# CJK ideographs (the basic block, extension A, the compatibility block, 〇); Latin/digit words
_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # 〇 too (二〇二一年)
_RUN = re.compile(f"[{_CJK}]+|[0-9a-z]+")
_PAIR = re.compile(f"(?=([{_CJK}]{{2}}))")  # overlapping: every two adjacent ideographs
_SINGLE = re.compile(f"[{_CJK}]")
_LATIN = re.compile("[0-9a-z]+")
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
_HALF = str.maketrans({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})


@lru_cache(maxsize=1)
def tokenizer():
    """One jieba tokenizer with the policy dictionary loaded (built once per process, ~1 s)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        tk = jieba.Tokenizer()
        tk.initialize()
        tk.load_userdict(str(USER_DICT))
        for abbr, full in abbreviation_pairs():
            tk.add_word(abbr, 500)
            tk.add_word(full, 800)
    return tk


@lru_cache(maxsize=1)
def abbreviation_pairs() -> tuple[tuple[str, str], ...]:
    """(abbreviation, full form) pairs from `data/abbreviations.txt`."""
    pairs = []
    for line in ABBREVIATIONS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        abbr, full = line.split("\t")[:2]
        pairs.append((abbr.strip(), full.strip()))
    return tuple(pairs)


def is_word(token: str) -> bool:
    """A token that carries meaning (not whitespace or punctuation)."""
    return bool(_WORD.search(token))


def cut(text: str) -> list[str]:
    """Precise-mode words of `text` (no HMM, so the cut depends only on the dictionary), whitespace dropped."""
    return [t for t in tokenizer().cut(text, HMM=False) if t.strip()]


def subwords(words: list[str]) -> list[str]:
    """Dictionary words inside longer words (as `jieba.cut_for_search`, but every length), each once."""
    freq = tokenizer().FREQ
    seen: set[str] = set()
    out: list[str] = []
    for w in words:
        if len(w) <= 2 or not is_word(w):
            continue
        for n in range(2, min(len(w), 13)):
            for i in range(len(w) - n + 1):
                gram = w[i : i + n]
                if freq.get(gram) and gram not in seen:
                    seen.add(gram)
                    out.append(gram)
    return out


def _plain(text: str) -> str:
    """Lower case, full-width ASCII (Ｆ１) as ASCII, as NFKC would map it."""
    text = (text or "").lower()
    return text.translate(_HALF).lower() if _FULL_WIDTH.search(text) else text


def _runs(text: str) -> list[str]:
    return _RUN.findall(_plain(text))


def term_bigrams(term: str) -> tuple[str, ...]:
    """The index tokens that must all be in a document for it to hold `term` as a string: the overlapping
    bigrams of each CJK run (a single character alone), Latin/digit runs as words, each once, in order.
    人才认定 → 人才 才认 认定; 湖 → 湖; 5G基站 → 5g 基站."""
    out: dict[str, None] = {}
    for run in _runs(term):
        if run.isascii() or len(run) == 1:
            out[run] = None
        else:
            for i in range(len(run) - 1):
                out[run[i : i + 2]] = None
    return tuple(out)


def halves(word: str) -> list[tuple[str, str]]:
    """The ways a compound splits into two dictionary words of two characters or more: 人才认定 → (人才, 认定);
    高层次人才认定 → (高层次, 人才认定), (高层次人才, 认定). A text that has the halves apart (人才 … 分类认定) holds
    the compound's meaning without its string."""
    if len(word) < 4:
        return []
    freq = tokenizer().FREQ
    return [(word[:i], word[i:]) for i in range(2, len(word) - 1) if freq.get(word[:i]) and freq.get(word[i:])]


def term_grams(term: str) -> tuple[tuple[str, ...], ...]:
    """The ways a term matches through the bigram index: all its bigrams (the term as a string), or, for a
    dictionary compound, the bigrams of its two halves (each half as a string, apart; a text holding the whole
    string holds those too, so the halves replace it)."""
    apart = [tuple(dict.fromkeys((*term_bigrams(left), *term_bigrams(right)))) for left, right in halves(term)]
    whole = term_bigrams(term)
    return tuple(dict.fromkeys(apart)) if apart else ((whole,) if whole else ())


def bigrams(*texts: str) -> str:
    """The bigram index text of a document: its distinct bigrams, then its distinct single CJK characters (for
    one-character queries), Latin/digit words, separated by spaces, in order of first appearance."""
    pairs: dict[str, None] = {}
    singles: dict[str, None] = {}
    for text in texts:
        text = _plain(text)
        pairs.update(dict.fromkeys(_PAIR.findall(text)))
        singles.update(dict.fromkeys(_SINGLE.findall(text)))
        singles.update(dict.fromkeys(_LATIN.findall(text)))
    return " ".join([*pairs, *singles])


@dataclass(frozen=True)
class Segmented:
    """What the index stores for one document."""

    title: str
    text: str
    terms: str
    bigrams: str = ""


def segment_document(title: str, text: str) -> Segmented:
    """Segment a document's title and text for the index (see the module docstring)."""
    title_words = cut(title)
    text_words = cut(text)
    # the title's sub-words go with the title (its weight): 上海 ranks 上海市… titles first
    return Segmented(
        title=" ".join(title_words + subwords(title_words)),
        text=" ".join(text_words),
        terms=" ".join(subwords(text_words)),
        bigrams=bigrams(title, text),
    )
