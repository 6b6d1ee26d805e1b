"""Access policies of the core models (see core.permissions)."""

from auditlog.models import LogEntry
from django.db.models import Q

from metrocoop.core.models import Attachment, City, Job, Notification, Organisation, Province, RoleAssignment, User
from metrocoop.core.permissions import OFFICE, OFFICE_AND_LIAISONS, SIGNED_IN_ROLES, Action, Policy, register

register(Province, Policy(public=Q(), roles={Action.CHANGE: OFFICE}))
# A city's profile is the city's own: its liaison edits it, the office edits all; membership is the office's.
register(
    City,
    Policy(
        city="pk",
        public=Q(),
        roles={Action.CHANGE: OFFICE_AND_LIAISONS, Action.ADD: OFFICE},
    ),
)
register(Organisation, Policy(city="city", public=Q(), roles=dict.fromkeys(("add", "change", "delete"), OFFICE)))
register(
    User,
    Policy(owner="pk", roles={Action.VIEW: SIGNED_IN_ROLES, Action.ADD: OFFICE, Action.CHANGE: OFFICE}),
)
register(
    RoleAssignment,
    Policy(owner="user", roles={Action.VIEW: SIGNED_IN_ROLES, Action.ADD: OFFICE, Action.DELETE: OFFICE}),
)
# The audit trail is read by the office and auditors; nobody writes it but the platform itself.
register(LogEntry, Policy(roles={}))
register(Job, Policy(owner="created_by", roles={Action.VIEW: SIGNED_IN_ROLES}))
# Notifications are their recipient's alone (the office and auditors do not read other people's mail).
register(
    Notification,
    Policy(
        owner="recipient",
        roles={Action.VIEW: SIGNED_IN_ROLES, Action.ACKNOWLEDGE: SIGNED_IN_ROLES},
        regional_readers=frozenset(),
    ),
)
# Attachments: core.attachments checks the row they belong to; this policy covers listing by uploader.
register(Attachment, Policy(owner="uploaded_by", roles={Action.VIEW: SIGNED_IN_ROLES}))
