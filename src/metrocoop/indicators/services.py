"""Every change to the indicators' data: observations one by one and spreadsheet imports (all-or-nothing).

Each service checks access through core.permissions before and after the write, runs in one transaction and
leaves its audit entries in that transaction (docs/conventions.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from metrocoop.core import spreadsheets
from metrocoop.core.audit import acting, log_event
from metrocoop.core.models import City, User
from metrocoop.core.permissions import Action, can, require
from metrocoop.core.writes import update_locked
from metrocoop.indicators.engine.importing import (
    CityRef,
    ImportReport,
    IndicatorRef,
    Key,
    membership_years,
    validate,
)
from metrocoop.indicators.models import Indicator, Observation, ObservationImport, PositioningStatement
from metrocoop.indicators.paper import TABLE1_INDICATORS

OBSERVATION_FIELDS = ("value", "unit", "source", "note")
BATCH = 2000


class ImportRejected(Exception):
    """The file has bad cells; nothing was written. ``report`` lists every one."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} bad cells")
        self.report = report


# --------------------------------------------------------------------------- references for the validator


def city_refs(actor: Any) -> list[CityRef]:
    """Every city with its membership years; ``editable`` says whether ``actor`` may add its observations."""
    refs = []
    for c in City.objects.all():
        first, last = membership_years(c.joined_on, c.left_on)
        editable = can(actor, Action.ADD, Observation(city=c, year=first or 2000))
        refs.append(CityRef(c.code, c.name_zh, first, last, editable))
    return refs


def indicator_refs() -> list[IndicatorRef]:
    columns = {code: col for code, *_, col in TABLE1_INDICATORS if col}
    return [
        IndicatorRef(
            i.code,
            i.name_zh,
            i.unit_zh,
            i.unit_en,
            i.allow_negative,
            aliases=tuple(a for a in (columns.get(i.code), i.name_en) if a),
        )
        for i in Indicator.objects.all()
    ]


def _existing_keys() -> set[Key]:
    return {
        (c, i, y) for c, i, y in Observation.objects.values_list("city__code", "indicator__code", "year").iterator()
    }


def _raise_report(report: ImportReport) -> None:
    errors = [f"{e.message_zh} {e.message_en}" for e in report.errors]
    raise ValidationError({"value": errors} if errors else _("Invalid observation."))


def _check_one(
    actor: Any, city: City, indicator: Indicator, year: int, value: Any, unit: str, *, exclude: int | None = None
) -> Decimal:
    """The single-observation form of the import validation, so both say the same about the same value."""
    first, last = membership_years(city.joined_on, city.left_on)
    existing = Observation.objects.filter(city=city, indicator=indicator, year=year).exclude(pk=exclude).exists()
    report = validate(
        "long",
        ["city", "year", "indicator", "value", "unit"],
        [[city.code, year, indicator.code, value, unit]],
        cities=[CityRef(city.code, city.name_zh, first, last, True)],
        indicators=[
            IndicatorRef(
                indicator.code, indicator.name_zh, indicator.unit_zh, indicator.unit_en, indicator.allow_negative
            )
        ],
        existing={(city.code, indicator.code, year)} if existing else set(),
    )
    if not report.ok:
        _raise_report(report)
    return report.records[0].value


# --------------------------------------------------------------------------- one observation


def do_create_observation(
    *,
    city: City,
    indicator: Indicator,
    year: int,
    value: Any,
    unit: str = "",
    source: str = "",
    note: str = "",
    derived: bool = False,
    formula: str = "",
    actor: Any,
) -> Observation:
    """Record one city's value of one indicator in one year (a liaison for its own city, the office for any)."""
    with transaction.atomic(), acting(actor):
        obs = Observation(
            city=city,
            indicator=indicator,
            year=year,
            unit=unit,
            source=source,
            note=note,
            derived=derived,
            formula=formula,
            value=Decimal(0),
        )
        require(actor, Action.ADD, obs)
        obs.value = _check_one(actor, city, indicator, year, value, unit)
        obs.full_clean()
        obs.save()
        require(actor, Action.CHANGE, obs)
        return obs


def do_update_observation(obs: Observation, changes: Mapping[str, Any], *, actor: Any) -> Observation:
    """Change the value, unit, source or note of an observation; its city, indicator and year stay."""

    def check_value(row: Observation) -> None:
        row.value = _check_one(actor, row.city, row.indicator, row.year, row.value, row.unit, exclude=row.pk)

    with transaction.atomic(), acting(actor):
        queryset = Observation.objects.select_related("city", "indicator")
        return update_locked(queryset, obs, changes, OBSERVATION_FIELDS, actor, check=check_value)


def _delete(row: Model, actor: Any) -> None:
    """Delete `row` if `actor` may, audited as theirs."""
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, row)
        row.delete()


def do_delete_observation(obs: Observation, *, actor: Any) -> None:
    _delete(obs, actor)


# --------------------------------------------------------------------------- spreadsheets


def read_table(name: str, content: bytes) -> tuple[list[Any], list[list[Any]]]:
    """(header, rows) of the first sheet of an .xlsx, or of a .csv (UTF-8, with or without BOM, or GB18030)."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        header, data = spreadsheets.read_xlsx(content)  # bounded: unpacked size and rows (core.spreadsheets)
        rows = [header, *data] if header or data else []
    elif lower.endswith(".csv"):
        try:
            rows = spreadsheets.read_csv(content)  # bounded like an .xlsx
        except UnicodeDecodeError:
            raise ValidationError(_("The CSV file is neither UTF-8 nor GB18030.")) from None
    else:
        raise ValidationError(_("Give an .xlsx or .csv file."))
    if not rows:
        raise ValidationError(_("The file is empty."))
    return rows[0], rows[1:]


@dataclass(frozen=True)
class ImportResult:
    batch: ObservationImport
    report: ImportReport

    def summary(self) -> dict[str, Any]:
        return {
            **self.report.summary(),
            "import_id": self.batch.pk,
            "created": self.batch.created,
            "replaced": self.batch.replaced,
        }


def validate_file(
    name: str, content: bytes, *, layout: str | None, year: int | None, replace: bool, actor: Any
) -> ImportReport:
    """Read and validate without writing anything."""
    from metrocoop.indicators.engine.importing import guess_layout

    header, rows = read_table(name, content)
    layout = layout or guess_layout(header)
    return validate(
        layout,  # type: ignore[arg-type]
        header,
        rows,
        year=year,
        cities=city_refs(actor),
        indicators=indicator_refs(),
        existing=_existing_keys(),
        replace=replace,
    )


def do_import_observations(
    name: str,
    content: bytes,
    *,
    layout: str | None = None,
    year: int | None = None,
    replace: bool = False,
    actor: Any,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a spreadsheet of observations: everything or nothing. Raises :class:`ImportRejected` with the full
    report when any cell is bad; otherwise writes every observation in one transaction."""
    report = validate_file(name, content, layout=layout, year=year, replace=replace, actor=actor)
    if not report.ok:
        raise ImportRejected(report)
    with transaction.atomic(), acting(actor):
        batch = ObservationImport(
            file_name=Path(name).name[:200],
            layout=report.layout,
            year=year,
            replace=replace,
            rows=report.rows,
            imported_by=actor,
        )
        require(actor, Action.ADD, batch)
        batch.save()
        cities = {c.code: c for c in City.objects.all()}
        indicators = {i.code: i for i in Indicator.objects.all()}
        for city in {r.city_code for r in report.records}:  # the same check the validator made, inside the write
            require(actor, Action.ADD, Observation(city=cities[city], year=report.records[0].year))
        existing: dict[Key, Observation] = {}
        if report.replacing:
            wanted = {(r.city_code, r.indicator_code, r.year) for r in report.records}
            for o in (
                Observation.objects.select_for_update()
                .filter(year__in={k[2] for k in wanted}, city__code__in={k[0] for k in wanted})
                .select_related("city", "indicator")
            ):
                key = (o.city.code, o.indicator.code, o.year)
                if key in wanted:
                    existing[key] = o
        new: list[Observation] = []
        changed: list[Observation] = []
        total = len(report.records)
        for n, r in enumerate(report.records, start=1):
            key = (r.city_code, r.indicator_code, r.year)
            value = r.value.quantize(Decimal("0.000001"))
            if key in existing:
                o = existing[key]
                o.value, o.unit, o.source, o.note, o.import_batch = value, r.unit, r.source, r.note, batch
                o.derived, o.formula = False, ""
                changed.append(o)
            else:
                new.append(
                    Observation(
                        city=cities[r.city_code],
                        indicator=indicators[r.indicator_code],
                        year=r.year,
                        value=value,
                        unit=r.unit,
                        source=r.source,
                        note=r.note,
                        import_batch=batch,
                    )
                )
            if progress is not None and n % BATCH == 0:
                progress(n, total)
        Observation.objects.bulk_create(new, batch_size=BATCH)
        if changed:
            Observation.objects.bulk_update(
                changed, ["value", "unit", "source", "note", "import_batch", "derived", "formula"], batch_size=BATCH
            )
        batch.created, batch.replaced = len(new), len(changed)
        batch.save(update_fields=["created", "replaced"])
        # One audit entry for the whole file (a row per observation would double a 50,000-row import); the
        # observations point at their batch, so each one's origin stays traceable.
        log_event(batch, actor=actor, created=[0, len(new)], replaced=[0, len(changed)])
        if progress is not None:
            progress(total, total)
        return ImportResult(batch, report)


def import_records(records: Iterable[Mapping[str, Any]], *, actor: Any, replace: bool = True) -> ImportResult:
    """Import plain dicts (city, year, indicator, value, …) through the same validation, e.g. demo data."""
    fields = ["city", "year", "indicator", "value", "unit", "source", "note"]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(fields)
    for r in records:
        writer.writerow([r.get(f, "") for f in fields])
    return do_import_observations("records.csv", buf.getvalue().encode(), layout="long", replace=replace, actor=actor)


def system_actor() -> User:
    """The office account used by loaders (demo data); loaders still go through the services."""
    from metrocoop.core.choices import Role

    user = User.objects.filter(role_assignments__role=Role.OFFICE, is_active=True).order_by("pk").first()
    if user is None:
        raise PermissionDenied(_("No office account exists to load data with."))
    return user


# --------------------------------------------------------------------------- positioning statements

STATEMENT_FIELDS = ("ref", "text", "source")


def do_create_positioning_statement(
    *, city: City, ref: str, text: str, functions: Iterable[Any], source: str = "", actor: Any
) -> PositioningStatement:
    """A city's positioning statement tagged to functions of the framework (a liaison for its own city)."""
    with transaction.atomic(), acting(actor):
        statement = PositioningStatement(city=city, ref=ref, text=text, source=source)
        require(actor, Action.ADD, statement)
        statement.full_clean()
        statement.save()
        statement.functions.set(list(functions))
        require(actor, Action.CHANGE, statement)
        return statement


def do_update_positioning_statement(
    statement: PositioningStatement, changes: Mapping[str, Any], *, functions: Iterable[Any] | None = None, actor: Any
) -> PositioningStatement:
    with transaction.atomic(), acting(actor):
        return update_locked(
            PositioningStatement.objects, statement, changes, STATEMENT_FIELDS, actor, related={"functions": functions}
        )


def do_delete_positioning_statement(statement: PositioningStatement, *, actor: Any) -> None:
    _delete(statement, actor)
