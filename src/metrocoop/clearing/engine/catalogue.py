"""Cross-city comparison of reimbursable catalogues (参保政策与可报销目录统筹, the paper's §四(三)2).

Pure engine: catalogue entries as plain tuples in, per item the cities that cover it, the gaps (cities that do
not), and the spread of prices and reimbursement ratios out. A harmonised catalogue has no gaps and no spread;
every figure names the entries it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class CatalogueRow:
    city: str
    item_code: str
    name: str
    unit_price_fen: int
    ratio: Decimal


@dataclass
class ItemComparison:
    """One item across the compared cities: where it is covered, where not, and how prices and ratios differ."""

    item_code: str
    name: str
    prices: dict[str, int] = field(default_factory=dict)
    ratios: dict[str, Decimal] = field(default_factory=dict)
    missing_in: list[str] = field(default_factory=list)

    @property
    def price_min(self) -> int | None:
        return min(self.prices.values()) if self.prices else None

    @property
    def price_max(self) -> int | None:
        return max(self.prices.values()) if self.prices else None

    @property
    def price_spread(self) -> Decimal | None:
        """max / min price (1 = the same everywhere); None when not comparable."""
        low = self.price_min
        return None if not low else (Decimal(self.price_max) / Decimal(low)).quantize(Decimal("0.001"))

    @property
    def ratio_gap(self) -> Decimal | None:
        return (max(self.ratios.values()) - min(self.ratios.values())) if self.ratios else None

    @property
    def harmonised(self) -> bool:
        return not self.missing_in and self.price_spread == 1 and self.ratio_gap == 0


@dataclass
class CatalogueComparison:
    cities: list[str]
    items: list[ItemComparison]

    @property
    def gaps(self) -> dict[str, int]:
        """Per city, how many items another compared city covers and it does not."""
        counts = dict.fromkeys(self.cities, 0)
        for item in self.items:
            for city in item.missing_in:
                counts[city] += 1
        return counts

    @property
    def steps(self) -> list[str]:
        return [
            f"{len(self.items)} item(s) across {len(self.cities)} city(ies)",
            f"gaps per city: {self.gaps}",
            f"{sum(1 for i in self.items if i.harmonised)} item(s) harmonised "
            "(covered everywhere, same price and ratio)",
        ]


def compare_catalogues(rows: Iterable[CatalogueRow], cities: Iterable[str]) -> CatalogueComparison:
    """Compare the catalogues of ``cities`` item by item (items sorted by code)."""
    cities = sorted(set(cities))
    items: dict[str, ItemComparison] = {}
    for row in rows:
        if row.city not in cities:
            continue
        item = items.setdefault(row.item_code, ItemComparison(row.item_code, row.name))
        item.prices[row.city] = row.unit_price_fen
        item.ratios[row.city] = row.ratio
    for item in items.values():
        item.missing_in = [c for c in cities if c not in item.prices]
    return CatalogueComparison(cities=cities, items=[items[k] for k in sorted(items)])
