"""Functional positioning (功能定位) of the member cities against a framework of metropolitan functions.

The paper asks the cities to settle a division of functions within the metropolitan area. Given a framework of
functions (code, Chinese and English names) and the cities' statements (plans, policies) tagged with function
codes, this engine builds the city × function matrix, lists the functions claimed by two or more cities (possible
rivalry — or a shared function to coordinate) and the functions no city serves (gaps).

Cities are sorted by code; functions keep the framework's order, which is the order its authors chose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from metrocoop.indicators.engine import (
    EmptyInputError,
    InvalidValueError,
    JsonMixin,
    Matrix,
    Step,
)


@dataclass(frozen=True)
class FunctionDef(JsonMixin):
    """One function of the framework, e.g. ("finance", "国际金融中心", "International finance centre")."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class CityStatement(JsonMixin):
    """A statement of a city (a plan, a policy) tagged with the function codes it claims; ``ref`` identifies it."""

    city_code: str
    function_codes: tuple[str, ...]
    ref: str = ""
    text: str = ""


@dataclass(frozen=True)
class FunctionClaims(JsonMixin):
    """The cities that claim a function, with the number of statements of each."""

    code: str
    zh: str
    en: str
    cities: tuple[str, ...]
    statement_counts: tuple[int, ...]
    refs: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PositioningReport(JsonMixin):
    """``matrix`` (cities × function codes) holds the number of statements; > 0 means the city claims it."""

    framework: tuple[FunctionDef, ...]
    cities: tuple[str, ...]
    matrix: Matrix
    claims: tuple[FunctionClaims, ...]
    claimed_by_several: tuple[FunctionClaims, ...]
    unserved: tuple[FunctionDef, ...]
    statements: tuple[CityStatement, ...]
    steps: tuple[Step, ...]


def _coerce_framework(framework: Iterable[FunctionDef | Sequence[str]]) -> tuple[FunctionDef, ...]:
    out: list[FunctionDef] = []
    seen: set[str] = set()
    for item in framework:
        fd = item if isinstance(item, FunctionDef) else FunctionDef(*item)
        if not isinstance(fd.code, str) or not fd.code.strip():
            raise InvalidValueError("每项功能都需要代码。", f"Every function needs a code, got {fd!r}.")
        if fd.code in seen:
            raise InvalidValueError(f"功能 {fd.code} 重复。", f"Function {fd.code} is listed twice.")
        seen.add(fd.code)
        out.append(fd)
    if not out:
        raise EmptyInputError("功能框架为空。", "The framework has no functions.")
    return tuple(out)


def positioning_matrix(
    framework: Iterable[FunctionDef | Sequence[str]],
    statements: Iterable[CityStatement],
    *,
    cities: Iterable[str] | None = None,
) -> PositioningReport:
    """Build the city × function matrix from tagged statements.

    ``cities`` is the member list: members without statements get an empty row, and a statement of a city outside
    the list is an error. Without it the cities are those of the statements. A statement citing a function code
    that is not in the framework is an error naming the city and the code.
    """
    funcs = _coerce_framework(framework)
    codes = [f.code for f in funcs]
    stmts = tuple(sorted(statements, key=lambda s: (s.city_code, s.ref, s.text, tuple(s.function_codes))))
    members = sorted({c.strip() for c in cities}) if cities is not None else sorted({s.city_code for s in stmts})
    if not members:
        raise EmptyInputError("没有城市。", "No cities given.")
    refs: dict[tuple[str, str], list[str]] = {}
    for s in stmts:
        if s.city_code not in members:
            raise InvalidValueError(
                f"{s.city_code} 不是成员城市。",
                f"Statement {s.ref or s.text[:30]!r} belongs to {s.city_code}, which is not a member.",
                city_code=s.city_code,
            )
        for code in dict.fromkeys(s.function_codes):  # a statement counts once per function
            if code not in codes:
                raise InvalidValueError(
                    f"{s.city_code} 引用的功能 {code} 不在框架中。",
                    f"{s.city_code} cites function {code!r}, which is not in the framework.",
                    city_code=s.city_code,
                )
            refs.setdefault((s.city_code, code), []).append(s.ref)
    counts = tuple(tuple(len(refs.get((c, f), [])) for f in codes) for c in members)
    matrix = Matrix(tuple(members), tuple(codes), counts)
    claims = tuple(
        FunctionClaims(
            f.code,
            f.zh,
            f.en,
            tuple(c for c in members if (c, f.code) in refs),
            tuple(len(refs[(c, f.code)]) for c in members if (c, f.code) in refs),
            tuple(tuple(sorted(refs[(c, f.code)])) for c in members if (c, f.code) in refs),
        )
        for f in funcs
    )
    several = tuple(c for c in claims if len(c.cities) >= 2)
    unserved = tuple(f for f, c in zip(funcs, claims, strict=True) if not c.cities)
    steps = (
        Step(
            key="matrix",
            text_zh="城市×功能矩阵",
            text_en="Count each city's statements per function of the framework.",
            formula="mᵢₖ = number of statements of city i tagged with function k",
            values={"cities": len(members), "functions": len(codes), "statements": len(stmts)},
        ),
        Step(
            key="claimed-by-several",
            text_zh="多城定位（可能竞争）",
            text_en="Functions claimed by two or more cities: possible rivalry, or a function to share by agreement.",
            formula="#{i : mᵢₖ > 0} ≥ 2",
            values={c.code: list(c.cities) for c in several},
            result=len(several),
        ),
        Step(
            key="unserved",
            text_zh="无城市承担",
            text_en="Functions no city claims: gaps in the division of functions.",
            formula="#{i : mᵢₖ > 0} = 0",
            values={"functions": [f.code for f in unserved]},
            result=len(unserved),
        ),
    )
    return PositioningReport(funcs, tuple(members), matrix, claims, several, unserved, stmts, steps)
