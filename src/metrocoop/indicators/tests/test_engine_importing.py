"""The pure validation of an observation spreadsheet: every bad cell reported, in both languages."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from metrocoop.indicators.engine.importing import (
    CityRef,
    IndicatorRef,
    column_letter,
    parse_number,
    validate_long,
    validate_wide,
)

CITIES = [
    CityRef("SH", "上海", 2019, None),
    CityRef("SZ", "苏州", 2019, None),
    CityRef("OLD", "旧城", 2010, 2015),
    CityRef("WX", "无锡", 2019, None, editable=False),
]
INDICATORS = [
    IndicatorRef("gdp", "地区生产总值", "亿元", "100 million yuan", aliases=("gdp_100m_yuan",)),
    IndicatorRef("net-migration", "净迁入", "万人", "10,000 people", allow_negative=True),
]
HEADER = ["city", "year", "indicator", "value", "unit"]


def codes(report):
    return [(e.row, e.column.split(" ")[0], e.code) for e in report.errors]


def test_a_good_long_table_gives_its_observations():
    report = validate_long(
        HEADER,
        [["SH", 2020, "gdp", "38,155.32", "亿元"], ["苏州", "2020", "地区生产总值", 19235.8, ""]],
        cities=CITIES,
        indicators=INDICATORS,
    )
    assert report.ok and report.rows == 2
    assert [(r.city_code, r.value) for r in report.records] == [("SH", Decimal("38155.32")), ("SZ", Decimal("19235.8"))]


def test_every_bad_cell_is_reported_with_row_column_and_both_languages():
    rows = [
        ["XX", 2020, "gdp", 1, ""],  # 2 unknown city
        ["SH", 2020, "nope", 1, ""],  # 3 unknown indicator
        ["SH", 2020, "gdp", "abc", ""],  # 4 not a number
        ["SH", 2021, "gdp", -5, ""],  # 5 impossible sign
        ["SH", 2022, "gdp", 5, "美元"],  # 6 unit mismatch
        ["SZ", 2010, "gdp", 5, ""],  # 7 outside membership
        ["OLD", 2016, "gdp", 5, ""],  # 8 left before
        ["SH", 2023, "gdp", 5, ""],  # 9 fine
        ["SH", 2023, "gdp", 6, ""],  # 10 duplicate in file
        ["SH", 2019, "gdp", 7, ""],  # 11 already stored
        ["WX", 2020, "gdp", 7, ""],  # 12 not permitted
        ["SH", "20x", "gdp", 7, ""],  # 13 bad year
    ]
    report = validate_long(HEADER, rows, cities=CITIES, indicators=INDICATORS, existing={("SH", "gdp", 2019)})
    assert codes(report) == [
        (2, "A", "unknown-city"),
        (3, "C", "unknown-indicator"),
        (4, "D", "not-a-number"),
        (5, "D", "impossible-sign"),
        (6, "E", "unit-mismatch"),
        (7, "B", "outside-membership"),
        (8, "B", "outside-membership"),
        (10, "D", "duplicate-in-file"),
        (11, "D", "already-stored"),
        (12, "A", "not-permitted"),
        (13, "B", "bad-year"),
    ]
    assert all(e.message_zh and e.message_en and e.message_zh != e.message_en for e in report.errors)
    assert "第 9 行" in report.errors[7].message_zh and "row 9" in report.errors[7].message_en


def test_a_negative_value_is_fine_where_the_indicator_allows_it():
    report = validate_long(HEADER, [["SH", 2020, "net-migration", -3, ""]], cities=CITIES, indicators=INDICATORS)
    assert report.ok


def test_replace_turns_stored_values_into_replacements():
    report = validate_long(
        HEADER,
        [["SH", 2019, "gdp", 7, ""]],
        cities=CITIES,
        indicators=INDICATORS,
        existing={("SH", "gdp", 2019)},
        replace=True,
    )
    assert report.ok and report.replacing == 1


def test_a_missing_column_is_reported_on_the_header_row():
    report = validate_long(["city", "year", "value"], [["SH", 2020, 1]], cities=CITIES, indicators=INDICATORS)
    assert [(e.row, e.code) for e in report.errors] == [(1, "missing-column")]


def test_the_wide_layout_of_table1_with_units_in_headers_and_aliases():
    header = ["city_code", "city_name_zh", "地区生产总值（亿元）", "net-migration"]
    rows = [["SH", "上海", "38,155.32", ""], ["SZ", "苏州", 19235.8, -1]]
    report = validate_wide(header, rows, year=2019, cities=CITIES, indicators=INDICATORS)
    assert report.ok, report.errors
    assert len(report.records) == 3  # the empty cell is a missing value, not an error


def test_wide_layout_errors_name_header_cells_and_rows():
    header = ["city", "gdp_100m_yuan", "地区生产总值（美元）", "unknown"]
    rows = [["SH", "x", 1, 1], ["XX", 1, 1, 1]]
    report = validate_wide(header, rows, year=2019, cities=CITIES, indicators=INDICATORS)
    assert codes(report) == [
        (1, "C", "unit-mismatch"),
        (1, "D", "unknown-indicator"),
        (2, "B", "not-a-number"),
        (3, "A", "unknown-city"),
    ]


def test_column_letters_follow_the_spreadsheet():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


@settings(max_examples=50, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12, places=4))
def test_numbers_survive_text_round_trip(value):
    assert parse_number(f"{value:,}") == value
    assert parse_number(str(value)) == value


@settings(max_examples=30, deadline=None)
@given(st.permutations([["SH", 2020 + n, "gdp", 100 + n, ""] for n in range(6)] + [["SZ", 2020, "gdp", 5, ""]]))
def test_the_order_of_the_rows_does_not_change_what_is_imported(rows):
    report = validate_long(HEADER, rows, cities=CITIES, indicators=INDICATORS)
    assert report.ok
    assert sorted((r.city_code, r.year, r.value) for r in report.records) == sorted(
        (r[0], r[1], Decimal(r[3])) for r in rows
    )
