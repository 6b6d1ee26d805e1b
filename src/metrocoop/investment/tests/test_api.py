"""The investment API: routine tests per model (anonymous, out of scope, in scope) and the custom endpoints."""

from datetime import date

import pytest
from django.urls import reverse

from metrocoop.core.testing import ModelAPITestCases, snapshot
from metrocoop.investment.demo_data import demo_credit_code
from metrocoop.investment.models import Lead, Park, ParkYear
from metrocoop.investment.tests.conftest import make_enterprise
from metrocoop.ledger.models import Transfer

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("links")
class TestEnterpriseAPI(ModelAPITestCases):
    basename = "investment-enterprise"
    anonymous_reads = False

    def make_row(self, reference):
        from metrocoop.core.models import User

        return make_enterprise(reference["SZ"], [], "api-row", User.objects.get(username="office"))

    def create_payload(self, reference):
        return {
            "name_zh": "苏州测试芯片有限公司",
            "credit_code": demo_credit_code("SZ", "api-new"),
            "city": "SZ",
            "links": ["t-fab"],
            "size_band": "small",
        }

    def update_payload(self, row):
        return {"name_zh": "苏州改名芯片有限公司", "size_band": "large"}


@pytest.mark.usefixtures("links")
class TestLeadAPI(ModelAPITestCases):
    basename = "investment-lead"
    anonymous_reads = False
    methods = {"list", "retrieve", "create", "partial_update"}

    def make_row(self, reference):
        from metrocoop.core.models import User
        from metrocoop.investment import services
        from metrocoop.investment.models import Link

        return services.do_register_lead(
            {"city": reference["SZ"], "target_name": "某外资企业", "link": Link.objects.get(code="t-fab")},
            actor=User.objects.get(username="liaison-sz"),
        )

    def create_payload(self, reference):
        return {"city": "SZ", "target_name": "另一外资企业", "link": "t-design", "target_country": "德国"}

    def update_payload(self, row):
        return {"status": "won", "note": "已签约"}


class TestEventAPI(ModelAPITestCases):
    basename = "investment-event"

    def make_row(self, reference):
        from metrocoop.core.models import User
        from metrocoop.investment import services

        return services.do_create_event(
            {"title": "联合推介会", "host_city": reference["SZ"], "country": "日本", "held_on": date(2026, 5, 1)},
            actor=User.objects.get(username="office"),
        )

    def create_payload(self, reference):
        return {
            "title": "新推介会",
            "host_city": "SZ",
            "partner_cities": ["SH"],
            "country": "德国",
            "held_on": "2026-10-01",
        }

    def update_payload(self, row):
        return {"venue": "Hamburg"}


class TestParkAPI(ModelAPITestCases):
    """Parks are public; the office records them; the host changes its park."""

    basename = "investment-park"
    lookup_field = "code"
    in_scope_user = "office"
    methods = {"list", "retrieve", "create", "partial_update"}

    def make_row(self, reference):
        from metrocoop.core.models import User
        from metrocoop.investment import services

        return services.do_create_park(
            {"code": "p-row", "name_zh": "园", "name_en": "Park", "host": reference["NT"], "partner": reference["SH"]},
            actor=User.objects.get(username="office"),
        )

    def create_payload(self, reference):
        phase = {"start_year": 2020, "end_year": None, "tax_host": 1, "tax_partner": 1, "gdp_host": 1,
                 "gdp_partner": 1, "land_host": 1, "land_partner": 0}  # fmt: skip
        return {"code": "p-new", "name_zh": "新园", "name_en": "New", "host": "NB", "partner": "SH", "phases": [phase]}

    def update_payload(self, row):
        return {"agreement_title": "补充协议"}


def test_the_host_liaison_changes_its_park_the_partner_cannot(api, park):
    assert api("liaison-nt").patch(f"/api/investment/parks/{park.code}/", {"name_en": "X"}).status_code == 200
    before = snapshot(Park)
    assert api("liaison-sh").patch(f"/api/investment/parks/{park.code}/", {"name_en": "Y"}).status_code == 403
    # and the host cannot change the partner
    assert api("liaison-nt").patch(f"/api/investment/parks/{park.code}/", {"partner": "WX"}).status_code == 400
    assert snapshot(Park) == before


def test_figures_shares_and_posting_by_api(api, park):
    url = f"/api/investment/parks/{park.code}/"
    figures = {"year": 2023, "tax_fen": 1001, "gdp_fen": 10, "land_quota_m2": 3}
    before = snapshot(ParkYear)
    for user in (None, "liaison-sh", "liaison-wx"):
        assert api(user).post(url + "figures/", figures).status_code in (401, 403, 404)
    assert snapshot(ParkYear) == before
    assert api("liaison-nt").post(url + "figures/", {**figures, "extra": 1}).status_code == 400  # unknown field
    assert api("liaison-nt").post(url + "figures/", figures).status_code == 201
    shares = api("liaison-sh").get(url + "shares/", {"year": 2023}).json()
    assert shares["items"][0] == {"item": "tax", "total": 1001, "NT": 601, "SH": 400}
    assert api("liaison-sh").post(url + "post/", {"year": 2023}).status_code == 403
    assert api("liaison-nt").post(url + "post/", {"year": 2023}).status_code == 200
    count = Transfer.objects.count()
    assert api("office").post(url + "post/", {"year": 2023}).status_code == 200
    assert Transfer.objects.count() == count
    listed = api(None).get("/api/investment/parks/").json()
    row = next(p for p in listed["results"] if p["code"] == park.code)
    assert (row["host"], row["partner"], row["years"]) == ("NT", "SH", [2023])


def test_credit_code_endpoint(api):
    response = api(None).get(reverse("api:investment-credit-code"), {"code": ["91350100M000100Y43", "X"]})
    assert response.status_code == 200
    assert [r["valid"] for r in response.json()] == [True, False]


def test_lead_conflict_shows_and_only_the_office_decides(api, reference, links, enterprises):
    api("liaison-sz").post("/api/investment/leads/", {"city": "SZ", "target_name": "目标", "link": "t-fab"})
    second = api("liaison-sh").post("/api/investment/leads/", {"city": "SH", "target_name": "目标", "link": "t-fab"})
    assert second.status_code == 201 and second.json()["leading"] is True  # SH lacks the fab link
    conflict = api("liaison-wx").get("/api/investment/conflicts/").json()["results"][0]
    assert conflict["rule"] == "missing_link" and conflict["leading_city"] == "SH"
    sz_lead = next(lead for lead in conflict["leads"] if lead["city"] == "SZ")
    url = f"/api/investment/conflicts/{conflict['id']}/decide/"
    assert api("liaison-sz").post(url, {"lead": sz_lead["id"]}).status_code == 403
    decided = api("office").post(url, {"lead": sz_lead["id"]})
    assert decided.status_code == 200 and decided.json()["leading_city"] == "SZ" and decided.json()["rule"] == "office"


def test_a_liaison_cannot_change_another_citys_lead_fields_beyond_status(api, reference, links):
    lead = api("liaison-sz").post("/api/investment/leads/", {"city": "SZ", "target_name": "T", "link": "t-fab"}).json()
    assert api("liaison-sz").patch(f"/api/investment/leads/{lead['id']}/", {"city": "WX"}).status_code == 400
    assert Lead.objects.get(pk=lead["id"]).city.code == "SZ"


def test_relocation_by_api(api, reference, rule, enterprises):
    firm = enterprises["sz"]
    payload = {"enterprise": firm.pk, "destination": "NT", "moved_on": "2023-03-01", "cap_basis_fen": 500}
    assert api("liaison-wx").post("/api/investment/relocations/", payload).status_code == 403
    response = api("liaison-nt").post("/api/investment/relocations/", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["origin"], body["destination"], body["first_sharing_year"]) == ("SZ", "NT", 2023)
    taxes = api("liaison-nt").post(f"/api/investment/relocations/{body['id']}/taxes/", {"year": 2023, "tax_fen": 2000})
    assert taxes.status_code == 201 and taxes.json()["origin_fen"] == 500  # 1000 capped at 500


def test_list_queries_are_bounded(api, reference, links, office, django_assert_max_num_queries):
    for i in range(15):
        make_enterprise(reference["SZ"], list(links.values()), f"many-{i}", office)
    client = api("liaison-sz")
    with django_assert_max_num_queries(12):
        assert client.get("/api/investment/enterprises/").status_code == 200
