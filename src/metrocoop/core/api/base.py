"""Shared base for the API viewsets.

- every queryset goes through core.permissions.restrict (`ScopedQuerysetMixin`);
- every write goes through the app's services (`ServiceModelViewSet`): a viewset names its service functions and
  the base calls them with the validated data and the acting user. A write whose service is not named is not
  offered at all (405, and absent from the schema), so a forgotten override can never save through the
  serializer and skip the service's access check, audit and transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.negotiation import DefaultContentNegotiation

from metrocoop.core.permissions import Action, restrict

CreateService = Callable[..., Any]  # (validated_data: dict, *, actor) -> instance
UpdateService = Callable[..., Any]  # (instance, validated_data: dict, *, actor) -> instance
DestroyService = Callable[..., Any]  # (instance, *, actor) -> None


class ScopedQuerysetMixin:
    """`get_queryset` returns only the rows the user may see; subclasses set select/prefetch on `queryset`.

    A write naming a field the serializer does not have is refused (400, the field named): a misspelt field would
    otherwise be dropped silently and the client told the write succeeded.
    """

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, Action.VIEW)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        data = kwargs.get("data")
        if data is not None and hasattr(data, "keys") and hasattr(serializer, "fields"):
            refuse_unknown_fields(data, serializer.fields)
        return serializer


def refuse_unknown_fields(data, fields) -> None:
    """Raise a 400 naming every key of `data` that is not a field of the serializer (read-only ones included:
    sending back what was read is harmless)."""
    unknown = sorted(set(data.keys()) - set(fields) - {"csrfmiddlewaretoken"})
    if unknown:
        raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """Deprecated for new code: use ServiceModelViewSet, which cannot save without a service."""


_WRITE_METHODS: dict[str, tuple[str, ...]] = {
    "create_service": ("post",),
    "update_service": ("put", "patch"),
    "destroy_service": ("delete",),
}


class ServiceModelViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """A model viewset whose writes are the app's `do_*` services.

        class LimitValueViewSet(ServiceModelViewSet):
            queryset = LimitValue.objects.select_related("city", "parameter")
            serializer_class = s.LimitValueSerializer
            create_service = services.do_create_limit      # (data, *, actor) -> LimitValue
            update_service = services.do_update_limit      # (limit, data, *, actor) -> LimitValue
            destroy_service = services.do_delete_limit     # (limit, *, actor) -> None

    The services check access through core.permissions, audit and run in one transaction; the viewset only
    parses and renders. Services raise `django.core.exceptions.ValidationError` (400), `PermissionDenied` (403)
    or `metrocoop.core.errors.Conflict` (409); the core exception handler maps them once.
    """

    create_service: ClassVar[CreateService | None] = None
    update_service: ClassVar[UpdateService | None] = None
    destroy_service: ClassVar[DestroyService | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        refused: set[str] = set()
        for attr, methods in _WRITE_METHODS.items():
            service = cls.__dict__.get(attr)
            if service is not None and not isinstance(service, staticmethod):
                setattr(cls, attr, staticmethod(service))  # a plain function must not become a bound method
            if getattr(cls, attr) is None:
                refused.update(methods)
        cls.http_method_names = [m for m in viewsets.ModelViewSet.http_method_names if m not in refused]

    @classmethod
    def declared_services(cls) -> dict[str, Callable[..., Any] | None]:
        return {attr: getattr(cls, attr) for attr in _WRITE_METHODS}

    def perform_create(self, serializer) -> None:
        serializer.instance = type(self).create_service(dict(serializer.validated_data), actor=self.request.user)

    def perform_update(self, serializer) -> None:
        serializer.instance = type(self).update_service(
            serializer.instance, dict(serializer.validated_data), actor=self.request.user
        )

    def perform_destroy(self, instance) -> None:
        type(self).destroy_service(instance, actor=self.request.user)


class _SettingsWithoutFormatOverride:
    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name: str) -> Any:
        from rest_framework.settings import api_settings

        return getattr(api_settings, name)


class FileParameterNegotiation(DefaultContentNegotiation):
    """For actions that answer a file and take `format` as their own parameter (`?format=xlsx|docx`): DRF's
    `?format=` renderer override is not applied (it would look for an "xlsx" renderer and answer 404)."""

    settings = _SettingsWithoutFormatOverride()
