"""Every state change of the council cycle: `do_<verb>_<noun>(..., *, actor)`, one transaction each, access checked
through core.permissions before and after the write, audited by django-auditlog in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from metrocoop.core.attachments import do_attach
from metrocoop.core.audit import acting
from metrocoop.core.errors import Conflict
from metrocoop.core.models import City, Notification, User
from metrocoop.core.notifications import liaisons_of, notify, office_users
from metrocoop.core.permissions import Action, acts_region_wide, require
from metrocoop.core.writes import update_locked
from metrocoop.council import engine
from metrocoop.council.choices import PlanStatus, ResolutionOutcome, ResolutionStatus, ReviewStatus, VoteChoice
from metrocoop.council.models import (
    AnnualPlan,
    AnnualSummary,
    Council,
    CouncilSeat,
    Meeting,
    PlanArticle,
    PlanDocument,
    ProgressReport,
    Resolution,
    Vote,
    WorkItem,
)
from metrocoop.council.policies import REPORT, REVIEW, VOTE


class AlreadyDone(Conflict):
    """The request conflicts with what is already recorded (a second vote, a plan already submitted): HTTP 409."""


def _both(zh: str, en: str) -> str:
    return f"{zh} / {en}"


# --- council, meetings, resolutions ------------------------------------------------------------------------------


def do_set_up_council(
    *, name_zh: str, name_en: str, rules: Mapping[str, Any], representatives: Mapping[str, User], actor: Any
) -> Council:
    """Create or update the council with its voting rules and one seat per current member city. Idempotent."""
    with transaction.atomic(), acting(actor):
        council = Council.objects.order_by("id").first() or Council(name_zh=name_zh, name_en=name_en)
        require(actor, Action.CHANGE if council.pk else Action.ADD, council)
        council.name_zh, council.name_en = name_zh, name_en
        for key in ("quorum_count", "quorum_share", "majority_share", "plan_approval_unanimous"):
            if key in rules:
                setattr(council, key, rules[key])
        council.full_clean()
        council.save()
        for city in City.objects.current_members():
            seat, _created = CouncilSeat.objects.get_or_create(council=council, city=city)
            rep = representatives.get(city.code)
            if rep is not None and seat.representative_id != rep.pk:
                seat.representative = rep
                seat.save(update_fields=["representative"])
            require(actor, Action.CHANGE, seat)
        require(actor, Action.CHANGE, council)
    return council


def do_create_meeting(
    council: Council, data: Mapping[str, Any], *, actor: Any, attendees: Iterable[User] = ()
) -> Meeting:
    fields = {k: v for k, v in data.items() if k in ("kind", "title", "held_on", "location", "agenda", "minutes")}
    with transaction.atomic(), acting(actor):
        meeting = Meeting(council=council, **fields)
        require(actor, Action.ADD, meeting)
        meeting.full_clean()
        meeting.save()
        if attendees:
            meeting.attendees.set(list(attendees))
        require(actor, Action.ADD, meeting)
    return meeting


MEETING_FIELDS = ("kind", "title", "held_on", "location", "agenda", "minutes")


def do_update_meeting(
    meeting: Meeting, changes: Mapping[str, Any], *, actor: Any, attendees: Iterable[User] | None = None
) -> Meeting:
    with transaction.atomic(), acting(actor):
        return update_locked(Meeting.objects, meeting, changes, MEETING_FIELDS, actor, related={"attendees": attendees})


def do_delete_meeting(meeting: Meeting, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, meeting)
        meeting.delete()  # PROTECT keeps a meeting with resolutions


def do_attach_to_meeting(meeting: Meeting, upload, *, actor: Any):
    return do_attach(meeting, upload, actor=actor)


def do_propose_resolution(
    meeting: Meeting, *, title: str, text: str = "", number: str = "", plan: AnnualPlan | None = None, actor: Any
) -> Resolution:
    """Put a motion to the council at `meeting`. A motion approving a plan needs the plan submitted; it requires
    unanimity when the council's rules say plan approval does."""
    with transaction.atomic(), acting(actor):
        if plan is not None:
            plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
            if plan.status != PlanStatus.SUBMITTED:
                raise ValidationError(
                    {
                        "plan": _both(
                            "只有已提交理事会的年度计划才能付诸表决。",
                            "Only a plan submitted to the council can be put to a vote.",
                        )
                    }
                )
        resolution = Resolution(
            meeting=meeting,
            title=title,
            text=text,
            number=number,
            plan=plan,
            requires_unanimity=bool(plan is not None and meeting.council.plan_approval_unanimous),
        )
        require(actor, Action.ADD, resolution)
        resolution.full_clean()
        resolution.save()
        require(actor, Action.ADD, resolution)
    return resolution


def do_cast_vote(resolution: Resolution, city: City, choice: str, *, actor: Any, now: datetime | None = None) -> Vote:
    """Record `city`'s vote. Only that city's liaison may cast it, once, while the resolution is open, and only if
    the city holds a seat that counts on the meeting day."""
    if choice not in VoteChoice.values:
        raise ValidationError({"choice": _both("表决意见须为赞成、反对或弃权。", "A vote is yes, no or abstain.")})
    with transaction.atomic(), acting(actor):
        locked = Resolution.objects.select_for_update().select_related("meeting__council").get(pk=resolution.pk)
        vote = Vote(resolution=locked, city=city, choice=choice, cast_by=actor, cast_at=now or timezone.now())
        require(actor, VOTE, vote)
        if locked.status != ResolutionStatus.OPEN:
            raise AlreadyDone(_both("该决议表决已结束。", "Voting on this resolution has closed."))
        seat = CouncilSeat.objects.filter(council=locked.meeting.council, city=city).select_related("city").first()
        if seat is None or not seat.counts_on(locked.meeting.held_on):
            raise ValidationError(
                {
                    "city": _both(
                        "该城市在会议当日没有理事会席位。", "This city holds no council seat on the meeting day."
                    )
                }
            )
        if Vote.objects.filter(resolution=locked, city=city).exists():
            raise AlreadyDone(
                _both("该城市已对本决议表决，不能重复投票。", "This city has already voted on this resolution.")
            )
        vote.save()
        require(actor, VOTE, vote)
    return vote


def _share(value: Decimal) -> Fraction:
    """A stored share as the nearest fraction with a denominator up to 100, so 0.667 reads as two thirds."""
    return Fraction(value).limit_denominator(100)


def voting_rule(resolution: Resolution) -> engine.VotingRule:
    council = resolution.meeting.council
    return engine.VotingRule(
        quorum_count=council.quorum_count,
        quorum_share=_share(council.quorum_share) if council.quorum_share is not None else None,
        majority_share=_share(council.majority_share),
        unanimity=resolution.requires_unanimity,
    )


def tally(resolution: Resolution) -> engine.VoteDecision:
    """The engine's decision on the votes cast so far (the seats that count on the meeting day)."""
    seats = [
        s.city.code
        for s in CouncilSeat.objects.filter(council=resolution.meeting.council).select_related("city")
        if s.counts_on(resolution.meeting.held_on)
    ]
    votes = {v.city.code: v.choice for v in resolution.votes.select_related("city")}
    return engine.decide_vote(seats, votes, voting_rule(resolution))


def do_decide_resolution(resolution: Resolution, *, actor: Any, now: datetime | None = None) -> Resolution:
    """Close the vote and record the engine's outcome. Without a quorum nothing is decided and nothing changes.
    A passed resolution on a plan approves the plan (the only way a plan becomes approved)."""
    with transaction.atomic(), acting(actor):
        locked = Resolution.objects.select_for_update().select_related("meeting__council").get(pk=resolution.pk)
        require(actor, Action.CHANGE, locked)
        if locked.status != ResolutionStatus.OPEN:
            raise AlreadyDone(_both("该决议已作出。", "This resolution has already been decided."))
        decision = tally(locked)
        if not decision.quorum_met:
            raise ValidationError(
                _both(
                    f"未达到法定人数：{decision.present}个席位表决，至少需要{decision.quorum_needed}个，不能作出决议。",
                    f"No quorum: {decision.present} seats voted, {decision.quorum_needed} needed; nothing is decided.",
                )
            )
        locked.tally = decision.as_dict()
        locked.status = ResolutionStatus.DECIDED
        locked.outcome = ResolutionOutcome.PASSED if decision.passed else ResolutionOutcome.REJECTED
        locked.decided_at = now or timezone.now()
        locked.save()
        if decision.passed and locked.plan_id is not None:
            _approve_plan(locked.plan, locked, actor=actor, now=locked.decided_at)
        require(actor, Action.CHANGE, locked)
    return locked


def _approve_plan(plan: AnnualPlan, resolution: Resolution, *, actor: Any, now: datetime) -> None:
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_both("只能批准已提交的年度计划。", "Only a submitted plan can be approved."))
    plan.status = PlanStatus.APPROVED
    plan.approved_by = resolution
    plan.approved_at = now
    plan.save()


# --- annual plans and work items ---------------------------------------------------------------------------------


def _require_draft(plan: AnnualPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _both("年度计划已提交或批准，不能再修改。", "This annual plan has left the draft and cannot be edited.")
        )


def do_create_plan(
    council: Council, year: int, title: str, *, actor: Any, previous: AnnualPlan | None = None
) -> AnnualPlan:
    with transaction.atomic(), acting(actor):
        if AnnualPlan.objects.filter(council=council, year=year).exists():
            raise AlreadyDone(_both(f"{year}年度计划已存在。", f"The plan for {year} already exists."))
        plan = AnnualPlan(council=council, year=year, title=title, previous=previous)
        require(actor, Action.ADD, plan)
        plan.full_clean()
        plan.save()
        AnnualSummary.objects.get_or_create(plan=plan)
        require(actor, Action.ADD, plan)
    return plan


def do_update_plan(plan: AnnualPlan, changes: Mapping[str, Any], *, actor: Any) -> AnnualPlan:
    with transaction.atomic(), acting(actor):
        locked = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        require(actor, Action.CHANGE, locked)
        _require_draft(locked)
        if "title" in changes:
            locked.title = changes["title"]
        locked.full_clean()
        locked.save()
        require(actor, Action.CHANGE, locked)
    return locked


def _transition(plan: AnnualPlan, source: str, target: str, stamp: str | None, *, actor: Any, now=None) -> AnnualPlan:
    with transaction.atomic(), acting(actor):
        locked = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        require(actor, Action.CHANGE, locked)
        if locked.status == target:
            return locked  # the same request twice does no harm
        if locked.status != source:
            raise ValidationError(
                _both(
                    f"年度计划状态为「{locked.get_status_display()}」，不能执行此操作。",
                    f"The plan is {locked.status}; it must be {source} for this step.",
                )
            )
        locked.status = target
        if stamp:
            setattr(locked, stamp, now or timezone.now())
        locked.save()
        require(actor, Action.CHANGE, locked)
    return locked


def do_submit_plan(plan: AnnualPlan, *, actor: Any, now=None) -> AnnualPlan:
    """The office submits the draft to the council (a resolution then approves it)."""
    if not plan.items.exists():
        raise ValidationError(
            _both("年度计划没有工作事项，不能提交。", "A plan without work items cannot be submitted.")
        )
    return _transition(plan, PlanStatus.DRAFT, PlanStatus.SUBMITTED, "submitted_at", actor=actor, now=now)


def do_start_plan(plan: AnnualPlan, *, actor: Any) -> AnnualPlan:
    return _transition(plan, PlanStatus.APPROVED, PlanStatus.IN_PROGRESS, None, actor=actor)


def do_close_plan(plan: AnnualPlan, *, actor: Any, now=None) -> AnnualPlan:
    plan = _transition(plan, PlanStatus.IN_PROGRESS, PlanStatus.CLOSED, "closed_at", actor=actor, now=now)
    with transaction.atomic(), acting(actor):
        AnnualSummary.objects.get_or_create(plan=plan)
    return plan


ITEM_FIELDS = (
    "code",
    "title",
    "domain",
    "description",
    "lead_city",
    "lead_organisation",
    "kpi",
    "unit",
    "target_value",
    "deadline",
    "weight",
    "parent",
)


def _apply_item(item: WorkItem, data: Mapping[str, Any]) -> None:
    for key in ITEM_FIELDS:
        if key in data:
            setattr(item, key, data[key])
    if item.parent_id is not None and item.parent.plan_id != item.plan_id:
        raise ValidationError(
            {"parent": _both("上级事项须属于同一年度计划。", "The parent item must be in the same plan.")}
        )
    if item.pk is not None and item.parent_id == item.pk:
        raise ValidationError({"parent": _both("事项不能是自己的上级。", "An item cannot be its own parent.")})
    if item.lead_organisation_id is not None and item.lead_organisation.city_id not in (None, item.lead_city_id):
        raise ValidationError(
            {
                "lead_organisation": _both(
                    "牵头单位须属于牵头城市。", "The lead organisation must belong to the lead city."
                )
            }
        )


def _set_relations(item: WorkItem, data: Mapping[str, Any]) -> None:
    if "participating_cities" in data:
        item.participating_cities.set([c for c in data["participating_cities"] if c.pk != item.lead_city_id])
    if "articles" in data:
        item.articles.set(list(data["articles"]))


def do_add_work_item(plan: AnnualPlan, data: Mapping[str, Any], *, actor: Any) -> WorkItem:
    """Add an item to a draft plan: the office adds any item; a liaison proposes items its own city leads."""
    with transaction.atomic(), acting(actor):
        plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
        item = WorkItem(plan=plan)
        _apply_item(item, data)
        require(actor, Action.ADD, item)
        _require_draft(plan)
        if not acts_region_wide(actor):
            item.proposed_by = item.lead_city
        if "carried_from" in data:
            item.carried_from = data["carried_from"]
        item.full_clean()
        item.save()
        _set_relations(item, data)
        require(actor, Action.CHANGE, item)
    return item


def do_update_work_item(item: WorkItem, changes: Mapping[str, Any], *, actor: Any) -> WorkItem:
    with transaction.atomic(), acting(actor):
        locked = WorkItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
        require(actor, Action.CHANGE, locked)
        _require_draft(locked.plan)
        _apply_item(locked, changes)
        locked.full_clean()
        locked.save()
        _set_relations(locked, changes)
        require(actor, Action.CHANGE, locked)  # a liaison cannot move an item into another city
    return locked


def do_delete_work_item(item: WorkItem, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        locked = WorkItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
        require(actor, Action.DELETE, locked)
        _require_draft(locked.plan)
        locked.delete()


# --- progress reports ---------------------------------------------------------------------------------------------


def do_submit_report(
    item: WorkItem,
    city: City,
    quarter: int,
    *,
    percent_complete: int,
    kpi_actual: Decimal | None = None,
    narrative: str = "",
    actor: Any,
    now: datetime | None = None,
) -> ProgressReport:
    """A city's quarterly report on an item it leads or joins, while the plan is in progress. A returned or
    pending report is replaced on the same row (and goes back to review); an accepted one cannot change."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _both("季度须为1至4。", "The quarter must be 1 to 4.")})
    if not 0 <= int(percent_complete) <= 100:
        raise ValidationError({"percent_complete": _both("完成比例须在0至100之间。", "Percent complete is 0 to 100.")})
    now = now or timezone.now()
    with transaction.atomic(), acting(actor):
        item = WorkItem.objects.select_related("plan").get(pk=item.pk)
        probe = ProgressReport(item=item, city=city, year=item.plan.year, quarter=quarter, percent_complete=0)
        require(actor, REPORT, probe)  # a liaison reports only for its own city
        if city.pk != item.lead_city_id and not item.participating_cities.filter(pk=city.pk).exists():
            raise ValidationError(
                {"city": _both("该城市既不牵头也不参与此事项。", "This city neither leads nor joins this work item.")}
            )
        if item.plan.status != PlanStatus.IN_PROGRESS:
            raise ValidationError(
                _both("年度计划未在实施中，不能报送进展。", "The plan is not in progress; no reports.")
            )
        if item.children.exists():
            raise ValidationError(
                _both(
                    "含子事项的事项由子事项汇总进度，请就子事项报送。", "Report on the sub-items; this item rolls up."
                )
            )
        report = (
            ProgressReport.objects.select_for_update()
            .filter(item=item, city=city, year=item.plan.year, quarter=quarter)
            .first()
        )
        is_lead = city.pk == item.lead_city_id
        if report is not None:
            if report.review_status == ReviewStatus.ACCEPTED:
                raise AlreadyDone(
                    _both("该季度报告已通过审核，不能修改。", "This report was accepted; it cannot change.")
                )
            require(actor, Action.CHANGE, report)
        else:
            report = probe
            report.submitted_at = now
        report.percent_complete = int(percent_complete)
        report.kpi_actual = kpi_actual
        report.narrative = narrative
        report.submitted_by = actor
        report.review_status = ReviewStatus.PENDING if is_lead else ReviewStatus.NOT_REQUIRED
        report.full_clean()
        report.save()
        if report.review_status == ReviewStatus.PENDING:
            notify(
                office_users(),
                kind="council.report_pending",
                subject=_both(
                    f"进展报告待审核：{item.title}（{city.name}，{report.year}年第{report.quarter}季度）",
                    f"Progress report awaits review: {item.title} ({city.code}, {report.year} Q{report.quarter})",
                ),
                body=report.narrative,
                url=reverse("council:board") + "#review-queue",
                obj=report,
            )
        require(actor, Action.CHANGE, report)
    return report


def do_attach_evidence(report: ProgressReport, upload, *, actor: Any):
    """Evidence files for a report, added by the reporting city (download at /attachments/<pk>/)."""
    return do_attach(report, upload, actor=actor, action=Action.CHANGE)


def do_review_report(
    report: ProgressReport, *, accept: bool, comment: str = "", actor: Any, now: datetime | None = None
) -> ProgressReport:
    """The office accepts the lead city's report, or returns it with a comment (the city's liaisons are notified).
    Accepting a 100% report marks the item completed on the day the report was submitted."""
    now = now or timezone.now()
    with transaction.atomic(), acting(actor):
        locked = ProgressReport.objects.select_for_update().select_related("item", "city").get(pk=report.pk)
        require(actor, REVIEW, locked)
        if locked.review_status == ReviewStatus.NOT_REQUIRED:
            raise ValidationError(_both("参与城市的报告无需审核。", "A participating city's report is not reviewed."))
        target = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
        if locked.review_status == target and (accept or locked.review_comment == comment.strip()):
            return locked  # the same request twice does no harm
        if locked.review_status != ReviewStatus.PENDING:
            raise AlreadyDone(_both("该报告已审核。", "This report has already been reviewed."))
        if not accept and not comment.strip():
            raise ValidationError({"comment": _both("退回报告须说明理由。", "Returning a report needs a comment.")})
        locked.review_status = target
        locked.review_comment = comment.strip()
        locked.reviewed_by = actor
        locked.reviewed_at = now
        locked.save()
        # the office's "awaits review" notices of this report are done with, for whoever of the office had them
        Notification.objects.filter(
            kind="council.report_pending",
            content_type=ContentType.objects.get_for_model(ProgressReport),
            object_id=str(locked.pk),
            read_at__isnull=True,
        ).update(read_at=now)
        if accept and locked.percent_complete >= 100 and locked.item.completed_on is None:
            WorkItem.objects.filter(pk=locked.item_id).update(
                completed_on=timezone.localtime(locked.submitted_at).date()
            )
        if not accept:
            notify(
                liaisons_of([locked.city_id]),
                kind="council.report_returned",
                subject=_both(
                    f"进展报告被退回：{locked.item.title}（{locked.year}年第{locked.quarter}季度）",
                    f"Progress report returned: {locked.item.title} ({locked.year} Q{locked.quarter})",
                ),
                body=locked.review_comment,
                url=locked.get_absolute_url(),
                obj=locked,
            )
        require(actor, REVIEW, locked)
    return locked


# --- summary and next year ----------------------------------------------------------------------------------------


def do_update_summary(summary: AnnualSummary, changes: Mapping[str, Any], *, actor: Any) -> AnnualSummary:
    """Edit the text around the generated figures, or publish the summary (only once the plan is closed)."""
    with transaction.atomic(), acting(actor):
        locked = AnnualSummary.objects.select_for_update().select_related("plan").get(pk=summary.pk)
        require(actor, Action.CHANGE, locked)
        for key in ("introduction", "conclusion", "published"):
            if key in changes:
                setattr(locked, key, changes[key])
        if locked.published and locked.plan.status != PlanStatus.CLOSED:
            raise ValidationError(
                {
                    "published": _both(
                        "年度计划关闭后才能发布工作总结。", "A summary is published once the plan is closed."
                    )
                }
            )
        locked.full_clean()
        locked.save()
        require(actor, Action.CHANGE, locked)
    return locked


def do_prepare_next_year(plan: AnnualPlan, *, actor: Any) -> tuple[AnnualPlan, list[WorkItem]]:
    """The next year's work list (下一年工作清单): a draft plan for year + 1 holding every unfinished item of `plan`,
    each linked to its origin (`carried_from`), sub-items under their carried parent. Cities then propose new items
    into the draft. Running it again adds only what is not carried yet."""
    from metrocoop.council.selectors import item_facts

    plan = AnnualPlan.objects.get(pk=plan.pk)
    if plan.status not in (PlanStatus.IN_PROGRESS, PlanStatus.CLOSED):
        raise ValidationError(
            _both("年度计划实施后才能生成下一年清单。", "The next year's list follows a plan in progress.")
        )
    facts = item_facts(plan)
    unfinished = engine.carry_over(facts)
    with transaction.atomic(), acting(actor):
        nxt = AnnualPlan.objects.filter(council=plan.council, year=plan.year + 1).first()
        if nxt is None:
            nxt = do_create_plan(
                plan.council,
                plan.year + 1,
                _both(f"{plan.year + 1}年度工作计划", f"Annual plan {plan.year + 1}"),
                actor=actor,
                previous=plan,
            )
        require(actor, Action.CHANGE, nxt)
        _require_draft(nxt)
        already = {i.carried_from_id: i for i in nxt.items.filter(carried_from__isnull=False)}
        by_id = {i.pk: i for i in plan.items.prefetch_related("participating_cities", "articles")}
        carried: list[WorkItem] = []
        for item_id in unfinished:  # ids ascending: a parent is created before its sub-items
            origin = by_id[item_id]
            if item_id in already:
                carried.append(already[item_id])
                continue
            data = {f: getattr(origin, f) for f in ITEM_FIELDS if f != "parent"}
            data["deadline"] = (
                max(origin.deadline, date(nxt.year, 12, 31)) if origin.deadline.year < nxt.year else origin.deadline
            )
            data["parent"] = already.get(origin.parent_id) if origin.parent_id else None
            data["participating_cities"] = list(origin.participating_cities.all())
            data["articles"] = list(origin.articles.all())
            data["carried_from"] = origin
            new = do_add_work_item(nxt, data, actor=actor)
            already[item_id] = new
            carried.append(new)
        require(actor, Action.CHANGE, nxt)
    return nxt, carried


# --- plan documents and articles (规划衔接) ---------------------------------------------------------------------------


def _save_row(obj, data: Mapping[str, Any], fields: tuple[str, ...], *, actor: Any):
    action = Action.ADD if obj.pk is None else Action.CHANGE
    with transaction.atomic(), acting(actor):
        if obj.pk is not None:
            obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        require(actor, action, obj)
        for key in fields:
            if key in data:
                setattr(obj, key, data[key])
        obj.full_clean()
        obj.save()
        require(actor, Action.CHANGE, obj)
    return obj


def _delete_row(obj, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, obj)
        obj.delete()


def do_save_plan_document(document: PlanDocument, data: Mapping[str, Any], *, actor: Any) -> PlanDocument:
    """Create (unsaved `document`) or change a plan document the region or a city holds."""
    return _save_row(document, data, ("kind", "title", "city", "period"), actor=actor)


def do_delete_plan_document(document: PlanDocument, *, actor: Any) -> None:
    _delete_row(document, actor=actor)


def do_save_plan_article(article: PlanArticle, data: Mapping[str, Any], *, actor: Any) -> PlanArticle:
    return _save_row(article, data, ("document", "number", "title", "text", "sort_order"), actor=actor)


def do_delete_plan_article(article: PlanArticle, *, actor: Any) -> None:
    _delete_row(article, actor=actor)
