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

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status, viewsets
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from metrocoop.core.permissions import Action, can_any, require, restrict

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
            refuse_unknown_fields(data, self.accepted_fields(serializer))
        return serializer

    def accepted_fields(self, serializer) -> set[str]:
        """The names a write may carry: the input serializer's fields."""
        return set(serializer.fields)

    # Custom actions judge who asks before what they send: a caller who may not act is told 403 (404 for a row they
    # may not see) whatever the body holds, never a 400 that describes a valid body. The service asks again.

    def get_object_for(self, action: str):
        """The URL's row, once the user may take `action` on it (core.permissions.require: 403 otherwise)."""
        obj = self.get_object()
        require(self.request.user, action, obj)
        return obj

    def require_role_for(self, action: str, model) -> None:
        """403 unless the user holds a role that may take `action` on some row of `model`: for an action whose row
        is named by its body (a vote names its city), so that only the service can judge the row itself."""
        if not can_any(self.request.user, action, model):
            raise PermissionDenied(
                _("You may not %(action)s this %(model)s.") % {"action": action, "model": model._meta.verbose_name}
            )


def refuse_unknown_fields(data, fields) -> None:
    """Raise a 400 naming every key of `data` that is not a field of the serializer (read-only ones included:
    sending back what was read is harmless)."""
    unknown = sorted(set(data.keys()) - set(fields) - {"csrfmiddlewaretoken"})
    if unknown:
        raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


_WRITE_METHODS: dict[str, tuple[str, ...]] = {
    "create_service": ("post",),
    "update_service": ("put", "patch"),
    "destroy_service": ("delete",),
}
# The router's standard write actions and the service each needs.
WRITE_ACTIONS: dict[str, str] = {
    "create": "create_service",
    "update": "update_service",
    "partial_update": "update_service",
    "destroy": "destroy_service",
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

    A service whose signature differs is adapted by a small function in the app's `api/views.py`
    (`def _open(data, *, actor): return services.do_open_period(data["year"], data["month"], actor=actor)`).
    The answer of a write is the input serializer's rendering of what the service returned, or
    `written_serializer_class`'s when the input and the answer differ; a viewset whose service returns something
    other than the row (a batch result, an idempotent post) overrides `written_response`.
    """

    create_service: ClassVar[CreateService | None] = None
    update_service: ClassVar[UpdateService | None] = None
    destroy_service: ClassVar[DestroyService | None] = None
    written_serializer_class: ClassVar[type[serializers.BaseSerializer] | None] = None
    # True: a change is a PATCH of the fields sent, never a PUT of the whole row (the method is refused)
    patch_only: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("http_method_names") or getattr(
            cls, "_declared_http_method_names", viewsets.ModelViewSet.http_method_names
        )
        cls._declared_http_method_names = list(declared)
        refused: set[str] = set()
        for attr, methods in _WRITE_METHODS.items():
            service = cls.__dict__.get(attr)
            if service is not None and not isinstance(service, staticmethod):
                setattr(cls, attr, staticmethod(service))  # a plain function must not become a bound method
            if getattr(cls, attr) is None:
                refused.update(methods)
        if cls.patch_only:
            refused.add("put")
        # a custom action (POST …/vote/) keeps its method even where the standard write of that method is refused
        # (as_view drops the standard write from the route)
        refused -= {m for extra in cls.get_extra_actions() for m in getattr(extra, "mapping", {})}
        cls.http_method_names = [m for m in declared if m not in refused]

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """Route only the standard writes whose service is declared (and whose method the viewset offers)."""
        if actions:
            actions = {
                method: name
                for method, name in actions.items()
                if method in cls.http_method_names
                and (name not in WRITE_ACTIONS or getattr(cls, WRITE_ACTIONS[name]) is not None)
            }
        return super().as_view(actions, **initkwargs)

    def accepted_fields(self, serializer) -> set[str]:
        """The input serializer's fields and, where the answer is another serializer, that one's too: sending back
        what was read is harmless (its read-only fields are ignored)."""
        fields = super().accepted_fields(serializer)
        if self.written_serializer_class is not None:
            fields |= set(self.written_serializer_class(context=self.get_serializer_context()).fields)
        return fields

    def perform_create(self, serializer) -> None:
        serializer.instance = type(self).create_service(dict(serializer.validated_data), actor=self.request.user)

    def perform_update(self, serializer) -> None:
        serializer.instance = type(self).update_service(
            serializer.instance, dict(serializer.validated_data), actor=self.request.user
        )

    def perform_destroy(self, instance) -> None:
        type(self).destroy_service(instance, actor=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.written_response(serializer, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        return self.written_response(serializer, status.HTTP_200_OK)

    def written_response(self, serializer, code: int) -> Response:
        """The answer to a create (201) or update (200); `serializer.instance` is what the service returned."""
        if self.written_serializer_class is not None:
            data = self.written_serializer_class(serializer.instance, context=self.get_serializer_context()).data
        else:
            data = serializer.data
        headers = self.get_success_headers(data) if code == status.HTTP_201_CREATED else None
        return Response(data, status=code, headers=headers)


class _SettingsWithoutFormatOverride:
    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name: str) -> Any:
        from rest_framework.settings import api_settings

        return getattr(api_settings, name)


class FileParameterNegotiation(DefaultContentNegotiation):
    """For actions that answer a file and take `format` as their own parameter (`?format=xlsx|docx`): DRF's
    `?format=` renderer override is not applied (it would look for an "xlsx" renderer and answer 404)."""

    settings = _SettingsWithoutFormatOverride()
