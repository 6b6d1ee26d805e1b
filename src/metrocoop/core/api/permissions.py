"""DRF's side of core.permissions: every API view asks the same module as the pages do."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from metrocoop.core.permissions import Action, can, can_any

METHOD_ACTIONS = {"POST": Action.ADD, "PUT": Action.CHANGE, "PATCH": Action.CHANGE, "DELETE": Action.DELETE}


class CorePermission(BasePermission):
    """Reads are filtered by the queryset (core.permissions.restrict); writes need the action on the row.

    A view may set `permission_action` to name a custom action (e.g. "vote") for its unsafe methods.
    """

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        action_map = getattr(view, "action_map", None)
        if action_map is not None and request.method.lower() not in action_map:
            return True  # the view answers 405; nothing to authorise
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return True  # a custom view decides through its service, which calls core.permissions
        action = getattr(view, "permission_action", None) or METHOD_ACTIONS.get(request.method, Action.CHANGE)
        return can_any(request.user, action, model)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        action = getattr(view, "permission_action", None) or METHOD_ACTIONS.get(request.method, Action.CHANGE)
        return can(request.user, action, obj)
