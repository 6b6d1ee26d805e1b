from metrocoop.core.choices import Role
from metrocoop.core.notifications import unread_count
from metrocoop.core.permissions import has_role, scopes_of
from metrocoop.web.modules import MODULES


def shell(request):
    user = getattr(request, "user", None)
    scopes = scopes_of(user)
    return {
        "modules": MODULES,
        "user_roles": sorted(str(Role(r).label) for r in scopes.roles if r != Role.PUBLIC),
        "can_read_audit": has_role(user, Role.OFFICE, Role.AUDITOR),
        "unread_notifications": unread_count(user),
    }
