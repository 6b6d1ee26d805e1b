"""Chinese word segmentation for the policy library: jieba (Sun Junyi, https://github.com/fxsjy/jieba, MIT) with a
user dictionary of policy terms shipped in `policies/data/policy_dict.txt`.

The same segmentation feeds both databases: the text is cut into words here and the database indexes the words
separated by spaces (SQLite FTS5 `unicode61`, PostgreSQL `to_tsvector('simple', …)`), so a 2-character term such as
环评 or 医保 is a token of its own and both engines see the same tokens.

Indexing stores the precise cut (`cut`, which keeps punctuation so that snippets read like the original) and the
dictionary sub-words of long words (`subwords`, as jieba's `cut_for_search` does), so that a query for 技术企业
finds 高新技术企业: the title with its sub-words, the text, and the text's sub-words as a third, low-weight field.
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


@dataclass(frozen=True)
class Segmented:
    """What the index stores for one document."""

    title: str
    text: str
    terms: str


def segment_document(title: str, text: str) -> Segmented:
    """Segment a document's title and text for the index (see the module docstring)."""
    title_words = cut(title)
    text_words = cut(text)
    # the title's sub-words go with the title (its weight): 上海 ranks 上海市… titles first
    return Segmented(
        title=" ".join(title_words + subwords(title_words)),
        text=" ".join(text_words),
        terms=" ".join(subwords(text_words)),
    )
