"""Services: observations one by one (scope, audit) and spreadsheet imports (all-or-nothing, full report)."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from metrocoop.core.models import City
from metrocoop.core.testing import snapshot
from metrocoop.indicators import services
from metrocoop.indicators.models import Indicator, Observation, ObservationImport
from metrocoop.indicators.tests.helpers import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def gdp():
    return Indicator.objects.get(code="gdp")


def test_a_liaison_records_an_observation_of_its_own_city_and_the_change_is_audited(reference, demo_users):
    obs = services.do_create_observation(
        city=reference["SZ"],
        indicator=gdp(),
        year=2020,
        value="20170.5",
        source="苏州统计年鉴",
        actor=demo_users["liaison-sz"],
    )
    assert obs.value == Decimal("20170.5")
    entry = LogEntry.objects.get_for_object(obs).get()
    assert entry.actor == demo_users["liaison-sz"]
    services.do_update_observation(obs, {"note": "修订"}, actor=demo_users["liaison-sz"])
    assert LogEntry.objects.get_for_object(obs).count() == 2


def test_a_liaison_cannot_touch_another_citys_observations(reference, demo_users):
    liaison = demo_users["liaison-wx"]
    before = snapshot(Observation)
    with pytest.raises(PermissionDenied):
        services.do_create_observation(city=reference["SZ"], indicator=gdp(), year=2020, value=1, actor=liaison)
    sz = Observation.objects.get(city=reference["SZ"], indicator__code="gdp", year=2019)
    with pytest.raises(PermissionDenied):
        services.do_update_observation(sz, {"value": Decimal(1)}, actor=liaison)
    with pytest.raises(PermissionDenied):
        services.do_delete_observation(sz, actor=liaison)
    assert snapshot(Observation) == before


def test_the_office_edits_every_city_and_public_accounts_none(reference, demo_users):
    sz = Observation.objects.get(city=reference["SZ"], indicator__code="gdp", year=2019)
    services.do_update_observation(sz, {"note": "核对"}, actor=demo_users["office"])
    for user in ("public", "auditor", "expert"):
        before = snapshot(Observation)
        with pytest.raises(PermissionDenied):
            services.do_delete_observation(sz, actor=demo_users[user])
        assert snapshot(Observation) == before


def test_bad_values_are_refused_in_both_languages(reference, demo_users):
    office = demo_users["office"]
    before = snapshot(Observation)
    with pytest.raises(ValidationError) as exc:
        services.do_create_observation(city=reference["SZ"], indicator=gdp(), year=2019, value=1, actor=office)
    assert "already stored" in str(exc.value) and "已有数据" in str(exc.value)
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.do_create_observation(city=reference["SZ"], indicator=gdp(), year=2020, value=-1, actor=office)
    with pytest.raises(ValidationError, match="not a member in 2010"):
        services.do_create_observation(city=reference["SZ"], indicator=gdp(), year=2010, value=1, actor=office)
    with pytest.raises(ValidationError, match="Unit mismatch"):
        services.do_create_observation(
            city=reference["SZ"], indicator=gdp(), year=2020, value=1, unit="USD", actor=office
        )
    assert snapshot(Observation) == before


BAD_SHEET = [
    ["city", "year", "indicator", "value", "unit", "source"],
    ["SZ", 2020, "gdp", 20170.5, "亿元", "good row"],
    ["ZZ", 2020, "gdp", 1, "", ""],
    ["SZ", 2020, "no-such", 1, "", ""],
    ["NT", 2020, "gdp", "n/a", "", ""],
    ["NT", 2021, "gdp", -3, "", ""],
    ["NT", 2022, "gdp", 3, "USD", ""],
    ["NT", 2019, "gdp", 3, "", ""],
    ["SZ", 2020, "gdp", 2, "", "duplicate of row 2"],
    ["HZ", 2005, "gdp", 2, "", ""],
]


def test_a_spreadsheet_with_bad_cells_changes_nothing_and_returns_the_full_report(reference, demo_users):
    before = snapshot(Observation)
    imports = ObservationImport.objects.count()
    with pytest.raises(services.ImportRejected) as exc:
        services.do_import_observations("bad.xlsx", xlsx_bytes(BAD_SHEET), actor=demo_users["office"])
    assert snapshot(Observation) == before
    assert ObservationImport.objects.count() == imports
    got = [(e.row, e.column.split(" ")[0], e.code) for e in exc.value.report.errors]
    assert got == [
        (3, "A", "unknown-city"),
        (4, "C", "unknown-indicator"),
        (5, "D", "not-a-number"),
        (6, "D", "impossible-sign"),
        (7, "E", "unit-mismatch"),
        (8, "D", "already-stored"),
        (9, "D", "duplicate-in-file"),
        (10, "B", "outside-membership"),
    ]
    assert all(e.message_zh and e.message_en for e in exc.value.report.errors)


def test_a_liaison_importing_another_citys_rows_is_refused_cell_by_cell(reference, demo_users):
    rows = [["city", "year", "indicator", "value"], ["SZ", 2020, "gdp", 1], ["WX", 2020, "gdp", 1]]
    before = snapshot(Observation)
    with pytest.raises(services.ImportRejected) as exc:
        services.do_import_observations("x.csv", csv_bytes(rows), actor=demo_users["liaison-sz"])
    assert [(e.row, e.code) for e in exc.value.report.errors] == [(3, "not-permitted")]
    assert snapshot(Observation) == before


def test_the_wide_layout_of_table1_imports_and_replace_overwrites(reference, demo_users):
    header = ["city_code", "city_name_zh", "gdp_100m_yuan", "人均地区生产总值"]
    rows = [header, ["SZ", "苏州", "19,235.80", 17.92], ["上海", "", 38155.32, 15.73]]
    with pytest.raises(services.ImportRejected) as exc:
        services.do_import_observations("t1.csv", csv_bytes(rows), layout="wide", year=2019, actor=demo_users["office"])
    assert {e.code for e in exc.value.report.errors} == {"already-stored"}
    result = services.do_import_observations(
        "t1.csv", csv_bytes(rows), layout="wide", year=2019, replace=True, actor=demo_users["office"]
    )
    assert (result.batch.created, result.batch.replaced) == (0, 4)
    result = services.do_import_observations(
        "t1.xlsx", xlsx_bytes(rows), layout="wide", year=2020, actor=demo_users["office"]
    )
    assert result.batch.created == 4
    assert Observation.objects.get(city__code="SH", indicator__code="gdp", year=2020).value == Decimal("38155.32")
    entry = LogEntry.objects.get_for_object(result.batch).order_by("-id").first()
    assert entry.actor == demo_users["office"]


def test_the_same_import_twice_with_replace_does_no_harm(reference, demo_users):
    rows = [["city", "year", "indicator", "value"], ["SZ", 2021, "gdp", 1], ["NT", 2021, "gdp", 2]]
    for _ in range(2):
        services.do_import_observations("x.csv", csv_bytes(rows), replace=True, actor=demo_users["office"])
    assert Observation.objects.filter(year=2021, indicator__code="gdp").count() == 2


def test_a_good_spreadsheet_of_several_thousand_rows_imports_with_progress(reference, demo_users):
    # given 5 indicators × 9 member cities × 50 years = 2,250 rows, more than one batch of 2,000 (size is
    # benchmarks/indicators_import.py's: 50,000 rows)
    Indicator.objects.bulk_create(
        [
            Indicator(code=f"bulk-{n:03d}", name_zh=f"指标{n}", name_en=f"Indicator {n}", unit_zh="个", unit_en="unit")
            for n in range(5)
        ]
    )
    codes = [c.code for c in City.objects.members_in_year(2019)]
    rows = [["city", "year", "indicator", "value", "unit"]]
    rows += [
        [code, year, f"bulk-{n:03d}", (n * 7 + year) % 1000 + 0.5, "个"]
        for n in range(5)
        for year in range(2020, 2070)
        for code in codes
    ]
    assert len(codes) == 9 and len(rows) == 2_251
    seen = []
    # when
    result = services.do_import_observations(
        "big.xlsx", xlsx_bytes(rows), actor=demo_users["office"], progress=lambda d, t: seen.append((d, t))
    )
    # then
    assert result.batch.created == 2_250
    assert Observation.objects.filter(indicator__code__startswith="bulk-").count() == 2_250
    assert Observation.objects.get(indicator__code="bulk-002", city__code="NT", year=2044).value == Decimal("58.5")
    assert seen == [(2_000, 2_250), (2_250, 2_250)]
