"""The sharing engine against hand-worked agreements, and its laws (shares sum to the total, order-invariant)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.investment import engine as e

# Park NT (host) co-built with SH (partner): 2020–2022 tax 4:6, GDP 5:5, land 7:3; from 2023 tax 6:4, GDP 7:3,
# land all to the host.
PARK = e.ParkAgreement(
    host="NT",
    partner="SH",
    phases=(
        e.Phase(2020, 2022, {"tax": {"NT": 4, "SH": 6}, "gdp": {"NT": 5, "SH": 5}, "land_quota": {"NT": 7, "SH": 3}}),
        e.Phase(2023, None, {"tax": {"NT": 6, "SH": 4}, "gdp": {"NT": 7, "SH": 3}, "land_quota": {"NT": 1, "SH": 0}}),
    ),
)


def _parts(result, item):
    return next(i for i in result.items if i.item == item).parts


@pytest.mark.parametrize(
    ("year", "figures", "expected"),
    [
        # 1,000,001 × 6/10 = 600,000.6 and × 4/10 = 400,000.4: the leftover fen goes to the larger remainder (SH)
        (2021, {"tax": 1_000_001}, {"tax": {"NT": 400_000, "SH": 600_001}}),
        # 333 × 1/2 = 166.5 each: a tie, decided by city code (NT before SH), never by input order
        (2021, {"gdp": 333}, {"gdp": {"NT": 167, "SH": 166}}),
        (2022, {"land_quota": 10}, {"land_quota": {"NT": 7, "SH": 3}}),
        # the second phase applies from 2023
        (
            2023,
            {"tax": 100, "gdp": 101, "land_quota": 5000},
            {"tax": {"NT": 60, "SH": 40}, "gdp": {"NT": 71, "SH": 30}, "land_quota": {"NT": 5000, "SH": 0}},
        ),
        (2031, {"tax": 7}, {"tax": {"NT": 4, "SH": 3}}),  # 4.2 / 2.8: floors 4 and 2, the leftover fen to SH
    ],
)
def test_park_shares_by_phase(year, figures, expected):
    result = e.park_year_shares(PARK, year, figures)
    for item, parts in expected.items():
        assert _parts(result, item) == parts
        assert sum(parts.values()) == figures[item]


def test_the_leftover_of_seven_goes_to_the_larger_remainder():
    # 7 × 0.6 = 4.2 → 4, 7 × 0.4 = 2.8 → 2; one fen left goes to the larger remainder .8 (SH): 4 / 3
    assert e.split_largest_remainder(7, {"NT": 6, "SH": 4}).parts == {"NT": 4, "SH": 3}


def test_a_year_no_phase_covers_is_refused():
    with pytest.raises(e.SharingError) as exc:
        e.park_year_shares(PARK, 2019, {"tax": 1})
    assert "2019" in exc.value.message_zh


@pytest.mark.parametrize(
    "phases",
    [
        (e.Phase(2020, 2023, PARK.phases[0].shares), e.Phase(2023, None, PARK.phases[1].shares)),  # overlap
        (e.Phase(2020, None, PARK.phases[0].shares), e.Phase(2025, None, PARK.phases[1].shares)),  # open then more
        (e.Phase(2020, 2019, PARK.phases[0].shares),),  # ends before it starts
        (e.Phase(2020, None, {"tax": {"NT": 1}, "gdp": {"NT": 1}}),),  # no land weights
        (e.Phase(2020, None, {"tax": {"NT": 0, "SH": 0}, "gdp": {"NT": 1}, "land_quota": {"NT": 1}}),),  # zero
        (e.Phase(2020, None, {"tax": {"SZ": 1}, "gdp": {"NT": 1}, "land_quota": {"NT": 1}}),),  # a third city
    ],
)
def test_bad_agreements_are_refused(phases):
    with pytest.raises(e.SharingError):
        e.check_phases(e.ParkAgreement("NT", "SH", phases))


def test_a_good_agreement_passes():
    e.check_phases(PARK)


HALF = e.RelocationRule(origin_share=Fraction(1, 2), years=3, extension_years=2)


def _schedule(taxes, cap=1_000_000, rule=HALF):
    return e.relocation_shares(rule, origin="SH", destination="SZ", first_year=2020, cap_fen=cap, taxes=taxes)


def test_relocation_cap_reached_in_the_second_year():
    # 50% of 1.2m = 600,000; 50% of 1.0m = 500,000 but only 400,000 remain under the 1,000,000 cap; then nothing.
    s = _schedule({2020: 1_200_000, 2021: 1_000_000, 2022: 800_000, 2023: 900_000})
    assert [(y.year, y.origin_fen, y.destination_fen) for y in s.years] == [
        (2020, 600_000, 600_000),
        (2021, 400_000, 600_000),
        (2022, 0, 800_000),
        (2023, 0, 900_000),
    ]
    assert [y.capped for y in s.years] == [False, True, True, False]
    assert not s.extended and s.last_year == 2022


def test_relocation_extended_when_the_cap_is_not_reached():
    # 200,001 × 1/2 = 100,000.5 each side: a tie, decided by code (SH before SZ), so the origin SH gets 100,001.
    s = _schedule(dict.fromkeys(range(2020, 2027), 200001))
    assert [y.origin_fen for y in s.years] == [100_001] * 5 + [0, 0]
    assert s.extended and s.last_year == 2024
    assert [y.in_extension for y in s.years] == [False, False, False, True, True, False, False]
    assert s.years[4].cumulative_origin_fen == 500_005


def test_the_extension_is_decided_even_when_the_year_after_the_period_has_no_figure():
    s = _schedule({2020: 100, 2021: 100, 2022: 100, 2024: 100, 2025: 100})
    assert [y.origin_fen for y in s.years] == [50, 50, 50, 50, 0]  # 2024 is in the extension (to 2024)
    assert s.extended and s.last_year == 2024


def test_the_extension_is_capped_too():
    s = _schedule(dict.fromkeys(range(2020, 2026), 500000), cap=850_000)
    # 3 × 250,000 = 750,000 < 850,000: extended; 2023 gets only 100,000; 2024 nothing
    assert [y.origin_fen for y in s.years] == [250_000, 250_000, 250_000, 100_000, 0, 0]


def test_no_cap_means_no_extension():
    s = _schedule(dict.fromkeys(range(2020, 2025), 100), cap=None)
    assert [y.origin_fen for y in s.years] == [50, 50, 50, 0, 0]
    assert not s.extended


def test_years_before_the_first_sharing_year_share_nothing():
    s = _schedule({2019: 1000, 2020: 1000})
    assert [y.origin_fen for y in s.years] == [0, 500]


@given(
    total=st.integers(min_value=-(10**15), max_value=10**15),
    weights=st.dictionaries(
        st.sampled_from(["SH", "SZ", "WX", "CZ", "NT", "NB", "JX", "HZ", "ZS"]),
        st.integers(min_value=0, max_value=10**6),
        min_size=1,
    ).filter(lambda w: sum(w.values()) > 0),
)
def test_split_sums_to_the_total_is_order_invariant_and_within_one_of_the_quota(total, weights):
    split = e.split_largest_remainder(total, weights)
    assert sum(split.parts.values()) == total
    reversed_split = e.split_largest_remainder(total, dict(reversed(list(weights.items()))))
    assert reversed_split.parts == split.parts
    wsum = sum(weights.values())
    for city, part in split.parts.items():
        assert abs(Fraction(total * weights[city], wsum) - part) < 1


@given(
    taxes=st.dictionaries(st.integers(2018, 2030), st.integers(0, 10**10), min_size=1),
    share=st.fractions(min_value=0, max_value=1, max_denominator=1000),
    cap=st.one_of(st.none(), st.integers(0, 10**10)),
    years=st.integers(1, 5),
    extension=st.integers(0, 3),
)
def test_relocation_shares_add_up_and_respect_the_cap(taxes, share, cap, years, extension):
    rule = e.RelocationRule(origin_share=share, years=years, extension_years=extension)
    s = e.relocation_shares(rule, origin="SH", destination="NT", first_year=2020, cap_fen=cap, taxes=taxes)
    for y in s.years:
        assert y.origin_fen + y.destination_fen == y.tax_fen
        assert y.origin_fen >= 0
    if cap is not None:
        assert sum(y.origin_fen for y in s.years) <= cap


@pytest.mark.parametrize(
    ("claims", "office", "winner", "rule"),
    [
        # SZ registered first, but the link is missing in NT and present in SZ: NT leads (补链 first)
        ([("SZ", "2026-01-01T00:00", False), ("NT", "2026-02-01T00:00", True)], None, "NT", "missing_link"),
        # both lack the link: first registered
        ([("SZ", "2026-01-01T00:00", True), ("NT", "2026-02-01T00:00", True)], None, "SZ", "first_registered"),
        # both hold it: first registered
        ([("NT", "2026-03-01T00:00", False), ("SZ", "2026-02-01T00:00", False)], None, "SZ", "first_registered"),
        # two lacking, one holding: the earlier of the two lacking
        (
            [("SH", "2026-01-01T00:00", False), ("JX", "2026-03-01T00:00", True), ("HZ", "2026-02-01T00:00", True)],
            None,
            "HZ",
            "missing_link",
        ),
        # the office decides, whatever the rest says
        ([("SZ", "2026-01-01T00:00", False), ("NT", "2026-02-01T00:00", True)], 0, "SZ", "office"),
    ],
)
def test_lead_coordination_rule(claims, office, winner, rule):
    given_claims = [e.LeadClaim(i, c, t, m) for i, (c, t, m) in enumerate(claims)]
    decision = e.decide_lead(given_claims, office_choice=office)
    assert (decision.city, decision.rule) == (winner, rule)
    assert decision.steps
    assert e.decide_lead(list(reversed(given_claims)), office_choice=office).city == winner


def test_same_target_by_code_or_by_normalised_name():
    assert e.target_key("博世（中国）", "") == e.target_key("博世(中国) ", "")
    assert e.target_key("A", "91350100M000100Y43") == e.target_key("B", "91350100m000100y43")
    assert e.target_key("博世", "") != e.target_key("博世汽车", "")


def test_gap_report():
    holdings = {"design": {"SH": 3, "SZ": 1}, "fab": {"WX": 2}, "test": {}}
    r = e.gap_report(["design", "fab", "test"], ["SH", "SZ", "WX"], holdings)
    assert r.missing_in_area == ("test",)
    assert r.concentrated == {"fab": "WX"}
    assert r.missing_by_city["SH"] == ("fab", "test")
    pairs = {(p["city_a"], p["city_b"]): p for p in r.overlap}
    assert pairs[("SH", "SZ")]["jaccard"] == 1.0
    assert pairs[("SH", "SZ")]["similarity"] == pytest.approx(1.0)
    assert pairs[("SH", "WX")]["shared_links"] == 0 and pairs[("SH", "WX")]["similarity"] == 0.0
