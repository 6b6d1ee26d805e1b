"""Shared base for the API viewsets: every queryset goes through core.permissions.restrict."""

from rest_framework import viewsets

from metrocoop.core.permissions import Action, restrict


class ScopedQuerysetMixin:
    """`get_queryset` returns only the rows the user may see; subclasses set select/prefetch on `queryset`."""

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user, Action.VIEW)


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    pass
