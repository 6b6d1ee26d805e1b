"""Pure rules of the council cycle (no ORM): voting, progress roll-up, item status, report deadlines, the annual
summary, the carry-over list and the per-city completion/timeliness the funds assessment reads.

Sources: the paper's §四(五)1 (the council decides by consultation; the office draws up the annual plan, reports the
annual summary and the next year's work list) and §四(五)4 (an assessment of how far each city completed its tasks).
Every result carries its inputs and the steps that produced it, so a page can explain each figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

YES, NO, ABSTAIN = "yes", "no", "abstain"
COMPLETED, ON_TRACK, LATE, NOT_STARTED = "completed", "on_track", "late", "not_started"
STATUSES = (COMPLETED, ON_TRACK, LATE, NOT_STARTED)
REPORT_GRACE_DAYS = 15  # a quarter's report is due on the 15th day of the month after the quarter


# --- voting ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VotingRule:
    """The council's rule as data. quorum: at least `quorum_count` seats voting and at least `quorum_share` of the
    seats; majority: yes votes strictly above `majority_share` of the votes cast; unanimity: every seat votes yes."""

    quorum_count: int | None = None
    quorum_share: Fraction | None = None
    majority_share: Fraction = Fraction(1, 2)
    unanimity: bool = False


@dataclass(frozen=True)
class VoteDecision:
    seats: tuple[str, ...]
    votes: dict[str, str]
    rule: dict
    quorum_needed: int
    present: int
    yes: int
    no: int
    abstain: int
    quorum_met: bool
    passed: bool
    steps: tuple[str, ...]

    def as_dict(self) -> dict:
        d = asdict(self)
        d["seats"] = list(self.seats)
        d["steps"] = list(self.steps)
        return d


def decide_vote(seats: Sequence[str], votes: Mapping[str, str], rule: VotingRule) -> VoteDecision:
    """Decide a resolution from the seats that count (city codes) and the votes cast (city code → yes/no/abstain).

    Votes from cities without a seat are ignored (and said so in the steps). Abstentions count for the quorum and
    as votes cast, so they weigh against a majority (the usual rule of consultative councils)."""
    seat_set = set(seats)
    counted = {c: v for c, v in votes.items() if c in seat_set}
    steps: list[str] = [f"seats that count: {len(seat_set)} ({', '.join(sorted(seat_set))})"]
    ignored = sorted(set(votes) - seat_set)
    if ignored:
        steps.append(f"ignored votes of cities without a seat: {', '.join(ignored)}")
    present = len(counted)
    yes = sum(1 for v in counted.values() if v == YES)
    no = sum(1 for v in counted.values() if v == NO)
    abstain = sum(1 for v in counted.values() if v == ABSTAIN)
    by_count = rule.quorum_count or 0
    by_share = math.ceil(rule.quorum_share * len(seat_set)) if rule.quorum_share is not None else 0
    needed = max(by_count, by_share, 1)
    steps.append(
        f"quorum needed: max({by_count} seats, ceil({rule.quorum_share} × {len(seat_set)}) = {by_share}) = {needed}"
    )
    quorum_met = present >= needed
    steps.append(f"seats voting: {present} → quorum {'met' if quorum_met else 'NOT met'}")
    steps.append(f"yes {yes}, no {no}, abstain {abstain}")
    if not quorum_met:
        passed = False
    elif rule.unanimity:
        passed = yes == len(seat_set)
        steps.append(f"unanimity: yes {yes} of {len(seat_set)} seats → {'passed' if passed else 'rejected'}")
    else:
        passed = Fraction(yes, present) > rule.majority_share
        steps.append(f"majority: {yes}/{present} > {rule.majority_share} → {'passed' if passed else 'rejected'}")
    return VoteDecision(
        seats=tuple(sorted(seat_set)),
        votes=dict(sorted(votes.items())),
        rule={
            "quorum_count": rule.quorum_count,
            "quorum_share": str(rule.quorum_share) if rule.quorum_share is not None else None,
            "majority_share": str(rule.majority_share),
            "unanimity": rule.unanimity,
        },
        quorum_needed=needed,
        present=present,
        yes=yes,
        no=no,
        abstain=abstain,
        quorum_met=quorum_met,
        passed=passed,
        steps=tuple(steps),
    )


# --- work items --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFacts:
    """What the engine needs of one work item. `percent` is the item's own reported progress (the lead city's
    latest report that was not returned), `kpi_actual` from the same report; `reported` whether any such report
    exists; `completed_on` the day the 100% report was accepted or submitted."""

    id: int
    title: str
    domain: str
    lead_city: str
    deadline: date
    weight: int = 1
    parent_id: int | None = None
    percent: float = 0.0
    reported: bool = False
    target_value: Decimal | None = None
    kpi_actual: Decimal | None = None
    completed_on: date | None = None


@dataclass(frozen=True)
class RolledProgress:
    id: int
    percent: float
    steps: tuple[str, ...]


def rollup(items: Sequence[ItemFacts]) -> dict[int, RolledProgress]:
    """Each item's progress: its own report when it has no sub-items, else the weight-average of its sub-items'
    rolled-up progress (recursively). Sub-items whose parent is not among `items` are treated as top-level."""
    by_id = {i.id: i for i in items}
    children: dict[int, list[ItemFacts]] = defaultdict(list)
    for i in items:
        if i.parent_id is not None and i.parent_id in by_id:
            children[i.parent_id].append(i)
    out: dict[int, RolledProgress] = {}

    def visit(item: ItemFacts, seen: frozenset[int]) -> RolledProgress:
        if item.id in out:
            return out[item.id]
        if item.id in seen:
            raise ValueError(f"work item {item.id} is its own ancestor")
        kids = sorted(children.get(item.id, []), key=lambda k: k.id)
        if not kids:
            result = RolledProgress(item.id, float(item.percent), (f"reported {item.percent:g}%",))
        else:
            parts = [(k, visit(k, seen | {item.id})) for k in kids]
            total = sum(k.weight for k, _ in parts)
            value = sum(k.weight * r.percent for k, r in parts) / total
            terms = " + ".join(f"{k.weight}×{r.percent:g}" for k, r in parts)
            result = RolledProgress(item.id, round(value, 2), (f"({terms}) / {total} = {value:.2f}%",))
        out[item.id] = result
        return result

    for i in items:
        visit(i, frozenset())
    return out


def plan_progress(items: Sequence[ItemFacts]) -> RolledProgress:
    """The plan's progress: the weight-average of its top-level items' rolled-up progress."""
    rolled = rollup(items)
    ids = {i.id for i in items}
    top = [i for i in items if i.parent_id is None or i.parent_id not in ids]
    if not top:
        return RolledProgress(0, 0.0, ("no items",))
    total = sum(i.weight for i in top)
    value = sum(i.weight * rolled[i.id].percent for i in top) / total
    return RolledProgress(0, round(value, 2), (f"weight-average of {len(top)} top-level items over weight {total}",))


def classify_item(percent: float, deadline: date, as_of: date, reported: bool) -> str:
    """completed: 100%; late: not complete and the deadline has passed (as_of > deadline); not started: nothing
    reported or 0%; on track: otherwise."""
    if percent >= 100:
        return COMPLETED
    if as_of > deadline:
        return LATE
    if not reported or percent <= 0:
        return NOT_STARTED
    return ON_TRACK


def kpi_attainment(target: Decimal | None, actual: Decimal | None) -> float | None:
    """actual / target, or None when the item has no numeric target or nothing was reported."""
    if target is None or actual is None or target == 0:
        return None
    return float(Decimal(actual) / Decimal(target))


def report_due(year: int, quarter: int) -> date:
    """A quarter's report is due on the 15th of the month after the quarter ends (Q4: 15 January next year)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    month = quarter * 3 + 1
    return date(year + 1, 1, REPORT_GRACE_DAYS) if month == 13 else date(year, month, REPORT_GRACE_DAYS)


def quarters_due(year: int, as_of: date) -> list[int]:
    """The quarters of `year` whose report was due on or before `as_of`."""
    return [q for q in (1, 2, 3, 4) if report_due(year, q) <= as_of]


# --- the annual summary -----------------------------------------------------------------------------------------------


@dataclass
class Counts:
    completed: int = 0
    on_track: int = 0
    late: int = 0
    not_started: int = 0
    items: int = 0
    attainment_sum: float = 0.0
    attainment_n: int = 0

    @property
    def kpi_attainment(self) -> float | None:
        return round(self.attainment_sum / self.attainment_n, 4) if self.attainment_n else None

    @property
    def completion_rate(self) -> float:
        return round(self.completed / self.items, 4) if self.items else 0.0

    def add(self, status: str, attainment: float | None) -> None:
        setattr(self, status, getattr(self, status) + 1)
        self.items += 1
        if attainment is not None:
            self.attainment_sum += min(attainment, 1.0)
            self.attainment_n += 1

    def as_dict(self) -> dict:
        return {
            "items": self.items,
            "completed": self.completed,
            "on_track": self.on_track,
            "late": self.late,
            "not_started": self.not_started,
            "completion_rate": self.completion_rate,
            "kpi_attainment": self.kpi_attainment,
        }


@dataclass(frozen=True)
class ItemOutcome:
    id: int
    title: str
    domain: str
    lead_city: str
    percent: float
    status: str
    kpi_attainment: float | None


@dataclass
class YearSummary:
    as_of: date
    totals: Counts
    by_domain: dict[str, Counts]
    by_city: dict[str, Counts]
    items: list[ItemOutcome]
    steps: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "totals": self.totals.as_dict(),
            "by_domain": {k: v.as_dict() for k, v in self.by_domain.items()},
            "by_city": {k: v.as_dict() for k, v in self.by_city.items()},
            "items": [asdict(i) for i in self.items],
            "steps": list(self.steps),
        }


def summarise_year(items: Sequence[ItemFacts], as_of: date) -> YearSummary:
    """The summary's figures: every top-level item (sub-items roll up into it) classified on `as_of`, counted per
    domain and per lead city; KPI attainment is the mean of actual/target (capped at 100%) over items with a numeric
    target and a reported actual."""
    rolled = rollup(items)
    ids = {i.id for i in items}
    top = [i for i in items if i.parent_id is None or i.parent_id not in ids]
    totals = Counts()
    by_domain: dict[str, Counts] = defaultdict(Counts)
    by_city: dict[str, Counts] = defaultdict(Counts)
    outcomes = []
    reported_below = _reported_below(items)
    for i in sorted(top, key=lambda x: x.id):
        percent = rolled[i.id].percent
        reported = i.reported or i.id in reported_below
        status = classify_item(percent, i.deadline, as_of, reported)
        attainment = kpi_attainment(i.target_value, i.kpi_actual)
        totals.add(status, attainment)
        by_domain[i.domain].add(status, attainment)
        by_city[i.lead_city].add(status, attainment)
        outcomes.append(ItemOutcome(i.id, i.title, i.domain, i.lead_city, percent, status, attainment))
    steps = [
        f"{len(top)} top-level items classified on {as_of.isoformat()} (sub-items roll up by weight)",
        "completed = 100%; late = unfinished after its deadline; not started = no report or 0%; else on track",
    ]
    return YearSummary(as_of, totals, dict(sorted(by_domain.items())), dict(sorted(by_city.items())), outcomes, steps)


def _reported_below(items: Sequence[ItemFacts]) -> set[int]:
    """Ids of the items with a reported descendant."""
    parent_of = {i.id: i.parent_id for i in items}
    out: set[int] = set()
    for i in items:
        if not i.reported:
            continue
        p = parent_of.get(i.id)
        while p is not None and p not in out:
            out.add(p)
            p = parent_of.get(p)
    return out


def carry_over(items: Sequence[ItemFacts]) -> list[int]:
    """The items the next year's list carries over: every item whose rolled-up progress is below 100%, in id order
    (a parent is unfinished exactly when one of its sub-items is, so parents and sub-items travel together)."""
    rolled = rollup(items)
    return sorted(i.id for i in items if rolled[i.id].percent < 100)


# --- the assessment the funds app reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFacts:
    item_id: int
    city: str
    quarter: int
    submitted_on: date
    returned: bool = False


@dataclass(frozen=True)
class CityPerformance:
    city: str
    items_led: int
    items_completed: int
    completed_on_time: int
    completion_rate: float
    reports_due: int
    reports_on_time: int
    timeliness_rate: float
    steps: tuple[str, ...]


def city_performance(
    year: int, items: Sequence[ItemFacts], reports: Iterable[ReportFacts], as_of: date
) -> dict[str, CityPerformance]:
    """Per lead city: completion (top-level items at 100%, sub-items rolled up / top-level items led), items completed
    by their deadline, and timeliness (lead reports on leaf items due by `as_of` that arrived by their due date /
    reports due; an item with sub-items is reported through its sub-items). A returned report still counts as arrived
    on the day it was submitted; a missing one counts as late."""
    arrived: dict[tuple[int, str, int], ReportFacts] = {(r.item_id, r.city, r.quarter): r for r in reports}
    due_quarters = quarters_due(year, as_of)
    rolled = rollup(items)
    out: dict[str, CityPerformance] = {}
    ids = {i.id for i in items}
    parents = {i.parent_id for i in items if i.parent_id is not None}
    by_city: dict[str, list[ItemFacts]] = defaultdict(list)
    leaves_by_city: dict[str, list[ItemFacts]] = defaultdict(list)
    for i in items:
        if i.parent_id is None or i.parent_id not in ids:
            by_city[i.lead_city].append(i)
        if i.id not in parents:
            leaves_by_city[i.lead_city].append(i)
    for city in sorted(set(by_city) | set(leaves_by_city)):
        led = by_city.get(city, [])
        completed = [i for i in led if rolled[i.id].percent >= 100]
        on_time_items = [i for i in completed if i.completed_on is None or i.completed_on <= i.deadline]
        due = 0
        on_time = 0
        for i in leaves_by_city.get(city, []):
            for q in due_quarters:
                due += 1
                r = arrived.get((i.id, city, q))
                if r is not None and r.submitted_on <= report_due(year, q):
                    on_time += 1
        out[city] = CityPerformance(
            city=city,
            items_led=len(led),
            items_completed=len(completed),
            completed_on_time=len(on_time_items),
            completion_rate=round(len(completed) / len(led), 4) if led else 0.0,
            reports_due=due,
            reports_on_time=on_time,
            timeliness_rate=round(on_time / due, 4) if due else 1.0,
            steps=(
                f"{len(completed)} of {len(led)} items completed",
                f"{on_time} of {due} lead reports due by {as_of.isoformat()} arrived on time (quarters {due_quarters})",
            ),
        )
    return out


# --- plan alignment -----------------------------------------------------------------------------------------------


def unserved_articles(article_ids: Iterable[int], links: Iterable[tuple[int, int]]) -> list[int]:
    """The articles no work item implements, given every article and the (item, article) links."""
    served = {a for _, a in links}
    return sorted(a for a in article_ids if a not in served)
