"""Pure rules of the standards mechanism (§四(二)1 区域一体化标准体系, §二(四) 区域治理标准不一致).

No Django here: plain data in, plain data out, each result carrying the steps that explain it.

- Units: pint's registry converts limit values (mg/L ↔ µg/L ↔ g/m³ …) and refuses a unit of another dimension.
  Real spreadsheets write "µg/L" with the micro sign (U+00B5) or the Greek mu (U+03BC), "ug/L", "g/m³" or "g/m3";
  a few small preprocessors bring those to pint's syntax before parsing. A unit is never looked up in a table of
  our own.
- Harmonisation: every city's value for one parameter in one common unit, strictest and loosest (for a maximum the
  smallest value is the strictest, for a minimum the largest), the spread, the cities out of line, unified or not.
  Values compare equal within a relative tolerance of 1e-9 (float conversion noise, e.g. 300 µg/L → 0.30000000000000004
  mg/L); results are rounded to 12 significant digits.
- Recognition: "is a result of type T issued in A recognised in B on day D, and on what basis". Only a direct
  A → B recognition valid on D counts (dates inclusive): recognition is never transitive. A city's own results are
  recognised in that city implicitly.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import pint

from metrocoop.core.explain import BilingualError

REL_TOLERANCE = 1e-9
ABS_TOLERANCE = 1e-12
SIGNIFICANT_DIGITS = 12

MAX = "max"
MIN = "min"
LIMIT_TYPES = (MAX, MIN)

# Kinds of quantity a parameter may measure, by pint dimensionality.
KIND_DIMENSIONS: dict[str, str] = {
    "mass_concentration": "[mass] / [length] ** 3",
    "dimensionless": "dimensionless",
    "mass": "[mass]",
    "length": "[length]",
    "volume": "[length] ** 3",
    "temperature": "[temperature]",
    "time": "[time]",
    "mass_flow": "[mass] / [time]",
    "volume_flow": "[length] ** 3 / [time]",
    "area_density": "[mass] / [length] ** 2",
}

# Written for "no unit" in spreadsheets: pH, a ratio, a count.
DIMENSIONLESS_SPELLINGS = frozenset({"", "1", "-", "ph", "dimensionless", "无量纲", "无"})

_CHINESE_UNITS = (
    ("立方米", "m**3"),
    ("平方米", "m**2"),
    ("毫克", "mg"),
    ("微克", "ug"),
    ("纳克", "ng"),
    ("千克", "kg"),
    ("公斤", "kg"),
    ("克", "g"),
    ("毫升", "mL"),
    ("升", "L"),
    ("米", "m"),
    ("摄氏度", "degC"),
    ("℃", "degC"),
)
_SUPERSCRIPTS = {"²": "**2", "³": "**3", "⁻¹": "**-1"}
# "m3", "cm3", "m2" written without an exponent sign: a unit symbol directly followed by a digit.
_BARE_EXPONENT = re.compile(r"(?<=[A-Za-z])([23])\b")


class UnitError(BilingualError):
    """A unit that cannot be used: unknown, or of another dimension. Carries a Chinese and an English reason;
    `str()` says both ("中文 / English")."""

    code = "unit"

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_zh, reason_en)
        self.args = (self.both,)
        self.reason_zh = reason_zh
        self.reason_en = reason_en


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    return pint.UnitRegistry()


def normalise_unit(text: str) -> str:
    """A unit as written in a spreadsheet, in pint's syntax ("" for dimensionless)."""
    s = (text or "").strip()
    if s.lower() in DIMENSIONLESS_SPELLINGS:
        return ""
    s = s.replace("\u00b5", "u").replace("\u03bc", "u")  # micro sign and Greek mu
    for zh, symbol in _CHINESE_UNITS:
        s = s.replace(zh, symbol)
    for sup, exp in _SUPERSCRIPTS.items():
        s = s.replace(sup, exp)
    s = s.replace("^", "**")
    s = _BARE_EXPONENT.sub(r"**\1", s)
    s = s.replace("·", "*").replace(" ", "")
    return s


def parse_unit(text: str) -> pint.Unit:
    """The pint unit of `text`, or UnitError (unknown unit)."""
    ureg = registry()
    normalised = normalise_unit(text)
    if normalised == "":
        return ureg.dimensionless
    try:
        quantity = ureg.Quantity(1, normalised)
    except Exception as exc:  # pint raises UndefinedUnitError, DefinitionSyntaxError, TokenError, AttributeError…
        raise UnitError(f"无法识别的单位“{text}”", f"unknown unit '{text}'") from exc
    if not isinstance(quantity, pint.Quantity) or quantity.magnitude != 1:
        # "1000 mg" or a bare number: a factor hidden in the unit column
        raise UnitError(f"单位“{text}”含有数值", f"unit '{text}' contains a number")
    return quantity.units


def dimension_of(text: str) -> str:
    """The dimensionality of a unit as a string ("dimensionless", "[mass] / [length] ** 3")."""
    unit = parse_unit(text)
    dim = registry().Quantity(1, unit).dimensionality
    return "dimensionless" if not dim else str(dim)


def kind_of_unit(text: str) -> str:
    """The kind of quantity (a key of KIND_DIMENSIONS) a unit measures, or UnitError."""
    dim = dimension_of(text)
    for kind, wanted in KIND_DIMENSIONS.items():
        if _same_dimension(dim, wanted):
            return kind
    raise UnitError(f"单位“{text}”的量纲（{dim}）不受支持", f"unit '{text}' measures an unsupported quantity ({dim})")


def _same_dimension(a: str, b: str) -> bool:
    if a == b:
        return True
    if "dimensionless" in (a, b):
        return False
    ureg = registry()
    return ureg.get_dimensionality(a) == ureg.get_dimensionality(b)


def check_unit(text: str, kind: str) -> None:
    """Raise UnitError unless `text` is a known unit measuring `kind` (e.g. kg is refused for a concentration)."""
    dim = dimension_of(text)
    wanted = KIND_DIMENSIONS[kind]
    if not _same_dimension(dim, wanted):
        raise UnitError(
            f"单位“{text}”的量纲（{dim}）与参数所需的量纲（{wanted}）不同",
            f"unit '{text}' has dimension {dim}, the parameter needs {wanted}",
        )


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """`value` in `from_unit` expressed in `to_unit`; UnitError when the dimensions differ."""
    ureg = registry()
    a, b = parse_unit(from_unit), parse_unit(to_unit)
    try:
        result = ureg.Quantity(value, a).to(b).magnitude
    except pint.errors.DimensionalityError as exc:
        raise UnitError(
            f"无法从“{from_unit}”换算为“{to_unit}”：量纲不同",
            f"cannot convert '{from_unit}' to '{to_unit}': different dimensions",
        ) from exc
    return rounded(float(result))


def rounded(value: float) -> float:
    """`value` to 12 significant digits (conversion noise removed), as a float."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOLERANCE, abs_tol=ABS_TOLERANCE)


def display_unit(text: str) -> str:
    """How a unit is shown: as written, with "u" for micro turned back into "µ" (ug/L → µg/L)."""
    s = (text or "").strip()
    if s.lower() in DIMENSIONLESS_SPELLINGS:
        return ""
    s = s.replace("\u03bc", "µ")
    return re.sub(r"^u(?=g)|(?<=/)u(?=g)|(?<=\*)u(?=g)", "µ", s)


# --- harmonisation ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitEntry:
    """One city's limit for one parameter and category, as recorded."""

    city: str
    value: float
    unit: str
    standard: str = ""
    category: str = ""


@dataclass(frozen=True)
class CityValue:
    city: str
    value: float
    unit: str
    original_value: float
    original_unit: str
    standard: str
    category: str


@dataclass(frozen=True)
class Extreme:
    city: str
    value: float
    category: str = ""


@dataclass
class Harmonisation:
    parameter: str
    unit: str
    limit_type: str
    cities: list[CityValue]
    strictest: list[Extreme]
    loosest: list[Extreme]
    spread: float | None
    unified: bool
    out_of_line: list[str]
    category: str | None
    steps: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `metrocoop standards harmonise --json`: ties make `strictest`/`loosest` a list."""

        def extreme(items: list[Extreme]) -> Any:
            rows: list[dict[str, Any]] = []
            for e in items:  # one city tied in two categories is named once
                if {"city": e.city, "value": e.value} not in rows:
                    rows.append({"city": e.city, "value": e.value})
            if not rows:
                return None
            return rows[0] if len(rows) == 1 else rows

        return {
            "parameter": self.parameter,
            "unit": self.unit,
            "limit_type": self.limit_type,
            "category": self.category,
            "cities": [asdict(c) for c in self.cities],
            "strictest": extreme(self.strictest),
            "loosest": extreme(self.loosest),
            "spread": self.spread,
            "unified": self.unified,
            "out_of_line": self.out_of_line,
            "steps": self.steps,
        }


def common_unit(declared: str, entries: Sequence[LimitEntry]) -> str:
    """The unit values are compared in: the parameter's declared unit when it has one, otherwise the unit most
    entries were written in (ties: the first in sorted order), written as the entries write it."""
    if declared.strip():
        return declared.strip()
    if not entries:
        return ""
    counts = Counter(normalise_unit(e.unit) for e in entries)
    best = max(sorted(counts), key=lambda u: counts[u])
    return next(e.unit.strip() for e in sorted(entries, key=lambda e: e.unit) if normalise_unit(e.unit) == best)


def stricter(a: float, b: float, limit_type: str) -> bool:
    """Is `a` strictly stricter than `b`? For a maximum the smaller value, for a minimum the larger."""
    if same(a, b):
        return False
    return a < b if limit_type == MAX else a > b


def harmonise(
    parameter: str,
    limit_type: str,
    entries: Iterable[LimitEntry],
    *,
    declared_unit: str = "",
    category: str | None = None,
) -> Harmonisation:
    """Every entry in one unit, the strictest and loosest (ties kept), spread and whether all values are the same.

    `category`: None compares every entry given (each labelled with its category); a string keeps only that
    category's entries.
    """
    if limit_type not in LIMIT_TYPES:
        raise ValueError(f"limit_type must be max or min, not {limit_type!r}")
    rows = [e for e in entries if category is None or e.category == category]
    unit = common_unit(declared_unit, rows)
    # steps in Chinese and English: the engine has no translation catalogue, and both readers need them
    scope_zh = f"类别“{category}”" if category is not None else "全部类别"
    scope_en = f"in category '{category}'" if category is not None else "(all categories)"
    shown = display_unit(unit) or "无量纲 dimensionless"
    steps = [
        f"{parameter} {scope_zh}共 {len(rows)} 个数值 / {len(rows)} value(s) of {parameter} {scope_en}",
        (
            f"统一单位 {shown}（参数声明的单位）/ common unit {shown} (the parameter's declared unit)"
            if declared_unit.strip()
            else f"统一单位 {shown}（多数数值所用单位）/ common unit {shown} (the unit most values are written in)"
        ),
    ]
    cities: list[CityValue] = []
    for e in sorted(rows, key=lambda e: (e.category, e.city)):
        converted = convert(e.value, e.unit, unit) if normalise_unit(e.unit) != normalise_unit(unit) else e.value
        converted = rounded(converted)
        if normalise_unit(e.unit) != normalise_unit(unit):
            steps.append(f"{e.city}: {e.value:g} {display_unit(e.unit)} = {converted:g} {display_unit(unit)} (pint)")
        cities.append(
            CityValue(
                city=e.city,
                value=converted,
                unit=unit,
                original_value=e.value,
                original_unit=e.unit.strip(),
                standard=e.standard,
                category=e.category,
            )
        )
    if not cities:
        return Harmonisation(parameter, unit, limit_type, [], [], [], None, False, [], category, steps)
    values = [c.value for c in cities]
    strict_value = min(values) if limit_type == MAX else max(values)
    loose_value = max(values) if limit_type == MAX else min(values)
    strictest = [Extreme(c.city, c.value, c.category) for c in cities if same(c.value, strict_value)]
    loosest = [Extreme(c.city, c.value, c.category) for c in cities if same(c.value, loose_value)]
    spread = rounded(abs(loose_value - strict_value))
    unified = all(same(v, strict_value) for v in values)
    if unified:
        spread = 0.0
    out_of_line = sorted({c.city for c in cities if not same(c.value, strict_value)})
    steps.append(
        "上限值：最小者最严 / a maximum: the smallest value is the strictest"
        if limit_type == MAX
        else "下限值：最大者最严 / a minimum: the largest value is the strictest"
    )
    steps.append(f"最严 strictest {strict_value:g}: {', '.join(e.city for e in strictest)}")
    steps.append(f"最宽 loosest {loose_value:g}: {', '.join(e.city for e in loosest)}")
    steps.append(f"差距 spread = |{loose_value:g} − {strict_value:g}| = {spread:g}")
    steps.append(
        "已统一：各值在 1e-9 相对误差内相同 / unified: every value equal within a relative tolerance of 1e-9"
        if unified
        else f"未统一：{', '.join(out_of_line)} 宽于最严值 / not unified: {', '.join(out_of_line)} looser than "
        "the strictest"
    )
    return Harmonisation(
        parameter=parameter,
        unit=unit,
        limit_type=limit_type,
        cities=cities,
        strictest=strictest,
        loosest=loosest,
        spread=spread,
        unified=unified,
        out_of_line=out_of_line,
        category=category,
        steps=steps,
    )


# --- mutual recognition ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecognitionRecord:
    """One direct recognition: results of `type` issued in `issuing_city` are recognised in `recognising_city`."""

    id: int
    type: str
    issuing_city: str
    recognising_city: str
    valid_from: date | None = None
    valid_to: date | None = None
    basis_document: dict[str, Any] | None = None
    basis_note: str = ""
    scope: str = ""
    conditions: str = ""

    def valid_on(self, day: date) -> bool:
        """Dates inclusive: valid from `valid_from` through `valid_to`; an open end is unbounded."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass
class RecognitionAnswer:
    type: str
    issued_in: str
    recognised_in: str
    on: date
    recognised: bool
    implicit: bool
    matches: list[RecognitionRecord]
    steps: list[str]

    def to_dict(self) -> dict[str, Any]:
        first = self.matches[0] if self.matches else None

        def record(r: RecognitionRecord) -> dict[str, Any]:
            return {
                "recognition_id": r.id,
                "basis_document": r.basis_document,
                "basis_note": r.basis_note,
                "scope": r.scope,
                "conditions": r.conditions,
                "valid_from": r.valid_from.isoformat() if r.valid_from else None,
                "valid_to": r.valid_to.isoformat() if r.valid_to else None,
            }

        out: dict[str, Any] = {
            "type": self.type,
            "issued_in": self.issued_in,
            "recognised_in": self.recognised_in,
            "on": self.on.isoformat(),
            "recognised": self.recognised,
            "implicit": self.implicit,
        }
        out.update(
            record(first)
            if first
            else dict.fromkeys(
                ("recognition_id", "basis_document", "basis_note", "scope", "conditions", "valid_from", "valid_to")
            )
        )
        if self.implicit:
            out["basis_note"] = "implicit: a city recognises the results it issues itself"
        out["recognitions"] = [record(r) for r in self.matches]
        out["steps"] = self.steps
        return out


def is_recognised(
    records: Iterable[RecognitionRecord], type_code: str, issued_in: str, recognised_in: str, on: date
) -> RecognitionAnswer:
    """Only a direct issued_in → recognised_in recognition of this type valid on `on` counts; chains do not."""
    records = [r for r in records if r.type == type_code]
    if issued_in == recognised_in:
        return RecognitionAnswer(
            type_code,
            issued_in,
            recognised_in,
            on,
            True,
            True,
            [],
            [f"{issued_in} 默认承认本市出具的结果 / {issued_in} recognises the results it issues itself (implicit)"],
        )
    direct = [r for r in records if r.issuing_city == issued_in and r.recognising_city == recognised_in]
    valid = sorted((r for r in direct if r.valid_on(on)), key=lambda r: (r.valid_from or date.min, r.id))
    steps = [
        f"{issued_in} → {recognised_in} 直接互认 {len(direct)} 项 / {len(direct)} direct recognition(s) "
        f"{issued_in} → {recognised_in} of type {type_code}"
    ]
    for r in direct:
        span = f"{r.valid_from or '…'} – {r.valid_to or '…'}"
        verdict = "有效 valid" if r.valid_on(on) else "无效 not valid"
        steps.append(f"#{r.id} {span}: {on.isoformat()} {verdict}")
    if not valid:
        via = sorted(
            {
                r.recognising_city
                for r in records
                if r.issuing_city == issued_in and r.valid_on(on) and r.recognising_city != recognised_in
            }
            & {r.issuing_city for r in records if r.recognising_city == recognised_in and r.valid_on(on)}
        )
        if via:
            steps.append(
                f"不计入：{issued_in} → {', '.join(via)} → {recognised_in} 是链条，互认不具传递性 / not counted: "
                f"{issued_in} → {', '.join(via)} → {recognised_in} is a chain; recognition is not transitive"
            )
    return RecognitionAnswer(type_code, issued_in, recognised_in, on, bool(valid), False, valid, steps)


MUTUAL = "mutual"
ONE_WAY = "one_way"  # recognised in this direction only
ONE_WAY_GAP = "one_way_gap"  # not recognised in this direction, though the other direction is
GAP = "gap"  # recognised in neither direction
SELF = "self"


@dataclass
class RecognitionMatrix:
    type: str
    on: date
    cities: list[str]
    cells: dict[tuple[str, str], str]  # (issuing, recognising) → status
    counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "on": self.on.isoformat(),
            "cities": self.cities,
            "cells": [{"issued_in": a, "recognised_in": b, "status": s} for (a, b), s in sorted(self.cells.items())],
            "counts": self.counts,
        }


def recognition_matrix(
    records: Iterable[RecognitionRecord], type_code: str, cities: Sequence[str], on: date
) -> RecognitionMatrix:
    """Every ordered pair of cities: recognised both ways, one way, or a gap, on `on` (direct recognitions only)."""
    records = [r for r in records if r.type == type_code and r.valid_on(on)]
    direct = {(r.issuing_city, r.recognising_city) for r in records}
    cells: dict[tuple[str, str], str] = {}
    for a in cities:
        for b in cities:
            if a == b:
                cells[(a, b)] = SELF
            elif (a, b) in direct:
                cells[(a, b)] = MUTUAL if (b, a) in direct else ONE_WAY
            else:
                cells[(a, b)] = ONE_WAY_GAP if (b, a) in direct else GAP
    counts = Counter(s for s in cells.values() if s != SELF)
    return RecognitionMatrix(
        type_code, on, list(cities), cells, {k: counts.get(k, 0) for k in (MUTUAL, ONE_WAY, ONE_WAY_GAP, GAP)}
    )
