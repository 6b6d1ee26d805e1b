"""State changes of investment coordination. Each checks access through core.permissions before and after the
write, runs in one transaction with its audit entries, and moves money only as ledger transfers with deterministic
client ids (so a retry, or posting the same year twice, posts nothing twice).

Ledger accounts (debit-normal: balance = Σ debits − Σ credits), one per city: `investment:city:<CODE>`. A city that
pays another its share (a host paying the partner's share of a park's tax, a destination paying the origin's share
of a moved firm's tax, a city paying compensation for land quota it receives) is credited; the city paid is debited.

Client ids:
- `investment:park:<park code>:<year>:tax`           the partner's share of the park's local tax of the year;
- `investment:relocation:<relocation id>:<year>`     the origin's share of the moved firm's local tax;
- `investment:land:<transfer id>`                    compensation for a land-quota transfer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from metrocoop.core.audit import acting
from metrocoop.core.errors import Conflict
from metrocoop.core.models import City
from metrocoop.core.notifications import liaisons_of, notify, office_users
from metrocoop.core.permissions import Action, require
from metrocoop.investment import creditcode, engine, models
from metrocoop.investment.choices import ConflictStatus, LeadStatus
from metrocoop.ledger import engine as ledger_engine
from metrocoop.ledger.choices import AccountKind
from metrocoop.ledger.services import ensure_account, post_transfers


def _error(field: str | None, en: str, zh: str) -> ValidationError:
    message = f"{zh} / {en}"
    return ValidationError({field: [message]}) if field else ValidationError(message)


def _engine_error(exc: engine.SharingError, field: str | None = None) -> ValidationError:
    return _error(field, exc.message_en, exc.message_zh)


def _reject_unknown(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise _error(unknown[0], f"unknown field(s): {', '.join(unknown)}", f"未知字段：{', '.join(unknown)}")


# --- ledger --------------------------------------------------------------------------------------------------------


def city_account_code(city: City) -> str:
    return f"investment:city:{city.code}"


def _city_account(city: City) -> str:
    return ensure_account(
        city_account_code(city),
        name_zh=f"{city.name_zh}·招商合作利益分享",
        name_en=f"{city.name_en} · investment benefit sharing",
        kind=AccountKind.OTHER,
        owner_app="investment",
        city=city,
    ).code


def _post(client_id: str, *, payer: City, payee: City, amount_fen: int, code: str, memo: str, actor: Any):
    """Post one payment payer → payee (payee debited, payer credited); nothing for a zero amount."""
    if amount_fen <= 0:
        return None
    [posted] = post_transfers(
        [
            ledger_engine.Transfer(
                id=client_id,
                debit_account=_city_account(payee),
                credit_account=_city_account(payer),
                amount_fen=amount_fen,
                code=code,
                memo=memo[:300],
            )
        ],
        actor=actor,
    )
    return posted.transfer


# --- chains --------------------------------------------------------------------------------------------------------


def do_save_chain(tree: Mapping[str, Any], *, actor: Any) -> models.Chain:
    """Create or update a chain with its segments and links from a nested dict (idempotent by codes):
    {"code", "name_zh", "name_en", "segments": [{"position", "name_zh", "name_en", "links": [{"code", "name_zh",
    "name_en", "industry_codes": [...]}]}]}. Office only."""
    with transaction.atomic(), acting(actor):
        chain = models.Chain.objects.filter(code=tree["code"]).first() or models.Chain(code=tree["code"])
        require(actor, Action.CHANGE if chain.pk else Action.ADD, chain)
        chain.name_zh, chain.name_en = tree["name_zh"], tree["name_en"]
        chain.description = tree.get("description", "")
        chain.sort_order = tree.get("sort_order", 0)
        chain.full_clean()
        chain.save()
        for si, seg in enumerate(tree.get("segments", [])):
            segment, _ = models.Segment.objects.update_or_create(
                chain=chain,
                name_zh=seg["name_zh"],
                defaults={"position": seg["position"], "name_en": seg["name_en"], "sort_order": si},
            )
            for li, ln in enumerate(seg.get("links", [])):
                for code in ln.get("industry_codes", []):
                    if not _valid_industry_code(code):
                        raise _error("industry_codes", f"not a GB/T 4754 code: {code}", f"不是 GB/T 4754 代码：{code}")
                models.Link.objects.update_or_create(
                    code=ln["code"],
                    defaults={
                        "segment": segment,
                        "name_zh": ln["name_zh"],
                        "name_en": ln["name_en"],
                        "industry_codes": list(ln.get("industry_codes", [])),
                        "sort_order": li,
                    },
                )
        require(actor, Action.CHANGE, chain)
    return chain


def _valid_industry_code(code: Any) -> bool:
    """A GB/T 4754 code: a section letter A–T, or a division (2 digits), group (3) or class (4)."""
    s = str(code)
    return (len(s) == 1 and "A" <= s <= "T") or (s.isdigit() and 2 <= len(s) <= 4)


# --- enterprises ---------------------------------------------------------------------------------------------------

ENTERPRISE_FIELDS = ("name_zh", "name_en", "credit_code", "city", "links", "size_band")


def _checked_code(code: str) -> tuple[str, str]:
    result = creditcode.validate(code)
    if not result.valid:
        raise ValidationError({"credit_code": [result.reason]})
    return code.strip(), result.warning or ""


def _apply_enterprise(enterprise: models.Enterprise, data: Mapping[str, Any]) -> list[models.Link] | None:
    for name in ("name_zh", "name_en", "size_band", "city"):
        if name in data:
            setattr(enterprise, name, data[name])
    if "credit_code" in data:
        enterprise.credit_code, enterprise.credit_code_warning = _checked_code(data["credit_code"])
        clash = models.Enterprise.objects.filter(credit_code=enterprise.credit_code).exclude(pk=enterprise.pk).exists()
        if clash:
            raise Conflict({"credit_code": ["该信用代码已登记 / this credit code is already registered"]})
    enterprise.full_clean(exclude=["links"])
    return list(data["links"]) if "links" in data else None


def do_create_enterprise(data: Mapping[str, Any], *, actor: Any) -> models.Enterprise:
    _reject_unknown(data, ENTERPRISE_FIELDS)
    enterprise = models.Enterprise()
    with transaction.atomic(), acting(actor):
        links = _apply_enterprise(enterprise, data)
        require(actor, Action.ADD, enterprise)
        enterprise.save()
        if links is not None:
            enterprise.links.set(links)
        require(actor, Action.CHANGE, enterprise)
    return enterprise


def do_update_enterprise(enterprise: models.Enterprise, data: Mapping[str, Any], *, actor: Any) -> models.Enterprise:
    _reject_unknown(data, ENTERPRISE_FIELDS)
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, enterprise)
        links = _apply_enterprise(enterprise, data)
        enterprise.save()
        if links is not None:
            enterprise.links.set(links)
        require(actor, Action.CHANGE, enterprise)  # a liaison cannot move a firm into another city's scope
    return enterprise


def do_delete_enterprise(enterprise: models.Enterprise, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, enterprise)
        if enterprise.relocations.exists():
            raise Conflict("该企业有迁移记录，不能删除 / the enterprise has relocations and cannot be deleted")
        enterprise.links.clear()
        enterprise.delete()


# --- leads and conflicts -------------------------------------------------------------------------------------------

LEAD_FIELDS = ("city", "target_name", "target_credit_code", "target_country", "link", "status", "note")
LEAD_CHANGE_FIELDS = ("status", "note", "target_country")


def do_register_lead(data: Mapping[str, Any], *, actor: Any) -> models.Lead:
    """Register a lead; when another city already pursues the same target, both are told and the rule decides."""
    _reject_unknown(data, LEAD_FIELDS)
    code = (data.get("target_credit_code") or "").strip()
    if code:
        _checked_code(code)
    lead = models.Lead(
        city=data["city"],
        target_name=data["target_name"].strip(),
        target_credit_code=code,
        target_country=data.get("target_country", ""),
        link=data["link"],
        status=data.get("status", LeadStatus.ACTIVE),
        note=data.get("note", ""),
        registered_by=actor,
    )
    lead.target_key = engine.target_key(lead.target_name, code)
    with transaction.atomic(), acting(actor):
        require(actor, Action.ADD, lead)
        lead.full_clean(exclude=["registered_by", "conflict"])
        lead.save()
        _coordinate(lead.target_key, actor=actor)
        require(actor, Action.CHANGE, lead)
    lead.refresh_from_db()
    return lead


def do_update_lead(lead: models.Lead, data: Mapping[str, Any], *, actor: Any) -> models.Lead:
    """Change a lead's status or note (withdrawing it may end a conflict)."""
    _reject_unknown(data, LEAD_CHANGE_FIELDS)
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, lead)
        for name, value in data.items():
            setattr(lead, name, value)
        lead.full_clean(exclude=["registered_by", "conflict"])
        lead.save()
        _coordinate(lead.target_key, actor=actor)
        require(actor, Action.CHANGE, lead)
    lead.refresh_from_db()
    return lead


def _claims(leads: list[models.Lead]) -> list[engine.LeadClaim]:
    held = set(
        models.Enterprise.links.through.objects.filter(
            link_id__in={lead.link_id for lead in leads}, enterprise__city_id__in={lead.city_id for lead in leads}
        ).values_list("enterprise__city_id", "link_id")
    )
    return [
        engine.LeadClaim(
            lead_id=lead.pk,
            city=lead.city.code,
            registered_at=lead.registered_at.astimezone(UTC).isoformat(),
            link_missing_in_city=(lead.city_id, lead.link_id) not in held,
        )
        for lead in leads
    ]


def _coordinate(key: str, *, actor: Any) -> models.LeadConflict | None:
    """Find, open, re-decide or close the conflict over one target. Cities newly drawn in are notified."""
    active = list(
        models.Lead.objects.select_for_update().filter(target_key=key, status=LeadStatus.ACTIVE).select_related("city")
    )
    conflict = models.LeadConflict.objects.select_for_update().filter(target_key=key).first()
    cities = {lead.city_id for lead in active}
    if len(cities) < 2:
        if conflict is not None and conflict.status == ConflictStatus.OPEN:
            conflict.status = ConflictStatus.RESOLVED
            conflict.leading = active[0] if active else None
            conflict.explanation = [
                {"text_en": "only one city still pursues the target", "text_zh": "仅剩一个城市仍在跟进该目标"}
            ]
            conflict.decided_at = timezone.now()
            conflict.save()
        return conflict
    created = conflict is None
    if created:
        conflict = models.LeadConflict.objects.create(target_key=key, target_name=active[-1].target_name, rule="")
    before = set(conflict.leads.values_list("city_id", flat=True))
    models.Lead.objects.filter(pk__in=[lead.pk for lead in active]).update(conflict=conflict)
    office = conflict.office_choice_id if conflict.office_choice_id in {lead.pk for lead in active} else None
    decision = engine.decide_lead(_claims(active), office_choice=office)
    conflict.status = ConflictStatus.OPEN
    conflict.rule = decision.rule
    conflict.leading_id = decision.lead_id
    conflict.explanation = [{"text_en": s.text_en, "text_zh": s.text_zh} for s in decision.steps]
    conflict.decided_at = timezone.now()
    conflict.save()
    told = cities if created else cities - before
    if told:
        # Both sides are told (all cities in the conflict when it opens; a newcomer and those already in it later).
        recipients = liaisons_of(cities) + office_users()
        names = "、".join(sorted(lead.city.name_zh for lead in active))
        notify(
            recipients,
            kind="investment.lead_conflict",
            subject=f"招商线索冲突：{conflict.target_name}（{names}） / Lead conflict: {conflict.target_name}",
            body=" ".join(s["text_zh"] for s in conflict.explanation),
            url=reverse("investment:leads") + f"#conflict-{conflict.pk}",
            obj=conflict,
        )
    return conflict


def do_decide_conflict(conflict: models.LeadConflict, lead: models.Lead | None, *, actor: Any) -> models.LeadConflict:
    """The office names the leading city (or clears its decision with None); the rule then reads "office"."""
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, conflict)
        if lead is not None and (lead.conflict_id != conflict.pk or lead.status != LeadStatus.ACTIVE):
            raise _error("lead", "the lead is not an active part of this conflict", "该线索不是此冲突中的有效线索")
        conflict.office_choice = lead
        conflict.save(update_fields=["office_choice"])
        result = _coordinate(conflict.target_key, actor=actor)
        require(actor, Action.CHANGE, conflict)
    return result or conflict


# --- promotion events ----------------------------------------------------------------------------------------------

EVENT_FIELDS = ("title", "host_city", "partner_cities", "chains", "country", "venue", "held_on", "note")


def _save_event(
    event: models.PromotionEvent, data: Mapping[str, Any], *, actor: Any, adding: bool
) -> models.PromotionEvent:
    _reject_unknown(data, EVENT_FIELDS)
    with transaction.atomic(), acting(actor):
        if not adding:
            require(actor, Action.CHANGE, event)
        for name in ("title", "host_city", "country", "venue", "held_on", "note"):
            if name in data:
                setattr(event, name, data[name])
        event.full_clean()
        if adding:
            require(actor, Action.ADD, event)
        event.save()
        if "partner_cities" in data:
            event.partner_cities.set([c for c in data["partner_cities"] if c.pk != event.host_city_id])
        if "chains" in data:
            event.chains.set(data["chains"])
        require(actor, Action.CHANGE, event)
    return event


def do_create_event(data: Mapping[str, Any], *, actor: Any) -> models.PromotionEvent:
    return _save_event(models.PromotionEvent(), data, actor=actor, adding=True)


def do_update_event(event: models.PromotionEvent, data: Mapping[str, Any], *, actor: Any) -> models.PromotionEvent:
    return _save_event(event, data, actor=actor, adding=False)


def do_delete_event(event: models.PromotionEvent, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, event)
        event.partner_cities.clear()
        event.chains.clear()
        event.delete()


# --- relocations ---------------------------------------------------------------------------------------------------


def rule_in_force(day: date) -> models.SharingRule | None:
    return models.SharingRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def do_save_rule(data: Mapping[str, Any], *, actor: Any) -> models.SharingRule:
    rule = models.SharingRule.objects.filter(valid_from=data["valid_from"]).first() or models.SharingRule()
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE if rule.pk else Action.ADD, rule)
        for name, value in data.items():
            setattr(rule, name, value)
        rule.full_clean()
        rule.save()
    return rule


RELOCATION_FIELDS = ("enterprise", "destination", "moved_on", "first_sharing_year", "cap_basis_fen", "note")


def do_register_relocation(data: Mapping[str, Any], *, actor: Any) -> models.Relocation:
    """Register a firm moving into the destination city: the rule in force on the move date applies, the firm is
    now the destination's, and the origin city's liaisons (and the office) are notified (安商稳商)."""
    _reject_unknown(data, RELOCATION_FIELDS)
    enterprise: models.Enterprise = data["enterprise"]
    moved_on: date = data["moved_on"]
    rule = rule_in_force(moved_on)
    if rule is None:
        raise _error("moved_on", "no sharing rule is in force on that date", "该日期没有有效的利税分享规则")
    relocation = models.Relocation(
        enterprise=enterprise,
        origin_id=enterprise.city_id,
        destination=data["destination"],
        moved_on=moved_on,
        first_sharing_year=data.get("first_sharing_year") or moved_on.year,
        rule=rule,
        cap_basis_fen=data.get("cap_basis_fen") if rule.cap_years_before else None,
        note=data.get("note", ""),
        registered_by=actor,
    )
    if relocation.origin_id == relocation.destination.pk:
        raise _error("destination", "the firm is already in that city", "该企业已在该城市")
    with transaction.atomic(), acting(actor):
        require(actor, Action.ADD, relocation)
        relocation.full_clean(exclude=["registered_by"])
        relocation.save()
        enterprise.city = relocation.destination  # saved (not update()) so the audit trail records the move
        enterprise.save(update_fields=["city", "updated_at"])
        require(actor, Action.CHANGE, relocation)
        origin = relocation.origin
        notify(
            liaisons_of([origin.pk]) + office_users(),
            kind="investment.relocation",
            subject=f"企业迁出通知：{enterprise.name_zh} 迁往 {relocation.destination.name_zh} / "
            f"Relocation: {enterprise.name_zh} to {relocation.destination.name_en}",
            body=f"按《{rule.name}》，{origin.name_zh}分享该企业地方税收的 {rule.origin_share}，为期 {rule.years} 年。",
            url=reverse("investment:relocations") + f"#relocation-{relocation.pk}",
            obj=relocation,
        )
    return relocation


def relocation_rule(relocation: models.Relocation) -> engine.RelocationRule:
    r = relocation.rule
    return engine.RelocationRule(
        origin_share=Fraction(str(r.origin_share)), years=r.years, extension_years=r.extension_years
    )


def relocation_schedule(
    relocation: models.Relocation, taxes: Mapping[int, int] | None = None
) -> engine.RelocationSchedule:
    if taxes is None:
        taxes = {ty.year: ty.tax_fen for ty in relocation.tax_years.all()}
    return engine.relocation_shares(
        relocation_rule(relocation),
        origin=relocation.origin.code,
        destination=relocation.destination.code,
        first_year=relocation.first_sharing_year,
        cap_fen=relocation.cap_basis_fen,
        taxes=taxes,
    )


def do_enter_relocation_tax(
    relocation: models.Relocation, *, year: int, tax_fen: int, actor: Any
) -> models.RelocationTaxYear:
    """The destination enters the moved firm's local tax of a year; the origin's share is computed by the rule and
    posted at once. Years go in order (the cap depends on the years before), and a posted year is final."""
    with transaction.atomic(), acting(actor):
        relocation = (
            models.Relocation.objects.select_for_update()
            .select_related("origin", "destination", "rule")
            .get(pk=relocation.pk)
        )
        row = models.RelocationTaxYear(relocation=relocation, year=year, tax_fen=tax_fen)
        require(actor, Action.ADD, row)
        existing = {ty.year: ty for ty in relocation.tax_years.all()}
        if year in existing:
            if existing[year].tax_fen == tax_fen:
                return existing[year]
            raise Conflict({"year": [f"{year} 年已录入并过账 / {year} is already entered and posted"]})
        if existing and year < max(existing):
            raise _error(
                "year",
                f"years are entered in order; {max(existing)} is already in",
                f"须按年份顺序录入，已录至 {max(existing)} 年",
            )
        if tax_fen < 0:
            raise _error("tax_fen", "the tax must not be negative", "税额不能为负")
        taxes = {y: ty.tax_fen for y, ty in existing.items()} | {year: tax_fen}
        try:
            schedule = relocation_schedule(relocation, taxes)
        except engine.SharingError as exc:
            raise _engine_error(exc) from exc
        this = next(r for r in schedule.years if r.year == year)
        row.origin_fen = this.origin_fen
        row.explanation = {"year": this.to_dict(), "schedule_steps": [s.__dict__ for s in schedule.steps]}
        row.transfer = _post(
            f"investment:relocation:{relocation.pk}:{year}",
            payer=relocation.destination,
            payee=relocation.origin,
            amount_fen=this.origin_fen,
            code="investment.relocation_tax",
            memo=f"{relocation.enterprise.name_zh} {year} origin share",
            actor=actor,
        )
        row.save()
        require(actor, Action.CHANGE, row)
    return row


# --- co-built parks ------------------------------------------------------------------------------------------------

PARK_FIELDS = ("code", "name_zh", "name_en", "host", "partner", "agreement_title", "signed_on")
PARK_CHANGE_FIELDS = ("name_zh", "name_en", "agreement_title", "signed_on")
PHASE_FIELDS = (
    "start_year",
    "end_year",
    "tax_host",
    "tax_partner",
    "gdp_host",
    "gdp_partner",
    "land_host",
    "land_partner",
)


def agreement_of(park: models.Park, phases: Iterable[models.ParkPhase] | None = None) -> engine.ParkAgreement:
    host, partner = park.host.code, park.partner.code
    rows = list(phases if phases is not None else park.phases.all())
    return engine.ParkAgreement(
        host=host,
        partner=partner,
        phases=tuple(
            engine.Phase(
                p.start_year,
                p.end_year,
                {
                    "tax": {host: p.tax_host, partner: p.tax_partner},
                    "gdp": {host: p.gdp_host, partner: p.gdp_partner},
                    "land_quota": {host: p.land_host, partner: p.land_partner},
                },
            )
            for p in rows
        ),
    )


def _set_phases(park: models.Park, phases: list[Mapping[str, Any]], *, actor: Any) -> None:
    rows = []
    for p in phases:
        _reject_unknown(p, PHASE_FIELDS)
        rows.append(models.ParkPhase(park=park, **{k: p.get(k) for k in PHASE_FIELDS}))
    try:
        engine.check_phases(agreement_of(park, rows))
    except engine.SharingError as exc:
        raise _engine_error(exc, "phases") from exc
    if park.years.filter(posted_at__isnull=False).exists():
        posted = list(park.years.filter(posted_at__isnull=False).values_list("year", flat=True))
        old = agreement_of(park)
        new = agreement_of(park, rows)
        for y in posted:
            try:
                same = engine.phase_for(old, y).shares == engine.phase_for(new, y).shares
            except engine.SharingError:
                same = False
            if not same:
                raise Conflict(
                    {"phases": [f"{y} 年已过账，其分享比例不能更改 / {y} is posted; its shares cannot change"]}
                )
    for row in rows:
        require(actor, Action.ADD, row)
    park.phases.all().delete()
    for row in rows:
        row.full_clean()
        row.save()


def do_create_park(data: Mapping[str, Any], *, actor: Any) -> models.Park:
    """The office records a park and its agreement (data["phases"]: a list of phase dicts)."""
    phases = list(data.get("phases", []))
    fields = {k: v for k, v in data.items() if k != "phases"}
    _reject_unknown(fields, PARK_FIELDS)
    park = models.Park(**fields)
    with transaction.atomic(), acting(actor):
        require(actor, Action.ADD, park)
        park.full_clean()
        park.save()
        _set_phases(park, phases, actor=actor)
        require(actor, Action.CHANGE, park)
    return park


def do_update_park(park: models.Park, data: Mapping[str, Any], *, actor: Any) -> models.Park:
    """Host or office change the park's names and agreement title; the phases only the office."""
    phases = data.get("phases")
    fields = {k: v for k, v in data.items() if k != "phases"}
    _reject_unknown(fields, PARK_CHANGE_FIELDS)
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, park)
        for name, value in fields.items():
            setattr(park, name, value)
        park.full_clean()
        park.save()
        if phases is not None:
            _set_phases(park, list(phases), actor=actor)
        require(actor, Action.CHANGE, park)
    return park


YEAR_FIELDS = ("year", "tax_fen", "gdp_fen", "land_quota_m2")


def do_enter_park_year(park: models.Park, data: Mapping[str, Any], *, actor: Any) -> models.ParkYear:
    """The host enters (or corrects, until posted) a year's figures."""
    _reject_unknown(data, YEAR_FIELDS)
    with transaction.atomic(), acting(actor):
        row = models.ParkYear.objects.select_for_update().filter(park=park, year=data["year"]).first()
        if row is None:
            row = models.ParkYear(park=park, entered_by=actor, **data)
            require(actor, Action.ADD, row)
        else:
            require(actor, Action.CHANGE, row)
            if row.posted_at is not None:
                if all(getattr(row, k) == v for k, v in data.items()):
                    return row
                raise Conflict(f"{row.year} 年已过账，数字不能更改 / {row.year} is posted; its figures are final")
            for name, value in data.items():
                setattr(row, name, value)
            row.entered_by, row.entered_at = actor, timezone.now()
        row.full_clean()
        try:
            row.shares = park_year_result(park, row).to_dict()
        except engine.SharingError as exc:
            raise _engine_error(exc, "year") from exc
        row.save()
        require(actor, Action.CHANGE, row)
    return row


def park_year_result(park: models.Park, row: models.ParkYear) -> engine.ParkYearShares:
    figures = {"tax": row.tax_fen, "gdp": row.gdp_fen, "land_quota": row.land_quota_m2}
    return engine.park_year_shares(agreement_of(park), row.year, figures)


def do_post_park_year(row: models.ParkYear, *, actor: Any) -> models.ParkYear:
    """Compute and fix each side's shares and post the partner's tax share (host → partner) to the ledger.
    Posting a posted year again does nothing."""
    with transaction.atomic(), acting(actor):
        row = models.ParkYear.objects.select_for_update().select_related("park__host", "park__partner").get(pk=row.pk)
        require(actor, Action.CHANGE, row)
        if row.posted_at is not None:
            return row
        park = row.park
        try:
            result = park_year_result(park, row)
        except engine.SharingError as exc:
            raise _engine_error(exc, "year") from exc
        tax = next(i for i in result.items if i.item == "tax")
        row.transfer = _post(
            f"investment:park:{park.code}:{row.year}:tax",
            payer=park.host,
            payee=park.partner,
            amount_fen=tax.parts[park.partner.code],
            code="investment.park_tax",
            memo=f"{park.code} {row.year} partner's share of local tax",
            actor=actor,
        )
        row.shares = result.to_dict()
        row.posted_at = timezone.now()
        row.save()
        require(actor, Action.CHANGE, row)
    return row


def park_shares(park: models.Park, year: int) -> dict[str, Any]:
    """{"park", "year", "items": [{"item", "total", <host>, <partner>}]} for a year with figures (the stored shares
    once posted). Raises ParkYear.DoesNotExist when the year has no figures."""
    items = []
    for item in park_explanation(park, year)["items"]:
        entry = {"item": item["item"], "total": int(item["total"])}
        entry.update({city: int(v) for city, v in item["parts"].items()})
        items.append(entry)
    return {"park": park.code, "year": year, "items": items}


def park_explanation(park: models.Park, year: int) -> dict[str, Any]:
    """A year's shares with the steps that explain them (as stored once posted). Raises ParkYear.DoesNotExist when
    the year has no figures."""
    row = park.years.get(year=year)
    return row.shares if row.posted_at is not None and row.shares else park_year_result(park, row).to_dict()


# --- land quota ----------------------------------------------------------------------------------------------------

LAND_FIELDS = ("park", "from_city", "to_city", "quota_m2", "compensation_fen", "agreed_on", "note")


def do_register_land_transfer(data: Mapping[str, Any], *, actor: Any) -> models.LandQuotaTransfer:
    """The office records a land-quota transfer; the receiving city pays the agreed compensation to the giving
    city through the ledger at once (client id by the transfer's id)."""
    _reject_unknown(data, LAND_FIELDS)
    row = models.LandQuotaTransfer(registered_by=actor, **data)
    with transaction.atomic(), acting(actor):
        require(actor, Action.ADD, row)
        row.full_clean(exclude=["registered_by"])
        row.save()
        row.transfer = _post(
            f"investment:land:{row.pk}",
            payer=row.to_city,
            payee=row.from_city,
            amount_fen=row.compensation_fen,
            code="investment.land_quota",
            memo=f"land quota {row.quota_m2} m2 {row.from_city.code}->{row.to_city.code}",
            actor=actor,
        )
        row.save(update_fields=["transfer"])
        require(actor, Action.VIEW, row)
    return row


# --- analysis ------------------------------------------------------------------------------------------------------


def holdings(chain: models.Chain | None = None) -> tuple[list[models.Link], dict[str, dict[str, int]]]:
    """The links (of one chain or all) and {link code: {city code: number of enterprises serving it}}."""
    links = list(
        models.Link.objects.filter(**({"segment__chain": chain} if chain else {})).select_related("segment__chain")
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = models.Enterprise.links.through.objects.filter(link__in=links).values_list(
        "link__code", "enterprise__city__code"
    )
    for link, city in rows:
        counts[link][city] = counts[link].get(city, 0) + 1
    return links, dict(counts)


def gap_report(chain: models.Chain | None = None) -> engine.GapReport:
    links, counts = holdings(chain)
    cities = [c.code for c in City.objects.current_members()]
    return engine.gap_report([link.code for link in links], cities, counts)


def sector_similarity() -> dict[tuple[str, str], float]:
    """The indicators structure engine's similarity of the cities' sector structures (latest year with data)."""
    from metrocoop.indicators.selectors import structure, structure_years

    years = structure_years()
    if not years:
        return {}
    report = structure(years[-1]).get("report")
    if not report:
        return {}
    return {(p["city_a"], p["city_b"]): p["similarity"] for p in report["pairs"]}


def chains_with_links():
    return models.Chain.objects.prefetch_related(
        Prefetch("segments", queryset=models.Segment.objects.prefetch_related("links"))
    )
