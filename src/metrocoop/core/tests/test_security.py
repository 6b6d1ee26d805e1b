"""Issue 21: security and data-protection defects found by probing the platform from outside. One regression test
(or more) per item; each failed before its fix."""

import hashlib
import importlib

import pytest
from django.contrib.auth.models import AnonymousUser

from metrocoop.core.permissions import Action, registered_models, restrict

pytestmark = pytest.mark.django_db

DEMO_APPS = ["indicators", "council", "funds", "clearing", "policies"]


@pytest.fixture
def demo_data(reference, demo_users):
    for app in DEMO_APPS:
        importlib.import_module(f"metrocoop.{app}.demo_data").load()
    return demo_users


# Item 5: scope adds to what the public sees, never subtracts.
def test_every_signed_in_demo_role_sees_at_least_what_an_anonymous_visitor_sees(demo_data):
    # given the demo data of the built modules and one signed-in account per role
    anonymous = AnonymousUser()
    losses = []
    for model in registered_models():
        public = set(restrict(model._default_manager.all(), anonymous, Action.VIEW).values_list("pk", flat=True))
        if not public:
            continue
        # when each demo account lists the same model
        for username, user in demo_data.items():
            seen = set(restrict(model._default_manager.all(), user, Action.VIEW).values_list("pk", flat=True))
            missing = public - seen
            if missing:
                losses.append((model._meta.label, username, len(missing), len(public)))
    # then nobody sees fewer rows than the public
    assert losses == []


def test_a_liaison_reads_a_council_seat_the_public_reads(demo_data, api):
    from metrocoop.council.models import CouncilSeat

    seat = CouncilSeat.objects.exclude(city__code="SZ").order_by("pk").first()
    assert api(None).get(f"/api/council/seats/{seat.pk}/").status_code == 200
    assert api("liaison-sz").get(f"/api/council/seats/{seat.pk}/").status_code == 200


# Item 4: read-only roles stay read-only (every signed-in user also holds the public role).
def test_the_auditor_cannot_create_a_proposal(api, demo_users):
    from metrocoop.policies.models import CurationProposal

    before = CurationProposal.objects.count()
    response = api("auditor").post(
        "/api/policies/proposals/", {"kind": "new_document", "payload": {"title": "x"}}, format="json"
    )
    assert response.status_code == 403
    assert CurationProposal.objects.count() == before
    # a member of the public still may
    assert (
        api("public").post("/api/policies/proposals/", {"kind": "new_document", "payload": {"title": "x"}}).status_code
        == 201
    )


def test_no_policy_lets_the_auditor_write(demo_users):
    from metrocoop.core.permissions import policy_for, scopes_of

    auditor = scopes_of(demo_users["auditor"])
    for model in registered_models():
        policy = policy_for(model)
        for action in policy.roles:
            if action in (Action.VIEW, Action.ACKNOWLEDGE):
                continue
            assert not auditor.roles & policy.roles_for(action), (model._meta.label, action)


# Item 6: a proposal may only name a document its proposer can see.
def test_a_proposal_on_another_citys_draft_is_refused_like_an_unknown_key(api, reference, browser_client):
    from metrocoop.policies.models import CurationProposal
    from metrocoop.policies.tests.factories import make_document

    draft = make_document("SZ", status="draft")
    before = CurationProposal.objects.count()
    client = api("liaison-nb")
    on_draft = client.post("/api/policies/proposals/", {"kind": "correction", "document": draft.key, "payload": {}})
    on_nothing = client.post(
        "/api/policies/proposals/", {"kind": "correction", "document": "no-such-key", "payload": {}}
    )
    assert on_draft.status_code == on_nothing.status_code == 400
    assert on_draft.json()["fields"]["document"] == [
        m.replace("no-such-key", draft.key) for m in on_nothing.json()["fields"]["document"]
    ]
    # and the page: no proposal naming the draft is made
    browser_client("liaison-nb").post(
        "/policies/proposals/new/", {"document": draft.key, "field": "title", "value": "x"}
    )
    assert not CurationProposal.objects.filter(document=draft).exists()
    assert CurationProposal.objects.count() - before <= 1
    # the author city's liaison may propose a correction to its own draft
    assert (
        api("liaison-sz")
        .post("/api/policies/proposals/", {"kind": "correction", "document": draft.key, "payload": {}})
        .status_code
        == 201
    )


# Item 3: the audit page lists an entry whose changes include a key named "items".
def test_the_audit_page_shows_an_entry_with_a_change_named_items(browser_client, reference, demo_users):
    from metrocoop.core.audit import log_event

    log_event(reference["SZ"], actor=demo_users["office"], items=["3 work items", "4 work items"], keys=[1, 2])
    response = browser_client("auditor").get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<span class="fw-semibold">items</span>' in body and "4 work items" in body


# Item 2: personal fields are masked or excluded in the audit trail.
def test_the_audit_trail_does_not_show_an_authorisations_person_reference(api, browser_client, demo_users):
    from auditlog.models import LogEntry

    from metrocoop.clearing.tests.test_api import ensure_schemes

    ensure_schemes()
    person = hashlib.sha256(b"a patient").hexdigest()[:32]
    payload = {
        "person": person, "insured_city": "SZ", "service_city": "SH", "scheme": "medical_inpatient",
        "valid_from": "2026-01-01", "valid_until": "2026-06-30",
    }  # fmt: skip
    assert api("medical-sz").post("/api/clearing/authorisations/", payload).status_code == 201
    entry = LogEntry.objects.filter(content_type__model="authorisation").latest("id")
    assert "person_ref" in entry.changes_dict  # the change is recorded, its value masked
    stored = str(entry.changes) + str(entry.serialized_data)
    assert person not in stored and person[: len(person) // 2 + 1] not in stored
    assert person[len(person) // 2 :] not in stored  # auditlog's default mask keeps the second half
    for who in ("auditor", "office"):
        assert person[8:24] not in api(who).get("/api/audit/?model=clearing.authorisation").content.decode()
        assert person[8:24] not in browser_client(who).get("/audit/").content.decode()


def test_a_password_change_leaves_no_password_hash_in_the_audit_trail(demo_users):
    from auditlog.models import LogEntry

    from metrocoop.core.audit import acting

    user = demo_users["researcher"]
    with acting(demo_users["office"]):
        user.set_password("a new secret 2026")
        user.save()
    stored = " ".join(str(e.changes) + str(e.serialized_data) for e in LogEntry.objects.get_for_object(user))
    assert user.password not in stored and user.password.split("$")[-1] not in stored


def _serializer_classes():
    from rest_framework import serializers

    import metrocoop.api_urls  # noqa: F401  (imports every app's API, so every serializer class exists)

    seen, todo = set(), [serializers.ModelSerializer]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [s for s in seen if s.__module__.startswith("metrocoop.") and hasattr(getattr(s, "Meta", None), "model")]


# Fields an API computes per viewer under a model field's name without being private (reason beside each).
NOT_PRIVATE = {
    ("ledger.Transfer", "reverses"): "shown as the reversed transfer's client id instead of its database id",
}


def test_every_field_an_api_hides_is_masked_or_excluded_in_the_audit_trail():
    """A field an API serializer writes only, or computes per viewer under the field's own name with null as a
    possible answer (person_ref: null for everyone but the insured city's bureau), is hidden by that API; the audit
    trail must not show it either. (A method field that always answers, e.g. a name instead of an id, hides
    nothing.)"""
    from auditlog.registry import auditlog
    from rest_framework import serializers

    def may_answer_null(serializer, field) -> bool:
        method = getattr(serializer, field.method_name or f"get_{field.field_name}", None)
        return method is None or "None" in str(getattr(method, "__annotations__", {}).get("return", "None"))

    unprotected = []
    for cls in _serializer_classes():
        model = cls.Meta.model
        if not auditlog.contains(model):
            continue
        options = auditlog.get_model_fields(model)
        protected = set(options["exclude_fields"]) | set(options["mask_fields"])
        names = {f.name for f in model._meta.concrete_fields}
        serializer = cls()
        for name, field in serializer.fields.items():
            source = name if field.source in ("*", None) else field.source.split(".")[0]
            computed = isinstance(field, serializers.SerializerMethodField)
            hidden = field.write_only or (computed and may_answer_null(serializer, field))
            if (
                hidden
                and source in names
                and source not in protected
                and (model._meta.label, source) not in NOT_PRIVATE
            ):
                unprotected.append((model._meta.label, source, cls.__name__))
    assert unprotected == []


# Item 1: one bad period must not break every city's claim submission.
@pytest.mark.parametrize("year", [0, 1000000, 1999, 2101])
def test_the_period_api_refuses_a_year_out_of_range_naming_the_field(api, demo_users, year):
    from metrocoop.clearing.models import Period

    before = Period.objects.count()
    response = api("office").post("/api/clearing/periods/", {"year": year, "month": 1})
    assert response.status_code == 400
    assert "year" in response.json()["fields"]
    assert Period.objects.count() == before


def _store_period_without_checks(year: int, month: int):
    """A period row as an older database may hold it: written with the year-range check set aside."""
    from django.db import connection

    from metrocoop.clearing.models import Period

    table = Period._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending trigger events
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS clearing_period_year_2000_2100")
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                f"INSERT INTO {table} (year, month, status, ledger_head, result) VALUES (%s, %s, 'open', '', '{{}}')",
                [year, month],
            )
        finally:
            if connection.vendor != "postgresql":
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
    return Period.objects.get(year=year, month=month)


def test_a_stored_invalid_period_does_not_take_the_claim_ingest_down(api, demo_users, reference):
    from metrocoop.clearing.tests.test_api import TestBatchAPI

    # given a period with year 0 left in the database
    bad = _store_period_without_checks(0, 1)
    payload = TestBatchAPI().create_payload(reference)
    # when a city submits claims, then they are ingested as before
    response = api("medical-sz").post("/api/clearing/batches/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["batch"]["posted_count"] == len(payload["claims"])
    # and closing the bad period is refused with a reason, not a server error
    close = api("office").post(f"/api/clearing/periods/{bad.pk}/close/")
    assert close.status_code == 400, close.content
    assert "year" in close.json()["fields"]


def test_migration_0004_removes_an_empty_invalid_open_period_and_stops_on_a_closed_one(reference):
    from django.apps import apps

    from metrocoop.clearing.models import Period

    migration = importlib.import_module("metrocoop.clearing.migrations.0004_period_year_range")
    empty = _store_period_without_checks(0, 2)
    good = Period.objects.create(year=2026, month=3)
    migration.remove_invalid_periods(apps, None)
    assert not Period.objects.filter(pk=empty.pk).exists()
    assert Period.objects.filter(pk=good.pk).exists()

    used = _store_period_without_checks(1000, 4)
    Period.objects.filter(pk=used.pk).update(status="closed")
    with pytest.raises(RuntimeError, match="1000-04"):
        migration.remove_invalid_periods(apps, None)
    assert Period.objects.filter(pk=used.pk).exists()


# Item 7: user text that looks like a formula is written as text.
FORMULA_LIKE = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def test_the_excel_export_writes_formula_like_text_as_text_and_numbers_as_numbers(tmp_path):
    import zipfile

    from openpyxl import load_workbook

    from metrocoop.core.exports import write_xlsx

    path = tmp_path / "out.xlsx"
    write_xlsx(path, "s", ["text", "number"], [[text, -5] for text in FORMULA_LIKE] + [["ok", 2.5]])
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    ws = load_workbook(path).active
    texts = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    numbers = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert [t.lstrip("'") for t in texts[:-1]] == FORMULA_LIKE  # the text a person typed, unchanged
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, len(FORMULA_LIKE) + 2))
    assert numbers == [-5] * len(FORMULA_LIKE) + [2.5]


def test_the_public_observation_export_does_not_write_a_formula(client, reference, demo_users):
    import io
    import zipfile

    from metrocoop.indicators.models import Observation

    obs = Observation.objects.order_by("pk").first()
    Observation.objects.filter(pk=obs.pk).update(note='=HYPERLINK("http://evil.example","x")')
    response = client.get(f"/indicators/export/observations.xlsx?indicator={obs.indicator.code}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s for s in sheets)


# Item 10: the smaller ones.
def test_a_what_if_with_a_zero_divisor_is_refused_not_a_server_error(demo_data, api):
    from metrocoop.funds.models import AssessmentCycle

    cycle = AssessmentCycle.objects.order_by("-year").first()
    weights = {"weights": {"completion": "1/0", "timeliness": "0", "quality": "0"}}
    for who in (None, "office"):
        response = api(who).post(f"/api/funds/cycles/{cycle.pk}/simulate/", weights, format="json")
        assert response.status_code in (400, 404), (who, response.status_code)
    assert api("office").post(f"/api/funds/cycles/{cycle.pk}/simulate/", weights, format="json").status_code == 400


def test_a_search_for_a_superscript_year_is_not_a_server_error(api, reference):
    assert api(None).get("/api/policies/search/", {"q": "人才", "year": "³"}).status_code in (200, 400)


def test_json_nested_five_thousand_deep_is_a_bad_request(api, demo_users):
    body = "[" * 5000 + "]" * 5000
    for who, url in (("office", "/api/clearing/periods/"), (None, "/api/auth/token/")):
        response = api(who).post(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert response.json()["code"] == "parse_error"


def test_the_statement_api_answers_format_xlsx_and_docx(demo_data, api):
    from metrocoop.clearing.models import Period

    period = Period.objects.get(status="closed")
    for fmt, magic in (("xlsx", b"PK"), ("docx", b"PK")):
        response = api("medical-sz").get(f"/api/clearing/periods/{period.pk}/statement/", {"city": "SZ", "format": fmt})
        assert response.status_code == 200, (fmt, response.status_code)
        assert response.content[:2] == magic
    refused = api("medical-sz").get(f"/api/clearing/periods/{period.pk}/statement/", {"city": "SZ", "format": "pdf"})
    assert refused.status_code == 400


@pytest.mark.parametrize("field", ["issued_on", "effective_on"])
def test_a_policy_document_dated_in_the_year_9999_is_refused(api, reference, field):
    from metrocoop.policies.models import PolicyDocument

    before = PolicyDocument.objects.count()
    data = {
        "key": "far-future", "title": "测试", "doc_number": "测〔2024〕1号", "issuer": "测试机关", "level": "municipal",
        "city": "SZ", "kind": "normative", "issued_on": "2024-01-10", "effective_on": "2024-02-01", "text": "第一条",
    }  # fmt: skip
    data[field] = "9999-12-31"
    response = api("liaison-sz").post("/api/policies/documents/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert PolicyDocument.objects.count() == before


def test_production_settings_pass_check_deploy(tmp_path):
    import os
    import secrets
    import subprocess
    import sys

    # a production environment: none of the test run's own settings (browser tests set DJANGO_ALLOW_ASYNC_UNSAFE)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("METROCOOP_", "DJANGO_")) and k not in ("DATABASE_URL", "PYTEST_CURRENT_TEST")
    }
    env.update(
        METROCOOP_SECRET_KEY=secrets.token_urlsafe(50),
        METROCOOP_ALLOWED_HOSTS="metrocoop.example.org",
        METROCOOP_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="metrocoop.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_demo_and_test_settings_still_serve_plain_http(client):
    from django.conf import settings

    assert not settings.SECURE_SSL_REDIRECT and not settings.SESSION_COOKIE_SECURE
    assert client.get("/api/").status_code != 301


# Item 9: no brute force, tokens expire, no usernames for anonymous readers.
def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_no_public_api_list_shows_a_username_to_an_anonymous_reader(demo_data, api):
    from django.urls import NoReverseMatch, reverse

    from metrocoop.core.api.urls import router

    # every account but those whose user name is also an everyday word ("office", "public", …)
    usernames = {u for u in demo_data if "-" in u}
    shown = []
    client = api(None)
    for _prefix, _viewset, basename in router.registry:
        try:
            url = reverse(f"api:{basename}-list")
        except NoReverseMatch:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("application/json"):
            continue
        leaked = usernames & set(_strings(response.json()))
        if leaked:
            shown.append((url, sorted(leaked)[:3]))
    assert shown == []


def test_a_council_seat_names_its_representative_by_display_name(demo_data, api):
    seat = api(None).get("/api/council/seats/").json()
    rows = seat["results"] if isinstance(seat, dict) else seat
    names = {r["representative"] for r in rows if r["representative"]}
    assert names and names <= {u.display_name for u in demo_data.values()}


@pytest.fixture
def fresh_throttles():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_repeated_wrong_passwords_on_the_token_endpoint_are_throttled(api, demo_users, fresh_throttles):
    client = api(None)
    answers = [
        client.post("/api/auth/token/", {"username": "liaison-sz", "password": f"wrong-{n}"}).status_code
        for n in range(12)
    ]
    assert answers[0] == 400
    assert answers[-1] == 429
    # the right password is refused too while the lock lasts
    right = client.post("/api/auth/token/", {"username": "liaison-sz", "password": "metrocoop-demo"})
    assert right.status_code == 429
    assert "Retry-After" in right


def test_repeated_wrong_passwords_on_the_login_page_are_refused_clearly(client, demo_users, fresh_throttles):
    for n in range(12):
        page = client.post("/login/", {"username": "liaison-sz", "password": f"wrong-{n}"})
    assert page.status_code == 429
    body = page.content.decode()
    assert "Too many failed sign-ins" in body or "登录失败次数过多" in body
    assert not client.post(
        "/login/", {"username": "liaison-sz", "password": "metrocoop-demo"}
    ).wsgi_request.user.is_authenticated


def test_an_api_token_older_than_its_lifetime_is_refused_and_a_new_one_can_be_asked_for(
    api, demo_users, settings, fresh_throttles
):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    settings.METROCOOP_TOKEN_TTL_HOURS = 24
    token, _ = Token.objects.get_or_create(user=demo_users["liaison-sz"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/me/").status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(hours=25))
    expired = client.get("/api/me/")
    assert expired.status_code == 401
    # refresh = ask again: a new token, and it works
    fresh = APIClient().post("/api/auth/token/", {"username": "liaison-sz", "password": "metrocoop-demo"}).json()
    assert fresh["token"] != token.key
    client.credentials(HTTP_AUTHORIZATION=f"Token {fresh['token']}")
    assert client.get("/api/me/").status_code == 200


# Item 8: spreadsheet imports are bounded (rows, unpacked size, error report) and the real size decides
# between a synchronous import and a background job.
def _xlsx(rows) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _post_import(api, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api("liaison-sz").post(
        "/api/indicators/imports/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def test_an_xlsx_with_more_rows_than_the_limit_is_refused_whole(api, reference, settings):
    from metrocoop.indicators.models import Observation

    settings.METROCOOP_IMPORT_MAX_ROWS = 100
    rows = [["city", "year", "indicator", "value"]] + [["SZ", 1900 + n, "gdp", n] for n in range(150)]
    before = Observation.objects.count()
    for name, content in (
        ("big.xlsx", _xlsx(rows)),
        ("big.csv", "\n".join(",".join(map(str, r)) for r in rows).encode()),
    ):
        response = _post_import(api, name, content)
        assert response.status_code == 400, name
        assert "100" in str(response.json()["fields"]["file"])
    assert Observation.objects.count() == before


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_before_it_is_parsed(api, reference, settings):
    settings.METROCOOP_IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    rows = [["city", "year", "indicator", "value", "note"]] + [["SZ", 2020, "gdp", 1, "x" * 1000]] * 2000
    content = _xlsx(rows)
    assert len(content) < 200_000  # small on the wire, about 2 MB unpacked
    response = _post_import(api, "bomb.xlsx", content)
    assert response.status_code == 400
    assert "1000000" in str(response.json()["fields"]["file"]).replace(",", "").replace(" ", "")


def test_the_error_report_lists_the_first_errors_and_counts_the_rest(api, reference, settings):
    settings.METROCOOP_IMPORT_MAX_ERRORS_SHOWN = 20
    rows = [["city", "year", "indicator", "value"]] + [["SZ", 2020, "gdp", "x"]] * 300
    response = _post_import(api, "bad.xlsx", _xlsx(rows))
    body = response.json()
    assert response.status_code == 400
    assert len(body["errors"]) == 20 and body["error_count"] >= 300
    assert body["errors_omitted"] == body["error_count"] - 20
    assert body["error_counts"]["not-a-number"] >= 300


def test_a_small_xlsx_that_unpacks_large_goes_to_the_background(browser_client, reference, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from metrocoop.core.models import Job
    from metrocoop.indicators import views

    settings.MEDIA_ROOT = tmp_path
    rows = [["city", "year", "indicator", "value", "note"]] + [
        ["SZ", 2020 - n % 50, "gdp", n, "x" * 200] for n in range(2000)
    ]
    content = _xlsx(rows)
    assert len(content) < views.SYNC_IMPORT_LIMIT  # judged by its compressed size it would run in the request
    browser_client("liaison-sz").post("/indicators/import/", {"file": SimpleUploadedFile("many.xlsx", content)})
    assert Job.objects.filter(kind="indicators.import").exists()
