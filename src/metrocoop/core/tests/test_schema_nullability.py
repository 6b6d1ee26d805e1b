"""The schema tells the truth about empty relations: a serializer field showing a nullable foreign key (a seat with
no representative yet, a tranche not yet posted) must allow null, or the OpenAPI schema promises a string where
the API answers null. Walks every serializer of every registered viewset."""

from rest_framework import serializers

import metrocoop.api_urls  # noqa: F401 - every app's viewsets register on the router
from metrocoop.core.api.urls import router


def _nullable_relations_typed_as_non_null() -> list[str]:
    found = set()
    for _prefix, viewset, _basename in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if model is None:
            continue
        for name, field in serializer_class().fields.items():
            if not isinstance(field, serializers.RelatedField) or "." in field.source or field.source == "*":
                continue
            try:
                model_field = model._meta.get_field(field.source)
            except Exception:  # a property or a reverse accessor: not a column that can be null
                continue
            if getattr(model_field, "null", False) and not field.allow_null:
                found.add(f"{serializer_class.__module__}.{serializer_class.__name__}.{name}")
    return sorted(found)


def test_every_nullable_foreign_key_is_typed_nullable_in_the_api():
    assert len(router.registry) > 50
    assert _nullable_relations_typed_as_non_null() == []
