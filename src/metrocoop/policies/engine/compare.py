"""Topic comparison across cities (§二(四) "标准不统一"): which cities differ from the most common provision, and
which is the strictest and the loosest. Pure: plain rows in, a result with its steps out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FIELDS = ("threshold", "amount_fen", "duration_months", "condition")


@dataclass(frozen=True)
class ProvisionRow:
    city: str
    threshold: Decimal | None = None
    amount_fen: int | None = None
    duration_months: int | None = None
    condition: str = ""
    document: str = ""


@dataclass
class Comparison:
    """Per field: the most common value, the cities that differ from it; strictest/loosest by threshold;
    most/least generous by amount."""

    rows: list[ProvisionRow]
    common: dict[str, Any] = field(default_factory=dict)
    differs: dict[str, list[str]] = field(default_factory=dict)
    strictest: list[str] = field(default_factory=list)
    loosest: list[str] = field(default_factory=list)
    most_generous: list[str] = field(default_factory=list)
    least_generous: list[str] = field(default_factory=list)
    unified: bool = False
    steps: list[str] = field(default_factory=list)

    def is_different(self, city: str, name: str) -> bool:
        return city in self.differs.get(name, [])


def _extremes(values: dict[str, Any], highest_first: bool) -> tuple[list[str], list[str]]:
    present = {c: v for c, v in values.items() if v is not None}
    if len(set(present.values())) < 2:
        return [], []
    hi, lo = max(present.values()), min(present.values())
    top = [c for c, v in present.items() if v == hi]
    bottom = [c for c, v in present.items() if v == lo]
    return (top, bottom) if highest_first else (bottom, top)


def compare_provisions(rows: list[ProvisionRow], *, higher_is_stricter: bool = True) -> Comparison:
    """Compare one topic's provisions across cities.

    A value differs when it is not the most common value of that field among the cities that state one (ties:
    the first seen). Strictest/loosest: the highest/lowest threshold (or the reverse when a lower threshold is
    stricter, e.g. a maximum waiting time)."""
    result = Comparison(rows=rows)
    for name in FIELDS:
        values = {r.city: getattr(r, name) for r in rows if getattr(r, name) not in (None, "")}
        if not values:
            continue
        common, count = Counter(values.values()).most_common(1)[0]
        result.common[name] = common
        result.differs[name] = [c for c, v in values.items() if v != common]
        result.steps.append(
            f"{name}: {len(values)} cities state it; most common {common!r} ({count}); differ: "
            + (", ".join(result.differs[name]) or "none")
        )
    thresholds = {r.city: r.threshold for r in rows}
    result.strictest, result.loosest = _extremes(thresholds, highest_first=higher_is_stricter)
    result.most_generous, result.least_generous = _extremes({r.city: r.amount_fen for r in rows}, True)
    result.steps.append(
        f"threshold ({'higher' if higher_is_stricter else 'lower'} is stricter): strictest {result.strictest}, "
        f"loosest {result.loosest}"
    )
    result.unified = bool(rows) and not any(result.differs.values())
    return result
