"""Pure engines of the indicators app: plain data in, plain data out (no ORM, no request).

Modules:

- :mod:`.disparity`   max/min ratio, CV, Williamson index, Gini, Theil T/L (also weighted), Theil decomposition
- :mod:`.convergence` σ- and β-convergence over years
- :mod:`.structure`   sector shares, location quotients, structure similarity (UNIDO) and Krugman dissimilarity
- :mod:`.commuting`   origin–destination counts and shares kept apart, gravity model by Poisson IRLS, haversine
- :mod:`.positioning` city × function matrix of the cities' stated functions

Every result is a frozen dataclass with ``to_dict()`` (JSON-ready) that carries its inputs, weights and the
:class:`Step` records explaining it. This package module holds only what all engines share; import the
functions from the submodules (``from metrocoop.indicators.engine.disparity import disparity_report``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from metrocoop.core.explain import BilingualError

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
    "finite_float",
    "to_jsonable",
]


class EngineInputError(BilingualError):
    """Input an engine cannot compute with. ``code`` is stable for APIs; ``city_code`` names the culprit if one.
    (English first here, an older order than core.explain's; the Chinese defaults to the English.)"""

    code = "invalid-input"

    def __init__(self, message_en: str, message_zh: str = "", *, city_code: str | None = None) -> None:
        super().__init__(message_zh or message_en, message_en)
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


class NonPositiveValueError(EngineInputError):
    """A zero or negative value where a logarithm or a ratio needs a positive one."""

    code = "non-positive-value"


class MissingPopulationError(EngineInputError):
    code = "missing-population"


class MissingGroupError(EngineInputError):
    code = "missing-group"


def to_jsonable(obj: Any) -> Any:
    """Turn dataclasses, mappings, tuples and numpy scalars into JSON types; NaN and ±inf become ``None``."""
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
    if isinstance(value, bool):
        raise InvalidValueError(f"The {what}{where} must be a number, got {value!r}.", city_code=city_code)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(
            f"The {what}{where} must be a number, got {value!r}.",
            f"{city_code or ''}的{what}不是数字：{value!r}",
            city_code=city_code,
        ) from None
    if not math.isfinite(number):
        raise InvalidValueError(
            f"The {what}{where} must be finite, got {value!r}.",
            f"{city_code or ''}的{what}不是有限数：{value!r}",
            city_code=city_code,
        )
    return number


class JsonMixin:
    """Adds ``to_dict()`` to a dataclass."""

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclasses.dataclass(frozen=True)
class Step(JsonMixin):
    """One explained step of a computation, for a web page that shows how a figure came about.

    ``text_en`` says in words what is done, ``label_zh`` is a short Chinese caption, ``formula`` the formula as
    text, ``values`` the intermediate numbers (per city where relevant) and ``result`` the number the step yields.
    """

    key: str
    label_zh: str
    text_en: str
    formula: str = ""
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    result: Any = None


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
