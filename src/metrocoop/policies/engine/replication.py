"""Pilot-reform replication (§四(五)5 政策集成、承接和创新机制): the city × reform matrix and the reforms ready to
spread. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

TAKEN_UP = frozenset({"adopted", "adapted"})
OPEN = frozenset({"not_started", "evaluating"})


@dataclass
class Readiness:
    reform: str
    taken_up: list[str]
    open_cities: list[str]
    declined: list[str]
    share: float
    ready: bool
    steps: list[str] = field(default_factory=list)


def readiness(reform: str, statuses: dict[str, str], member_cities: list[str], *, min_taken_up: int = 2) -> Readiness:
    """A reform is ready to spread when at least `min_taken_up` cities have adopted or adapted it (it has worked
    outside its origin) and some member cities have not yet taken it up (there is somewhere to spread it)."""
    taken = [c for c in member_cities if statuses.get(c) in TAKEN_UP]
    declined = [c for c in member_cities if statuses.get(c) == "declined"]
    open_ = [c for c in member_cities if statuses.get(c, "not_started") in OPEN]
    share = len(taken) / len(member_cities) if member_cities else 0.0
    ready = len(taken) >= min_taken_up and bool(open_)
    steps = [
        f"taken up by {len(taken)} of {len(member_cities)} cities ({share:.0%}): {', '.join(taken) or '—'}",
        f"not started or evaluating: {', '.join(open_) or '—'}",
        f"ready = taken up ≥ {min_taken_up} and someone left to adopt → {ready}",
    ]
    return Readiness(reform, taken, open_, declined, share, ready, steps)
