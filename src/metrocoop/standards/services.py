"""Every state change of the standards mechanism, and the read models built on the engine.

Each `do_*` runs in one transaction with the actor recorded in the audit trail, checks access through
core.permissions before the write and again after it (a liaison cannot move a row into another city's scope),
and raises ValidationError (400), PermissionDenied (403) or Conflict (409).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from metrocoop.core.audit import acting
from metrocoop.core.errors import Conflict
from metrocoop.core.models import City
from metrocoop.core.permissions import Action, require
from metrocoop.core.writes import save_checked
from metrocoop.standards import engine, models
from metrocoop.standards.choices import (
    CONSULTATION_DOMAIN,
    NEXT_STATUS,
    OPEN_STATUSES,
    ProposalKind,
    ProposalStatus,
    StandardLevel,
)
from metrocoop.standards.policies import ADOPT

MIN_SIGNATURES = 2
# what a person enters for a recognition, on its page and through the API (the type is the page's or the body's)
RECOGNITION_FIELDS = (
    "issuing_city",
    "recognising_city",
    "basis",
    "basis_note",
    "scope",
    "conditions",
    "valid_from",
    "valid_to",
)


def _create(model, data: dict[str, Any], actor, check: Callable[[Any], None] | None = None):
    """Add a `model` row made from `data`: `check` it first (a ValidationError names the field), then save it as
    `save_checked` does, asked as an add and, once it has its key, as a change (not made outside the actor's scope)."""
    with transaction.atomic(), acting(actor):
        obj = model(**data)
        if check is not None:
            check(obj)
        return save_checked(obj, actor, Action.ADD)


def _delete(obj, actor) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, obj)
        try:
            obj.delete()
        except ProtectedError as exc:
            raise Conflict(_("Other records still refer to this one; it cannot be deleted.")) from exc


# --- catalogue (office) -------------------------------------------------------------------------------------------


def do_create_standard(data: dict[str, Any], *, actor: Any) -> models.Standard:
    return _create(models.Standard, data, actor)


def do_update_standard(standard: models.Standard, data: dict[str, Any], *, actor: Any) -> models.Standard:
    with transaction.atomic(), acting(actor):
        if data.get("replaces") is not None and data["replaces"].pk == standard.pk:
            raise ValidationError({"replaces": _("A standard cannot replace itself.")})
        save_checked(standard, actor, Action.CHANGE, data)
    return standard


def do_delete_standard(standard: models.Standard, *, actor: Any) -> None:
    _delete(standard, actor)


def do_create_key_standard(data: dict[str, Any], *, actor: Any) -> models.KeyStandard:
    with transaction.atomic(), acting(actor):
        if models.KeyStandard.objects.filter(standard=data.get("standard")).exists():
            raise Conflict(_("This standard is already on the key-standard list."))
        return _create(models.KeyStandard, data, actor)


def do_update_key_standard(entry: models.KeyStandard, data: dict[str, Any], *, actor: Any) -> models.KeyStandard:
    with transaction.atomic(), acting(actor):
        save_checked(entry, actor, Action.CHANGE, data)
    return entry


def do_delete_key_standard(entry: models.KeyStandard, *, actor: Any) -> None:
    _delete(entry, actor)


def do_create_parameter(data: dict[str, Any], *, actor: Any) -> models.Parameter:
    return _create(models.Parameter, data, actor, check=_check_declared_unit)


def do_update_parameter(parameter: models.Parameter, data: dict[str, Any], *, actor: Any) -> models.Parameter:
    with transaction.atomic(), acting(actor):
        if "kind" in data and data["kind"] != parameter.kind and parameter.limits.exists():
            raise Conflict(_("The kind of quantity cannot change while limit values use it."))
        save_checked(parameter, actor, Action.CHANGE, data, check=_check_declared_unit)
    return parameter


def do_delete_parameter(parameter: models.Parameter, *, actor: Any) -> None:
    _delete(parameter, actor)


def _check_declared_unit(parameter: models.Parameter) -> None:
    if parameter.unit and parameter.kind:
        try:
            engine.check_unit(parameter.unit, parameter.kind)
        except engine.UnitError as exc:
            raise ValidationError({"unit": f"{exc.reason_zh}; {exc.reason_en}"}) from exc


def do_create_recognition_type(data: dict[str, Any], *, actor: Any) -> models.RecognitionType:
    return _create(models.RecognitionType, data, actor)


def do_update_recognition_type(
    rtype: models.RecognitionType, data: dict[str, Any], *, actor: Any
) -> models.RecognitionType:
    with transaction.atomic(), acting(actor):
        save_checked(rtype, actor, Action.CHANGE, data)
    return rtype


def do_delete_recognition_type(rtype: models.RecognitionType, *, actor: Any) -> None:
    _delete(rtype, actor)


# --- limit values (each city its own) -----------------------------------------------------------------------------


def check_limit_unit(parameter: models.Parameter, unit: str) -> str:
    """The unit as it will be stored, or ValidationError naming the unit field (unknown or wrong dimension)."""
    try:
        engine.check_unit(unit, parameter.kind)
    except engine.UnitError as exc:
        raise ValidationError({"unit": f"{exc.reason_zh}; {exc.reason_en}"}) from exc
    return (unit or "").strip()


def _check_value(value: Any) -> float:
    import math

    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({"value": _("Enter a number.")}) from None
    if not math.isfinite(number):
        raise ValidationError({"value": _("Enter a finite number.")})
    return number


@dataclass
class SetOutcome:
    limit: models.LimitValue
    outcome: str  # created | updated | unchanged


def _set_limit(
    parameter: models.Parameter,
    city: City,
    category: str,
    value: float,
    unit: str,
    standard: models.Standard | None,
    *,
    actor: Any,
    note: str | None = None,
    illustrative: bool | None = None,
) -> SetOutcome:
    """Create the (parameter, city, category) value, or change it keeping the old one as a revision; the same
    value again changes nothing (imports are idempotent). Call inside a transaction with acting(actor)."""
    current = (
        models.LimitValue.objects.select_for_update().filter(parameter=parameter, city=city, category=category).first()
    )
    if current is None:
        limit = models.LimitValue(
            parameter=parameter, city=city, category=category, value=value, unit=unit, standard=standard
        )
        if note is not None:
            limit.note = note
        if illustrative is not None:
            limit.illustrative = illustrative
        return SetOutcome(save_checked(limit, actor, Action.ADD), "created")
    require(actor, Action.CHANGE, current)
    same_value = (
        engine.same(current.value, value)
        and engine.normalise_unit(current.unit) == engine.normalise_unit(unit)
        and current.standard_id == (standard.pk if standard else None)
    )
    if same_value and (note is None or note == current.note):
        return SetOutcome(current, "unchanged")
    if not same_value:
        models.LimitRevision.objects.create(
            limit=current,
            value=current.value,
            unit=current.unit,
            standard=current.standard,
            applied_since=current.updated_at,
            superseded_by=actor if getattr(actor, "pk", None) else None,
        )
        current.value, current.unit, current.standard = value, unit, standard
    if note is not None:
        current.note = note
    if illustrative is not None:
        current.illustrative = illustrative
    current.full_clean()
    current.save()
    require(actor, Action.CHANGE, current)
    return SetOutcome(current, "updated")


def do_create_limit(data: dict[str, Any], *, actor: Any) -> models.LimitValue:
    """A city's value for a parameter and category; if one is already recorded it is changed (history kept)."""
    parameter, city = data["parameter"], data["city"]
    unit = check_limit_unit(parameter, data.get("unit", ""))
    value = _check_value(data.get("value"))
    with transaction.atomic(), acting(actor):
        return _set_limit(
            parameter,
            city,
            (data.get("category") or "").strip(),
            value,
            unit,
            data.get("standard"),
            actor=actor,
            note=data.get("note", ""),
        ).limit


def do_update_limit(limit: models.LimitValue, data: dict[str, Any], *, actor: Any) -> models.LimitValue:
    """Change value, unit, standard or note; a changed value keeps the old one as a revision. The parameter, city
    and category of a row never change (record a new value for another city instead)."""
    for fixed in ("parameter", "city", "category"):
        if fixed in data and data[fixed] != getattr(limit, fixed):
            raise ValidationError({fixed: _("This field cannot be changed; record a new limit value instead.")})
    unit = check_limit_unit(limit.parameter, data.get("unit", limit.unit))
    value = _check_value(data.get("value", limit.value))
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, limit)
        return _set_limit(
            limit.parameter,
            limit.city,
            limit.category,
            value,
            unit,
            data.get("standard", limit.standard),
            actor=actor,
            note=data.get("note", limit.note),
        ).limit


def do_delete_limit(limit: models.LimitValue, *, actor: Any) -> None:
    _delete(limit, actor)


# --- recognitions (each recognising city its own) -----------------------------------------------------------------


def _check_recognition(rec: models.Recognition) -> None:
    if rec.issuing_city_id and rec.issuing_city_id == rec.recognising_city_id:
        raise ValidationError(
            {"recognising_city": _("A city recognises its own results implicitly; choose another city.")}
        )
    if rec.valid_to and rec.valid_from and rec.valid_to < rec.valid_from:
        raise ValidationError({"valid_to": _("The end date is before the start date.")})


def do_create_recognition(data: dict[str, Any], *, actor: Any) -> models.Recognition:
    return _create(models.Recognition, data, actor, check=_check_recognition)


def do_update_recognition(rec: models.Recognition, data: dict[str, Any], *, actor: Any) -> models.Recognition:
    with transaction.atomic(), acting(actor):
        # asked again after the save: not moved to a city the actor does not keep
        return save_checked(rec, actor, Action.CHANGE, data, check=_check_recognition)


def do_delete_recognition(rec: models.Recognition, *, actor: Any) -> None:
    _delete(rec, actor)


def basis_prefetch():
    """The basis documents with only the fields shown (the policy library's rows carry large search columns)."""
    from django.db.models import Prefetch

    from metrocoop.policies.models import PolicyDocument

    return Prefetch("basis", queryset=PolicyDocument.objects.only("id", "key", "title", "doc_number", "status"))


def recognition_records(type_code: str | None = None) -> list[engine.RecognitionRecord]:
    rows = models.Recognition.objects.select_related("type", "issuing_city", "recognising_city").prefetch_related(
        basis_prefetch()
    )
    if type_code is not None:
        rows = rows.filter(type__code=type_code)
    return [_record(r) for r in rows]


def _record(r: models.Recognition) -> engine.RecognitionRecord:
    basis = None
    if r.basis_id:
        basis = {
            "id": r.basis.pk,
            "key": r.basis.key,
            "title": r.basis.title,
            "doc_number": r.basis.doc_number,
        }
    return engine.RecognitionRecord(
        id=r.pk,
        type=r.type.code,
        issuing_city=r.issuing_city.code,
        recognising_city=r.recognising_city.code,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        basis_document=basis,
        basis_note=r.basis_note,
        scope=r.scope,
        conditions=r.conditions,
    )


def _city(code_or_name: str) -> City | None:
    text = (code_or_name or "").strip()
    if not text:
        return None
    return (
        City.objects.filter(code__iexact=text).first()
        or City.objects.filter(name_zh=text).first()
        or City.objects.filter(name_en__iexact=text).first()
    )


def recognised(type_code: str, issued_in: str, recognised_in: str, on: date | None = None) -> engine.RecognitionAnswer:
    """Is a result of `type_code` issued in one city recognised in another on `on` (today by default)?"""
    rtype = models.RecognitionType.objects.filter(code=type_code).first()
    if rtype is None:
        raise ValidationError({"type": _("Unknown recognition type: %(code)s") % {"code": type_code}})
    a, b = _city(issued_in), _city(recognised_in)
    if a is None:
        raise ValidationError({"issued_in": _("Unknown city: %(code)s") % {"code": issued_in}})
    if b is None:
        raise ValidationError({"in": _("Unknown city: %(code)s") % {"code": recognised_in}})
    return engine.is_recognised(recognition_records(rtype.code), rtype.code, a.code, b.code, on or timezone.localdate())


def matrix(rtype: models.RecognitionType, on: date | None = None) -> engine.RecognitionMatrix:
    cities = [c.code for c in City.objects.members_on(on or timezone.localdate()).order_by("sort_order", "code")]
    return engine.recognition_matrix(recognition_records(rtype.code), rtype.code, cities, on or timezone.localdate())


# --- harmonisation ------------------------------------------------------------------------------------------------


def limit_entries(parameter: models.Parameter) -> list[engine.LimitEntry]:
    rows = models.LimitValue.objects.filter(parameter=parameter).select_related("city", "standard")
    return [
        engine.LimitEntry(
            city=lv.city.code,
            value=lv.value,
            unit=lv.unit,
            standard=lv.standard.code if lv.standard_id else "",
            category=lv.category,
        )
        for lv in rows
    ]


def harmonisation(parameter: models.Parameter, category: str | None = None) -> engine.Harmonisation:
    """The parameter's current values compared in one unit. `category` None: every category together (each value
    labelled with its category); use `by_category` for one comparison per category."""
    return engine.harmonise(
        parameter.code, parameter.limit_type, limit_entries(parameter), declared_unit=parameter.unit, category=category
    )


def by_category(parameter: models.Parameter) -> dict[str, engine.Harmonisation]:
    entries = limit_entries(parameter)
    return {
        cat: engine.harmonise(parameter.code, parameter.limit_type, entries, declared_unit=parameter.unit, category=cat)
        for cat in sorted({e.category for e in entries})
    }


def harmonisation_dict(parameter: models.Parameter, category: str | None = None) -> dict[str, Any]:
    """The JSON of `metrocoop standards harmonise` and the API: with no category and several categories, the
    comparison over all of them plus `by_category`, one comparison per category."""
    result = harmonisation(parameter, category).to_dict()
    if category is None:
        per = by_category(parameter)
        if len(per) > 1:
            result["by_category"] = {cat: h.to_dict() for cat, h in per.items()}
    return result


# --- unification proposals ----------------------------------------------------------------------------------------


def do_propose(data: dict[str, Any], *, actor: Any) -> models.UnificationProposal:
    with transaction.atomic(), acting(actor):
        proposal = models.UnificationProposal(**data)
        proposal.created_by = actor
        proposal.status = ProposalStatus.PROPOSED
        proposal.status_changed_at = timezone.now()
        if proposal.kind == ProposalKind.RECOGNISE_RESULT and not proposal.recognition_type_id:
            raise ValidationError({"recognition_type": _("Name the type of result to recognise.")})
        return save_checked(proposal, actor, Action.ADD)


def do_update_proposal(
    proposal: models.UnificationProposal, data: dict[str, Any], *, actor: Any
) -> models.UnificationProposal:
    with transaction.atomic(), acting(actor):
        locked = models.UnificationProposal.objects.select_for_update().get(pk=proposal.pk)
        require(actor, Action.CHANGE, locked)
        if locked.status not in OPEN_STATUSES:
            raise Conflict(_("An adopted or withdrawn proposal no longer changes."))
        if "lead_city" in data and data["lead_city"] != locked.lead_city:
            raise ValidationError({"lead_city": _("The lead city of a proposal does not change.")})
        save_checked(locked, actor, Action.CHANGE, data)
    return locked


def do_delete_proposal(proposal: models.UnificationProposal, *, actor: Any) -> None:
    _delete(proposal, actor)


def do_advance_proposal(
    proposal: models.UnificationProposal,
    *,
    actor: Any,
    deadline: date | None = None,
    adopted_standard: models.Standard | None = None,
) -> models.UnificationProposal:
    """One step forward: proposed → drafting → consultation → adopted.

    - to consultation: the draft (one clause per line) is circulated as a policy-library consultation in the lead
      city's name, with `deadline`;
    - to adopted (the office only): the consultation is closed (every comment answered) and at least two cities
      have signed.
    """
    from metrocoop.policies import services as policy_services
    from metrocoop.policies.choices import ConsultationStatus

    with transaction.atomic(), acting(actor):
        locked = models.UnificationProposal.objects.select_for_update().select_related("lead_city").get(pk=proposal.pk)
        target = NEXT_STATUS.get(locked.status)
        if target is None:
            raise Conflict(_("This proposal cannot move further."))
        require(actor, ADOPT if target == ProposalStatus.ADOPTED else Action.CHANGE, locked)
        if target == ProposalStatus.CONSULTATION:
            clauses = [line.strip() for line in locked.draft.splitlines() if line.strip()]
            if not clauses:
                raise ValidationError({"draft": _("Write the draft (one clause per line) before consultation.")})
            if deadline is None:
                raise ValidationError({"deadline": _("Give the deadline for comments.")})
            locked.consultation = policy_services.do_open_consultation(
                locked.title,
                locked.lead_city,
                clauses,
                deadline,
                actor=actor,
                domain=CONSULTATION_DOMAIN.get(locked.domain, "public_service"),
                summary=locked.description[:2000],
            )
        if target == ProposalStatus.ADOPTED:
            if locked.consultation_id and locked.consultation.status != ConsultationStatus.CLOSED:
                raise Conflict(_("Close the consultation (answer every comment) before adopting."))
            signed = locked.signatures.count()
            if signed < MIN_SIGNATURES:
                raise Conflict(
                    _("At least %(n)d cities must sign before adoption (%(signed)d signed).")
                    % {"n": MIN_SIGNATURES, "signed": signed}
                )
            if adopted_standard is not None:
                locked.adopted_standard = adopted_standard
        locked.status = target
        locked.status_changed_at = timezone.now()
        locked.save()
        require(actor, Action.VIEW, locked)
    return locked


def do_withdraw_proposal(proposal: models.UnificationProposal, *, actor: Any) -> models.UnificationProposal:
    with transaction.atomic(), acting(actor):
        locked = models.UnificationProposal.objects.select_for_update().get(pk=proposal.pk)
        require(actor, Action.CHANGE, locked)
        if locked.status not in OPEN_STATUSES:
            raise Conflict(_("Only an open proposal can be withdrawn."))
        locked.status = ProposalStatus.WITHDRAWN
        locked.status_changed_at = timezone.now()
        locked.save()
    return locked


def do_sign_proposal(proposal: models.UnificationProposal, city: City, *, actor: Any) -> models.ProposalSignature:
    """`city` signs the proposal (its liaison, or the office on its behalf); once per city, while it is in
    consultation."""
    with transaction.atomic(), acting(actor):
        locked = models.UnificationProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != ProposalStatus.CONSULTATION:
            raise Conflict(_("Cities sign a proposal while it is in consultation."))
        if models.ProposalSignature.objects.filter(proposal=locked, city=city).exists():
            raise Conflict(_("This city has already signed."))
        signature = models.ProposalSignature(
            proposal=locked, city=city, signed_on=timezone.localdate(), signed_by=actor
        )
        require(actor, Action.ADD, signature)
        signature.full_clean()
        signature.save()
        require(actor, Action.VIEW, signature)
    return signature


# --- helpers for imports ------------------------------------------------------------------------------------------


LEVEL_PREFIXES = (
    ("GB/T", StandardLevel.NATIONAL_RECOMMENDED),
    ("GB", StandardLevel.NATIONAL),
    ("DB", StandardLevel.LOCAL),
    ("T/", StandardLevel.GROUP),
)


def level_from_code(code: str) -> str:
    """The level a standard's code implies (GB → national, DB31/T 310001-style → regional, T/ → group…)."""
    upper = code.strip().upper().replace(" ", "")
    if upper.startswith("DB31/T3100") or upper.startswith("DB32/T3100") or upper.startswith("DB33/T3100"):
        return StandardLevel.REGIONAL  # the Yangtze delta's jointly issued regional standards (DB31/T 310001…)
    for prefix, level in LEVEL_PREFIXES:
        if upper.startswith(prefix.replace(" ", "")):
            return level
    return StandardLevel.INDUSTRY


def stub_standard(code: str, *, actor: Any) -> models.Standard:
    """A catalogue entry known only by its code (from an import), marked for the office to complete."""
    standard = models.Standard(code=code.strip(), name_zh=code.strip(), level=level_from_code(code), incomplete=True)
    standard.full_clean()
    standard.save()
    return standard


def existing_codes(codes: Iterable[str]) -> dict[str, models.Standard]:
    return {s.code: s for s in models.Standard.objects.filter(code__in=list(codes))}
