"""The permission matrix of the API's writes: every write operation of the OpenAPI schema (POST, PUT, PATCH, DELETE
and custom actions) × every demo role × a row of the role's own city and a row of another city → the status the
declared table below says, and, wherever the write is refused, nothing changed (every table's row count, a digest
of the target table's rows, the audit trail's size).

The expected answers come from RULES, written from DESIGN.md's roles and each app's documented rules — not from
asking core.permissions, which is what is under test. A change to who may write what must change RULES too.

The test runs over the demo data (every module's demo loader, once for this module, rolled back at the end), each
request in a savepoint rolled back afterwards, so that every case starts from the same rows.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import transaction
from django.urls import resolve

from metrocoop.core.testing import demo_world_rolled_back

pytestmark = pytest.mark.django_db

# The demo roles: anonymous, the region-wide ones and one city (Suzhou) for the city-scoped roles.
ROLES: dict[str | None, str] = {
    "office": "office",  # first: how the office's own request fares tells whether a create's body was a valid row
    None: "anon",
    "public": "public",
    "auditor": "auditor",
    "expert": "expert",
    "researcher": "researcher",
    "liaison-sz": "liaison",
    "medical-sz": "medical",
}
OWN_CITY = "SZ"
DISCOVER = os.environ.get("METROCOOP_MATRIX_DISCOVER") == "1"

# operationId → who may: space-separated role names; "role:own" = only on rows (or new rows) of the role's own
# city (Suzhou); "public*" = everyone signed in who holds the public role (every signed-in role but the auditor:
# core.permissions gives it to all but auditors); "signed-in" = every signed-in role. Everybody not named is
# refused. Written from DESIGN.md's roles and the apps' documented rules; an operation missing here fails.
_CITY = "office liaison:own"
_BUREAU = "office medical:own"
RULES: dict[str, str] = {
    "cities_partial_update": _CITY,
    "me_partial_update": "signed-in",  # one's own profile and language
    # clearing: the office and each city's medical-insurance bureau (for its own city)
    "clearing_authorisations_create": _BUREAU,
    "clearing_authorisations_revoke_create": _BUREAU,
    "clearing_batches_create": _BUREAU,
    "clearing_batches_upload_create": _BUREAU,
    "clearing_catalogue_create": _BUREAU,
    "clearing_catalogue_update": _BUREAU,
    "clearing_catalogue_partial_update": _BUREAU,
    "clearing_catalogue_destroy": _BUREAU,
    "clearing_claims_reverse_create": _BUREAU,
    "clearing_instructions_confirm_create": "office",
    "clearing_periods_create": "office",
    "clearing_periods_close_create": "office",
    # council: the office runs it; cities propose items they lead, report on them and vote
    "council_items_create": _CITY,
    "council_items_partial_update": _CITY,
    "council_items_destroy": _CITY,
    "council_meetings_create": "office",
    "council_meetings_update": "office",
    "council_meetings_partial_update": "office",
    "council_meetings_destroy": "office",
    "council_plan_articles_create": "office",
    "council_plan_articles_partial_update": "office",
    "council_plan_articles_destroy": "office",
    "council_plan_documents_create": "office",
    "council_plan_documents_partial_update": "office",
    "council_plan_documents_destroy": "office",
    "council_plans_create": "office",
    "council_plans_partial_update": "office",
    "council_plans_close_create": "office",
    "council_plans_next_year_create": "office",
    "council_plans_start_create": "office",
    "council_plans_submit_create": "office",
    "council_reports_create": "liaison:own",
    "council_reports_partial_update": "liaison:own",
    "council_reports_evidence_create": "liaison:own",
    "council_reports_review_create": "office",
    "council_resolutions_create": "office",
    "council_resolutions_decide_create": "office",
    "council_resolutions_vote_create": "liaison",
    "council_summaries_partial_update": "office",
    # forum: anyone signed in suggests, votes and reports; the office moderates; bureaus answer for their city
    "forum_research_create": "office researcher",
    "forum_research_advance_create": "office researcher",
    "forum_research_link_create": "office researcher",
    "forum_suggestions_create": "public*",
    "forum_suggestions_accept_create": "office",
    "forum_suggestions_answer_create": _BUREAU,
    "forum_suggestions_assign_create": "office",
    # …and a suggestion's author closes it once answered: the demo's suggestions are the public user's own, not
    # answered yet, so the public user is answered 409 (the state), everybody else but the office 403
    "forum_suggestions_close_create": "office public",
    "forum_suggestions_decline_create": "office",
    "forum_suggestions_merge_create": "office",
    "forum_suggestions_moderate_create": "office",
    "forum_suggestions_report_create": "public*",
    "forum_suggestions_unvote_create": "public*",
    "forum_suggestions_vote_create": "public*",
    # funds: the office decides and pays; cities apply; experts review
    "funds_cycles_run_create": "office",
    "funds_cycles_simulate_create": "office auditor expert",  # a what-if computation, nothing written
    "funds_notices_payments_create": "office",
    "funds_projects_create": _CITY,
    "funds_projects_decide_create": "office",
    "funds_projects_eligibility_create": "office",
    "funds_projects_review_create": "expert",  # on a project under review (ROWS_IN_STATE)
    "funds_tranches_disburse_create": "office",
    # indicators: cities keep their own figures (the operation ids before and after the API moved under
    # /api/indicators/; the test looks up only the operations the schema has)
    "indicator_imports_create": _CITY,
    "indicators_imports_create": _CITY,
    "indicator_positioning_statements_create": _CITY,
    "indicator_positioning_statements_partial_update": _CITY,
    "indicator_positioning_statements_destroy": _CITY,
    "indicators_positioning_statements_create": _CITY,
    "indicators_positioning_statements_partial_update": _CITY,
    "indicators_positioning_statements_destroy": _CITY,
    "observations_create": _CITY,
    "observations_partial_update": _CITY,
    "observations_destroy": _CITY,
    "indicators_observations_create": _CITY,
    "indicators_observations_partial_update": _CITY,
    "indicators_observations_destroy": _CITY,
    # investment
    "investment_conflicts_decide_create": "office",
    "investment_enterprises_create": _CITY,
    "investment_enterprises_update": _CITY,
    "investment_enterprises_partial_update": _CITY,
    "investment_enterprises_destroy": _CITY,
    "investment_events_create": _CITY,
    "investment_events_update": _CITY,
    "investment_events_partial_update": _CITY,
    "investment_events_destroy": _CITY,
    "investment_land_transfers_create": "office",
    "investment_leads_create": _CITY,
    "investment_leads_update": _CITY,
    "investment_leads_partial_update": _CITY,
    "investment_parks_create": "office",
    "investment_parks_update": _CITY,
    "investment_parks_partial_update": _CITY,
    "investment_parks_figures_create": _CITY,
    "investment_parks_post_create": "office",
    "investment_relocations_create": _CITY,
    "investment_relocations_taxes_create": _CITY,
    "ledger_transfers_create": "office",
    # policies
    "policies_documents_create": _CITY,
    "policies_documents_partial_update": _CITY,
    "policies_documents_destroy": _CITY,
    "policies_proposals_create": "public*",
    "policies_proposals_decide_create": "office expert",
    "policies_relations_create": _CITY,
    "policies_relations_destroy": _CITY,
    # spatial
    "spatial_conflicts_assign_create": _CITY,
    "spatial_conflicts_close_create": _CITY,
    "spatial_conflicts_detect_create": "office",
    "spatial_features_create": _CITY,
    "spatial_features_update": _CITY,
    "spatial_features_partial_update": _CITY,
    "spatial_features_destroy": _CITY,
    "spatial_projects_create": "office",
    "spatial_projects_update": _CITY,
    "spatial_projects_partial_update": _CITY,
    "spatial_projects_destroy": "office",
    "spatial_rules_update": "office",
    "spatial_rules_partial_update": "office",
    # standards: the office keeps the catalogue; cities their limit values, recognitions and proposals
    "standards_key_standards_create": "office",
    "standards_key_standards_update": "office",
    "standards_key_standards_partial_update": "office",
    "standards_key_standards_destroy": "office",
    "standards_limits_create": _CITY,
    "standards_limits_update": _CITY,
    "standards_limits_partial_update": _CITY,
    "standards_limits_destroy": _CITY,
    "standards_parameters_create": "office",
    "standards_parameters_update": "office",
    "standards_parameters_partial_update": "office",
    "standards_parameters_destroy": "office",
    "standards_proposals_create": _CITY,
    "standards_proposals_update": _CITY,
    "standards_proposals_partial_update": _CITY,
    "standards_proposals_destroy": "office",
    "standards_proposals_advance_create": _CITY,
    "standards_proposals_sign_create": "office liaison",  # a liaison signs for its own city, whoever leads
    "standards_proposals_withdraw_create": _CITY,
    "standards_recognition_types_create": "office",
    "standards_recognition_types_update": "office",
    "standards_recognition_types_partial_update": "office",
    "standards_recognition_types_destroy": "office",
    "standards_recognitions_create": _CITY,
    "standards_recognitions_update": _CITY,
    "standards_recognitions_partial_update": _CITY,
    "standards_recognitions_destroy": _CITY,
    "standards_standards_create": "office",
    "standards_standards_update": "office",
    "standards_standards_partial_update": "office",
    "standards_standards_destroy": "office",
}
_PUBLIC_STAR = "public office expert researcher liaison medical"

# Operations whose rule holds for rows in one state only: their rows are chosen among those.
ROWS_IN_STATE: dict[str, dict[str, str]] = {
    "funds_projects_review_create": {"status": "under_review"},  # experts review only projects under review
}

# Operations that are not writes to shared records, and why they are outside the matrix.
NOT_IN_MATRIX = {
    "auth_token_create": "signing in: anybody may ask for a token with a password (throttled; test_security)",
}


@dataclass
class Op:
    op_id: str
    method: str
    path: str  # the schema's template, e.g. /api/council/items/{id}/
    model: type | None
    lookup: str | None  # the URL parameter's name when the path names a row
    lookup_field: str | None
    body_fields: tuple[str, ...]  # the request body's properties (writable fields), empty when none
    multipart: bool = False  # the operation takes multipart/form-data only (a file upload)


def _resolve_template(path: str):
    from django.urls import Resolver404

    for placeholder in ("1", "SZ", "ab"):
        try:
            return resolve(re.sub(r"{\w+}", placeholder, path))
        except Resolver404:
            continue
    raise LookupError(path)


def _write_operations() -> list[Op]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    ops = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            params = re.findall(r"{(\w+)}", path)
            match = _resolve_template(path)
            cls = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
            queryset = getattr(cls, "queryset", None)
            model = queryset.model if queryset is not None else None
            body: tuple[str, ...] = ()
            content = op.get("requestBody", {}).get("content", {})
            multipart = bool(content) and "application/json" not in content
            for media in ("application/json", "multipart/form-data"):
                ref = content.get(media, {}).get("schema", {}).get("$ref")
                if ref:
                    body = tuple(components.get(ref.rsplit("/", 1)[1], {}).get("properties", {}))
                    break
            ops.append(
                Op(
                    op["operationId"],
                    method.upper(),
                    path,
                    model,
                    params[0] if params else None,
                    getattr(cls, "lookup_field", "pk") if params else None,
                    body,
                    multipart,
                )
            )
    return ops


OPERATIONS = _write_operations() if apps.ready else []


def _city_fields(model) -> list[str]:
    from metrocoop.core.models import City

    return [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is City]


def _city_path(model) -> str | None:
    """Where a row's city lives (the model's registered scope path; "pk" for a city itself)."""
    from metrocoop.core.permissions import policy_for

    try:
        return policy_for(model).city
    except LookupError:
        return None


def _rows_for(model, own_id: int, state: dict[str, str]) -> dict[str, object]:
    """One row of the own city and one wholly of other cities (no city field names the own city); for a model with
    no city, one row. Only rows matching `state` (field lookups) are chosen."""
    manager = model._default_manager.filter(**state)
    path = _city_path(model)
    if path is None:
        row = manager.order_by("pk").first()
        return {"any": row} if row is not None else {}
    own_key = "pk" if path == "pk" else path
    own = manager.filter(**{own_key: own_id}).order_by("pk").first()
    others = manager.exclude(**{own_key: own_id})
    for name in _city_fields(model):
        others = others.exclude(**{f"{name}_id": own_id})
    other = others.order_by("pk").first()
    return {k: v for k, v in (("own", own), ("other", other)) if v is not None}


def _row_state(model, row) -> str:
    if model is None or row is None:
        return ""
    names = [f.attname for f in model._meta.concrete_fields]
    return repr(list(model._default_manager.filter(pk=row.pk).values_list(*names)))


def _state(model, row) -> tuple:
    """Every table's row count (one query), the target row's columns, the audit trail's size."""
    from django.db import connection

    tables = _tables()
    sql = " UNION ALL ".join(f"SELECT {i}, COUNT(*) FROM {connection.ops.quote_name(t)}" for i, t in enumerate(tables))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = dict(cursor.fetchall())
    return counts, _row_state(model, row), LogEntry.objects.count()


_TABLES: list[str] = []


def _tables() -> list[str]:
    if not _TABLES:
        models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
        _TABLES.extend(sorted({m._meta.db_table for m in models}))
    return _TABLES


def _expected(rule: str, role: str, case: str) -> bool:
    tokens = rule.replace("public*", _PUBLIC_STAR).split()
    if role != "anon" and "signed-in" in tokens:
        return True
    if role in tokens:
        return True
    return f"{role}:own" in tokens and case in ("own", "any")


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """Every module's demo data, loaded once for this module inside a transaction rolled back afterwards."""
    with demo_world_rolled_back(django_db_blocker):
        yield


def _url(op: Op, row) -> str:
    if op.lookup is None:
        return op.path
    value = row.pk if op.lookup_field == "pk" else getattr(row, op.lookup_field)
    return op.path.replace("{" + op.lookup + "}", str(value))


def _payload(op: Op, office, row) -> dict:
    """A body that is valid as far as it can be without knowing the operation: for a change, the row as it reads
    (its writable fields); for a create, a copy of an existing row of the case's city; for an action, nothing."""
    if not op.body_fields or row is None or op.multipart:
        return {}
    if op.lookup is not None and op.method == "POST":
        return {}  # a custom action on a row
    detail = op.path if op.lookup else None
    if detail is None:
        # a create: read a row of the same model through its detail URL, if the router has one
        from django.urls import NoReverseMatch, reverse

        basename = resolve(op.path).url_name.removesuffix("-list")
        try:
            url = reverse(f"api:{basename}-detail", args=[row.pk])
        except NoReverseMatch:
            return {}
    else:
        url = _url(op, row)
    response = office.get(url)
    if response.status_code != 200:
        return {}
    data = response.json()
    return {k: v for k, v in data.items() if k in op.body_fields}


def _run_case(op: Op, client, payload: dict, url: str, row):
    """The request in a savepoint rolled back afterwards: (status, nothing changed?, response)."""
    with transaction.atomic():
        before = _state(op.model, row)
        call = getattr(client, op.method.lower())
        if op.method == "DELETE":
            response = call(url)
        else:
            response = call(url, payload, format="multipart" if op.multipart else "json")
        after = _state(op.model, row)
        transaction.set_rollback(True)
    return response.status_code, before == after, response


ACCESS_REFUSED = {401, 403, 404}  # 404: a row the role may not see does not exist for it
NOT_ALLOWED = {401, 403, 404, 405, 500}
BODY_REFUSED = {400, 409, 415}


def _is_create(op: Op) -> bool:
    return op.method == "POST" and op.lookup is None


def _cases(op: Op, reference) -> dict[str, object]:
    if op.model is None:
        return {"any": None}
    rows = _rows_for(op.model, reference[OWN_CITY].pk, ROWS_IN_STATE.get(op.op_id, {}))
    if op.lookup is None and not rows:
        return {"any": None}  # a create with no row to copy: judged on an empty body
    return rows


@pytest.mark.parametrize("op", OPERATIONS, ids=[o.op_id for o in OPERATIONS])
def test_write_permission_matrix(op, demo_world, api, reference):
    """Every role on a row of its own city and of another: allowed where RULES says, else refused, nothing
    changed. A create is judged on the row it would make: when the office's copy of an existing row is itself
    refused as a row (400/409/415: a duplicate, a closed period), a refused role may get the same answer — its
    city is only known once the row is."""
    if op.op_id in NOT_IN_MATRIX:
        pytest.skip(NOT_IN_MATRIX[op.op_id])
    assert op.op_id in RULES, f"{op.op_id} has no declared rule"
    office = api("office")
    cases = _cases(op, reference)
    assert cases, f"the demo has no row for {op.path}"
    failures = []
    observed: dict[str, set[str]] = {}
    for case, row in cases.items():
        url = _url(op, row) if op.lookup else op.path
        payload = _payload(op, office, row)
        office_status = None
        for username, role in ROLES.items():
            status, unchanged, response = _run_case(op, api(username), payload, url, row)
            if role == "office":
                office_status = status
            observed.setdefault(role, set()).add(f"{case}:{status}")
            if _expected(RULES[op.op_id], role, case):
                if status in NOT_ALLOWED:
                    failures.append(f"{role} on {case} row: expected allowed, got {status} {response.content[:160]!r}")
                continue
            refused = set(ACCESS_REFUSED)
            if _is_create(op) and office_status in BODY_REFUSED and role != "anon":
                refused |= BODY_REFUSED
            if status not in refused:
                failures.append(f"{role} on {case} row: expected {sorted(refused)}, got {status}")
            if not unchanged:
                failures.append(f"{role} on {case} row: refused ({status}) but something changed")
    if DISCOVER:
        print(f"\nMATRIX {op.op_id} " + " ".join(f"{r}={','.join(sorted(v))}" for r, v in observed.items()))
    assert not failures, f"{op.method} {op.path}:\n" + "\n".join(failures)


# Writes of a model through its serializer (creates, changes) and one's own profile: the custom actions take bodies
# of their own, which an empty or foreign body cannot judge.
BODY_OPERATIONS = [
    o
    for o in OPERATIONS
    if o.body_fields
    and o.op_id not in NOT_IN_MATRIX
    and not o.multipart
    and (o.method in ("PUT", "PATCH") or _is_create(o))
]
_USERNAMES = {role: username for username, role in ROLES.items()}


@pytest.mark.parametrize(
    "op",
    BODY_OPERATIONS,
    ids=[o.op_id for o in BODY_OPERATIONS],
)
def test_a_write_naming_an_unknown_field_is_refused(op, demo_world, api, reference):
    """As a role allowed to write, the operation's body plus one field it does not have: 400 naming the field,
    nothing changed (a misspelt field is never dropped silently)."""
    cases = _cases(op, reference)
    case = "own" if "own" in cases else next(iter(cases))
    row = cases[case]
    role = next(r for r in ROLES.values() if r != "anon" and _expected(RULES[op.op_id], r, case))
    client = api(_USERNAMES[role])
    url = _url(op, row) if op.lookup else op.path
    payload = {**_payload(op, api("office"), row), "no_such_field": "x"}
    status, unchanged, response = _run_case(op, client, payload, url, row)
    assert status == 400, f"{op.method} {url} as {role}: {status} {response.content[:300]!r}"
    assert "no_such_field" in response.content.decode(), response.content[:300]
    assert unchanged
