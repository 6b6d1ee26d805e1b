"""Files attached to rows. Reading an attachment needs VIEW on its row; adding one needs CHANGE on its row."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from metrocoop.core.audit import acting
from metrocoop.core.models import Attachment
from metrocoop.core.permissions import Action, require

MAX_BYTES = 50 * 1024 * 1024


def do_attach(obj: models.Model, upload: UploadedFile, *, actor: Any, action: str = Action.CHANGE) -> Attachment:
    """Attach `upload` to `obj`; the actor needs `action` (default: change) on `obj`."""
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 50 MB.")})
    require(actor, action, obj)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic(), acting(actor):
        return Attachment.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            file=upload,
            name=upload.name[:200],
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )


def attachments_of(obj: models.Model, user: Any) -> models.QuerySet:
    require(user, Action.VIEW, obj)
    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


def parent_of(attachment: Attachment) -> models.Model | None:
    model = attachment.content_type.model_class()
    return model._default_manager.filter(pk=attachment.object_id).first() if model else None


def require_view(attachment: Attachment, user: Any) -> None:
    parent = parent_of(attachment)
    if parent is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("This file belongs to nothing you may see."))
    require(user, Action.VIEW, parent)
