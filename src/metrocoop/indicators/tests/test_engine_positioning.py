"""Tests of the positioning engine: the city × function matrix, shared claims and gaps."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocoop.indicators.engine import EmptyInputError, InvalidValueError
from metrocoop.indicators.engine.positioning import CityStatement, FunctionDef, positioning_matrix

FRAMEWORK = (
    FunctionDef("finance", "国际金融中心", "International finance centre"),
    FunctionDef("shipping", "国际航运中心", "International shipping centre"),
    FunctionDef("manufacturing", "先进制造业基地", "Advanced manufacturing base"),
    FunctionDef("ecology", "生态屏障", "Ecological barrier"),
)

STATEMENTS = (
    CityStatement("SH", ("finance", "shipping"), "SH-2035", "上海2035总体规划"),
    CityStatement("NB", ("shipping",), "NB-port"),
    CityStatement("NB", ("shipping", "manufacturing", "shipping"), "NB-plan"),
    CityStatement("SZ", ("manufacturing",), "SZ-plan"),
)


def test_matrix_counts_statements_per_city_and_function() -> None:
    report = positioning_matrix(FRAMEWORK, STATEMENTS, cities=["SH", "SZ", "NB", "HZ"])
    assert report.cities == ("HZ", "NB", "SH", "SZ")
    assert report.matrix.columns == ("finance", "shipping", "manufacturing", "ecology")
    assert report.matrix.values == (
        (0, 0, 0, 0),
        (0, 2, 1, 0),  # a function cited twice in one statement counts once
        (1, 1, 0, 0),
        (0, 0, 1, 0),
    )
    several = {c.code: c.cities for c in report.claimed_by_several}
    assert several == {"shipping": ("NB", "SH"), "manufacturing": ("NB", "SZ")}
    assert [f.code for f in report.unserved] == ["ecology"]
    shipping = next(c for c in report.claims if c.code == "shipping")
    assert shipping.statement_counts == (2, 1)
    assert shipping.refs == (("NB-plan", "NB-port"), ("SH-2035",))
    assert shipping.zh == "国际航运中心"
    assert report.steps[1].result == 2
    json.dumps(report.to_dict(), ensure_ascii=False)


def test_framework_may_be_given_as_tuples_and_cities_default_to_the_statements() -> None:
    report = positioning_matrix([("a", "甲", "A"), ("b", "乙", "B")], [CityStatement("X", ("a",))])
    assert report.cities == ("X",)
    assert [f.code for f in report.unserved] == ["b"]
    assert report.claimed_by_several == ()


def test_positioning_errors() -> None:
    with pytest.raises(InvalidValueError) as exc:
        positioning_matrix(FRAMEWORK, [CityStatement("SH", ("finance", "space"))])
    assert exc.value.city_code == "SH" and "space" in str(exc.value)
    with pytest.raises(InvalidValueError) as exc:
        positioning_matrix(FRAMEWORK, STATEMENTS, cities=["SH", "SZ"])
    assert exc.value.city_code == "NB"
    with pytest.raises(InvalidValueError):
        positioning_matrix([*FRAMEWORK, FunctionDef("finance", "金融", "Finance")], STATEMENTS)
    with pytest.raises(EmptyInputError):
        positioning_matrix([], STATEMENTS)
    with pytest.raises(EmptyInputError):
        positioning_matrix(FRAMEWORK, [])


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    tags=st.lists(
        st.tuples(
            st.sampled_from(["SH", "SZ", "NB", "JX"]),
            st.lists(st.sampled_from([f.code for f in FRAMEWORK]), max_size=3),
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_property_order_does_not_matter_and_claims_partition_functions(
    data: st.DataObject, tags: list[tuple[str, list[str]]]
) -> None:
    statements = [CityStatement(c, tuple(codes), f"r{i}") for i, (c, codes) in enumerate(tags)]
    shuffled = data.draw(st.permutations(statements))
    report = positioning_matrix(FRAMEWORK, statements)
    assert positioning_matrix(FRAMEWORK, shuffled).to_dict() == report.to_dict()
    several = {c.code for c in report.claimed_by_several}
    unserved = {f.code for f in report.unserved}
    single = {c.code for c in report.claims if len(c.cities) == 1}
    assert several | unserved | single == {f.code for f in FRAMEWORK}
    assert not (several & unserved) and not (several & single) and not (single & unserved)
