"""The API: the routine model tests (ModelAPITestCases), filters, and every analysis endpoint."""

from decimal import Decimal

import pytest
from django.urls import reverse

from metrocoop.core.testing import ModelAPITestCases, OfficeAPITestCases, snapshot
from metrocoop.indicators.models import (
    CommutingFlow,
    Indicator,
    Observation,
    PositioningStatement,
    SectorValue,
    UrbanFunction,
)

pytestmark = pytest.mark.django_db


class TestObservationAPI(ModelAPITestCases):
    basename = "observation"

    def make_row(self, reference):
        return Observation.objects.create(
            city=reference["SZ"], indicator=Indicator.objects.get(code="gdp"), year=2020, value=Decimal("20000")
        )

    def create_payload(self, reference):
        return {"city": "SZ", "indicator": "gdp", "year": 2021, "value": "21000.5", "unit": "亿元"}

    def update_payload(self, row):
        return {"note": "修订 revised"}


class TestIndicatorAPI(OfficeAPITestCases):
    basename = "indicator"
    lookup_field = "code"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return Indicator.objects.get(code="gdp")


class TestSectorValueAPI(ModelAPITestCases):
    basename = "indicators-sector-value"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return SectorValue.objects.create(city=reference["SZ"], year=2019, sector="primary", value=Decimal(1))


class TestCommutingFlowAPI(OfficeAPITestCases):
    basename = "indicators-commuting-flow"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return CommutingFlow.objects.create(
            origin=reference["SZ"],
            destination=reference["SH"],
            year=2019,
            kind="share",
            basis="destination",
            value=Decimal(88),
        )


def test_a_liaison_cannot_move_an_observation_to_another_city(api, reference):
    obs = Observation.objects.get(city=reference["SZ"], indicator__code="gdp", year=2019)
    before = snapshot(Observation)
    response = api("liaison-sz").patch(reverse("api:observation-detail", args=[obs.pk]), {"city": "WX"}, format="json")
    assert response.status_code == 400
    assert snapshot(Observation) == before


def test_a_bad_value_through_the_api_is_a_bilingual_400(api, reference):
    before = snapshot(Observation)
    response = api("office").post(
        reverse("api:observation-list"), {"city": "SZ", "indicator": "gdp", "year": 2020, "value": "-5"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "不可能为负数" in str(body["fields"]) and "negative" in str(body["fields"])
    assert snapshot(Observation) == before


def test_observations_filter_by_city_year_and_indicator(api, reference, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = api(None).get(reverse("api:observation-list"), {"city": "NT", "year": 2019, "indicator": "gdp"})
    rows = response.json()["results"]
    assert [(r["city"], r["year"], r["indicator"], r["value"]) for r in rows] == [("NT", 2019, "gdp", "9383.400000")]
    with django_assert_max_num_queries(6):
        assert response.status_code == 200
        assert api(None).get(reverse("api:observation-list"), {"year": 2019}).json()["count"] == 54


def test_the_disparity_endpoint_explains_every_measure(api, reference):
    response = api(None).get(reverse("api:indicators-disparity"), {"indicator": "gdp-per-capita", "year": 2019})
    assert response.status_code == 200
    result = response.json()["result"]
    report = result["report"]
    assert report["max_min"]["max_city"] == "WX" and report["max_min"]["min_city"] == "HZ"
    assert round(report["max_min"]["ratio"], 2) == 1.75
    assert report["williamson"]["weighting"] == "population" and report["williamson"]["steps"]
    groups = {g["group_code"]: g["cities"] for g in report["decomposition"]["groups"]}
    assert groups == {"JS": ["CZ", "NT", "SZ", "WX"], "SH": ["SH"], "ZJ": ["HZ", "JX", "NB", "ZS"]}
    d = report["decomposition"]
    assert abs(d["between"] + d["within"] - d["total"]) < 1e-12


@pytest.mark.parametrize(
    "name",
    [
        "indicators-trend",
        "indicators-structure",
        "indicators-commuting",
        "indicators-positioning",
        "indicators-recheck",
    ],
)
def test_every_analysis_endpoint_answers_anonymous_readers(api, paper_data, name):
    response = api(None).get(reverse(f"api:{name}"))
    assert response.status_code == 200
    assert "result" in response.json()


def test_an_unknown_indicator_is_404(api, reference):
    assert api(None).get(reverse("api:indicators-disparity"), {"indicator": "nope"}).status_code == 404


def test_the_import_endpoint_is_all_or_nothing(api, reference):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from metrocoop.indicators.tests.helpers import csv_bytes

    bad = csv_bytes([["city", "year", "indicator", "value"], ["SZ", 2020, "gdp", "x"], ["WX", 2020, "gdp", 1]])
    before = snapshot(Observation)
    response = api("liaison-sz").post(
        reverse("api:indicators-import"), {"file": SimpleUploadedFile("b.csv", bad)}, format="multipart"
    )
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["not-a-number", "not-permitted"]
    assert snapshot(Observation) == before
    good = csv_bytes([["city", "year", "indicator", "value"], ["SZ", 2020, "gdp", "20170.5"]])
    response = api("liaison-sz").post(
        reverse("api:indicators-import"), {"file": SimpleUploadedFile("g.csv", good)}, format="multipart"
    )
    assert response.status_code == 201 and response.json()["created"] == 1
    assert api(None).post(reverse("api:indicators-import"), {}, format="multipart").status_code in (401, 403)


class TestUrbanFunctionAPI(OfficeAPITestCases):
    basename = "indicators-function"
    lookup_field = "code"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return UrbanFunction.objects.get_or_create(code="finance", defaults={"name_zh": "金融", "name_en": "Finance"})[
            0
        ]


class TestPositioningStatementAPI(ModelAPITestCases):
    basename = "indicators-positioning-statement"
    in_scope_user = "liaison-nt"
    out_of_scope_user = "liaison-jx"

    def make_row(self, reference):
        statement = PositioningStatement.objects.create(city=reference["NT"], ref="NT-T", text="上海的“北大门”")
        statement.functions.set([self._function()])
        return statement

    @staticmethod
    def _function():
        return UrbanFunction.objects.get_or_create(code="gateway", defaults={"name_zh": "门户", "name_en": "Gateway"})[
            0
        ]

    def create_payload(self, reference):
        self._function()
        return {"city": "NT", "ref": "NT-9", "text": "江海联运枢纽", "functions": ["gateway"]}

    def update_payload(self, row):
        return {"text": "上海的北大门（修订）"}
