"""The audit trail as people read it: the model's and the field's names instead of codes, a related row's name
instead of its id, a choice's label instead of its value, money in 元, shares as percentages and geometry or JSON
summarised, never printed raw. The trail itself stays as written (append-only); only its display changes."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from metrocoop.core import explain_render
from metrocoop.core.audit import change_rows

MISSING = "∅"


@dataclass(frozen=True)
class ChangeRow:
    field: str
    before: str
    after: str
    lang: str = ""  # "en" for a field holding English text (marked on the page as English)


def _parse(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _value(field: models.Field | None, value: Any, related: dict[tuple[type, str], str], names: dict) -> str:
    if value is None or value == "None" or value == "":
        return MISSING
    if field is not None and field.is_relation and field.related_model is not None:
        return related.get((field.related_model, str(value)), f"#{value}")
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        return labels.get(str(value), str(value))
    name = field.name if field is not None else ""
    if name.endswith("_fen"):
        try:
            return explain_render.money(int(str(value)))
        except ValueError:
            return str(value)
    if isinstance(field, models.BooleanField) or str(value) in ("True", "False"):
        return _("yes") if str(value) == "True" else _("no")
    parsed = _parse(value)
    if isinstance(parsed, dict) and "type" in parsed and "coordinates" in parsed:
        return _("a %(kind)s geometry") % {"kind": parsed["type"]}
    if isinstance(parsed, dict | list):
        text = explain_render.value_text(name, parsed, names)
        return text if text else MISSING
    return explain_render.sentence_text(str(value), names)


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field removed since the entry was written
        return None
    return field if getattr(field, "concrete", False) or field.many_to_many else None


def readable_rows(entries) -> None:
    """Set `entry.model_name`, `entry.readable_rows` (ChangeRow list) on each entry of a page of audit entries,
    with one query per related model for the names of the rows they point at."""
    wanted: dict[type, set[str]] = defaultdict(set)
    prepared = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        rows = []
        for name, before, after in change_rows(entry):
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model is not None:
                for v in (before, after):
                    if v not in (None, "None", ""):
                        wanted[field.related_model].add(str(v))
            rows.append((name, field, before, after))
        prepared.append((entry, model, rows))
    related: dict[tuple[type, str], str] = {}
    for model, pks in wanted.items():
        valid = []
        for pk in pks:
            try:
                valid.append(model._meta.pk.to_python(pk))
            except (ValidationError, ValueError, TypeError):
                continue  # not a key of that model (a value written by an older version)
        for obj in model._default_manager.filter(pk__in=valid):
            related[(model, str(obj.pk))] = str(obj)
    names = explain_render.city_names()
    for entry, model, rows in prepared:
        entry.model_name = str(model._meta.verbose_name) if model else entry.content_type.model
        entry.readable_rows = [
            ChangeRow(
                field=str(getattr(field, "verbose_name", name)) if field is not None else name,
                before=_value(field, before, related, names),
                after=_value(field, after, related, names),
                lang="en" if name.endswith("_en") else "",
            )
            for name, field, before, after in rows
        ]
