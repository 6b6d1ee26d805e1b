"""The schema tells the truth about empty relations: a serializer field showing a nullable foreign key (a seat with
no representative yet, a tranche not yet posted) must allow null, or the OpenAPI schema promises a string where
the API answers null. Walks every serializer of every registered viewset."""

from rest_framework import serializers

import metrocoop.api_urls  # noqa: F401 - every app's viewsets register on the router
from metrocoop.core.api.urls import router
from metrocoop.core.testing import api_fields_over_columns


def _nullable_relations_typed_as_non_null() -> list[str]:
    return sorted(
        f"{serializer_class.__module__}.{serializer_class.__name__}.{name}"
        for serializer_class, name, field, model_field in api_fields_over_columns()
        if isinstance(field, serializers.RelatedField) and getattr(model_field, "null", False) and not field.allow_null
    )


def test_every_nullable_foreign_key_is_typed_nullable_in_the_api():
    assert len(router.registry) > 50
    assert _nullable_relations_typed_as_non_null() == []
