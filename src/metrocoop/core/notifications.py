"""Notifications: in the platform at once, by mail as one digest per person.

    notify(users, kind="council.report_overdue", subject=..., body=..., url=..., obj=work_item)

Rows are written in the caller's transaction, so a notification exists exactly when the change that caused it
committed. `send_digests()` (the `metrocoop notifications digest` command, run by cron or a worker schedule)
mails each person everything not yet mailed, in one message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from metrocoop.core.choices import Role
from metrocoop.core.models import Notification, RoleAssignment, User
from metrocoop.core.permissions import Action, require


def notify(
    users: Iterable[User],
    *,
    kind: str,
    subject: str,
    body: str = "",
    url: str = "",
    obj: models.Model | None = None,
) -> list[Notification]:
    """One notification per distinct active user. Sending the same (kind, object) to a person who has it unread
    does nothing, so a daily check can call this every day without piling up duplicates."""
    ct = ContentType.objects.get_for_model(obj) if obj is not None else None
    object_id = str(obj.pk) if obj is not None else ""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if obj is not None:
        already = set(
            Notification.objects.filter(
                recipient_id__in=recipients, kind=kind, content_type=ct, object_id=object_id, read_at__isnull=True
            ).values_list("recipient_id", flat=True)
        )
        recipients = {pk: u for pk, u in recipients.items() if pk not in already}
    rows = [
        Notification(
            recipient=u, kind=kind, subject=subject[:200], body=body, url=url, content_type=ct, object_id=object_id
        )
        for u in recipients.values()
    ]
    return Notification.objects.bulk_create(rows)


def liaisons_of(city_ids: Iterable[int], day: date | None = None) -> list[User]:
    """The active liaisons of the given cities on `day` (today unless told), each once: who hears of a city's
    business."""
    day = day or timezone.localdate()
    assignments = RoleAssignment.objects.filter(
        role=Role.LIAISON, city_id__in=list(city_ids), user__is_active=True
    ).select_related("user")
    return list({ra.user_id: ra.user for ra in assignments if ra.is_valid_on(day)}.values())


def office_users() -> list[User]:
    """The active accounts of the office, each once."""
    assignments = RoleAssignment.objects.filter(role=Role.OFFICE, user__is_active=True).select_related("user")
    return list({ra.user_id: ra.user for ra in assignments}.values())


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def do_mark_read(notification: Notification, *, actor: Any) -> Notification:
    require(actor, Action.ACKNOWLEDGE, notification)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db()
    return notification


def do_mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def send_digests(now=None, *, recipients: models.QuerySet | None = None) -> dict[str, int]:
    """Mail each person one digest of their notifications not mailed yet; mark them mailed. Idempotent: a rerun
    after a crash mails only what was not marked. `recipients` (a User queryset) limits the run to those people,
    e.g. the forum's daily and weekly digests."""
    now = now or timezone.now()
    pending = Notification.objects.filter(emailed_at__isnull=True)
    if recipients is not None:
        pending = pending.filter(recipient__in=recipients)
    pending = pending.exclude(recipient__email="").select_related("recipient").order_by("recipient_id", "created_at")
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        by_user[n.recipient_id].append(n)
    mailed = 0
    for items in by_user.values():
        user = items[0].recipient
        with override(user.language or settings.LANGUAGE_CODE):
            subject = _("MetroCoop: %(count)s new notifications") % {"count": len(items)}
            lines = [f"- {n.subject}" + (f"\n  {n.url}" if n.url else "") for n in items]
            body = "\n".join(lines)
        with transaction.atomic():
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
        mailed += 1
    return {"people": mailed, "notifications": sum(len(v) for v in by_user.values())}
