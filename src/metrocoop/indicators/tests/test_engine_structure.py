"""Tests of the structure engine: shares, location quotients, similarity and Krugman index."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocoop.indicators.engine import EmptyInputError, InvalidValueError, NonPositiveValueError
from metrocoop.indicators.engine.structure import krugman_index, similarity_coefficient, structure_report

PAIR_CASES = [
    # shares a, shares b, S, K
    pytest.param([0.3, 0.7], [0.5, 0.5], 0.5 / math.sqrt(0.58 * 0.5), 0.4, id="two-sectors"),
    pytest.param([0.2, 0.3, 0.5], [0.2, 0.3, 0.5], 1.0, 0.0, id="identical"),
    pytest.param([1.0, 0.0], [0.0, 1.0], 0.0, 2.0, id="disjoint"),
    pytest.param([0.5, 0.5, 0.0], [0.0, 0.5, 0.5], 0.5, 1.0, id="half-overlap"),
]


@pytest.mark.parametrize(("a", "b", "s", "k"), PAIR_CASES)
def test_similarity_and_krugman_hand_worked(a: list[float], b: list[float], s: float, k: float) -> None:
    assert similarity_coefficient(a, b) == pytest.approx(s, abs=1e-12)
    assert krugman_index(a, b) == pytest.approx(k, abs=1e-12)


def test_report_hand_worked_shares_and_location_quotients() -> None:
    # A: 30/70, B: 50/50 → region 80/120 of 200 = .4/.6
    report = structure_report({"B": {"ind": 50, "svc": 50}, "A": {"ind": 30, "svc": 70}})
    assert report.cities == ("A", "B")
    assert report.sectors == ("ind", "svc")
    assert report.shares.get("A", "ind") == pytest.approx(0.3)
    assert report.region_shares == pytest.approx({"ind": 0.4, "svc": 0.6})
    assert report.location_quotients.get("A", "ind") == pytest.approx(0.75)
    assert report.location_quotients.get("A", "svc") == pytest.approx(0.7 / 0.6)
    assert report.location_quotients.get("B", "ind") == pytest.approx(1.25)
    assert report.similarity.get("A", "B") == pytest.approx(0.5 / math.sqrt(0.29))
    assert report.krugman.get("B", "A") == pytest.approx(0.4)
    assert report.similarity.get("A", "A") == 1.0 and report.krugman.get("A", "A") == 0.0
    assert report.region_total == 200.0
    assert report.city_totals == {"A": 100.0, "B": 100.0}


def test_report_ranks_the_most_complementary_pairs() -> None:
    report = structure_report(
        {
            "SH": {"finance": 60, "manufacturing": 20, "port": 20},
            "SZ": {"finance": 15, "manufacturing": 75, "port": 10},
            "WX": {"finance": 10, "manufacturing": 80, "port": 10},
            "NB": {"finance": 10, "manufacturing": 40, "port": 50},
        },
        top=2,
    )
    assert len(report.pairs) == 6
    sims = [p.similarity for p in report.pairs]
    assert [p.similarity for p in report.most_complementary] == sorted(sims)[:2]
    krugmans = sorted((p.krugman for p in report.pairs), reverse=True)
    assert [p.krugman for p in report.most_complementary_by_krugman] == krugmans[:2]
    assert (report.most_similar[0].city_a, report.most_similar[0].city_b) == ("SZ", "WX")
    assert report.similarity.rows == report.similarity.columns == ("NB", "SH", "SZ", "WX")
    matrix = report.similarity.values
    assert all(matrix[i][j] == matrix[j][i] for i in range(4) for j in range(4))
    assert report.location_quotients.as_dict()["NB"]["port"] > 1
    json.dumps(report.to_dict(), allow_nan=False)


def test_missing_sectors_count_as_zero_and_empty_sectors_are_dropped() -> None:
    report = structure_report({"A": {"x": 1.0, "y": 1.0, "z": 0.0}, "B": {"x": 3.0}})
    assert report.filled_zero == (("B", "y"), ("B", "z"))
    assert report.dropped_sectors == ("z",)
    assert report.sectors == ("x", "y")
    assert report.inputs.columns == ("x", "y", "z")
    assert report.shares.get("B", "y") == 0.0


def test_sector_order_can_be_given() -> None:
    report = structure_report(
        {"A": {"primary": 1, "secondary": 2, "tertiary": 3}}, sectors=["tertiary", "primary", "secondary"]
    )
    assert report.sectors == ("tertiary", "primary", "secondary")
    with pytest.raises(InvalidValueError):
        structure_report({"A": {"primary": 1, "other": 2}}, sectors=["primary"])


def test_structure_errors() -> None:
    with pytest.raises(EmptyInputError):
        structure_report({})
    with pytest.raises(InvalidValueError) as exc:
        structure_report({"A": {"x": 1.0}, "B": {"x": -1.0}})
    assert exc.value.city_code == "B"
    with pytest.raises(NonPositiveValueError) as exc:
        structure_report({"A": {"x": 1.0, "y": 0.0}, "B": {"x": 0.0, "y": 0.0}})
    assert exc.value.city_code == "B"
    with pytest.raises(InvalidValueError):
        structure_report({"A": {"x": math.nan}})


# --------------------------------------------------------------------------- properties

structures = st.dictionaries(
    st.sampled_from(["SH", "SZ", "WX", "CZ", "NT", "NB", "JX", "HZ", "ZS"]),
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.floats(0.01, 1e5, allow_nan=False), min_size=1),
    min_size=2,
    max_size=6,
)


@settings(max_examples=80, deadline=None)
@given(values=structures)
def test_property_bounds_symmetry_and_lq_mean(values: dict[str, dict[str, float]]) -> None:
    report = structure_report(values)
    for p in report.pairs:
        assert -1e-12 <= p.similarity <= 1.0
        assert -1e-12 <= p.krugman <= 2.0 + 1e-12
    # the city-size-weighted mean of the location quotients of a sector is 1
    for k in report.sectors:
        mean_lq = sum(
            report.city_totals[c] / report.region_total * report.location_quotients.get(c, k) for c in report.cities
        )
        assert mean_lq == pytest.approx(1.0, rel=1e-9)
    for c in report.cities:
        assert sum(report.shares.as_dict()[c].values()) == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), values=structures)
def test_property_order_of_cities_and_sectors_does_not_matter(
    data: st.DataObject, values: dict[str, dict[str, float]]
) -> None:
    shuffled = {
        c: dict(data.draw(st.permutations(list(values[c].items())))) for c in data.draw(st.permutations(list(values)))
    }
    assert structure_report(shuffled).to_dict() == structure_report(values).to_dict()


@settings(max_examples=60, deadline=None)
@given(values=structures, factor=st.floats(0.01, 100, allow_nan=False))
def test_property_scaling_one_city_changes_lq_but_not_its_similarity(
    values: dict[str, dict[str, float]], factor: float
) -> None:
    city = sorted(values)[0]
    scaled = {c: {k: v * factor for k, v in row.items()} if c == city else row for c, row in values.items()}
    a, b = structure_report(values), structure_report(scaled)
    for pa, pb in zip(a.pairs, b.pairs, strict=True):
        assert pb.similarity == pytest.approx(pa.similarity, rel=1e-9, abs=1e-12)
        assert pb.krugman == pytest.approx(pa.krugman, rel=1e-9, abs=1e-12)
