"""Tests of the commuting engine: counts vs shares, 表2, haversine and the gravity fit (against statsmodels)."""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocoop.indicators.engine import EmptyInputError, InvalidValueError, NonPositiveValueError
from metrocoop.indicators.engine.commuting import (
    EARTH_RADIUS_KM,
    CountTable,
    Deterrence,
    FlowCount,
    FlowShare,
    MixedFlowKindsError,
    ShareTable,
    distance_matrix,
    flows_from_records,
    gravity_fit,
    haversine_km,
    pair_distances,
    poisson_irls,
    shares_by_destination,
    shares_by_origin,
)

TABLE2 = Path(__file__).resolve().parents[1] / "data" / "paper_table2_commuting.csv"

# approximate city-centre coordinates (lat, lon) and 2019 resident populations (万人, 表1: GDP / GDP per capita)
COORDS = {
    "SH": (31.2304, 121.4737),
    "SZ": (31.2990, 120.5853),
    "WX": (31.4912, 120.3119),
    "CZ": (31.8107, 119.9741),
    "NT": (32.0162, 120.8644),
    "NB": (29.8683, 121.5440),
    "JX": (30.7461, 120.7555),
    "HZ": (30.8927, 120.0868),
}
POP = {"SH": 2425.6, "SZ": 1073.4, "WX": 658.5, "CZ": 473.2, "NT": 731.4, "NB": 836.9, "JX": 476.1, "HZ": 304.3}


# --------------------------------------------------------------------------- counts and shares kept apart


def test_count_table_refuses_a_share_and_share_table_refuses_a_count() -> None:
    with pytest.raises(MixedFlowKindsError):
        CountTable((FlowCount("SZ", "SH", 100.0), FlowShare("JX", "SH", 8.0)))  # type: ignore[arg-type]
    with pytest.raises(MixedFlowKindsError):
        ShareTable((FlowShare("SZ", "SH", 88.0), FlowCount("JX", "SH", 8.0)), "destination")  # type: ignore[arg-type]


def test_counts_and_shares_cannot_be_added() -> None:
    counts = flows_from_records([("SZ", "SH", 100.0)])
    shares = ShareTable((FlowShare("SZ", "SH", 88.0),), "destination")
    with pytest.raises(MixedFlowKindsError):
        counts + shares  # type: ignore[operator]
    with pytest.raises(MixedFlowKindsError):
        shares + counts  # type: ignore[operator]
    with pytest.raises(MixedFlowKindsError):
        shares + shares
    with pytest.raises(MixedFlowKindsError):
        gravity_fit(shares, POP, coordinates=COORDS)  # type: ignore[arg-type]
    with pytest.raises(MixedFlowKindsError):
        shares_by_origin(shares)  # type: ignore[arg-type]
    # MixedFlowKindsError is both a TypeError and the engines' input error
    assert issubclass(MixedFlowKindsError, TypeError) and issubclass(MixedFlowKindsError, ValueError)


def test_counted_and_expanded_counts_stay_apart() -> None:
    counted = flows_from_records([("SZ", "SH", 10.0), ("JX", "SH", 2.0)])
    expanded = counted.expanded(4)
    assert expanded.measure == "expanded" and expanded.expansion_factor == 4.0
    assert expanded.count("SZ", "SH") == 40.0
    with pytest.raises(MixedFlowKindsError):
        counted + expanded
    with pytest.raises(MixedFlowKindsError):
        expanded.expanded(2)
    both = counted + flows_from_records([("SZ", "SH", 5.0), ("NT", "SH", 1.0)])
    assert both.count("SZ", "SH") == 15.0 and both.count("NT", "SH") == 1.0 and both.count("SH", "NT") is None


def test_table_validation() -> None:
    with pytest.raises(InvalidValueError):
        flows_from_records([("SZ", "SH", -1.0)])
    with pytest.raises(InvalidValueError):
        flows_from_records([("SZ", "SH", 1.0), ("SZ", "SH", 2.0)])
    with pytest.raises(InvalidValueError):
        ShareTable((FlowShare("SZ", "SH", 101.0),), "destination")
    with pytest.raises(InvalidValueError):
        ShareTable((), "somewhere")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError):
        flows_from_records([("", "SH", 1.0)])


def test_shares_by_origin_and_destination_hand_worked() -> None:
    counts = CountTable.from_mapping({("A", "B"): 30.0, ("A", "C"): 10.0, ("C", "B"): 10.0, ("B", "A"): 0.0})
    by_origin = shares_by_origin(counts)
    assert by_origin.basis == "origin"
    assert by_origin.percent("A", "B") == 75.0 and by_origin.percent("A", "C") == 25.0
    assert by_origin.percent("C", "B") == 100.0
    assert by_origin.percent("B", "A") is None  # B sends nobody: its shares are undefined
    by_dest = shares_by_destination(counts)
    assert by_dest.percent("A", "B") == 75.0 and by_dest.percent("C", "B") == 25.0
    assert by_dest.percent("A", "C") == 100.0
    assert by_dest.totals() == {"B": 100.0, "C": 100.0}  # nobody arrives at A


def read_table2() -> list[dict[str, str]]:
    with TABLE2.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_table2_as_share_tables() -> None:
    rows = read_table2()
    inflow = ShareTable(
        tuple(FlowShare(r["city_code"], "SH", float(r["share_of_inflow_to_shanghai_municipality_pct"])) for r in rows),
        "destination",
        "王丹等 (2020) 表2",
    )
    outflow = ShareTable(
        tuple(
            FlowShare("SH", r["city_code"], float(r["share_of_outflow_from_shanghai_municipality_pct"])) for r in rows
        ),
        "origin",
    )
    central_in = ShareTable(
        tuple(
            FlowShare(r["city_code"], "SH-CC", float(r["share_of_inflow_to_shanghai_central_city_pct"])) for r in rows
        ),
        "destination",
    )
    assert inflow.totals() == {"SH": 100.0}
    assert outflow.totals() == {"SH": 100.0}
    assert central_in.totals() == {"SH-CC": 100.0}
    assert inflow.percent("SZ", "SH") == 88.0
    # percentages become counts only with the total they are a share of
    counts = inflow.to_counts({"SH": 1000.0})
    assert counts.count("SZ", "SH") == pytest.approx(880.0)
    assert shares_by_destination(counts).percent("JX", "SH") == pytest.approx(8.0)
    with pytest.raises(InvalidValueError):
        outflow.to_counts({"SZ": 1.0})
    json.dumps(inflow.to_dict(), ensure_ascii=False)


# --------------------------------------------------------------------------- distance

HAVERSINE_CASES = [
    pytest.param((0.0, 0.0, 1.0, 0.0), EARTH_RADIUS_KM * math.pi / 180, id="one-degree-of-latitude"),
    pytest.param((0.0, 0.0, 0.0, 1.0), EARTH_RADIUS_KM * math.pi / 180, id="one-degree-on-the-equator"),
    pytest.param(
        (60.0, 10.0, 60.0, 11.0),
        2 * EARTH_RADIUS_KM * math.asin(math.cos(math.radians(60)) * math.sin(math.radians(0.5))),
        id="60N",
    ),
    pytest.param((0.0, 0.0, 0.0, 180.0), EARTH_RADIUS_KM * math.pi, id="antipodes"),
    pytest.param((90.0, 0.0, -90.0, 0.0), EARTH_RADIUS_KM * math.pi, id="pole-to-pole"),
    pytest.param((31.2304, 121.4737, 31.2304, 121.4737), 0.0, id="same-point"),
]


@pytest.mark.parametrize(("points", "km"), HAVERSINE_CASES)
def test_haversine_hand_worked(points: tuple[float, float, float, float], km: float) -> None:
    assert haversine_km(*points) == pytest.approx(km, rel=1e-12, abs=1e-9)


def test_haversine_shanghai_suzhou_and_matrix() -> None:
    d = haversine_km(*COORDS["SH"], *COORDS["SZ"])
    assert 80 < d < 90
    matrix = distance_matrix(COORDS)
    assert matrix.get("SH", "SZ") == pytest.approx(d)
    assert matrix.get("SZ", "SH") == matrix.get("SH", "SZ")
    assert matrix.get("NB", "NB") == 0.0
    assert pair_distances(COORDS)[("NB", "NT")] == pair_distances(COORDS)[("NT", "NB")]
    with pytest.raises(InvalidValueError):
        haversine_km(91.0, 0.0, 0.0, 0.0)
    with pytest.raises(InvalidValueError):
        haversine_km(0.0, 181.0, 0.0, 0.0)


coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))


@settings(max_examples=100, deadline=None)
@given(a=coordinates, b=coordinates, c=coordinates)
def test_property_haversine_is_a_metric(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> None:
    ab, ba = haversine_km(*a, *b), haversine_km(*b, *a)
    assert ab == pytest.approx(ba, abs=1e-6)
    assert 0.0 <= ab <= EARTH_RADIUS_KM * math.pi + 1e-6
    assert ab <= haversine_km(*a, *c) + haversine_km(*c, *b) + 1e-6


# --------------------------------------------------------------------------- gravity


def synthetic_counts(k: float, alpha: float, beta: float, gamma: float, deterrence: Deterrence = "power") -> CountTable:
    dist = pair_distances(COORDS)
    flows = []
    for o, d in itertools.permutations(sorted(COORDS), 2):
        f = dist[(o, d)] ** -gamma if deterrence == "power" else math.exp(-gamma * dist[(o, d)])
        flows.append(FlowCount(o, d, k * POP[o] ** alpha * POP[d] ** beta * f))
    return CountTable(tuple(flows), "expanded", 4.0)


@pytest.mark.parametrize(
    ("k", "alpha", "beta", "gamma", "deterrence"),
    [
        pytest.param(0.8, 0.9, 0.7, 1.6, "power", id="power"),
        pytest.param(50.0, 0.5, 1.1, 0.5, "power", id="power-2"),
        pytest.param(0.02, 1.0, 0.8, 0.02, "exponential", id="exponential"),
    ],
)
def test_gravity_recovers_the_parameters_of_noise_free_flows(
    k: float, alpha: float, beta: float, gamma: float, deterrence: Deterrence
) -> None:
    table = synthetic_counts(k, alpha, beta, gamma, deterrence)
    fit = gravity_fit(table, POP, coordinates=COORDS, deterrence=deterrence)
    assert fit.converged
    assert fit.alpha == pytest.approx(alpha, rel=1e-8)
    assert fit.beta == pytest.approx(beta, rel=1e-8)
    assert fit.gamma == pytest.approx(gamma, rel=1e-8)
    assert fit.k == pytest.approx(k, rel=1e-6)
    assert fit.deviance == pytest.approx(0.0, abs=1e-6)
    assert fit.measure == "expanded"
    assert fit.n == 56
    first = fit.fitted[0]
    assert fit.predict(first.origin_population, first.destination_population, first.distance_km) == pytest.approx(
        first.fitted, rel=1e-9
    )


def noisy_counts(seed: int) -> CountTable:
    rng = np.random.default_rng(seed)
    exact = synthetic_counts(0.05, 0.8, 0.6, 1.5)
    return CountTable(tuple(FlowCount(f.origin, f.destination, float(rng.poisson(f.count))) for f in exact.flows))


@pytest.mark.parametrize("deterrence", ["power", "exponential"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gravity_matches_statsmodels_poisson_glm(seed: int, deterrence: Deterrence) -> None:
    counts = noisy_counts(seed)
    fit = gravity_fit(counts, POP, coordinates=COORDS, deterrence=deterrence)
    y = np.array([f.observed for f in fit.fitted])
    d = np.array([f.distance_km for f in fit.fitted])
    x = np.column_stack(
        [
            np.ones(len(y)),
            np.log([f.origin_population for f in fit.fitted]),
            np.log([f.destination_population for f in fit.fitted]),
            np.log(d) if deterrence == "power" else d,
        ]
    )
    ref = sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-14)
    assert [fit.log_k, fit.alpha, fit.beta, -fit.gamma] == pytest.approx(list(ref.params), rel=1e-7, abs=1e-9)
    assert fit.deviance == pytest.approx(ref.deviance, rel=1e-9)
    assert fit.null_deviance == pytest.approx(ref.null_deviance, rel=1e-9)
    assert fit.pearson_chi2 == pytest.approx(ref.pearson_chi2, rel=1e-7)
    assert [f.fitted for f in fit.fitted] == pytest.approx(list(ref.fittedvalues), rel=1e-7)
    se = fit.std_errors
    assert [se["log_k"], se["alpha"], se["beta"], se["gamma"]] == pytest.approx(list(ref.bse), rel=1e-6)
    json.dumps(fit.to_dict(), allow_nan=False)


def test_gravity_with_distances_excludes_internal_flows() -> None:
    counts = CountTable.from_mapping(
        {("A", "A"): 500.0, ("A", "B"): 40.0, ("B", "A"): 30.0, ("A", "C"): 10.0, ("C", "A"): 12.0, ("B", "C"): 9.0}
    )
    pops = {"A": 100.0, "B": 60.0, "C": 30.0}
    dists = {("A", "B"): 20.0, ("A", "C"): 50.0, ("B", "C"): 35.0}
    fit = gravity_fit(counts, pops, distances=dists)
    assert fit.excluded == (("A", "A"),)
    assert fit.n == 5
    assert fit.converged
    assert sum(f.fitted for f in fit.fitted) == pytest.approx(sum(f.observed for f in fit.fitted), rel=1e-9)


def test_gravity_errors() -> None:
    pops = {"A": 100.0, "B": 60.0, "C": 30.0}
    dists = {("A", "B"): 20.0, ("A", "C"): 50.0, ("B", "C"): 35.0}
    few = CountTable.from_mapping({("A", "B"): 1.0, ("B", "A"): 2.0, ("A", "C"): 3.0})
    with pytest.raises(EmptyInputError):
        gravity_fit(few, pops, distances=dists)
    table = CountTable.from_mapping({("A", "B"): 1.0, ("B", "A"): 2.0, ("A", "C"): 3.0, ("C", "B"): 4.0})
    with pytest.raises(InvalidValueError) as exc:
        gravity_fit(table, {"A": 1.0, "B": 2.0}, distances=dists)
    assert exc.value.city_code == "C"
    with pytest.raises(NonPositiveValueError):
        gravity_fit(table, {**pops, "C": 0.0}, distances=dists)
    with pytest.raises(InvalidValueError):
        gravity_fit(table, pops, distances={("A", "B"): 20.0})
    with pytest.raises(NonPositiveValueError):
        gravity_fit(table, pops, distances={**dists, ("B", "C"): 0.0})
    with pytest.raises(InvalidValueError):
        gravity_fit(table, pops)
    with pytest.raises(InvalidValueError):  # equal populations: α cannot be told apart from k
        gravity_fit(table, {"A": 5.0, "B": 5.0, "C": 5.0}, distances=dists)
    zeros = CountTable.from_mapping({("A", "B"): 0.0, ("B", "A"): 0.0, ("A", "C"): 0.0, ("C", "B"): 0.0})
    with pytest.raises(NonPositiveValueError):
        gravity_fit(zeros, pops, distances=dists)


def test_poisson_irls_with_zero_counts_and_intercept_only() -> None:
    y = np.array([0.0, 1.0, 0.0, 3.0, 2.0])
    res = poisson_irls(np.ones((5, 1)), y)
    # intercept-only Poisson: μ = ȳ
    assert res.coefficients[0] == pytest.approx(math.log(y.mean()), rel=1e-10)
    assert res.deviance == pytest.approx(res.null_deviance, rel=1e-10)
    with pytest.raises(InvalidValueError):
        poisson_irls(np.column_stack([np.ones(5), np.ones(5)]), y)
