"""Every change to the policy library: access checked through core.permissions before and after the write, one
transaction, audit entries in it (core.audit.acting), the search index updated in the same transaction (the
segmented text is written with the row; the database's index follows it: migration 0002)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrocoop.core.audit import acting
from metrocoop.core.models import City, Organisation, Province
from metrocoop.core.permissions import Action, can, liaison_cities, require
from metrocoop.core.writes import save_checked
from metrocoop.policies import models
from metrocoop.policies.choices import (
    CommentResponse,
    ConsultationStatus,
    PolicyDomain,
    ProposalKind,
    ProposalStatus,
    RelationKind,
    Validity,
)
from metrocoop.policies.engine.query import normalise_doc_number
from metrocoop.policies.engine.relations import amendment_cycle
from metrocoop.policies.engine.segment import segment_document
from metrocoop.policies.policies import CURATE

DOCUMENT_FIELDS = (
    "key",
    "title",
    "doc_number",
    "issuer",
    "issuer_org",
    "level",
    "city",
    "province",
    "kind",
    "issued_on",
    "effective_on",
    "validity",
    "validity_since",
    "valid_until",
    "text",
    "source",
    "status",
)
EDITABLE_FIELDS = tuple(f for f in DOCUMENT_FIELDS if f != "key")


def _as_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")}) from None


def _resolve_refs(data: dict[str, Any]) -> dict[str, Any]:
    """Accept city/province/organisation as codes or instances."""
    out = dict(data)
    if isinstance(out.get("city"), str):
        out["city"] = City.objects.filter(code=out["city"].upper()).first() or _missing("city")
    if isinstance(out.get("province"), str):
        out["province"] = Province.objects.filter(code=out["province"].upper()).first() or _missing("province")
    if isinstance(out.get("issuer_org"), str):
        out["issuer_org"] = Organisation.objects.filter(code=out["issuer_org"]).first() or _missing("issuer_org")
    for name in ("issued_on", "effective_on", "validity_since", "valid_until"):
        if name in out:
            out[name] = _as_date(out[name], name)
    return out


def _missing(field: str):
    raise ValidationError({field: _("Unknown code.")})


def _clean_domains(domains: Iterable[str] | None) -> list[str]:
    values = list(dict.fromkeys(domains or []))
    unknown = [d for d in values if d not in PolicyDomain.values]
    if unknown:
        raise ValidationError({"domains": _("Unknown domain: %(d)s") % {"d": ", ".join(unknown)}})
    return values


def prepare_document(doc: models.PolicyDocument) -> models.PolicyDocument:
    """Derived fields: the normalised document number and the segmented text the index reads."""
    doc.doc_number = (doc.doc_number or "").strip()
    doc.doc_number_norm = normalise_doc_number(doc.doc_number)
    if doc.city_id and not doc.province_id:
        doc.province_id = doc.city.province_id
    seg = segment_document(doc.title, doc.text)
    doc.title_segmented, doc.text_segmented, doc.search_terms = seg.title, seg.text, seg.terms
    doc.search_bigrams = seg.bigrams
    if doc.validity_since is None:
        # an undated document (imported, 待补充) starts its validity history on the day it is added
        doc.validity_since = doc.effective_on or doc.issued_on or timezone.localdate()
    return doc


def _set_domains(doc: models.PolicyDocument, domains: list[str]) -> None:
    doc.domain_tags.exclude(domain__in=domains).delete()
    have = set(doc.domain_tags.values_list("domain", flat=True))
    models.PolicyDomainTag.objects.bulk_create(
        [models.PolicyDomainTag(document=doc, domain=d) for d in domains if d not in have]
    )


def do_create_document(
    data: Mapping[str, Any], *, actor: Any, domains: Iterable[str] | None = None
) -> models.PolicyDocument:
    """Add a document to the library (a liaison: its own city's; the office: any)."""
    values = _resolve_refs({k: v for k, v in data.items() if k in DOCUMENT_FIELDS})
    domains = _clean_domains(domains if domains is not None else data.get("domains"))
    if not values.get("key"):
        prefix = values["city"].code.lower() if values.get("city") else "region"
        values["key"] = f"{prefix}-{uuid.uuid4().hex[:10]}"
    doc = models.PolicyDocument(**values)
    doc.created_by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic(), acting(actor):
        require(actor, Action.ADD, doc)
        prepare_document(doc)
        doc.full_clean()
        doc.save()
        _set_domains(doc, domains)
        models.ValidityChange.objects.create(
            document=doc, validity=doc.validity, since=doc.validity_since, reason=_("Added to the library")
        )
        require(actor, Action.CHANGE, doc)
    return doc


def do_update_document(
    doc: models.PolicyDocument, changes: Mapping[str, Any], *, actor: Any, domains: Iterable[str] | None = None
) -> models.PolicyDocument:
    """Change a document's fields (and domains). A validity change is written to its history."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"domains"}
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    values = _resolve_refs({k: v for k, v in changes.items() if k != "domains"})
    if domains is None and "domains" in changes:
        domains = changes["domains"]
    with transaction.atomic(), acting(actor):
        locked = models.PolicyDocument.objects.select_for_update().get(pk=doc.pk)
        require(actor, Action.CHANGE, locked)
        old_validity = locked.validity
        for name, value in values.items():
            setattr(locked, name, value)
        if locked.validity != old_validity and "validity_since" not in values:
            locked.validity_since = timezone.localdate()
        prepare_document(locked)
        locked.full_clean()
        locked.save()
        if domains is not None:
            _set_domains(locked, _clean_domains(domains))
        if locked.validity != old_validity:
            models.ValidityChange.objects.create(
                document=locked, validity=locked.validity, since=locked.validity_since, reason=_("Edited")
            )
        require(actor, Action.CHANGE, locked)  # a liaison cannot move a document into another city
    return locked


def do_delete_document(doc: models.PolicyDocument, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        locked = models.PolicyDocument.objects.select_for_update().get(pk=doc.pk)
        require(actor, Action.DELETE, locked)
        locked.delete()


def do_set_validity(
    doc: models.PolicyDocument, validity: str, since: date, *, actor: Any, reason: str = "", relation=None
) -> models.PolicyDocument:
    """Record a validity change (已修改 / 已废止 / 失效 / 现行有效) with its date, in the document's history."""
    if validity not in Validity.values:
        raise ValidationError({"validity": _("Unknown validity.")})
    with transaction.atomic(), acting(actor):
        locked = models.PolicyDocument.objects.select_for_update().get(pk=doc.pk)
        require(actor, Action.CHANGE, locked)
        locked.validity = validity
        locked.validity_since = since
        if validity in (Validity.REPEALED, Validity.EXPIRED):
            locked.valid_until = since
        elif validity == Validity.IN_FORCE:
            locked.valid_until = None
        locked.full_clean()
        locked.save(update_fields=["validity", "validity_since", "valid_until", "updated_at"])
        models.ValidityChange.objects.create(
            document=locked, validity=validity, since=since, reason=reason, relation=relation
        )
        require(actor, Action.CHANGE, locked)
    return locked


def do_record_relation(
    source: models.PolicyDocument,
    target: models.PolicyDocument,
    kind: str,
    *,
    actor: Any,
    effective_on: date | None = None,
    note: str = "",
) -> models.PolicyRelation:
    """Record that `source` amends / repeals / implements / cites `target`.

    A repeal makes the target 已废止 from the repeal's date; an amendment makes it 已修改. An amendment that would
    close a cycle (A amends B amends … amends A) is refused and nothing changes. Recording the same relation
    again returns the existing one."""
    if kind not in RelationKind.values:
        raise ValidationError({"kind": _("Unknown relation.")})
    effective_on = effective_on or source.effective_on or source.issued_on
    with transaction.atomic(), acting(actor):
        existing = models.PolicyRelation.objects.filter(source=source, target=target, kind=kind).first()
        if existing is not None:
            require(actor, Action.VIEW, existing)
            return existing
        relation = models.PolicyRelation(source=source, target=target, kind=kind, effective_on=effective_on, note=note)
        require(actor, Action.ADD, relation)
        if source.pk == target.pk:
            raise ValidationError({"target": _("A document cannot relate to itself.")})
        if kind == RelationKind.AMENDS:
            edges = models.PolicyRelation.objects.filter(kind=RelationKind.AMENDS).values_list("source_id", "target_id")
            cycle = amendment_cycle(list(edges), (source.pk, target.pk))
            if cycle:
                titles = dict(models.PolicyDocument.objects.filter(pk__in=cycle).values_list("pk", "key"))
                raise ValidationError(
                    {
                        "target": _("This amendment would close a cycle of amendments: %(path)s")
                        % {"path": " → ".join(titles[i] for i in cycle)}
                    }
                )
        if kind in (RelationKind.AMENDS, RelationKind.REPEALS) and not _may_change(actor, target):
            raise PermissionDenied(_("You may not change the validity of the target document."))
        relation.full_clean()
        relation.save()
        if kind == RelationKind.REPEALS:
            do_set_validity(
                target, Validity.REPEALED, effective_on, actor=actor, reason=f"{source} 废止", relation=relation
            )
        elif kind == RelationKind.AMENDS and target.validity == Validity.IN_FORCE:
            do_set_validity(
                target, Validity.AMENDED, effective_on, actor=actor, reason=f"{source} 修改", relation=relation
            )
        require(actor, Action.CHANGE, relation)
    return relation


def _may_change(actor: Any, doc: models.PolicyDocument) -> bool:
    from metrocoop.core.permissions import can

    return can(actor, Action.CHANGE, doc)


def do_delete_relation(relation: models.PolicyRelation, *, actor: Any) -> None:
    """Remove a relation recorded by mistake (the validity history it caused stays; correct it explicitly)."""
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, relation)
        relation.delete()


def do_save_topic_provision(
    topic: models.Topic, city: City, values: Mapping[str, Any], *, actor: Any
) -> models.TopicProvision:
    """Set one city's provisions on a topic (threshold, amount in fen, duration in months, condition)."""
    allowed = {"document", "threshold", "amount_fen", "duration_months", "condition"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    return _set_row(models.TopicProvision, {"topic": topic, "city": city}, values, actor)


def _set_row(model, key: Mapping[str, Any], values: Mapping[str, Any], actor: Any):
    """Create or change the one `model` row that `key` names (locked meanwhile) to hold `values`; asked as an add or
    a change, and again as a change once saved (a liaison cannot move it out of their city)."""
    with transaction.atomic(), acting(actor):
        row = model.objects.select_for_update().filter(**key).first() or model(**key)
        return save_checked(row, actor, Action.CHANGE if row.pk else Action.ADD, values)


def do_set_replication(
    reform: models.PilotReform,
    city: City,
    status: str,
    status_on: date,
    *,
    actor: Any,
    document: models.PolicyDocument | None = None,
    note: str = "",
) -> models.ReformReplication:
    """Record where a city stands on replicating a pilot reform."""
    values = {"status": status, "status_on": status_on, "document": document, "note": note}
    return _set_row(models.ReformReplication, {"reform": reform, "city": city}, values, actor)


def do_set_catalogue_entry(
    industry_code: str,
    industry_name: str,
    city: City,
    stance: str,
    *,
    actor: Any,
    document: models.PolicyDocument | None = None,
    clause: str = "",
) -> models.IndustryCatalogueEntry:
    """Mark an industry encouraged / restricted / prohibited in a city, with the policy that says so."""
    values = {"industry_name": industry_name, "stance": stance, "document": document, "clause": clause}
    return _set_row(models.IndustryCatalogueEntry, {"industry_code": industry_code, "city": city}, values, actor)


def do_propose(
    kind: str, *, actor: Any, payload: Mapping[str, Any] | None = None, document=None, note: str = ""
) -> models.CurationProposal:
    """Anyone signed in proposes a new document or a correction to one they can see (another city's draft is
    answered as if its key did not exist)."""
    with transaction.atomic(), acting(actor):
        if document is not None and not can(actor, Action.VIEW, document):
            raise ValidationError({"document": _("No policy document has this key.")})
        proposal = models.CurationProposal(
            kind=kind, proposer=actor, document=document, payload=dict(payload or {}), note=note
        )
        require(actor, Action.ADD, proposal)
        proposal.full_clean()
        proposal.save()
    return proposal


def do_decide_proposal(
    proposal: models.CurationProposal, accept: bool, *, actor: Any, note: str = ""
) -> models.CurationProposal:
    """An expert accepts (the document is added or corrected) or declines (with a reason) a proposal."""
    with transaction.atomic(), acting(actor):
        locked = models.CurationProposal.objects.select_for_update().get(pk=proposal.pk)
        require(actor, CURATE, locked)
        if locked.status != ProposalStatus.OPEN:
            raise ValidationError({"status": _("This proposal has already been decided.")})
        if accept:
            payload = dict(locked.payload)
            domains = payload.pop("domains", [])
            if locked.kind == ProposalKind.NEW_DOCUMENT:
                values = _resolve_refs({k: v for k, v in payload.items() if k in DOCUMENT_FIELDS})
                doc = models.PolicyDocument(**values)
                if not doc.key:
                    doc.key = f"curated-{uuid.uuid4().hex[:10]}"
                prepare_document(doc)
                doc.full_clean()
                doc.save()
                _set_domains(doc, _clean_domains(domains))
                models.ValidityChange.objects.create(
                    document=doc, validity=doc.validity, since=doc.validity_since, reason=_("Curated proposal")
                )
                locked.document = doc
            else:
                doc = locked.document
                for name, value in _resolve_refs({k: v for k, v in payload.items() if k in EDITABLE_FIELDS}).items():
                    setattr(doc, name, value)
                prepare_document(doc)
                doc.full_clean()
                doc.save()
                if domains:
                    _set_domains(doc, _clean_domains(domains))
        elif not note.strip():
            raise ValidationError({"decision_note": _("Give the reason for declining.")})
        locked.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save()
        require(actor, CURATE, locked)
    return locked


# --- consultations (§四(二)3 重大政策沟通协调) ------------------------------------------------------------------


def do_open_consultation(
    title: str,
    city: City,
    clauses: list[str],
    deadline: date,
    *,
    actor: Any,
    domain: str = "",
    summary: str = "",
) -> models.Consultation:
    """A city circulates a draft, clause by clause, with a deadline; the other cities' liaisons and the experts are
    notified when the transaction commits."""
    if not clauses or not all(c.strip() for c in clauses):
        raise ValidationError({"clauses": _("A draft needs at least one clause, none empty.")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    with transaction.atomic(), acting(actor):
        consultation = models.Consultation(title=title, city=city, deadline=deadline, domain=domain, summary=summary)
        consultation.created_by = actor
        require(actor, Action.ADD, consultation)
        consultation.full_clean()
        consultation.save()
        for number, text in enumerate(clauses, start=1):
            models.ConsultationClause.objects.create(consultation=consultation, number=number, text=text.strip())
        transaction.on_commit(lambda: _notify_circulated(consultation))
    return consultation


def _notify_circulated(consultation: models.Consultation) -> None:
    from metrocoop.core.choices import Role
    from metrocoop.core.models import User
    from metrocoop.core.notifications import notify

    people = User.objects.filter(role_assignments__role__in=[Role.LIAISON, Role.EXPERT], is_active=True).exclude(
        role_assignments__city=consultation.city
    )
    notify(
        people.distinct(),
        kind="policies.consultation",
        subject=f"征求意见：{consultation.title}（截止 {consultation.deadline:%Y-%m-%d}）",
        url=consultation.get_absolute_url(),
        obj=consultation,
    )


def do_comment_clause(clause: models.ConsultationClause, text: str, *, actor: Any) -> models.ConsultationComment:
    """Comment on one clause before the deadline (another city's liaison or an expert)."""

    consultation = models.Consultation.objects.get(pk=clause.consultation_id)  # its current status, not a cached one
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    if consultation.status != ConsultationStatus.OPEN or timezone.localdate() > consultation.deadline:
        raise ValidationError({"deadline": _("This consultation no longer takes comments.")})
    own = liaison_cities(actor)
    with transaction.atomic(), acting(actor):
        comment = models.ConsultationComment(
            clause=clause,
            author=actor,
            author_city_id=min(own) if own else None,
            text=text.strip(),
        )
        require(actor, Action.ADD, comment)
        comment.full_clean()
        comment.save()
    return comment


def do_answer_comment(
    comment: models.ConsultationComment, response: str, text: str, *, actor: Any
) -> models.ConsultationComment:
    """The author city answers a comment: adopted, partly adopted, or declined (a reason is required)."""
    if response not in CommentResponse.values or response == CommentResponse.PENDING:
        raise ValidationError({"response": _("Choose adopted, partly adopted or declined.")})
    if response == CommentResponse.DECLINED and not text.strip():
        raise ValidationError({"response_text": _("Give the reason for declining.")})
    with transaction.atomic(), acting(actor):
        consultation = models.Consultation.objects.select_for_update().get(pk=comment.clause.consultation_id)
        require(actor, Action.CHANGE, consultation)
        locked = models.ConsultationComment.objects.select_for_update().get(pk=comment.pk)
        locked.response, locked.response_text, locked.answered_at = response, text.strip(), timezone.now()
        locked.save(update_fields=["response", "response_text", "answered_at"])
    return locked


def do_close_consultation(
    consultation: models.Consultation, outcome: str, *, actor: Any, document=None
) -> models.Consultation:
    """Record the outcome and close; every comment must have been answered first."""
    with transaction.atomic(), acting(actor):
        locked = models.Consultation.objects.select_for_update().get(pk=consultation.pk)
        require(actor, Action.CHANGE, locked)
        pending = models.ConsultationComment.objects.filter(
            clause__consultation=locked, response=CommentResponse.PENDING
        ).count()
        if pending:
            raise ValidationError({"outcome": _("%(n)d comment(s) still await an answer.") % {"n": pending}})
        if not outcome.strip():
            raise ValidationError({"outcome": _("Record the outcome.")})
        locked.status, locked.outcome, locked.document = ConsultationStatus.CLOSED, outcome.strip(), document
        locked.save(update_fields=["status", "outcome", "document"])
    return locked
