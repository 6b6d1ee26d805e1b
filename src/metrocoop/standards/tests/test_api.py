"""API under /api/standards/: routine tests per model, the liaison's scope, proposals, harmonise and recognised."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrocoop.core.models import User
from metrocoop.core.testing import ModelAPITestCases, snapshot
from metrocoop.standards import services
from metrocoop.standards.models import (
    LimitRevision,
    LimitValue,
    Parameter,
    ProposalSignature,
    Recognition,
    RecognitionType,
    UnificationProposal,
)

pytestmark = pytest.mark.django_db


def office():
    return User.objects.get(username="office")


def parameter(code="TPX", limit_type="max", unit="mg/L") -> Parameter:
    p = Parameter.objects.filter(code=code).first()
    return p or services.do_create_parameter(
        {"code": code, "name_zh": "总磷", "kind": "mass_concentration", "limit_type": limit_type, "unit": unit},
        actor=office(),
    )


def rtype(code="talentx") -> RecognitionType:
    t = RecognitionType.objects.filter(code=code).first()
    return t or services.do_create_recognition_type({"code": code, "name_zh": "人才"}, actor=office())


class TestLimitValueAPI(ModelAPITestCases):
    basename = "standards-limit"

    def make_row(self, reference):
        return services.do_create_limit(
            {"parameter": parameter(), "city": reference["SZ"], "value": 0.3, "unit": "mg/L", "category": "A"},
            actor=office(),
        )

    def create_payload(self, reference):
        parameter()
        return {"parameter": "TPX", "city": "SZ", "value": 400, "unit": "µg/L", "category": "B"}

    def update_payload(self, row):
        return {"value": 0.25}


class TestRecognitionAPI(ModelAPITestCases):
    basename = "standards-recognition"
    in_scope_user = "liaison-sz"  # the recognising city keeps the row
    out_of_scope_user = "liaison-sh"  # the issuing city does not

    def make_row(self, reference):
        return services.do_create_recognition(
            {
                "type": rtype(),
                "issuing_city": reference["SH"],
                "recognising_city": reference["SZ"],
                "valid_from": date(2024, 1, 1),
            },
            actor=office(),
        )

    def create_payload(self, reference):
        rtype()
        return {"type": "talentx", "issuing_city": "SH", "recognising_city": "SZ", "valid_from": "2024-01-01"}

    def update_payload(self, row):
        return {"scope": "A类人才"}


class TestStandardAPI(ModelAPITestCases):
    basename = "standards-standard"
    in_scope_user = "office"
    out_of_scope_user = "liaison-sh"  # the catalogue is the office's (regional standardisation body)

    def make_row(self, reference):
        return services.do_create_standard(
            {"code": "GB 99999-2099", "name_zh": "示例", "level": "national"}, actor=office()
        )

    def create_payload(self, reference):
        return {"code": "DB31/T 310099-2099", "name_zh": "区域统一标准", "level": "regional", "domain": "water"}

    def update_payload(self, row):
        return {"status": "withdrawn"}


class TestParameterAPI(ModelAPITestCases):
    basename = "standards-parameter"
    lookup_field = "code"
    in_scope_user = "office"
    out_of_scope_user = "liaison-sh"

    def make_row(self, reference):
        return parameter("NH3X")

    def create_payload(self, reference):
        return {"code": "DOX", "name_zh": "溶解氧", "kind": "mass_concentration", "limit_type": "min", "unit": "mg/L"}

    def update_payload(self, row):
        return {"name_en": "Ammonia nitrogen"}


class TestRecognitionTypeAPI(ModelAPITestCases):
    basename = "standards-recognitiontype"
    lookup_field = "code"
    in_scope_user = "office"
    out_of_scope_user = "liaison-sh"

    def make_row(self, reference):
        return rtype("hitechx")

    def create_payload(self, reference):
        return {"code": "care-level-x", "name_zh": "照护等级评估"}

    def update_payload(self, row):
        return {"name_en": "High-tech enterprise"}


def test_a_liaison_cannot_record_another_citys_limit_and_nothing_changes(api, reference):
    parameter()
    before = snapshot(LimitValue)
    response = api("liaison-sz").post(
        reverse("api:standards-limit-list"), {"parameter": "TPX", "city": "WX", "value": 1, "unit": "mg/L"}
    )
    assert response.status_code == 403
    assert snapshot(LimitValue) == before


def test_a_liaison_cannot_move_a_recognition_to_another_city(api, reference):
    rec = TestRecognitionAPI().make_row(reference)
    before = snapshot(Recognition)
    response = api("liaison-sz").patch(
        reverse("api:standards-recognition-detail", args=[rec.pk]), {"recognising_city": "WX"}
    )
    assert response.status_code == 403
    assert snapshot(Recognition) == before


def test_a_wrong_dimension_or_unknown_unit_is_a_400_naming_the_unit(api, reference):
    parameter()
    for unit in ("kg", "bananas"):
        response = api("liaison-sz").post(
            reverse("api:standards-limit-list"), {"parameter": "TPX", "city": "SZ", "value": 1, "unit": unit}
        )
        assert response.status_code == 400, response.content
        assert "unit" in response.content.decode()
    assert not LimitValue.objects.exists()


def test_unknown_fields_are_refused(api, reference):
    parameter()
    response = api("liaison-sz").post(
        reverse("api:standards-limit-list"),
        {"parameter": "TPX", "city": "SZ", "value": 1, "unit": "mg/L", "colour": "red"},
    )
    assert response.status_code == 400
    assert not LimitValue.objects.exists()


def test_a_changed_value_through_the_api_keeps_the_old_one(api, reference):
    row = TestLimitValueAPI().make_row(reference)
    api("liaison-sz").patch(reverse("api:standards-limit-detail", args=[row.pk]), {"value": 0.2})
    assert list(LimitRevision.objects.filter(limit=row).values_list("value", flat=True)) == [0.3]
    revisions = api(None).get(reverse("api:standards-limitrevision-list"), {"limit": row.pk}).json()
    assert [r["value"] for r in revisions["results"]] == [0.3]


def test_harmonise_and_recognised_endpoints(api, reference):
    p = parameter()
    for city, value, unit in (("SH", 0.3, "mg/L"), ("JX", 300, "ug/L"), ("NT", 0.5, "mg/L")):
        services.do_create_limit(
            {"parameter": p, "city": reference[city], "value": value, "unit": unit}, actor=office()
        )
    out = api(None).get(reverse("api:standards-harmonise-list"), {"parameter": "TPX"}).json()
    assert out["strictest"] == [{"city": "JX", "value": 0.3}, {"city": "SH", "value": 0.3}]
    assert out == api(None).get(reverse("api:standards-parameter-harmonise", args=["TPX"])).json()
    TestRecognitionAPI().make_row(reference)
    url = reverse("api:standards-recognised-list")
    yes = api(None).get(url, {"type": "talentx", "issued_in": "SH", "in": "SZ", "on": "2024-01-01"}).json()
    no = api(None).get(url, {"type": "talentx", "issued_in": "SZ", "in": "SH", "on": "2024-01-01"}).json()
    assert yes["recognised"] is True and yes["recognition_id"] is not None
    assert no["recognised"] is False
    assert api(None).get(url, {"type": "talentx", "issued_in": "SH"}).status_code == 400


def test_matrix_endpoint(api, reference):
    TestRecognitionAPI().make_row(reference)
    out = api(None).get(reverse("api:standards-recognitiontype-matrix", args=["talentx"]), {"on": "2024-06-01"}).json()
    cells = {(c["issued_in"], c["recognised_in"]): c["status"] for c in out["cells"]}
    assert cells[("SH", "SZ")] == "one_way" and cells[("SZ", "SH")] == "one_way_gap"


def test_limit_list_queries_are_bounded(api, reference, django_assert_max_num_queries):
    p = parameter()
    for code in ("SH", "SZ", "WX", "CZ", "NT", "NB"):
        services.do_create_limit({"parameter": p, "city": reference[code], "value": 1, "unit": "mg/L"}, actor=office())
    client = api("liaison-sz")
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("api:standards-limit-list")).json()["results"]) == 6


def test_a_proposal_moves_through_consultation_to_adoption(api, reference):
    # given a proposal of Suzhou's liaison
    client = api("liaison-sz")
    created = client.post(
        reverse("api:standards-proposal-list"),
        {
            "kind": "unify_standard",
            "title": "统一总磷限值",
            "lead_city": "SZ",
            "domain": "environment",
            "draft": "总磷不高于 0.3 mg/L\n三年内完成",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    advance = reverse("api:standards-proposal-advance", args=[pk])
    # when the lead city drafts and circulates it
    assert client.post(advance, {}).json()["status"] == "drafting"
    assert client.post(advance, {}).status_code == 400  # consultation needs a deadline
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    moved = client.post(advance, {"deadline": deadline}).json()
    assert moved["status"] == "consultation" and moved["consultation"] is not None
    # then the cities sign, each its own
    sign = reverse("api:standards-proposal-sign", args=[pk])
    assert api("liaison-wx").post(sign, {"city": "SZ"}).status_code == 403
    assert api("liaison-wx").post(sign, {"city": "WX"}).status_code == 201
    assert client.post(sign, {"city": "SZ"}).status_code == 201
    assert client.post(sign, {"city": "SZ"}).status_code == 409
    # and only the office adopts, after the consultation is closed
    assert client.post(advance, {}).status_code == 403
    assert api("office").post(advance, {}).status_code == 409
    from metrocoop.policies import services as policy_services

    proposal = UnificationProposal.objects.get(pk=pk)
    policy_services.do_close_consultation(proposal.consultation, "通过", actor=office())
    adopted = api("office").post(advance, {}).json()
    assert adopted["status"] == "adopted"
    assert sorted(s["city"] for s in adopted["signatures"]) == ["SZ", "WX"]
    assert ProposalSignature.objects.filter(proposal_id=pk).count() == 2


def test_a_liaison_cannot_propose_for_another_city(api, reference):
    before = snapshot(UnificationProposal)
    response = api("liaison-sz").post(
        reverse("api:standards-proposal-list"), {"kind": "unify_standard", "title": "x", "lead_city": "SH"}
    )
    assert response.status_code == 403
    assert snapshot(UnificationProposal) == before
