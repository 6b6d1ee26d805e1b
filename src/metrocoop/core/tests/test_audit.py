"""The audit trail: every change lands with actor and before/after; nobody can rewrite it."""

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from metrocoop.core import services
from metrocoop.core.models import City

pytestmark = pytest.mark.django_db


def test_a_service_write_is_audited_with_actor_and_before_after(demo_users, reference):
    city = reference["CZ"]
    services.do_update_city_profile(city, {"contact": "常州市发改委 0519-0000"}, actor=demo_users["liaison-cz"])
    entry = LogEntry.objects.get_for_object(city).order_by("-id").first()
    assert entry.actor == demo_users["liaison-cz"]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes["contact"] == ["", "常州市发改委 0519-0000"]
    assert entry.serialized_data["fields"]["contact"] == "常州市发改委 0519-0000"


def test_a_refused_service_write_leaves_no_trace(demo_users, reference):
    from django.core.exceptions import PermissionDenied

    count = LogEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.do_update_city_profile(reference["CZ"], {"contact": "x"}, actor=demo_users["liaison-sz"])
    assert LogEntry.objects.count() == count
    assert City.objects.get(code="CZ").contact == ""


def test_audit_rows_cannot_be_updated_in_the_database(demo_users, reference):
    services.do_update_city_profile(reference["CZ"], {"contact": "a"}, actor=demo_users["office"])
    entry = LogEntry.objects.latest("id")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    assert LogEntry.objects.get(pk=entry.pk).object_repr != "forged"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite cannot tell a flush from a delete")
def test_audit_rows_cannot_be_deleted_on_postgresql(demo_users, reference):
    services.do_update_city_profile(reference["CZ"], {"contact": "b"}, actor=demo_users["office"])
    entry = LogEntry.objects.latest("id")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_api_is_read_only_and_for_office_and_auditors(api, demo_users, reference):
    services.do_update_city_profile(reference["CZ"], {"contact": "c"}, actor=demo_users["office"])
    entry = LogEntry.objects.latest("id")
    for username in ["office", "auditor"]:
        assert api(username).get("/api/audit/").json()["count"] >= 1
        assert api(username).delete(f"/api/audit/{entry.pk}/").status_code == 405
        assert api(username).patch(f"/api/audit/{entry.pk}/", {"object_repr": "x"}).status_code == 405
    assert api("liaison-cz").get("/api/audit/").json()["count"] == 0
    assert api("liaison-cz").get(f"/api/audit/{entry.pk}/").status_code == 404
    assert api(None).get("/api/audit/").json()["count"] == 0
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_api_filters_by_actor_model_and_action(api, demo_users, reference):
    services.do_update_city_profile(reference["CZ"], {"contact": "d"}, actor=demo_users["liaison-cz"])
    rows = api("auditor").get("/api/audit/", {"actor": "liaison-cz", "model": "core.city", "action": "update"}).json()
    assert rows["count"] == 1
    assert rows["results"][0]["after"] == {"contact": "d"}
