"""The clearing API: routine tests per model (ModelAPITestCases), person references hidden from every city but
the insured one, and the custom endpoints' permission matrix (a refusal changes nothing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metrocoop.clearing.choices import ClaimStatus
from metrocoop.clearing.models import (
    Authorisation,
    CatalogueEntry,
    Claim,
    IngestBatch,
    Period,
    PeriodPosition,
    SettlementInstruction,
)
from metrocoop.clearing.services import do_ingest_claims
from metrocoop.clearing.setup import ensure_schemes
from metrocoop.clearing.tests.conftest import make_world, source_of, state
from metrocoop.core.testing import ALL_METHODS, ModelAPITestCases, snapshot


def _claims_between(demo_users, insured: str, service: str, n: int = 300):
    """A world with its claims ingested; returns a posted claim insured in `insured` and served in `service`."""
    world = make_world(demo_users, n=n, bad_share=0.0)
    do_ingest_claims(source_of(world.rows), actor=world.office)
    claim = Claim.objects.filter(insured_city=insured, service_city=service, status=ClaimStatus.POSTED).first()
    if claim is None:
        pytest.skip("the synthetic stream has no such claim")
    return world, claim


class ClearingAPITestCases(ModelAPITestCases):
    """What the clearing endpoints have in common unless a class says otherwise: Suzhou's medical-insurance staff
    see their city's rows and Wuxi's do not, nothing is public, and the API only reads."""

    in_scope_user = "medical-sz"
    out_of_scope_user = "medical-wx"
    methods = {"list", "retrieve"}
    anonymous_reads = False


class TestClaimAPI(ClearingAPITestCases):
    basename = "clearing-claim"

    def make_row(self, reference):
        from metrocoop.core.models import User

        users = {u.username: u for u in User.objects.all()}
        world = make_world(users, n=200, bad_share=0.0)
        rows = [r for r in world.rows if r[3] == "SZ" and r[2] not in ("WX",)][:3]
        do_ingest_claims(source_of(rows), actor=world.office)
        return Claim.objects.filter(service_city="SZ").first()


class TestCatalogueAPI(ClearingAPITestCases):
    basename = "clearing-catalogue"
    methods = ALL_METHODS
    anonymous_reads = True

    def make_row(self, reference):
        schemes = ensure_schemes()
        return CatalogueEntry.objects.create(
            city=reference["SZ"], scheme=schemes["medical_outpatient"], item_code="T-1", name_zh="测试",
            name_en="Test", unit_price_fen=1000, reimbursement_ratio=Decimal("0.7"), valid_from=dt.date(2026, 1, 1),
        )  # fmt: skip

    def create_payload(self, reference):
        ensure_schemes()
        return {
            "city": "SZ", "scheme": "medical_outpatient", "item_code": "T-2", "name_zh": "测试二", "name_en": "Test 2",
            "unit_price_fen": 2500, "reimbursement_ratio": "0.6500", "valid_from": "2026-01-01",
        }  # fmt: skip

    def update_payload(self, row):
        return {"unit_price_fen": 1200}


class TestAuthorisationAPI(ClearingAPITestCases):
    basename = "clearing-authorisation"
    methods = {"list", "retrieve", "create"}

    def make_row(self, reference):
        schemes = ensure_schemes()
        return Authorisation.objects.create(
            person_ref="p" * 32, insured_city=reference["SZ"], service_city=reference["SH"],
            scheme=schemes["medical_inpatient"], valid_from=dt.date(2026, 1, 1),
        )  # fmt: skip

    def create_payload(self, reference):
        ensure_schemes()
        return {
            "person": "q" * 32, "insured_city": "SZ", "service_city": "SH", "scheme": "medical_inpatient",
            "valid_from": "2026-01-01", "valid_until": "2026-06-30",
        }  # fmt: skip


class TestBatchAPI(ModelAPITestCases):
    basename = "clearing-batch"
    in_scope_user = "medical-sz"
    methods = {"list", "retrieve", "create"}
    anonymous_reads = False

    def make_row(self, reference):
        from metrocoop.core.models import User

        do_ingest_claims(source_of([]), actor=User.objects.get(username="medical-sz"))
        return IngestBatch.objects.get(city__code="SZ")

    def create_payload(self, reference):
        from metrocoop.core.models import User

        users = {u.username: u for u in User.objects.all()}
        world = make_world(users, n=60, bad_share=0.0)
        rows = [r for r in world.rows if r[3] == "SZ" and r[1].startswith("medical")][:4]
        keys = ("claim_id", "scheme", "insured_city", "service_city", "provider", "person_ref", "service_date", "items",
                "total_fen", "fund_payable_fen")  # fmt: skip
        return {"source": "api test", "claims": [dict(zip(keys, r, strict=True)) for r in rows]}


class TestPeriodAPI(ClearingAPITestCases):
    basename = "clearing-period"
    in_scope_user = "office"
    methods = {"list", "retrieve", "create"}

    def make_row(self, reference):
        return Period.objects.create(year=2025, month=12)

    def create_payload(self, reference):
        return {"year": 2025, "month": 11}


def _closed_period_with_instruction(reference):
    period = Period.objects.create(year=2025, month=10, status="closed")
    PeriodPosition.objects.create(period=period, city=reference["SZ"], receivable_fen=0, payable_fen=500, net_fen=-500)
    PeriodPosition.objects.create(period=period, city=reference["SH"], receivable_fen=500, payable_fen=0, net_fen=500)
    return period, SettlementInstruction.objects.create(
        period=period, payer=reference["SZ"], payee=reference["SH"], amount_fen=500
    )


class TestInstructionAPI(ClearingAPITestCases):
    basename = "clearing-instruction"

    def make_row(self, reference):
        return _closed_period_with_instruction(reference)[1]


class TestPositionAPI(ClearingAPITestCases):
    basename = "clearing-position"

    def make_row(self, reference):
        _closed_period_with_instruction(reference)
        return PeriodPosition.objects.get(city=reference["SZ"])


class TestSchemeAPI(ClearingAPITestCases):
    basename = "clearing-scheme"
    lookup_field = "code"
    in_scope_user = "office"
    anonymous_reads = True

    def make_row(self, reference):
        return ensure_schemes()["elderly_care"]


def test_nobody_sees_another_citys_person_references(api, demo_users):
    # given a claim of a person insured in Wuxi and treated in Suzhou
    _, claim = _claims_between(demo_users, "WX", "SZ")
    url = f"/api/clearing/claims/{claim.pk}/"
    # then Suzhou (the service city) sees the claim but not the person; Wuxi (the insured city) sees both
    assert api("medical-sz").get(url).json()["person_ref"] is None
    assert api("medical-wx").get(url).json()["person_ref"] == claim.person_ref
    # and the office and auditors see aggregates, not persons; a third city does not see the claim at all
    assert api("office").get(url).json()["person_ref"] is None
    assert api("auditor").get(url).json()["person_ref"] is None
    assert api("medical-nb").get(url).status_code == 404
    listed = api("medical-sz").get("/api/clearing/claims/", {"insured_city": "WX"}).json()["results"]
    assert listed and all(row["person_ref"] is None for row in listed)


def test_claims_list_query_count_is_bounded(api, demo_users, django_assert_max_num_queries):
    _claims_between(demo_users, "WX", "SZ")
    client = api("medical-sz")
    with django_assert_max_num_queries(12):
        assert client.get("/api/clearing/claims/").status_code == 200


def _assert_done_or_refused(response, allowed: bool, status: str, before) -> None:
    """An allowed user's request is done (200, the row now ``status``); anybody else's is refused and changes
    nothing."""
    if allowed:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    else:
        assert response.status_code in (403, 404)
        assert state() == before


@pytest.mark.parametrize(
    "username, allowed", [("medical-sz", True), ("medical-wx", True), ("medical-nb", False), ("liaison-sz", False)]
)
def test_reversal_permission_matrix(api, demo_users, username, allowed):
    _, claim = _claims_between(demo_users, "WX", "SZ")
    before = state()
    response = api(username).post(f"/api/clearing/claims/{claim.pk}/reverse/", {"reason": "test"}, format="json")
    _assert_done_or_refused(response, allowed, "reversed", before)


@pytest.mark.parametrize("username, allowed", [("office", True), ("medical-sh", False), ("auditor", False)])
def test_close_permission_matrix(api, demo_users, username, allowed):
    _claims_between(demo_users, "WX", "SZ")
    period = Period.objects.get(year=2026, month=1)
    before = state()
    response = api(username).post(f"/api/clearing/periods/{period.pk}/close/")
    _assert_done_or_refused(response, allowed, "closed", before)


def test_the_batch_api_answers_a_replay_without_changes_and_a_conflict_as_a_rejection(api, demo_users, reference):
    payload = TestBatchAPI().create_payload(reference)
    first = api("medical-sz").post("/api/clearing/batches/", payload, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["batch"]["posted_count"] == len(payload["claims"])
    before = state()
    again = api("medical-sz").post("/api/clearing/batches/", payload, format="json")
    assert again.json()["batch"]["duplicate_count"] == len(payload["claims"])
    changed = dict(payload["claims"][0], total_fen=payload["claims"][0]["total_fen"] + 1)
    conflict = api("medical-sz").post("/api/clearing/batches/", {"claims": [changed]}, format="json").json()
    assert conflict["reasons"] == {"conflict": 1}
    after = state()
    assert after["claims"] == before["claims"] and after["transfers"] == before["transfers"]


def test_an_unreadable_upload_is_refused_whole(api, demo_users, reference):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot(IngestBatch), snapshot(Claim)
    bad = SimpleUploadedFile("claims.csv", "claim_id,scheme\n".encode("gbk"))
    response = api("medical-sz").post("/api/clearing/batches/upload/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert "insured_city" in str(response.json()["fields"]["file"])
    assert (snapshot(IngestBatch), snapshot(Claim)) == before


def test_payments_are_confirmed_by_the_office_only(api, reference):
    _, instruction = _closed_period_with_instruction(reference)
    from metrocoop.clearing.services import ensure_city_accounts

    ensure_city_accounts()
    url = f"/api/clearing/instructions/{instruction.pk}/confirm/"
    before = snapshot(SettlementInstruction)
    assert api("medical-sz").post(url, {"reference": "x"}, format="json").status_code == 403
    assert snapshot(SettlementInstruction) == before
    response = api("office").post(url, {"reference": "bank 42"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "paid"
