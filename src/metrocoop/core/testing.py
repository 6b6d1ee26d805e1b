"""The generic API test mixin every model API uses (after NetBox's APIViewTestCases, in pytest form).

A test class names its endpoint, a user in scope and one out of scope, and how to make a row and payloads; it
inherits the routine tests: list/get/create/update/delete as anonymous, as a user without the scope and as a
user with it. Denied writes also assert that nothing changed (row count, the row's fields, the audit trail).

    class TestObservationAPI(ModelAPITestCases):
        basename = "observation"
        in_scope_user = "liaison-sz"                  # the default; so is out_of_scope_user = "liaison-wx"
        methods = {"list", "retrieve", "create", "partial_update", "destroy"}

        def make_row(self, reference): ...            # a row in in_scope_user's scope
        def create_payload(self, reference): ...      # a new row in scope
        def update_payload(self, row): ...            # a change within scope

Methods not in `methods` must answer 405 to everybody and change nothing. `anonymous_reads` says whether
anonymous users see rows. The users default to a city's liaison in scope (Suzhou's) and another city's out of it
(Wuxi's), the scope most endpoints have; `model` defaults to the model the endpoint's viewset serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from auditlog.models import LogEntry
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

ALL_METHODS = frozenset({"list", "retrieve", "create", "partial_update", "destroy"})


def snapshot(model: type[models.Model]) -> dict[str, Any]:
    """Everything a denied write must leave as it was: every row of the model and the size of the audit trail."""
    rows = {obj.pk: model_to_dict(obj) for obj in model._default_manager.all()}
    return {"rows": rows, "audit": LogEntry.objects.count()}


def registered_model(basename: str) -> type[models.Model]:
    """The model the API viewset registered under `basename` serves (its queryset's, else its serializer's)."""
    import metrocoop.api_urls  # noqa: F401 - every app's viewsets register on the router
    from metrocoop.core.api.urls import router

    for _prefix, viewset, name in router.registry:
        if name == basename:
            queryset = getattr(viewset, "queryset", None)
            return queryset.model if queryset is not None else viewset.serializer_class.Meta.model
    raise LookupError(f"no viewset is registered as {basename!r}")


class ModelAPITestCases:
    basename: ClassVar[str]
    lookup_field: ClassVar[str] = "pk"
    in_scope_user: ClassVar[str] = "liaison-sz"
    out_of_scope_user: ClassVar[str] = "liaison-wx"
    methods: ClassVar[frozenset[str] | set[str]] = ALL_METHODS
    anonymous_reads: ClassVar[bool] = True

    @property
    def model(self) -> type[models.Model]:
        return registered_model(self.basename)

    # --- to be provided by the test class -------------------------------------------------------------------
    def make_row(self, reference) -> models.Model:
        raise NotImplementedError

    def create_payload(self, reference) -> dict:
        raise NotImplementedError

    def update_payload(self, row) -> dict:
        raise NotImplementedError

    # --- helpers -----------------------------------------------------------------------------------------------
    def list_url(self) -> str:
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, row) -> str:
        return reverse(f"api:{self.basename}-detail", kwargs={self.lookup_field: getattr(row, self.lookup_field)})

    @staticmethod
    def _rows(data) -> list:
        return data["results"] if isinstance(data, dict) and "results" in data else data

    def _offered(self, method: str) -> bool:
        return method in self.methods

    # --- reads -------------------------------------------------------------------------------------------------
    def test_list_anonymous(self, api, reference):
        row = self.make_row(reference)
        response = api(None).get(self.list_url())
        assert response.status_code == 200
        keys = [str(r.get(self.lookup_field, r.get("id"))) for r in self._rows(response.json())]
        assert (str(getattr(row, self.lookup_field)) in keys) is self.anonymous_reads

    def test_retrieve_anonymous(self, api, reference):
        row = self.make_row(reference)
        response = api(None).get(self.detail_url(row))
        assert response.status_code == (200 if self.anonymous_reads else 404)

    def test_list_in_scope(self, api, reference):
        row = self.make_row(reference)
        response = api(self.in_scope_user).get(self.list_url())
        assert response.status_code == 200
        keys = [str(r.get(self.lookup_field, r.get("id"))) for r in self._rows(response.json())]
        assert str(getattr(row, self.lookup_field)) in keys

    def test_retrieve_in_scope(self, api, reference):
        row = self.make_row(reference)
        assert api(self.in_scope_user).get(self.detail_url(row)).status_code == 200

    # --- writes ------------------------------------------------------------------------------------------------
    # An endpoint that does not offer a method answers 405 to everybody and changes nothing.

    def _assert_refused(self, method: str, request: Callable[[], Any], refused: tuple[int, ...]) -> None:
        """``request()`` is answered with one of ``refused`` (405 where the endpoint does not offer ``method``) and
        changes nothing."""
        before = snapshot(self.model)
        response = request()
        assert response.status_code in (refused if self._offered(method) else (405,)), response.content
        assert snapshot(self.model) == before

    def _payload_for_create(self, reference) -> dict:
        return self.create_payload(reference) if self._offered("create") else {}

    def _payload_for_update(self, row) -> dict:
        return self.update_payload(row) if self._offered("partial_update") else {}

    def test_create_anonymous_refused(self, api, reference):
        payload = self._payload_for_create(reference)
        self._assert_refused("create", lambda: api(None).post(self.list_url(), payload, format="json"), (401, 403))

    def test_create_out_of_scope_refused(self, api, reference):
        payload = self._payload_for_create(reference)
        post = api(self.out_of_scope_user).post
        self._assert_refused("create", lambda: post(self.list_url(), payload, format="json"), (403,))

    def test_create_in_scope(self, api, reference):
        payload = self._payload_for_create(reference)
        count, audit = self.model._default_manager.count(), LogEntry.objects.count()
        response = api(self.in_scope_user).post(self.list_url(), payload, format="json")
        if not self._offered("create"):
            assert response.status_code == 405
            assert self.model._default_manager.count() == count
            return
        assert response.status_code == 201, response.content
        assert self.model._default_manager.count() == count + 1
        assert LogEntry.objects.count() > audit

    def _patch(self, client, row):
        return client.patch(self.detail_url(row), self._payload_for_update(row), format="json")

    def test_update_anonymous_refused(self, api, reference):
        row = self.make_row(reference)
        self._assert_refused("partial_update", lambda: self._patch(api(None), row), (401, 403))

    def test_update_out_of_scope_refused(self, api, reference):
        row = self.make_row(reference)
        self._assert_refused("partial_update", lambda: self._patch(api(self.out_of_scope_user), row), (403, 404))

    def test_update_in_scope(self, api, reference, demo_users):
        row = self.make_row(reference)
        payload = self._payload_for_update(row)
        before = snapshot(self.model)
        response = api(self.in_scope_user).patch(self.detail_url(row), payload, format="json")
        if not self._offered("partial_update"):
            assert response.status_code == 405
            assert snapshot(self.model) == before
            return
        assert response.status_code == 200, response.content
        row.refresh_from_db()
        for field, value in payload.items():
            assert str(getattr(row, field)) == str(value)
        entry = LogEntry.objects.get_for_object(row).order_by("-id").first()
        assert entry is not None and entry.actor == demo_users[self.in_scope_user]

    def test_delete_anonymous_refused(self, api, reference):
        row = self.make_row(reference)
        self._assert_refused("destroy", lambda: api(None).delete(self.detail_url(row)), (401, 403))

    def test_delete_out_of_scope_refused(self, api, reference):
        row = self.make_row(reference)
        self._assert_refused("destroy", lambda: api(self.out_of_scope_user).delete(self.detail_url(row)), (403, 404))

    def test_delete_in_scope(self, api, reference):
        row = self.make_row(reference)
        before = snapshot(self.model)
        response = api(self.in_scope_user).delete(self.detail_url(row))
        if not self._offered("destroy"):
            assert response.status_code == 405
            assert snapshot(self.model) == before
            return
        assert response.status_code == 204
        assert not self.model._default_manager.filter(pk=row.pk).exists()


@contextmanager
def demo_world_rolled_back(django_db_blocker) -> Iterator[None]:
    """Every module's demo data, loaded inside a transaction that is rolled back on leaving: a module-scoped fixture
    loads the demo once for its tests and leaves the database as it found it."""
    from metrocoop.demo_data import load_module_demo_data

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_module_demo_data()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def ordinary_answer(client, url: str):
    """`client.get(url)` answered the ordinary way, the fast lists (core.api.fastlist) switched off: model instances
    through the serializer and DRF's paginator -- what a fast answer must equal, byte for byte."""
    from metrocoop.core.api import fastlist

    saved = fastlist.plan_for
    fastlist.plan_for = lambda serializer: None
    try:
        return client.get(url)
    finally:
        fastlist.plan_for = saved


def api_fields_over_columns():
    """(serializer class, field name, serializer field, model field) for every field of every registered viewset's
    serializer that shows a column of the serializer's model directly (no dotted source, no property)."""
    import metrocoop.api_urls  # noqa: F401 - every app's viewsets register on the router
    from metrocoop.core.api.urls import router

    seen: set[type] = set()
    for _prefix, viewset, _basename in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if model is None or serializer_class in seen:
            continue
        seen.add(serializer_class)
        for name, field in serializer_class().fields.items():
            if not field.source or "." in field.source or field.source == "*":
                continue
            try:
                model_field = model._meta.get_field(field.source)
            except Exception:  # a property, a method or a reverse accessor: not a column
                continue
            yield serializer_class, name, field, model_field


class OfficeAPITestCases(ModelAPITestCases):
    """The standard cases for rows only the office writes: the office is in scope, a city's liaison (Suzhou's) is
    not."""

    in_scope_user: ClassVar[str] = "office"
    out_of_scope_user: ClassVar[str] = "liaison-sz"
