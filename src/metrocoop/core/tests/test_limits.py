"""Bounded free text and request bodies: no single request may hold a worker with megabytes of text."""

import pytest
from django.db import models
from django.test import override_settings

from metrocoop.core.testing import api_fields_over_columns
from metrocoop.policies.models import PolicyDocument
from metrocoop.policies.tests.factories import make_document

pytestmark = pytest.mark.django_db


def test_free_text_beyond_the_limit_is_refused_naming_the_field_and_nothing_changes(api, reference):
    document = make_document("SZ", text="原文")
    response = api("liaison-sz").patch(
        f"/api/policies/documents/{document.key}/", {"text": "字" * 200_001}, format="json"
    )
    assert response.status_code == 400
    assert "text" in response.json()["fields"]
    assert PolicyDocument.objects.get(pk=document.pk).text == "原文"


def test_every_model_text_field_written_through_the_api_has_a_maximum_length():
    unbounded, seen = [], 0
    for serializer_class, name, field, model_field in api_fields_over_columns():
        if field.read_only or not isinstance(model_field, models.TextField):
            continue
        seen += 1
        if getattr(field, "max_length", None) is None:
            unbounded.append(f"{serializer_class.__name__}.{name}")
    assert seen > 20
    assert unbounded == []


@override_settings(METROCOOP_MAX_JSON_BYTES=10_000)
def test_a_json_body_beyond_the_limit_is_413_in_the_bilingual_shape(api, reference):
    response = api("office").post("/api/clearing/periods/", {"note": "x" * 20_000}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and response.json()["message_en"]
