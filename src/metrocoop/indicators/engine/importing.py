"""Validation of an observation spreadsheet before anything is written (all-or-nothing imports).

Two layouts:

- **long**: one observation per row, columns ``city, year, indicator, value`` and optionally ``unit, source,
  note`` (Chinese headers 城市, 年份, 指标, 数值, 单位, 来源, 备注 work too);
- **wide**: the layout of the paper's 表1, one row per city and one column per indicator, the year given
  separately. An empty cell in the wide layout is a missing value, not an error. A header may carry its unit in
  brackets, "地区生产总值（亿元）", which is then checked like a unit column.

Every bad cell is reported (row number as the spreadsheet shows it, the header row being row 1; column letter and
header; the reason in Chinese and English), not just the first: unknown city or indicator, not a number, impossible
sign, duplicate (in the file, or already stored unless replacing), unit mismatch, year outside the city's
membership, a city the importer may not edit. Pure: plain data in, plain data out; the service reads the file and
the database and writes only when :attr:`ImportReport.ok`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from metrocoop.indicators.engine import JsonMixin

Layout = Literal["long", "wide"]
Key = tuple[str, str, int]  # (city code, indicator code, year)

LONG_HEADERS: dict[str, tuple[str, ...]] = {
    "city": ("city", "city_code", "城市", "城市代码"),
    "year": ("year", "年份", "年度"),
    "indicator": ("indicator", "indicator_code", "指标", "指标代码"),
    "value": ("value", "数值", "值"),
    "unit": ("unit", "单位"),
    "source": ("source", "来源"),
    "note": ("note", "备注"),
}
REQUIRED_LONG = ("city", "year", "indicator", "value")
WIDE_IGNORED = frozenset({"city_name_zh", "city_name_en", "name", "province", "省份", "城市名称", "序号"})
MAX_ABS = Decimal("1e14")  # Observation.value has 20 digits, 6 of them decimals
UNIT_IN_HEADER = re.compile(r"^(?P<name>.+?)\s*[（(](?P<unit>[^）)]+)[）)]\s*$")


@dataclass(frozen=True)
class CityRef(JsonMixin):
    """A city the file may name (by code or Chinese name), its membership years and whether the importer may edit
    its observations."""

    code: str
    name_zh: str
    first_year: int | None
    last_year: int | None
    editable: bool = True


@dataclass(frozen=True)
class IndicatorRef(JsonMixin):
    """An indicator the file may name (by code, Chinese name or an alias such as a 表1 column name)."""

    code: str
    name_zh: str
    unit_zh: str
    unit_en: str
    allow_negative: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellError(JsonMixin):
    """One bad cell: ``row`` as numbered in the spreadsheet, ``column`` its letter and header."""

    row: int
    column: str
    value: str
    code: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class ParsedObservation(JsonMixin):
    row: int
    city_code: str
    indicator_code: str
    year: int
    value: Decimal
    unit: str = ""
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class ImportReport(JsonMixin):
    """What the file holds: the good observations, every bad cell, and how many stored values would be replaced."""

    layout: str
    rows: int
    records: tuple[ParsedObservation, ...]
    errors: tuple[CellError, ...]
    replacing: int

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "rows": self.rows,
            "observations": len(self.records),
            "errors": [e.to_dict() for e in self.errors],
            "error_count": len(self.errors),
            "replacing": self.replacing,
            "ok": self.ok,
        }


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as a spreadsheet names its columns)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm(value: Any) -> str:
    return _text(value).lower().replace(" ", "_")


def parse_number(value: Any) -> Decimal | None:
    """A finite decimal from a cell (number, or text with thousands separators), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    text = _text(value).replace(",", "").replace("，", "").replace(" ", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_year(value: Any) -> int | None:
    number = parse_number(value)
    if number is None or number != number.to_integral_value() or not 1900 <= number <= 2200:
        return None
    return int(number)


class _Validator:
    def __init__(
        self,
        cities: Iterable[CityRef],
        indicators: Iterable[IndicatorRef],
        existing: Callable[[Key], bool] | set[Key] | frozenset[Key],
        replace: bool,
    ) -> None:
        self.cities: dict[str, CityRef] = {}
        for c in cities:
            self.cities[c.code.upper()] = c
            self.cities[c.name_zh] = c
        self.indicators: dict[str, IndicatorRef] = {}
        for i in indicators:
            for name in (i.code, i.name_zh, *i.aliases):
                self.indicators[_norm(name)] = i
        self.existing = existing.__contains__ if isinstance(existing, set | frozenset) else existing
        self.replace = replace
        self.errors: list[CellError] = []
        self.records: list[ParsedObservation] = []
        self.seen: dict[Key, int] = {}
        self.replacing = 0

    def sorted_errors(self) -> tuple[CellError, ...]:
        return tuple(sorted(self.errors, key=lambda e: (e.row, len(e.column.split(" ")[0]), e.column)))

    def error(self, row: int, col: str, value: Any, code: str, zh: str, en: str) -> None:
        self.errors.append(CellError(row, col, _text(value)[:80], code, zh, en))

    def city(self, row: int, col: str, raw: Any) -> CityRef | None:
        text = _text(raw)
        city = self.cities.get(text.upper()) or self.cities.get(text)
        if city is None:
            if not text:
                self.error(row, col, raw, "empty-city", "城市为空。", "The city is empty.")
            else:
                self.error(row, col, raw, "unknown-city", f"未知城市：{text}。", f"Unknown city: {text}.")
            return None
        if not city.editable:
            self.error(
                row,
                col,
                raw,
                "not-permitted",
                f"您无权修改{city.name_zh}的数据。",
                f"You may not change the observations of {city.code}.",
            )
            return None
        return city

    def indicator(self, row: int, col: str, raw: Any) -> IndicatorRef | None:
        ind = self.indicators.get(_norm(raw))
        if ind is None:
            if not _text(raw):
                self.error(row, col, raw, "empty-indicator", "指标为空。", "The indicator is empty.")
            else:
                self.error(
                    row, col, raw, "unknown-indicator", f"未知指标：{_text(raw)}。", f"Unknown indicator: {_text(raw)}."
                )
        return ind

    def year(self, row: int, col: str, raw: Any) -> int | None:
        year = parse_year(raw)
        if year is None:
            self.error(
                row, col, raw, "bad-year", f"年份无效：{_text(raw)}。", f"Not a valid year: {_text(raw) or '(empty)'}."
            )
        return year

    def unit(self, row: int, col: str, raw: Any, ind: IndicatorRef) -> str:
        unit = _text(raw)
        if unit and unit not in (ind.unit_zh, ind.unit_en):
            self.error(
                row,
                col,
                raw,
                "unit-mismatch",
                f"单位不符：{unit}，{ind.name_zh}的单位是{ind.unit_zh}。",
                f"Unit mismatch: {unit}; {ind.code} is measured in {ind.unit_en} ({ind.unit_zh}).",
            )
        return unit

    def value(self, row: int, col: str, raw: Any, ind: IndicatorRef | None) -> Decimal | None:
        number = parse_number(raw)
        if number is None:
            shown = _text(raw) or "(empty)"
            self.error(
                row, col, raw, "not-a-number", f"不是数字：{_text(raw) or '（空）'}。", f"Not a number: {shown}."
            )
            return None
        if abs(number) >= MAX_ABS:
            self.error(row, col, raw, "too-large", "数值过大。", "The value is too large.")
            return None
        if ind is not None and number < 0 and not ind.allow_negative:
            self.error(
                row,
                col,
                raw,
                "impossible-sign",
                f"{ind.name_zh}不可能为负数：{number}。",
                f"{ind.code} cannot be negative: {number}.",
            )
            return None
        return number

    def member(self, row: int, col: str, city: CityRef, year: int) -> bool:
        if (city.first_year is not None and year < city.first_year) or (
            city.last_year is not None and year > city.last_year
        ):
            span = f"{city.first_year or '…'}–{city.last_year or '…'}"
            self.error(
                row,
                col,
                year,
                "outside-membership",
                f"{year}年{city.name_zh}不是成员城市（成员年份 {span}）。",
                f"{city.code} was not a member in {year} (member {span}).",
            )
            return False
        return True

    def finish(
        self, row: int, col: str, raw: Any, city: CityRef, ind: IndicatorRef, year: int, value: Decimal, **extra: str
    ) -> None:
        key = (city.code, ind.code, year)
        if key in self.seen:
            self.error(
                row,
                col,
                raw,
                "duplicate-in-file",
                f"重复：{city.name_zh} {year} {ind.name_zh} 已在第 {self.seen[key]} 行出现。",
                f"Duplicate: {city.code} {year} {ind.code} already given in row {self.seen[key]}.",
            )
            return
        self.seen[key] = row
        if self.existing(key):
            if not self.replace:
                self.error(
                    row,
                    col,
                    raw,
                    "already-stored",
                    f"{city.name_zh} {year} {ind.name_zh} 已有数据（如需覆盖请选择“替换”）。",
                    f"{city.code} {year} {ind.code} is already stored (choose 'replace' to overwrite it).",
                )
                return
            self.replacing += 1
        self.records.append(ParsedObservation(row, city.code, ind.code, year, value, **extra))


def _header_map(header: Sequence[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for idx, raw in enumerate(header):
        name = _norm(raw)
        for field, aliases in LONG_HEADERS.items():
            if name in aliases and field not in found:
                found[field] = idx
    return found


def _label(idx: int, header: Sequence[Any]) -> str:
    name = _text(header[idx]) if idx < len(header) else ""
    return f"{column_letter(idx)} ({name})" if name else column_letter(idx)


def validate_long(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    cities: Iterable[CityRef],
    indicators: Iterable[IndicatorRef],
    existing: Callable[[Key], bool] | set[Key] | frozenset[Key] = frozenset(),
    replace: bool = False,
) -> ImportReport:
    """Validate a long-layout table (``rows`` without the header row, numbered from spreadsheet row 2)."""
    v = _Validator(cities, indicators, existing, replace)
    cols = _header_map(header)
    missing = [f for f in REQUIRED_LONG if f not in cols]
    for f in missing:
        v.error(1, "—", "", "missing-column", f"缺少列：{f}。", f"Missing column: {f}.")
    count = 0
    if missing:
        return ImportReport("long", count, (), tuple(v.errors), 0)

    def cell(row: Sequence[Any], field: str) -> Any:
        idx = cols.get(field)
        return row[idx] if idx is not None and idx < len(row) else None

    for n, row in enumerate(rows, start=2):
        if all(_text(c) == "" for c in row):
            continue
        count += 1
        city = v.city(n, _label(cols["city"], header), cell(row, "city"))
        year = v.year(n, _label(cols["year"], header), cell(row, "year"))
        ind = v.indicator(n, _label(cols["indicator"], header), cell(row, "indicator"))
        value = v.value(n, _label(cols["value"], header), cell(row, "value"), ind)
        unit, unit_ok = "", True
        if ind is not None and "unit" in cols:
            before = len(v.errors)
            unit = v.unit(n, _label(cols["unit"], header), cell(row, "unit"), ind)
            unit_ok = len(v.errors) == before
        member = city is not None and year is not None and v.member(n, _label(cols["year"], header), city, year)
        if not (member and unit_ok) or ind is None or value is None:
            continue
        assert city is not None and year is not None
        v.finish(
            n,
            _label(cols["value"], header),
            cell(row, "value"),
            city,
            ind,
            year,
            value,
            unit=unit,
            source=_text(cell(row, "source"))[:300],
            note=_text(cell(row, "note")),
        )
    return ImportReport("long", count, tuple(v.records), v.sorted_errors(), v.replacing)


def validate_wide(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    year: int,
    cities: Iterable[CityRef],
    indicators: Iterable[IndicatorRef],
    existing: Callable[[Key], bool] | set[Key] | frozenset[Key] = frozenset(),
    replace: bool = False,
    source: str = "",
) -> ImportReport:
    """Validate a wide table like 表1: a city column, then one column per indicator, for the one ``year``."""
    v = _Validator(cities, indicators, existing, replace)
    city_col = next((i for i, h in enumerate(header) if _norm(h) in LONG_HEADERS["city"]), None)
    if city_col is None:
        v.error(1, "—", "", "missing-column", "缺少列：city（城市）。", "Missing column: city.")
        return ImportReport("wide", 0, (), tuple(v.errors), 0)
    columns: list[tuple[int, IndicatorRef, str]] = []
    for idx, raw in enumerate(header):
        name = _norm(raw)
        if idx == city_col or not name or name in WIDE_IGNORED or _text(raw) in WIDE_IGNORED:
            continue
        ind = v.indicators.get(name)
        unit = ""
        if ind is None:
            m = UNIT_IN_HEADER.match(_text(raw))
            if m:
                ind = v.indicators.get(_norm(m.group("name")))
                unit = m.group("unit").strip()
        if ind is None:
            v.indicator(1, _label(idx, header), raw)
            continue
        if unit:
            before = len(v.errors)
            v.unit(1, _label(idx, header), unit, ind)
            if len(v.errors) > before:
                continue
        columns.append((idx, ind, unit))
    count = 0
    for n, row in enumerate(rows, start=2):
        if all(_text(c) == "" for c in row):
            continue
        count += 1
        city = v.city(n, _label(city_col, header), row[city_col] if city_col < len(row) else None)
        if city is not None and not v.member(n, _label(city_col, header), city, year):
            city = None
        for idx, ind, unit in columns:
            raw = row[idx] if idx < len(row) else None
            if _text(raw) == "":
                continue  # a missing value in a wide table
            value = v.value(n, _label(idx, header), raw, ind)
            if city is not None and value is not None:
                v.finish(n, _label(idx, header), raw, city, ind, year, value, unit=unit, source=source)
    return ImportReport("wide", count, tuple(v.records), v.sorted_errors(), v.replacing)


def membership_years(joined: Any, left: Any) -> tuple[int | None, int | None]:
    """(first, last) member year from the joined/left dates (a city is a member in any year it was one a day)."""
    return (joined.year if joined else None, left.year if left else None)


def validate(
    layout: Layout,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    year: int | None = None,
    **kwargs: Any,
) -> ImportReport:
    """Dispatch on ``layout``; the wide layout needs ``year``."""
    if layout == "long":
        return validate_long(header, rows, **kwargs)
    if layout == "wide":
        if year is None:
            return ImportReport(
                "wide",
                0,
                (),
                (CellError(1, "—", "", "missing-year", "宽表需要指定年份。", "A wide table needs a year."),),
                0,
            )
        return validate_wide(header, rows, year=year, **kwargs)
    return ImportReport(
        str(layout), 0, (), (CellError(1, "—", "", "bad-layout", "未知表格格式。", "Unknown layout."),), 0
    )


def guess_layout(header: Sequence[Any], mapping: Mapping[str, Any] | None = None) -> Layout:
    """Long when the header has a value and an indicator column, otherwise wide."""
    cols = _header_map(header)
    return "long" if "value" in cols and "indicator" in cols else "wide"
