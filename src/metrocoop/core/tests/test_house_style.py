"""House style held by tests (issue 19): every API write goes through a declared service, access is decided in
core.permissions only, statuses are compared to their enums.

Each check is a function over the code base that returns what breaks the rule, so each test also shows the check
catching a planted offender (a check that cannot fail proves nothing).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework import routers, serializers, viewsets

from metrocoop.core.api.base import WRITE_ACTIONS, ServiceModelViewSet
from metrocoop.core.models import Organisation

SRC = Path(__file__).resolve().parents[2]  # src/metrocoop

# --- 1. writes through declared services ----------------------------------------------------------------------

# What the base does for its subclasses; any other class defining one of these writes by itself.
_BASES = ("rest_framework", "metrocoop.core.api.base")
_WRITE_METHODS = (
    "create",
    "update",
    "partial_update",
    "destroy",
    "perform_create",
    "perform_update",
    "perform_destroy",
)


def unserviced_writes(router: routers.BaseRouter) -> list[str]:
    """Every standard write (create/update/partial_update/destroy) a route of `router` offers without a declared
    service, and every viewset that writes by its own `perform_*`/`create`/`update`/`destroy`."""
    problems: list[str] = []
    for pattern in router.urls:
        callback = pattern.callback
        view = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        if view is None:
            continue
        for method, name in actions.items():
            if name not in WRITE_ACTIONS or method not in view.http_method_names:
                continue
            if not issubclass(view, ServiceModelViewSet):
                problems.append(f"{view.__module__}.{view.__name__}: {method.upper()} {name} is not a service write")
            elif getattr(view, WRITE_ACTIONS[name]) is None:
                problems.append(f"{view.__module__}.{view.__name__}: {method.upper()} {name} has no service")
        for klass in view.__mro__:
            if klass.__module__.startswith(_BASES) or klass is object:
                continue
            for name in _WRITE_METHODS:
                method = klass.__dict__.get(name)
                # extend_schema_view(create=...) wraps the inherited method in the class: that is documentation
                if method is not None and not inspect.unwrap(method).__module__.startswith(_BASES):
                    problems.append(f"{klass.__module__}.{klass.__name__} defines {name}")
    return sorted(set(problems))


def _registered_router() -> routers.BaseRouter:
    import metrocoop.api_urls  # noqa: F401  (every app registers its viewsets on import)
    from metrocoop.core.api.urls import router

    return router


def test_every_registered_write_goes_through_a_declared_service():
    router = _registered_router()
    writes = [
        (p.callback.cls, m)
        for p in router.urls
        if getattr(p.callback, "cls", None) is not None
        for m, a in (getattr(p.callback, "actions", None) or {}).items()
        if a in WRITE_ACTIONS
    ]
    assert len(writes) > 50  # the walk reaches the apps' write routes
    assert unserviced_writes(router) == []


class _OrgSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code"]


def test_the_service_check_catches_a_plain_model_viewset_and_a_hand_written_save():
    class PlainViewSet(viewsets.ModelViewSet):
        queryset = Organisation.objects.all()
        serializer_class = _OrgSerializer

    class HandWritten(ServiceModelViewSet):
        queryset = Organisation.objects.all()
        serializer_class = _OrgSerializer
        create_service = staticmethod(lambda data, *, actor: None)

        def perform_update(self, serializer):  # saves through the serializer, past any service
            serializer.save()

    router = routers.SimpleRouter()
    router.register("plain", PlainViewSet, basename="plain")
    router.register("hand", HandWritten, basename="hand")
    problems = unserviced_writes(router)
    assert any("PlainViewSet: POST create is not a service write" in p for p in problems)
    assert any("PlainViewSet: DELETE destroy" in p for p in problems)
    assert any("HandWritten defines perform_update" in p for p in problems)
    # the base routes no update without a service: HandWritten offers none, so only its own method is reported
    assert not any("HandWritten: PATCH" in p for p in problems)


# --- 2. role decisions only in core.permissions -----------------------------------------------------------------

# core.permissions applies each app's policies.py (Policy declarations and their hooks, registered through
# core.permissions.register): they are the access layer, so they may name roles. Nothing else may.
ROLE_QUERIES = {"has_role", "scopes_of", "cities_for"}

# Modules outside the access layer that still name a role, each with the reason it is not an access decision.
ALLOWED: dict[tuple[str, str], str] = {
    (
        "core/models.py",
        "RoleAssignment.clean",
    ): "a role assignment's own invariant (a city role needs a city, a department a domain), not a user's access",
}


def _in_access_layer(rel: str) -> bool:
    return rel == "core/permissions.py" or rel.endswith("/policies.py") or rel == "core/policies.py"


def _mentions_role(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "Role":
            return True
        if isinstance(n, ast.Attribute) and n.attr in ("role", "roles"):
            return True
        if isinstance(n, ast.Name) and (n.id.endswith("_ROLES") or n.id == "Role"):
            return True
    return False


def role_decisions(source: str) -> list[tuple[int, str, str]]:
    """(line, enclosing function, what) for each role decision in `source`: a comparison or set intersection
    involving a role (Role.X, `.role`, `.roles`, a *_ROLES set), or a call asking for a user's roles."""
    tree = ast.parse(source)
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{where}.{child.name}" if where else child.name
            what = None
            if isinstance(child, ast.Compare) and _mentions_role(child):
                what = "compares a role"
            elif isinstance(child, ast.BinOp) and isinstance(child.op, ast.BitAnd) and _mentions_role(child):
                what = "intersects roles"
            elif isinstance(child, ast.Call):
                func = child.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in ROLE_QUERIES:
                    what = f"calls {name}"
            if what is not None:
                found.append((child.lineno, inner, what))
            visit(child, inner)

    visit(tree, "")
    return found


def _nodes(source: str, *kinds: type[ast.AST]) -> Iterator[Any]:
    """The nodes of the given kinds in the module `source`."""
    return (node for node in ast.walk(ast.parse(source)) if isinstance(node, kinds))


def _our_modules():
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" in rel or "/tests/" in rel or rel.startswith("tests/"):
            continue
        yield rel, path


def test_no_module_outside_core_permissions_decides_by_role():
    offenders = []
    used = set()
    for rel, path in _our_modules():
        if _in_access_layer(rel):
            continue
        for line, where, what in role_decisions(path.read_text(encoding="utf-8")):
            if (rel, where) in ALLOWED:
                used.add((rel, where))
                continue
            offenders.append(f"{rel}:{line} ({where or 'module'}) {what}")
    assert offenders == [], "ask core.permissions (can, restrict, acts_region_wide, liaison_cities, ...) instead"
    assert used == set(ALLOWED), "an allowed exception no longer exists: remove it from ALLOWED"


@pytest.mark.parametrize(
    "source",
    [
        "def f(user):\n    return has_role(user, Role.OFFICE)\n",
        "def f(scopes):\n    return Role.OFFICE in scopes.roles\n",
        "def f(user):\n    return bool(scopes_of(user).roles & REGIONAL_ROLES)\n",
        "def f(ra):\n    return ra.role == 'office'\n",
    ],
)
def test_the_role_check_catches_each_way_of_deciding_by_role(source):
    assert role_decisions(source)


def test_the_role_check_leaves_role_free_code_alone():
    assert role_decisions("def f(user, row):\n    return can(user, 'change', row) and row.status == 'x'\n") == []


# --- 3. statuses compared to their enums ------------------------------------------------------------------------


def status_literals(source: str) -> list[int]:
    """Lines comparing a `.status` to a string literal (`period.status == "open"`): the choices enum says it."""
    lines = []
    for node in _nodes(source, ast.Compare):
        operands = [node.left, *node.comparators]
        has_status = any(isinstance(o, ast.Attribute) and o.attr == "status" for o in operands)
        has_literal = any(isinstance(o, ast.Constant) and isinstance(o.value, str) for o in operands)
        if has_status and has_literal:
            lines.append(node.lineno)
    return lines


# Statuses with no choices enum, each with its reason.
STATUS_LITERALS_ALLOWED = {
    "ledger/api/views.py": "ledger.services.PostedTransfer.status is Literal['new', 'replay'], not a model's choices",
}


def test_views_and_api_compare_statuses_to_their_enums():
    offenders = [
        f"{rel}:{line}"
        for rel, path in _our_modules()
        if rel.endswith("views.py") and rel not in STATUS_LITERALS_ALLOWED
        for line in status_literals(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    for rel in STATUS_LITERALS_ALLOWED:
        assert status_literals((SRC / rel).read_text(encoding="utf-8")), f"{rel} no longer needs its exception"
    assert status_literals('def f(p):\n    return p.status == "open"\n') == [2]
    assert status_literals("def f(p):\n    return p.status == PeriodStatus.OPEN\n") == []


# --- 4. audit actions by name -----------------------------------------------------------------------------------


def magic_audit_actions(source: str) -> list[int]:
    """Lines calling `log_event(..., action=<a number>)`: the action is `core.audit.AuditAction.CREATE` etc."""
    lines = []
    for node in _nodes(source, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name != "log_event":
            continue
        for keyword in node.keywords:
            if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                lines.append(node.lineno)
    return lines


def test_audit_events_name_their_action():
    offenders = [
        f"{rel}:{line}"
        for rel, path in _our_modules()
        for line in magic_audit_actions(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert magic_audit_actions("log_event(row, actor=a, action=0)\n") == [1]
    assert magic_audit_actions("log_event(row, actor=a, action=AuditAction.CREATE)\n") == []


# --- 5. engines stay Django-free and share core.explain ---------------------------------------------------------


def _engine_modules():
    for rel, path in _our_modules():
        if rel.endswith("/engine.py") or "/engine/" in rel:
            yield rel, path


# Platform modules that are plain Python (no Django) which engines may use besides other engines.
PURE_MODULES = {
    "metrocoop.core.explain": "the shared bilingual error and Step types",
    "metrocoop.spatial.geometry": "shapely/pyproj geometry helpers of the spatial engine, no Django",
    "metrocoop.core.money": "the one fen → yuan formatter, plain Python",
}


def test_engines_import_no_django_and_only_the_shared_explanation_types_from_the_platform():
    offenders = []
    for rel, path in _engine_modules():
        for node in _nodes(path.read_text(encoding="utf-8"), ast.Import, ast.ImportFrom):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                ours = name.startswith("metrocoop.")
                allowed = name in PURE_MODULES or (name.split(".")[2:3] == ["engine"])  # another pure engine
                if name.split(".")[0] == "django" or (ours and not allowed):
                    offenders.append(f"{rel}: imports {name}")
    assert offenders == []
    assert len(list(_engine_modules())) >= 8
    for module in PURE_MODULES:
        path = SRC / (module.removeprefix("metrocoop.").replace(".", "/") + ".py")
        imports = list(_nodes(path.read_text(encoding="utf-8"), ast.ImportFrom))
        platform = [n.module for n in imports if (n.module or "").startswith(("django", "metrocoop"))]
        assert set(platform) <= {"metrocoop.core.explain"}, module


def test_the_engines_share_one_step_type_and_one_bilingual_error_type():
    from metrocoop.core.explain import BilingualError, Step
    from metrocoop.funds import engine as funds_engine
    from metrocoop.investment import engine as investment_engine

    assert funds_engine.Step is Step and investment_engine.Step is Step
    for error in (funds_engine.FundRuleError, investment_engine.SharingError):
        assert issubclass(error, BilingualError)
        refusal = error("中文说明", "English text")
        assert (refusal.message_zh, refusal.message_en, str(refusal)) == ("中文说明", "English text", "English text")


# --- 6. list filters in FilterSet classes -----------------------------------------------------------------------


def filterset_fields_declared(router: routers.BaseRouter) -> list[str]:
    """Every viewset routed by `router` that declares `filterset_fields`: its filters belong in a FilterSet class of
    its app's filtersets.py, where the pages can use them too."""
    views = {getattr(p.callback, "cls", None) for p in router.urls} - {None}
    return sorted(
        f"{klass.__module__}.{klass.__name__}"
        for view in views
        for klass in view.__mro__
        if "filterset_fields" in klass.__dict__
    )


def test_no_viewset_declares_filterset_fields():
    assert filterset_fields_declared(_registered_router()) == []


def test_the_filter_check_catches_filterset_fields():
    class Inline(viewsets.ReadOnlyModelViewSet):
        queryset = Organisation.objects.all()
        serializer_class = _OrgSerializer
        filterset_fields = ["code"]

    router = routers.SimpleRouter()
    router.register("inline", Inline, basename="inline")
    assert filterset_fields_declared(router) == [f"{__name__}.Inline"]


def filtersets_outside_their_module(root: Path) -> list[str]:
    """Every FilterSet class defined in a module other than an app's `filtersets.py` (tests aside): the pages and
    the API find an app's filters in one place."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "filtersets.py" or "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in _nodes(path.read_text(encoding="utf-8"), ast.ClassDef):
            if any(ast.unparse(b).endswith("FilterSet") for b in node.bases):
                found.append(f"{path.relative_to(root)}:{node.name}")
    return found


def test_filtersets_live_in_filtersets_modules():
    assert filtersets_outside_their_module(SRC) == []


def test_the_filterset_check_catches_one_elsewhere(tmp_path):
    (tmp_path / "shop" / "api").mkdir(parents=True)
    (tmp_path / "shop" / "api" / "views.py").write_text("class ShopFilter(django_filters.FilterSet):\n    pass\n")
    (tmp_path / "shop" / "filtersets.py").write_text("class Kept(django_filters.FilterSet):\n    pass\n")
    assert filtersets_outside_their_module(tmp_path) == ["shop/api/views.py:ShopFilter"]
