"""The pure rules: unit conversion and refusal, max/min direction, ties, recognition by date without transitivity.
No database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.standards import engine
from metrocoop.standards.engine import LimitEntry, RecognitionRecord, UnitError


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (300, "µg/L", "mg/L", 0.3),  # micro sign U+00B5
        (300, "μg/L", "mg/L", 0.3),  # Greek mu U+03BC
        (300, "ug/L", "mg/L", 0.3),
        (0.3, "mg/L", "ug/L", 300),
        (1, "g/m³", "mg/L", 1),
        (1, "g/m3", "mg/L", 1),
        (2.5, "mg/l", "g/m**3", 2.5),
        (1000, "mg/m³", "mg/L", 1),
        (1, "毫克/升", "微克/升", 1000),
        (7, "pH", "", 7),
        (7, "1", "dimensionless", 7),
    ],
)
def test_units_of_the_same_quantity_convert(value, from_unit, to_unit, expected):
    assert engine.convert(value, from_unit, to_unit) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        ("kg", "mass_concentration"),
        ("mg", "mass_concentration"),
        ("L", "mass_concentration"),
        ("mg/L", "dimensionless"),
    ],
)
def test_a_unit_of_another_dimension_is_refused_in_both_languages(unit, kind):
    with pytest.raises(UnitError) as refused:
        engine.check_unit(unit, kind)
    assert "量纲" in refused.value.reason_zh
    assert "dimension" in refused.value.reason_en


@pytest.mark.parametrize("unit", ["furlongs per pint", "mgg/L", "1000 mg/L", "??"])
def test_an_unknown_unit_is_refused(unit):
    with pytest.raises(UnitError):
        engine.check_unit(unit, "mass_concentration")


def test_converting_kg_to_mg_per_litre_is_refused():
    with pytest.raises(UnitError):
        engine.convert(1, "kg", "mg/L")


def test_a_dimensionless_parameter_accepts_an_empty_unit_ph_or_one():
    for unit in ("", "1", "pH", "无量纲"):
        engine.check_unit(unit, "dimensionless")


def _limits(*rows):
    return [LimitEntry(city, value, unit, f"STD-{city}") for city, value, unit in rows]


def test_for_a_maximum_the_smallest_value_is_strictest():
    # given three cities, one writing its value in µg/L
    h = engine.harmonise("TP", "max", _limits(("SH", 0.5, "mg/L"), ("SZ", 200, "µg/L"), ("NB", 0.4, "mg/L")))
    # then Suzhou's 200 µg/L (0.2 mg/L) is the strictest and Shanghai the loosest
    assert h.unit == "mg/L"
    assert [(e.city, e.value) for e in h.strictest] == [("SZ", 0.2)]
    assert [(e.city, e.value) for e in h.loosest] == [("SH", 0.5)]
    assert h.spread == pytest.approx(0.3)
    assert h.unified is False
    assert h.out_of_line == ["NB", "SH"]
    sz = next(c for c in h.cities if c.city == "SZ")
    assert (sz.original_value, sz.original_unit) == (200, "µg/L")


def test_for_a_minimum_the_largest_value_is_strictest():
    h = engine.harmonise("DO", "min", _limits(("SH", 5, "mg/L"), ("SZ", 6, "mg/L"), ("JX", 4, "mg/L")))
    assert [e.city for e in h.strictest] == ["SZ"]
    assert [e.city for e in h.loosest] == ["JX"]
    assert h.spread == pytest.approx(2)


def test_ties_keep_every_city_and_the_json_makes_them_a_list():
    # 0.3 mg/L and 300 µg/L are the same value after a float conversion
    h = engine.harmonise(
        "TP", "max", _limits(("SH", 0.3, "mg/L"), ("JX", 300, "ug/L"), ("NT", 0.5, "mg/L"), ("ZS", 0.5, "mg/L"))
    )
    out = h.to_dict()
    assert out["strictest"] == [{"city": "JX", "value": 0.3}, {"city": "SH", "value": 0.3}]
    assert out["loosest"] == [{"city": "NT", "value": 0.5}, {"city": "ZS", "value": 0.5}]
    single = engine.harmonise("TP", "max", _limits(("SH", 0.3, "mg/L"), ("NT", 0.5, "mg/L"))).to_dict()
    assert single["strictest"] == {"city": "SH", "value": 0.3}


def test_values_equal_after_conversion_are_unified_with_zero_spread():
    h = engine.harmonise("TP", "max", _limits(("SH", 0.3, "mg/L"), ("JX", 300, "µg/L"), ("SZ", 0.0003, "g/L")))
    assert h.unified is True
    assert h.spread == 0
    assert h.out_of_line == []


def test_the_declared_unit_wins_otherwise_the_most_common_unit():
    rows = _limits(("SH", 300, "µg/L"), ("SZ", 400, "µg/L"), ("NB", 0.5, "mg/L"))
    assert engine.harmonise("TP", "max", rows).unit == "µg/L"
    assert engine.harmonise("TP", "max", rows, declared_unit="mg/L").unit == "mg/L"


def test_a_category_keeps_only_its_values():
    rows = [
        LimitEntry("SH", 30, "mg/L", "", "A"),
        LimitEntry("SZ", 40, "mg/L", "", "A"),
        LimitEntry("SH", 50, "mg/L", "", "B"),
    ]
    h = engine.harmonise("COD", "max", rows, category="A")
    assert [c.city for c in h.cities] == ["SH", "SZ"]
    assert len(engine.harmonise("COD", "max", rows).cities) == 3


values = st.floats(min_value=0.001, max_value=1000, allow_nan=False, allow_infinity=False)


@given(
    st.lists(
        st.tuples(st.sampled_from(["SH", "SZ", "WX", "NB", "JX"]), values),
        min_size=1,
        max_size=5,
        unique_by=lambda t: t[0],
    ),
    st.sampled_from(["max", "min"]),
)
def test_the_strictest_city_does_not_depend_on_the_unit_or_the_order(rows, limit_type):
    in_mg = [LimitEntry(c, v, "mg/L") for c, v in rows]
    in_ug = [LimitEntry(c, v * 1000, "ug/L") for c, v in reversed(rows)]
    a = engine.harmonise("X", limit_type, in_mg, declared_unit="mg/L")
    b = engine.harmonise("X", limit_type, in_ug, declared_unit="mg/L")
    assert {e.city for e in a.strictest} == {e.city for e in b.strictest}
    assert {e.city for e in a.loosest} == {e.city for e in b.loosest}
    # every value is at least as strict as the loosest and no value is stricter than the strictest
    for c in a.cities:
        assert not engine.stricter(c.value, a.strictest[0].value, limit_type)
        assert not engine.stricter(a.loosest[0].value, c.value, limit_type)


def rec(i, a, b, start=None, end=None, t="talent"):
    return RecognitionRecord(i, t, a, b, start, end, scope=f"scope {i}")


def test_recognition_dates_are_inclusive():
    records = [rec(1, "SH", "SZ", date(2024, 1, 1), date(2024, 12, 31))]
    ask = lambda d: engine.is_recognised(records, "talent", "SH", "SZ", d).recognised  # noqa: E731
    assert ask(date(2024, 1, 1)) and ask(date(2024, 12, 31))
    assert not ask(date(2023, 12, 31)) and not ask(date(2025, 1, 1))


def test_recognition_is_directional_and_never_transitive():
    records = [rec(1, "SH", "SZ"), rec(2, "SZ", "WX")]
    assert engine.is_recognised(records, "talent", "SH", "SZ", date(2025, 1, 1)).recognised
    assert not engine.is_recognised(records, "talent", "SZ", "SH", date(2025, 1, 1)).recognised
    chain = engine.is_recognised(records, "talent", "SH", "WX", date(2025, 1, 1))
    assert chain.recognised is False
    assert any("not transitive" in s for s in chain.steps)


def test_a_recognition_of_another_type_does_not_count():
    records = [rec(1, "SH", "SZ", t="hitech")]
    assert not engine.is_recognised(records, "talent", "SH", "SZ", date(2025, 1, 1)).recognised


def test_a_city_recognises_its_own_results_implicitly():
    answer = engine.is_recognised([], "talent", "SH", "SH", date(2025, 1, 1))
    assert answer.recognised and answer.implicit
    assert answer.to_dict()["recognition_id"] is None


def test_the_answer_names_its_basis():
    records = [
        RecognitionRecord(7, "talent", "SH", "SZ", date(2024, 1, 1), None, {"key": "sz-talent"}, "协议", "A类", "持证")
    ]
    out = engine.is_recognised(records, "talent", "SH", "SZ", date(2024, 6, 1)).to_dict()
    assert out["recognition_id"] == 7
    assert out["basis_document"] == {"key": "sz-talent"}
    assert (out["scope"], out["conditions"], out["valid_from"], out["valid_to"]) == ("A类", "持证", "2024-01-01", None)


def test_the_matrix_marks_both_ways_one_way_and_gaps():
    records = [rec(1, "SH", "SZ"), rec(2, "SZ", "SH"), rec(3, "SH", "JX"), rec(4, "SZ", "JX", end=date(2020, 1, 1))]
    m = engine.recognition_matrix(records, "talent", ["SH", "SZ", "JX"], date(2025, 1, 1))
    assert m.cells[("SH", "SZ")] == m.cells[("SZ", "SH")] == engine.MUTUAL
    assert m.cells[("SH", "JX")] == engine.ONE_WAY
    assert m.cells[("JX", "SH")] == engine.ONE_WAY_GAP
    assert m.cells[("SZ", "JX")] == engine.GAP  # expired
    assert m.cells[("SH", "SH")] == engine.SELF
    assert m.counts == {"mutual": 2, "one_way": 1, "one_way_gap": 1, "gap": 2}


CITIES = ["SH", "SZ", "WX", "NB"]
day = st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31))


@given(
    st.lists(
        st.tuples(st.sampled_from(CITIES), st.sampled_from(CITIES), day, st.one_of(st.none(), day)),
        max_size=12,
    ),
    st.sampled_from(CITIES),
    st.sampled_from(CITIES),
    day,
)
def test_recognised_exactly_when_a_direct_recognition_is_valid_that_day(rows, a, b, on):
    records = [rec(i, x, y, start, end) for i, (x, y, start, end) in enumerate(rows) if x != y]
    answer = engine.is_recognised(records, "talent", a, b, on)
    direct = any(r.issuing_city == a and r.recognising_city == b and r.valid_on(on) for r in records)
    assert answer.recognised is (a == b or direct)
    m = engine.recognition_matrix(records, "talent", CITIES, on)
    if a != b:  # the matrix says the same as the query
        assert (m.cells[(a, b)] in (engine.MUTUAL, engine.ONE_WAY)) is answer.recognised
