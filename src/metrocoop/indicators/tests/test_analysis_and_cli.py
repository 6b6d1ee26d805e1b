"""Analyses from the database, membership as dated data, the paper re-check and the command line."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from metrocoop.core.models import City, Province
from metrocoop.indicators import selectors
from metrocoop.indicators.engine.disparity import CityValue, disparity_report
from metrocoop.indicators.models import Indicator, Observation
from metrocoop.indicators.recheck import recheck

pytestmark = pytest.mark.django_db


def test_disparity_from_the_database_equals_the_engine_on_table1(reference):
    a = selectors.disparity(Indicator.objects.get(code="gdp-per-capita"), 2019)
    pops = {o.city.code: float(o.value) for o in Observation.objects.filter(indicator__code="population")}
    values = {o.city.code: float(o.value) for o in Observation.objects.filter(indicator__code="gdp-per-capita")}
    expected = disparity_report(
        [CityValue(c.code, c.province.code, values[c.code], pops[c.code]) for c in reference.values()]
    )
    assert a.report.to_dict() == expected.to_dict()
    assert a.report.williamson is not None and a.report.decomposition is not None


def test_a_total_indicator_is_weighted_as_a_total(reference):
    a = selectors.disparity(Indicator.objects.get(code="gdp"), 2019)
    assert a.report.value_kind == "total"


def test_membership_is_data_a_tenth_city_counts_only_from_its_year(reference, demo_users):
    zj = Province.objects.get(code="ZJ")
    City.objects.create(
        code="SX",
        name_zh="绍兴",
        name_en="Shaoxing",
        province=zj,
        latitude=30.0,
        longitude=120.58,
        joined_on=date(2021, 6, 1),
        sort_order=10,
    )
    ind = Indicator.objects.get(code="gdp-per-capita")
    for year in (2019, 2021):
        for city in City.objects.members_in_year(year):
            Observation.objects.update_or_create(
                city=city, indicator=ind, year=year, defaults={"value": Decimal("10") + city.sort_order}
            )
    assert selectors.disparity(ind, 2019).report.n == 9
    assert selectors.disparity(ind, 2021).report.n == 10
    sigma = selectors.trend_json(ind)["sigma"]
    assert [d["city_code"] for d in sigma["dropped"]] == ["SX"]  # balanced panel: the newcomer is set aside


def test_the_recheck_gives_the_papers_figures_and_verdicts(paper_data):
    checks = {c.key: c for c in recheck()}
    gdp = checks["max-min-gdp-per-capita"]
    assert gdp.verdict == "inconsistent" and gdp.recomputed.startswith("1.75")
    assert "SH/NT = 15.73/12.83 = 1.226" in gdp.explanation_en
    assert checks["max-min-budget-revenue-per-capita"].verdict == "consistent"
    assert checks["max-min-disposable-income-per-capita"].verdict == "consistent"
    assert checks["table1-per-capita"].verdict == "consistent"
    assert checks["commuters-total"].verdict == "not-checkable"
    assert checks["member-count"].verdict == "consistent"
    assert checks["commuting-partners"].verdict == "consistent"
    assert all(checks[k].verdict == "consistent" for k in checks if k.startswith("table2-"))


def test_the_recheck_notices_a_changed_value(paper_data):
    Observation.objects.filter(city__code="NT", indicator__code="budget-revenue-per-capita").update(value=2)
    checks = {c.key: c for c in recheck()}
    assert checks["table1-per-capita"].verdict == "inconsistent" and "NT" in checks["table1-per-capita"].explanation_en


def run(*args) -> str:
    out = io.StringIO()
    call_command("indicators", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_disparity_json(reference):
    data = json.loads(run("disparity", "--indicator", "disposable-income-per-capita", "--year", "2019", "--json"))
    assert round(data["report"]["max_min"]["ratio"], 2) == 1.72
    assert "SH" in data["cities"] and data["year"] == 2019
    assert "max/min" in run("disparity", "--indicator", "gdp-per-capita", "--year", "2019")


def test_cli_recheck_json(paper_data):
    data = json.loads(run("recheck", "--json"))
    verdicts = {c["key"]: c["verdict"] for c in data["checks"]}
    assert verdicts["max-min-gdp-per-capita"] == "inconsistent"


def test_cli_import(reference, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("city,year,indicator,value\nSZ,2020,gdp,20170.5\n", encoding="utf-8")
    assert json.loads(run("import", str(good), "--json"))["created"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("city,year,indicator,value\nSZ,2020,gdp,-1\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(Exception, match="rejected"):
        call_command("indicators", "import", str(bad), "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["errors"][0]["code"] == "impossible-sign"


def test_the_demo_loader_is_idempotent(reference):
    from metrocoop.indicators import demo_data

    first = demo_data.load()
    counts = Observation.objects.count()
    assert demo_data.load() == first
    assert Observation.objects.count() == counts
    illustrative = Observation.objects.filter(year__gt=2019)
    assert illustrative.exists() and all("Illustrative" in o.source for o in illustrative)
    trend = selectors.trend_json(Indicator.objects.get(code="gdp-per-capita"))
    assert trend["sigma"]["verdict"] == "converging" and trend["beta"] is not None


def test_commuting_keeps_counts_apart_and_fits_a_gravity_model_when_counts_exist(paper_data):
    from metrocoop.core.models import City as C
    from metrocoop.indicators.models import CommutingFlow

    cities = {c.code: c for c in C.objects.all()}
    pops = {o.city.code: float(o.value) for o in Observation.objects.filter(indicator__code="population", year=2019)}
    from metrocoop.indicators.engine.commuting import haversine_km

    codes = ["SH", "SZ", "WX", "NT", "JX", "CZ"]
    for o in codes:
        for d in codes:
            if o != d:
                a, b = cities[o], cities[d]
                dist = haversine_km(float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
                CommutingFlow.objects.create(
                    origin=a,
                    destination=b,
                    year=2019,
                    kind="count",
                    value=Decimal(str(round(0.01 * pops[o] ** 0.8 * pops[d] ** 0.7 * dist**-1.5, 3))),
                )
    data = selectors.commuting(2019)
    assert len(data["shares"]) == 4 and data["counts"] is not None
    assert data["gravity"] is not None and abs(data["gravity"]["gamma"] - 1.5) < 0.05
    checks = {c.key: c for c in recheck()}
    assert checks["commuters-total"].verdict in ("consistent", "inconsistent")  # now checkable
