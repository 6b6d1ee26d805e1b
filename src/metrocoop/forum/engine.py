"""Pure rules of the forum: working-day deadlines on China's official calendar, and likely duplicates.

No Django, no ORM: plain data in, plain data out, each result carrying the steps that explain it.

Working days
------------
China's working calendar is the State Council's yearly notice: public holidays, and weekend days made working days
in exchange (调休, e.g. Saturday 10 October 2026). It cannot be computed; it is published each November for the next
year. We read it from `chinesecalendar` (pinned), which carries every notice from 2004 up to its release (1.11.0:
up to and including 2026). For a day beyond the library's last year the calendar is not known yet: we count Monday
to Friday less the fixed-date holidays of the law (1 January, 1-2 May, 1-3 October) and mark the deadline
*provisional*; the daily job recomputes provisional deadlines, so once a release with the new year is installed they
become exact.

Likely duplicates
-----------------
Chinese has no spaces, so words are not given. We compare character bigrams (for runs of Chinese characters) and
lower-cased words (for Latin letters and digits), weighted by count, with the cosine of the two count vectors. A
near-identical text, a copy with a sentence changed or a few words swapped, keeps most of its bigrams; two texts on
the same topic asking for different things share only the topic's bigrams. The threshold is chosen on the labelled
pairs in `tests/data/duplicate_pairs.json` (see docs/forum.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

# --- working days ------------------------------------------------------------------------------------------------

CALENDAR_FIRST_YEAR = min(chinese_calendar.holidays).year
CALENDAR_LAST_YEAR = max(chinese_calendar.holidays).year


def calendar_knows(day: date) -> bool:
    """Does the installed calendar carry the State Council's notice for `day`'s year?"""
    return CALENDAR_FIRST_YEAR <= day.year <= CALENDAR_LAST_YEAR


# Fixed-date public holidays of the State Council's 全国年节及纪念日放假办法 (as revised in 2024): New Year's Day,
# Labour Day (1-2 May) and National Day (1-3 October). Beyond the known calendar these are still certain; the lunar
# holidays and the adjusted working weekends are not, and are left out (the deadline is provisional).
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def is_working_day(day: date) -> bool:
    """A working day in mainland China: the official calendar where known; beyond it Monday–Friday less the
    fixed-date public holidays."""
    if calendar_knows(day):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


@dataclass(frozen=True)
class Deadline:
    start: date
    working_days: int
    due_on: date
    provisional: bool  # some day counted lies beyond the known calendar
    steps: tuple[str, ...] = field(default=())


def add_working_days(start: date, working_days: int) -> Deadline:
    """The `working_days`-th working day after `start` (the start day itself is not counted, as in a law's
    "within N working days of receipt"). Holidays and weekends are skipped, adjusted working weekends count."""
    if working_days < 0:
        raise ValueError("working_days must be zero or more")
    day, counted, provisional, steps = start, 0, False, []
    while counted < working_days:
        day += timedelta(days=1)
        if not calendar_knows(day):
            provisional = True
        if is_working_day(day):
            counted += 1
            if day.weekday() >= 5:
                steps.append(f"{day.isoformat()} adjusted working day (调休上班) counted as {counted}")
        elif day.weekday() < 5:
            detail = chinese_calendar.get_holiday_detail(day)[1] if calendar_knows(day) else "fixed-date holiday"
            steps.append(f"{day.isoformat()} public holiday skipped ({detail or 'holiday'})")
    if provisional:
        steps.append(
            f"calendar known to {CALENDAR_LAST_YEAR}: later days counted Monday–Friday less fixed-date holidays"
            " (provisional)"
        )
    return Deadline(start, working_days, day, provisional, tuple(steps))


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=i)))


@dataclass(frozen=True)
class DueState:
    """Where a deadline stands on a day: `remind` when it is close, `overdue` when passed."""

    due_on: date
    today: date
    working_days_left: int
    remind: bool
    overdue: bool


def due_state(due_on: date, today: date, *, remind_within: int = 2) -> DueState:
    """`remind` once no more than `remind_within` working days remain and it is not yet overdue; `overdue` the day
    after the due date."""
    overdue = today > due_on
    left = 0 if overdue else working_days_between(today, due_on)
    return DueState(due_on, today, left, remind=not overdue and left <= remind_within, overdue=overdue)


# --- likely duplicates -------------------------------------------------------------------------------------------

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]+|[a-z0-9]+")
_HAN_RUN = re.compile(rf"^[{_HAN}]+$")

# Cosine at or above which two suggestions are listed as likely duplicates. On the labelled pairs the duplicates
# score 0.50 and above, the others 0.43 and below; 0.45 sits in that gap, nearer the non-duplicates, because a
# false listing costs a reader a glance while a missed duplicate splits the votes (docs/forum.md).
DUPLICATE_THRESHOLD = 0.45

# Bigrams that nearly every suggestion contains whatever it asks: the request itself (建议, 希望 …) and the area's
# name (大都市圈). Counting them made two different asks in the same phrasing look alike.
STOP_BIGRAMS = frozenset(
    {"建议", "希望", "大都", "都市", "市圈", "我们", "目前", "现在", "可以", "应当", "能够", "一个"}
)


# Full-width ASCII (Ｕ+FF01–FF5E) to half-width and the ideographic space to a space: what NFKC does to the text
# people type in Chinese input methods, at a fraction of its cost (NFKC is ten times slower on Chinese text).
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, lower case. Markup is text like any other."""
    text = text or ""
    if not text.isascii():
        text = text.translate(_HALF_WIDTH)
    return text.lower()


def features(text: str) -> Counter[str]:
    """Character bigrams of every run of Chinese characters (a single character stands alone) and whole words of
    Latin letters and digits."""
    counts: Counter[str] = Counter()
    for token in _TOKEN.findall(normalise(text)):
        if _HAN_RUN.match(token):
            if len(token) == 1:
                counts[token] += 1
            else:
                counts.update(g for g in (token[i : i + 2] for i in range(len(token) - 1)) if g not in STOP_BIGRAMS)
        else:
            counts[token] += 1
    return counts


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(v * large.get(k, 0) for k, v in small.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return min(1.0, dot / norm) if norm else 0.0


def similarity(text_a: str, text_b: str) -> float:
    """How alike two texts are, 0 (nothing shared) to 1 (the same features)."""
    return cosine(features(text_a), features(text_b))


@dataclass(frozen=True)
class Candidate:
    id: int
    title: str
    text: str


@dataclass(frozen=True)
class Match:
    id: int
    title: str
    similarity: float
    shared: tuple[str, ...]  # the most frequent shared features: why it matched


def suggestion_text(title: str, text: str) -> str:
    # the title is the suggestion in a line: counted twice so two long texts with different asks do not match on
    # their shared background alone
    return f"{title}\n{title}\n{text}"


def likely_duplicates(
    title: str,
    text: str,
    candidates: Iterable[Candidate],
    *,
    threshold: float = DUPLICATE_THRESHOLD,
    limit: int = 5,
) -> list[Match]:
    """The candidates at least `threshold` alike to (title, text), most alike first, at most `limit`."""
    query = features(suggestion_text(title, text))
    mass = sum(v * v for v in query.values())
    # Cauchy-Schwarz: cosine >= t needs the features both share to carry at least t² of the query's squared mass.
    # A substring test finds every shared feature (and perhaps more), so this cheap bound never drops a match; it
    # spares building the features of candidates that cannot reach the threshold.
    needed = threshold * threshold * mass
    weights = sorted(((v * v, k) for k, v in query.items()), reverse=True)
    found = []
    for c in candidates:
        haystack = normalise(suggestion_text(c.title, c.text))
        if sum(w for w, k in weights if k in haystack) < needed:
            continue
        other = features(suggestion_text(c.title, c.text))
        score = cosine(query, other)
        if score >= threshold:
            shared = sorted(set(query) & set(other), key=lambda k: (-min(query[k], other[k]), k))[:8]
            found.append(Match(c.id, c.title, round(score, 4), tuple(shared)))
    found.sort(key=lambda m: (-m.similarity, m.id))
    return found[:limit]


@dataclass(frozen=True)
class Evaluation:
    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0


def evaluate(pairs: Sequence[tuple[str, str, bool]], threshold: float = DUPLICATE_THRESHOLD) -> Evaluation:
    """Precision and recall of `similarity >= threshold` on labelled (text_a, text_b, is_duplicate) pairs."""
    tp = fp = fn = tn = 0
    for a, b, duplicate in pairs:
        found = similarity(a, b) >= threshold
        tp += found and duplicate
        fp += found and not duplicate
        fn += (not found) and duplicate
        tn += (not found) and not duplicate
    return Evaluation(threshold, tp, fp, fn, tn)
