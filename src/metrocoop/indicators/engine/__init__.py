"""Pure engines of the indicators app: plain data in, plain data out (no ORM, no request).

Modules:

- :mod:`.disparity`   max/min ratio, CV, Williamson index, Gini, Theil T/L (also weighted), Theil decomposition
- :mod:`.convergence` σ- and β-convergence over years
- :mod:`.structure`   sector shares, location quotients, structure similarity (UNIDO) and Krugman dissimilarity
- :mod:`.commuting`   origin–destination counts and shares kept apart, gravity model by Poisson IRLS, haversine
- :mod:`.positioning` city × function matrix of the cities' stated functions

Every result is a frozen dataclass with ``to_dict()`` (JSON-ready) that carries its inputs, weights and the
:class:`~metrocoop.core.explain.Step` records explaining it (core's one step type, re-exported here). This package
module holds only what all engines share; import the functions from the submodules
(``from metrocoop.indicators.engine.disparity import disparity_report``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from metrocoop.core.explain import BilingualError, Step

__all__ = [
    "DuplicateCityError",
    "EmptyInputError",
    "EngineInputError",
    "InvalidValueError",
    "JsonMixin",
    "Matrix",
    "MissingGroupError",
    "MissingPopulationError",
    "NonPositiveValueError",
    "Step",
    "StepWording",
    "finite_float",
    "require_one_of",
    "to_jsonable",
    "worded_step",
]


class EngineInputError(BilingualError):
    """Input an engine cannot compute with, Chinese first as every :class:`BilingualError`. ``code`` is stable for
    APIs; ``city_code`` names the culprit if one."""

    code = "invalid-input"

    def __init__(self, message_zh: str, message_en: str, *, city_code: str | None = None) -> None:
        super().__init__(message_zh, message_en)
        self.city_code = city_code

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_en": self.message_en, "message_zh": self.message_zh, "city": self.city_code}


class EmptyInputError(EngineInputError):
    code = "empty-input"


class DuplicateCityError(EngineInputError):
    code = "duplicate-city"


class InvalidValueError(EngineInputError):
    """A value that is not a finite number, or out of the range a measure accepts."""

    code = "invalid-value"


def require_one_of(name: str, value: Any, allowed: tuple[str, str]) -> None:
    """:class:`InvalidValueError` naming the option ``name`` unless ``value`` is one of its two ``allowed`` values."""
    if value not in allowed:
        first, second = allowed
        raise InvalidValueError(
            f"{name} 须为 '{first}' 或 '{second}'，得到 {value!r}。",
            f"{name} must be '{first}' or '{second}', got {value!r}.",
        )


class NonPositiveValueError(EngineInputError):
    """A zero or negative value where a logarithm or a ratio needs a positive one."""

    code = "non-positive-value"


class MissingPopulationError(EngineInputError):
    code = "missing-population"


class MissingGroupError(EngineInputError):
    code = "missing-group"


def _step_json(step: Step) -> dict[str, Any]:
    """A :class:`Step` in the indicators' JSON shape, which their API and pages read: ``key``, ``label_zh`` (the
    Chinese caption, core's ``text_zh``), ``text_en``, ``formula``, ``values`` and ``result``."""
    return {
        "key": step.key,
        "label_zh": step.label_zh,
        "text_en": step.text_en,
        "formula": step.formula,
        "values": step.values,
        "result": step.result,
    }


StepWording = Mapping[str, tuple[str, str, str]]
"""The words of an engine's steps, one table beside the function that computes them: step key -> (Chinese caption,
English explanation, formula). The code then gives each step only its numbers."""


def worded_step(
    wording: StepWording, key: str, values: Mapping[str, Any] | None = None, result: Any = None, **fill: Any
) -> Step:
    """The :class:`Step` ``key`` worded by ``wording``, with its ``values`` and ``result``.

    ``fill`` fills the ``{name}`` fields of the explanation and the formula; without it they are taken as written
    (a formula's own braces, such as ``y_{i,0}``, stay).
    """
    text_zh, text_en, formula = wording[key]
    if fill:
        text_en, formula = text_en.format(**fill), formula.format(**fill)
    return Step(key=key, text_zh=text_zh, text_en=text_en, formula=formula, values=values or {}, result=result)


def to_jsonable(obj: Any) -> Any:
    """Turn dataclasses, mappings, tuples and numpy scalars into JSON types; NaN and ±inf become ``None``.
    A :class:`Step` takes the shape of :func:`_step_json`."""
    if isinstance(obj, Step):
        return to_jsonable(_step_json(obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj) if isinstance(obj, set | frozenset) else obj
        return [to_jsonable(v) for v in items]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int) and not hasattr(obj, "dtype"):
        return obj
    if hasattr(obj, "item") and hasattr(obj, "dtype"):  # numpy scalar
        return to_jsonable(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    try:  # Decimal and other numbers
        value = float(obj)
    except (TypeError, ValueError):
        return str(obj)
    return value if math.isfinite(value) else None


def finite_float(value: Any, *, what: str, city_code: str | None = None) -> float:
    """``float(value)`` or :class:`InvalidValueError` naming ``what`` (and the city) if it is not a finite number."""
    where = f" of {city_code}" if city_code else ""
    try:
        if isinstance(value, bool):  # float(True) is 1.0, but a yes/no is not a figure
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"{city_code or ''}的{what}不是数字：{value!r}",
            f"The {what}{where} must be a number, got {value!r}.",
            city_code=city_code,
        ) from None
    if not math.isfinite(number):
        raise InvalidValueError(
            f"{city_code or ''}的{what}不是有限数：{value!r}",
            f"The {what}{where} must be finite, got {value!r}.",
            city_code=city_code,
        )
    return number


class JsonMixin:
    """Adds ``to_dict()`` to a dataclass."""

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclasses.dataclass(frozen=True)
class Matrix(JsonMixin):
    """A labelled 2-D table (rows × columns) usable as a heat map: ``values[r][c]`` belongs to rows[r], columns[c]."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]

    def get(self, row: str, column: str) -> Any:
        return self.values[self.rows.index(row)][self.columns.index(column)]

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Nested ``{row: {column: value}}`` form."""
        return {r: dict(zip(self.columns, vals, strict=True)) for r, vals in zip(self.rows, self.values, strict=True)}
