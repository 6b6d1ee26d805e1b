from metrocoop.core.notifications import unread_count
from metrocoop.core.permissions import reads_everything, role_labels
from metrocoop.web.modules import MODULES


def shell(request):
    user = getattr(request, "user", None)
    return {
        "modules": MODULES,
        "user_roles": role_labels(user),
        "can_read_audit": reads_everything(user),
        "unread_notifications": unread_count(user),
    }
