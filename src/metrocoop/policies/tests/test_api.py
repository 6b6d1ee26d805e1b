"""Model APIs (the generic mixin), the search endpoint and the decide action, and the CLI."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrocoop.core.models import User
from metrocoop.core.testing import ModelAPITestCases, snapshot
from metrocoop.policies import services
from metrocoop.policies.models import (
    CurationProposal,
    PilotReform,
    PolicyDocument,
    PolicyRelation,
    Topic,
)
from metrocoop.policies.tests.factories import make_document, office

pytestmark = pytest.mark.django_db


class TestPolicyDocumentAPI(ModelAPITestCases):
    basename = "policies-document"
    lookup_field = "key"
    methods = {"list", "retrieve", "create", "partial_update", "destroy"}

    def make_row(self, reference):
        return make_document("SZ")

    def create_payload(self, reference):
        return {
            "title": "苏州市养老服务补贴办法",
            "doc_number": "苏民规〔2024〕1号",
            "issuer": "苏州市民政局",
            "level": "municipal",
            "city": "SZ",
            "kind": "normative",
            "issued_on": "2024-01-01",
            "text": "第一条　为支持养老服务发展，制定本办法。",
            "domains": ["elderly"],
        }

    def update_payload(self, row):
        return {"title": "苏州市高层次人才认定办法（修订）"}


class TestPolicyRelationAPI(ModelAPITestCases):
    basename = "policies-relation"
    methods = {"list", "retrieve", "create", "destroy"}

    def make_row(self, reference):
        return services.do_record_relation(make_document("SZ"), make_document("SZ"), "cites", actor=office())

    def create_payload(self, reference):
        return {"source": make_document("SZ").key, "target": make_document("SZ").key, "kind": "implements"}

    def update_payload(self, row):
        return {"note": "x"}


class TestTopicAPI(ModelAPITestCases):
    basename = "policies-topic"
    lookup_field = "code"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return Topic.objects.create(code="t-talent", name_zh="人才认定", name_en="Talent", domain="talent")


class TestPilotReformAPI(ModelAPITestCases):
    basename = "policies-reform"
    lookup_field = "code"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return PilotReform.objects.create(code="r1", title="改革", domain="registration", introduced_on="2021-01-01")


class TestCatalogueAPI(ModelAPITestCases):
    basename = "policies-catalogue"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return services.do_set_catalogue_entry("C3973", "集成电路制造", reference["SZ"], "encouraged", actor=office())


class TestCurationProposalAPI(ModelAPITestCases):
    basename = "policies-proposal"
    in_scope_user = "researcher"
    methods = {"list", "retrieve", "create"}
    anonymous_reads = False

    def make_row(self, reference):
        return services.do_propose(
            "new_document", payload={"title": "建议"}, actor=User.objects.get(username="researcher")
        )

    def create_payload(self, reference):
        return {"kind": "new_document", "payload": {"title": "建议收录"}, "note": "补充"}

    def update_payload(self, row):
        return {"note": "x"}

    def test_create_out_of_scope_refused(self, api, reference):
        # Anyone signed in may propose: there is no out-of-scope proposer. Auditors and anonymous users may not.
        before = snapshot(self.model)
        assert api(None).post(self.list_url(), self.create_payload(reference), format="json").status_code in (401, 403)
        assert snapshot(self.model) == before
        response = api(self.out_of_scope_user).post(self.list_url(), self.create_payload(reference), format="json")
        assert response.status_code == 201

    def test_list_does_not_show_other_peoples_proposals(self, api, reference):
        row = self.make_row(reference)
        ids = [r["id"] for r in api("liaison-wx").get(self.list_url()).json()["results"]]
        assert row.pk not in ids
        ids = [r["id"] for r in api("expert").get(self.list_url()).json()["results"]]
        assert row.pk in ids


@pytest.mark.parametrize(("username", "status"), [(None, 401), ("public", 403), ("liaison-sz", 403), ("expert", 200)])
def test_decide_permission_matrix(api, reference, demo_users, username, status):
    doc = make_document("SZ")
    proposal = services.do_propose("correction", document=doc, payload={"source": "官网"}, actor=demo_users["public"])
    before = (snapshot(CurationProposal), snapshot(PolicyDocument))
    url = reverse("api:policies-proposal-decide", args=[proposal.pk])
    response = api(username).post(url, {"accept": True}, format="json")
    assert response.status_code in ((status, 403) if status == 401 else (status,)), response.content
    if status == 200:
        doc.refresh_from_db()
        assert doc.source == "官网" and response.json()["status"] == "accepted"
    else:
        assert (snapshot(CurationProposal), snapshot(PolicyDocument)) == before


def test_relation_refusal_is_a_bilingual_error(api, reference):
    a, b = make_document("SZ"), make_document("SZ")
    services.do_record_relation(a, b, "amends", actor=office())
    before = snapshot(PolicyRelation)
    response = api("office").post(
        reverse("api:policies-relation-list"), {"source": b.key, "target": a.key, "kind": "amends"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["message"] and body["message_en"] and "target" in body["fields"]
    assert snapshot(PolicyRelation) == before


def test_search_endpoint_with_facets_and_refinement(api, reference):
    make_document("SZ", text="第一条　推进环境影响评价与排污许可衔接。", domains=["environment"])
    make_document("WX", text="第一条　简化环评审批。", domains=["environment"])
    make_document("WX", text="第一条　养老服务补贴。", domains=["elderly"])
    url = reverse("api:policies-search")
    body = api(None).get(url, {"q": "环评"}).json()
    assert body["total"] == 2
    assert {f["value"]: f["count"] for f in body["facets"]["city"]} == {"SZ": 1, "WX": 1}
    assert {f["value"]: f["count"] for f in body["facets"]["domain"]} == {"environment": 2}
    assert all("<mark>" in h["snippet"] for h in body["hits"])
    narrowed = api(None).get(url, {"q": "环评", "within": "排污许可"}).json()
    assert [h["city"] for h in narrowed["hits"]] == ["SZ"]
    filtered = api(None).get(url, {"q": "环评", "city": "WX"}).json()
    assert filtered["total"] == 1 and filtered["hits"][0]["city"] == "WX"


def test_search_hides_drafts_from_the_public(api, reference):
    make_document("SZ", text="第一条　证照分离。", status="draft")
    url = reverse("api:policies-search")
    assert api(None).get(url, {"q": "证照分离"}).json()["total"] == 0
    assert api("liaison-sz").get(url, {"q": "证照分离"}).json()["total"] == 1


def test_document_list_query_count_is_bounded(api, reference, django_assert_max_num_queries):
    for _ in range(5):
        make_document("SZ")
    client = api("office")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("api:policies-document-list")).status_code == 200


def test_cli_search_json(reference):
    make_document("SZ", text="第一条　落实异地就医直接结算。", doc_number="苏医保发〔2024〕3号")
    out = io.StringIO()
    call_command("policies", "search", "异地就医", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == 1 and "<mark>异地就医</mark>" in data["hits"][0]["snippet"]
    out = io.StringIO()
    call_command("policies", "search", "苏医保发[2024]3号", "--json", stdout=out)
    assert json.loads(out.getvalue())["hits"][0]["doc_number"] == "苏医保发〔2024〕3号"
