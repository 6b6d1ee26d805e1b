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

# What people attach here (documents, sheets, pictures, maps), each with the bytes its files begin with; a file
# whose content is not what its name says is refused, and no upload is ever served inline (downloads are
# attachments with nosniff), so an uploaded page cannot run in the platform's origin.
_OFFICE_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0",)
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF",),
    "docx": _OFFICE_ZIP,
    "xlsx": _OFFICE_ZIP,
    "pptx": _OFFICE_ZIP,
    "odt": _OFFICE_ZIP,
    "ods": _OFFICE_ZIP,
    "zip": _OFFICE_ZIP,
    "doc": _OLE,
    "xls": _OLE,
    "ppt": _OLE,
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "txt": None,  # text: checked below
    "csv": None,
    "geojson": None,
    "json": None,
}
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


def check_upload_type(name: str, head: bytes) -> None:
    """Refuse a file whose extension is not one we keep, or whose first bytes contradict it (a page named .pdf)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in SIGNATURES:
        raise ValidationError(
            {"file": _("Files of type “%(ext)s” are not accepted; allowed: %(allowed)s.")
             % {"ext": extension or "?", "allowed": ", ".join(sorted(SIGNATURES))}}
        )  # fmt: skip
    signatures = SIGNATURES[extension]
    if signatures is not None:
        if not head.startswith(signatures):
            raise ValidationError({"file": _("The file's content is not a .%(ext)s file.") % {"ext": extension}})
    elif head.lstrip().lower().startswith(_MARKUP):
        raise ValidationError({"file": _("Web pages and markup files are not accepted as text attachments.")})


def do_attach(obj: models.Model, upload: UploadedFile, *, actor: Any, action: str = Action.CHANGE) -> Attachment:
    """Attach `upload` to `obj`; the actor needs `action` (default: change) on `obj`."""
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 50 MB.")})
    require(actor, action, obj)
    check_upload_type(upload.name, next(iter(upload.chunks(1024)), b"")[:1024])
    upload.seek(0)
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
