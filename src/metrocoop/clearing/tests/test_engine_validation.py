"""Tests of claim validation (no database): one claim per reject reason, valid ones, and the order of checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.clearing.engine.validation import (
    AUTHORISATION_SCHEMES,
    SCHEMES,
    ClaimIn,
    ClaimItem,
    RejectReason,
    Scheme,
    ValidationContext,
    explain_claim,
    validate_claim,
)

PERSON = "p" * 32
OTHER_PERSON = "q" * 32

CTX = ValidationContext(
    member_cities=frozenset({"SH", "SZ", "WX", "NT"}),
    open_periods=frozenset({(2024, 5), (2024, 6)}),
    authorisations={
        (PERSON, "SZ", "SH", "medical_inpatient"): [(date(2024, 1, 1), date(2024, 5, 31))],
        (PERSON, "SZ", "SH", "elderly_care"): [(date(2023, 1, 1), date(2023, 12, 31)), (date(2024, 6, 1), None)],
    },
    catalogues={
        ("SZ", "medical_inpatient"): {
            "BED": (date(2020, 1, 1), None),
            "CT": (date(2020, 1, 1), None),
            "OLD": (date(2020, 1, 1), date(2024, 5, 14)),
            "NEW": (date(2024, 5, 20), None),
        },
        ("SZ", "medical_outpatient"): {"VISIT": (date(2020, 1, 1), None)},
        ("SZ", "elderly_care"): {"CARE-DAY": (date(2024, 1, 1), None)},
        ("SH", "medical_outpatient"): {"VISIT": (date(2020, 1, 1), None)},
    },
)

VALID = ClaimIn(
    claim_id="SH-H001-2024-0001",
    scheme="medical_inpatient",
    insured_city="SZ",
    service_city="SH",
    provider="H001",
    person_ref=PERSON,
    service_date=date(2024, 5, 15),
    items=(ClaimItem("BED", 3, 12_000, 36_000), ClaimItem("CT", 1, 45_050, 45_050)),
    total_fen=81_050,
    fund_payable_fen=64_840,
)


def items(*rows: tuple[str, int, int, int]) -> tuple[ClaimItem, ...]:
    return tuple(ClaimItem(*row) for row in rows)


R = RejectReason
CASES: list[tuple[str, dict[str, object], RejectReason | None]] = [
    ("valid inpatient claim", {}, None),
    ("fund pays all", {"fund_payable_fen": 81_050}, None),
    ("fund pays nothing", {"fund_payable_fen": 0}, None),
    ("first day of authorisation window", {"service_date": date(2024, 5, 1)}, None),
    ("last day of authorisation window", {"service_date": date(2024, 5, 31)}, None),
    (
        "outpatient needs no authorisation",
        {
            "scheme": "medical_outpatient",
            "person_ref": OTHER_PERSON,
            "items": items(("VISIT", 1, 2_500, 2_500)),
            "total_fen": 2_500,
            "fund_payable_fen": 1_500,
        },
        None,
    ),
    (
        "elderly care in an open-ended authorisation",
        {
            "scheme": "elderly_care",
            "service_date": date(2024, 6, 30),
            "items": items(("CARE-DAY", 30, 9_000, 270_000)),
            "total_fen": 270_000,
            "fund_payable_fen": 100_000,
        },
        None,
    ),
    (
        "catalogue entry on its last day",
        {"service_date": date(2024, 5, 14), "items": items(("OLD", 1, 10, 10)), "total_fen": 10, "fund_payable_fen": 9},
        None,
    ),
    (
        "free item at price 0",
        {"items": items(("BED", 3, 12_000, 36_000), ("CT", 1, 0, 0)), "total_fen": 36_000, "fund_payable_fen": 30_000},
        None,
    ),
    (
        "the insured city's catalogue applies",
        {
            "insured_city": "SH",
            "service_city": "SZ",
            "scheme": "medical_outpatient",
            "items": items(("VISIT", 1, 2_500, 2_500)),
            "total_fen": 2_500,
            "fund_payable_fen": 0,
        },
        None,
    ),
    # one per reason
    ("insured city unknown", {"insured_city": "XX"}, R.UNKNOWN_CITY),
    ("service city unknown", {"service_city": "BJ"}, R.UNKNOWN_CITY),
    ("same city", {"service_city": "SZ"}, R.SAME_CITY),
    ("period closed (April)", {"service_date": date(2024, 4, 30)}, R.PERIOD_NOT_OPEN),
    ("period not yet open (July)", {"service_date": date(2024, 7, 1)}, R.PERIOD_NOT_OPEN),
    ("same month, other year", {"service_date": date(2023, 5, 15)}, R.PERIOD_NOT_OPEN),
    ("unknown scheme", {"scheme": "dental"}, R.UNKNOWN_SCHEME),
    ("no authorisation for this person", {"person_ref": OTHER_PERSON}, R.AUTHORISATION_MISSING),
    ("authorisation expired the day before", {"service_date": date(2024, 6, 1)}, R.AUTHORISATION_MISSING),
    ("authorisation for another service city", {"service_city": "WX"}, R.AUTHORISATION_MISSING),
    (
        "authorisation windows exist but miss the date",
        {
            "scheme": "elderly_care",
            "service_date": date(2024, 5, 31),
            "items": items(("CARE-DAY", 1, 9_000, 9_000)),
            "total_fen": 9_000,
            "fund_payable_fen": 0,
        },
        R.AUTHORISATION_MISSING,
    ),
    (
        "item not in catalogue",
        {"items": items(("BED", 3, 12_000, 36_000), ("MRI", 1, 45_050, 45_050))},
        R.ITEM_NOT_IN_CATALOGUE,
    ),
    (
        "item expired from catalogue",
        {"items": items(("OLD", 1, 10, 10)), "total_fen": 10, "fund_payable_fen": 0},
        R.ITEM_NOT_IN_CATALOGUE,
    ),
    (
        "item not yet in catalogue",
        {"items": items(("NEW", 1, 10, 10)), "total_fen": 10, "fund_payable_fen": 0},
        R.ITEM_NOT_IN_CATALOGUE,
    ),
    (
        "service city's catalogue does not count",
        {
            "insured_city": "NT",
            "service_city": "SZ",
            "scheme": "medical_outpatient",
            "items": items(("VISIT", 1, 2_500, 2_500)),
            "total_fen": 2_500,
            "fund_payable_fen": 0,
        },
        R.ITEM_NOT_IN_CATALOGUE,
    ),
    (
        "no catalogue at all for the insured city",
        {"insured_city": "WX", "scheme": "medical_outpatient", "items": items(("VISIT", 1, 1, 1)), "total_fen": 1},
        R.ITEM_NOT_IN_CATALOGUE,
    ),
    ("items do not sum to the total", {"total_fen": 81_051}, R.AMOUNTS_INCONSISTENT),
    ("fund payable above the total", {"fund_payable_fen": 81_051}, R.AMOUNTS_INCONSISTENT),
    ("negative fund payable", {"fund_payable_fen": -1}, R.AMOUNTS_INCONSISTENT),
    (
        "negative total",
        {"items": items(("BED", 1, -5, -5)), "total_fen": -5, "fund_payable_fen": -5},
        R.AMOUNTS_INCONSISTENT,
    ),
    (
        "amount is not quantity × price",
        {"items": items(("BED", 3, 12_000, 36_001), ("CT", 1, 45_049, 45_049))},
        R.AMOUNTS_INCONSISTENT,
    ),
    ("zero quantity", {"items": items(("BED", 0, 12_000, 0), ("CT", 1, 81_050, 81_050))}, R.AMOUNTS_INCONSISTENT),
    ("negative quantity", {"items": items(("BED", -1, -81_050, 81_050))}, R.AMOUNTS_INCONSISTENT),
    ("no items", {"items": (), "total_fen": 0, "fund_payable_fen": 0}, R.AMOUNTS_INCONSISTENT),
    ("float amount", {"items": items(("BED", 1, 81_050, 81_050.0))}, R.AMOUNTS_INCONSISTENT),
    ("bool quantity", {"items": items(("BED", True, 81_050, 81_050))}, R.AMOUNTS_INCONSISTENT),
    ("float total", {"total_fen": 81_050.0}, R.AMOUNTS_INCONSISTENT),
    ("string fund payable", {"fund_payable_fen": "64840"}, R.AMOUNTS_INCONSISTENT),
    # order of checks: the first failing check wins
    ("unknown city before same city", {"insured_city": "XX", "service_city": "XX"}, R.UNKNOWN_CITY),
    ("same city before closed period", {"service_city": "SZ", "service_date": date(2020, 1, 1)}, R.SAME_CITY),
    ("closed period before unknown scheme", {"scheme": "dental", "service_date": date(2020, 1, 1)}, R.PERIOD_NOT_OPEN),
    ("unknown scheme before authorisation", {"scheme": "dental", "person_ref": OTHER_PERSON}, R.UNKNOWN_SCHEME),
    (
        "authorisation before catalogue",
        {"person_ref": OTHER_PERSON, "items": items(("MRI", 1, 1, 1))},
        R.AUTHORISATION_MISSING,
    ),
    ("catalogue before amounts", {"items": items(("MRI", 1, 1, 2)), "total_fen": -3}, R.ITEM_NOT_IN_CATALOGUE),
    (
        "catalogue failure after an inconsistent item",
        {"items": items(("BED", 1, 1, 2), ("MRI", 1, 1, 1))},
        R.ITEM_NOT_IN_CATALOGUE,
    ),
]


@pytest.mark.parametrize(("change", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_claim_table(change: dict[str, object], expected: RejectReason | None) -> None:
    # given a claim differing from a valid one by ``change``
    claim = replace(VALID, **change)
    # when it is validated, then the reason (or None) is as expected, and the slow explanation agrees
    assert validate_claim(claim, CTX) is expected
    verdict = explain_claim(claim, CTX)
    assert (verdict.reason if verdict else None) is expected
    if verdict is not None:
        assert verdict.detail_zh
        assert verdict.detail_en


def test_every_reason_has_a_case_and_distinct_messages_in_both_languages() -> None:
    covered = {case[2] for case in CASES}
    assert set(RejectReason) <= covered
    assert len({reason.zh for reason in RejectReason}) == len(RejectReason)
    assert len({reason.en for reason in RejectReason}) == len(RejectReason)
    for reason in RejectReason:
        assert reason.message("zh-hans") == reason.zh
        assert reason.message("en") == reason.en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in reason.zh)


def test_explanations_name_what_failed() -> None:
    verdict = explain_claim(replace(VALID, items=items(("BED", 3, 12_000, 36_000), ("MRI", 1, 1, 1))), CTX)
    assert verdict is not None
    assert "MRI" in verdict.detail_en
    assert "MRI" in verdict.detail_zh
    verdict = explain_claim(replace(VALID, total_fen=1), CTX)
    assert verdict is not None
    assert "81050" in verdict.detail_en


def test_default_schemes() -> None:
    assert {str(s) for s in Scheme} == {"medical_inpatient", "medical_outpatient", "elderly_care"} == set(SCHEMES)
    assert set(AUTHORISATION_SCHEMES) == {"medical_inpatient", "elderly_care"}


def test_context_freezes_its_collections() -> None:
    periods = {(2024, 5)}
    windows = [(date(2024, 1, 1), None)]
    ctx = ValidationContext(
        member_cities={"SH", "SZ"},  # type: ignore[arg-type]
        open_periods=periods,  # type: ignore[arg-type]
        authorisations={(PERSON, "SZ", "SH", "medical_inpatient"): windows},  # type: ignore[dict-item]
        catalogues={},
    )
    periods.add((2024, 6))
    windows.clear()
    assert ctx.open_periods == frozenset({(2024, 5)})
    assert ctx.authorisations[PERSON, "SZ", "SH", "medical_inpatient"] == ((date(2024, 1, 1), None),)


# --- the fast and the slow path agree on anything -----------------------------------------------------------------

item_rows = st.tuples(
    st.sampled_from(("BED", "CT", "OLD", "NEW", "VISIT", "CARE-DAY", "MRI")),
    st.integers(-1, 3),
    st.integers(-1, 50),
    st.integers(-1, 150),
)


@st.composite
def claims(draw: st.DrawFn) -> ClaimIn:
    rows = draw(st.lists(item_rows, max_size=4))
    claim_items = tuple(ClaimItem(code, q, p, q * p if draw(st.booleans()) else amount) for code, q, p, amount in rows)
    total = sum(i.amount_fen for i in claim_items) + draw(st.sampled_from((0, 0, 0, 1, -1)))
    return ClaimIn(
        claim_id="c",
        scheme=draw(st.sampled_from((*sorted(SCHEMES), "dental"))),
        insured_city=draw(st.sampled_from(("SH", "SZ", "WX", "XX"))),
        service_city=draw(st.sampled_from(("SH", "SZ", "NT", "XX"))),
        provider="H001",
        person_ref=draw(st.sampled_from((PERSON, OTHER_PERSON))),
        service_date=draw(st.dates(min_value=date(2023, 12, 1), max_value=date(2024, 7, 31))),
        items=claim_items,
        total_fen=total,
        fund_payable_fen=draw(st.integers(-1, max(total, 0) + 1)),
    )


@given(claims())
def test_explain_claim_always_agrees_with_validate_claim(claim: ClaimIn) -> None:
    verdict = explain_claim(claim, CTX)
    assert validate_claim(claim, CTX) is (verdict.reason if verdict else None)
