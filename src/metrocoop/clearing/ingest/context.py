"""What an ingest checks against, read once per ingest: the engine's rules (member cities, open periods, schemes,
catalogues), the authorisations as Arrow arrays for the columnar screen, and the period ids."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet

from metrocoop.clearing.choices import AuthorisationStatus, PeriodStatus
from metrocoop.clearing.engine import columnar
from metrocoop.clearing.engine.validation import ValidationContext
from metrocoop.clearing.models import Authorisation, CatalogueEntry, Period, Scheme
from metrocoop.core.models import City

if TYPE_CHECKING:
    from metrocoop.clearing.policies import SubmitterScope


def valid_periods(periods: QuerySet) -> QuerySet:
    """The periods whose year and month a date can hold (the model's range)."""
    return periods.filter(year__gte=Period.MIN_YEAR, year__lte=Period.MAX_YEAR, month__gte=1, month__lte=12)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


#: Up to this many claims an ingest reads only the authorisations of their persons (an API batch of ten claims
#: need not read 10⁵ authorisations); larger sources read them all, once.
AUTHORISATIONS_BY_PERSON_UP_TO = 10_000


def _authorisation_windows(persons: Sequence[str] | None = None) -> columnar.Windows:
    """The authorisations that are not revoked (of ``persons`` only, if given), keyed
    person␟insured␟service␟scheme (one query; the key is put together by the database: 10⁵ rows through the ORM
    cost seconds)."""
    sqlite = connection.vendor == "sqlite"
    key = f" || {'char(31)' if sqlite else 'chr(31)'} || ".join(("a.person_ref", "ic.code", "sc.code", "s.code"))
    # on SQLite the dates come as text (an expression has no declared type, so no per-row date converter)
    start, end = (f"CAST(a.{c} AS TEXT)" if sqlite else f"a.{c}" for c in ("valid_from", "valid_until"))
    city, scheme = City._meta.db_table, Scheme._meta.db_table
    where, params = "a.status <> %s", [AuthorisationStatus.REVOKED]
    if persons is not None:
        if not persons:
            return columnar.windows([])
        where += f" AND a.person_ref IN ({', '.join(['%s'] * len(persons))})"
        params += list(persons)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, {start}, {end} FROM {Authorisation._meta.db_table} a "
            f"JOIN {city} ic ON ic.id = a.insured_city_id JOIN {city} sc ON sc.id = a.service_city_id "
            f"JOIN {scheme} s ON s.id = a.scheme_id WHERE {where} ORDER BY a.id",
            params,
        )
        return columnar.windows(cursor.fetchall())


@dataclass(frozen=True)
class IngestContext:
    """What an ingest checks against, read once: the engine's `ValidationContext` without authorisations (each
    chunk's per-claim path gets the few it needs from ``authorisations``), the same facts as Arrow arrays for the
    columnar screen, and the period ids by (year, month)."""

    rules: ValidationContext
    authorisations: columnar.Windows
    periods: dict[tuple[int, int], int]

    def screen(self, scope: SubmitterScope) -> columnar.ScreenContext:
        rules = self.rules
        return columnar.screen_context(
            members=rules.member_cities,
            open_periods={k: v for k, v in self.periods.items() if k in rules.open_periods},
            schemes=rules.schemes,
            authorisation_schemes=rules.authorisation_schemes,
            authorisations=self.authorisations,
            catalogues=rules.catalogues,
            scope_city=scope.city_code,
            scope_schemes=scope.schemes,
        )

    def for_rows(self, rows: Sequence[Sequence[Any]]) -> ValidationContext:
        """The engine's context for these rows: with their persons' authorisations only."""
        sep = columnar.SEP
        keys = {
            f"{r[5]}{sep}{r[2]}{sep}{r[3]}{sep}{r[1]}"
            for r in rows
            if len(r) >= 6 and all(type(v) is str for v in (r[1], r[2], r[3], r[5]))
        }
        return dataclass_replace(self.rules, authorisations=self.authorisations_of(keys))

    def authorisations_of(self, keys: set[str]) -> dict[tuple[str, str, str, str], list]:
        """The engine's authorisation windows of ``keys`` (person␟insured␟service␟scheme)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        found: dict[tuple[str, str, str, str], list] = defaultdict(list)
        table = self.authorisations
        if not len(table) or not keys:
            return found
        hits = pc.is_in(table.keys, value_set=pa.array(sorted(keys), pa.string()))
        columns = (table.keys.filter(hits), table.starts.filter(hits), table.ends.filter(hits))
        sep, open_end = columnar.SEP, columnar.OPEN_END
        for key, start, end in zip(*(c.to_pylist() for c in columns), strict=True):
            person, insured, service, scheme = key.rsplit(sep, 3)
            found[person, insured, service, scheme].append((start, None if end == open_end else end))
        return found


def ingest_context(persons: Sequence[str] | None = None) -> IngestContext:
    """Members, open periods, catalogues and schemes (as the engine's rules) and the authorisations (as Arrow
    arrays; of ``persons`` only, if given), read once per ingest."""
    # A period outside the valid range (left by an older database) is skipped: it must not take every city's
    # submission down (issue 21); migration 0004 and the constraint keep new ones out.
    open_periods = list(valid_periods(Period.objects.filter(status=PeriodStatus.OPEN)).values_list("year", "month"))
    members: set[str] = set()
    for year, month in open_periods:
        first, last = month_bounds(year, month)
        members |= set(City.objects.members_on(first).values_list("code", flat=True))
        members |= set(City.objects.members_on(last).values_list("code", flat=True))
    schemes = dict(Scheme.objects.values_list("code", "needs_authorisation"))
    catalogues: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for city, scheme, item, start, end in CatalogueEntry.objects.values_list(
        "city__code", "scheme__code", "item_code", "valid_from", "valid_until"
    ):
        catalogues[city, scheme][item] = (start, end)
    rules = ValidationContext(
        member_cities=frozenset(members),
        open_periods=frozenset(open_periods),
        authorisations={},
        catalogues=catalogues,
        authorisation_schemes=frozenset(code for code, needs in schemes.items() if needs),
        schemes=frozenset(schemes),
    )
    periods = {(y, m): pk for pk, y, m in Period.objects.values_list("pk", "year", "month")}
    return IngestContext(rules=rules, authorisations=_authorisation_windows(persons), periods=periods)
