"""The forum: open suggestions from enterprises, associations and citizens (上海大都市圈合作发展论坛, §四(一)3), the
research projects of the research society and think-tanks (专项谋划, §四(一)2) and the forum's events.

Everything a person writes is stored exactly as written; pages render it escaped (Django's autoescape), so markup
in a suggestion is shown as text and never runs.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from metrocoop.core.choices import Domain
from metrocoop.core.model_mixins import DetailPageMixin, city_link, link_to, status_field, user_link
from metrocoop.core.models import BilingualNameMixin, City, Organisation
from metrocoop.forum.choices import (
    DeclineReason,
    DigestFrequency,
    Moderation,
    ReportReason,
    ResearchStatus,
    SuggestionCategory,
    SuggestionStatus,
)


class ForumEvent(DetailPageMixin, BilingualNameMixin, models.Model):
    """One session of the 上海大都市圈合作发展论坛 (§四(一)3): its programme, speakers, materials (attachments) and
    the suggestions it produced."""

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    city = city_link(related_name="forum_events")
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published"), default=False)

    detail_url_name = "forum:event"

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("forum event")
        verbose_name_plural = _("forum events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="forum_event_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.name_zh


class ProgrammeItem(models.Model):
    """A slot of a forum event's programme, with the speakers who take it."""

    event = models.ForeignKey(ForumEvent, on_delete=models.CASCADE, related_name="programme", verbose_name=_("event"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    title = models.CharField(_("title"), max_length=200)
    speakers = models.ManyToManyField("Speaker", blank=True, related_name="slots", verbose_name=_("speakers"))

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="programme_item_times_ordered")
        ]

    def __str__(self) -> str:
        return self.title


class Speaker(models.Model):
    """A speaker at a forum event."""

    event = models.ForeignKey(ForumEvent, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("event"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return self.name


class Suggestion(DetailPageMixin, models.Model):
    """An open suggestion to the metropolitan area (§四(一)3): received → accepted or declined (with a reason) →
    assigned to the office or a city department → answered → closed, each open step with a deadline in working days.
    """

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("suggestion text"))
    category = models.CharField(_("category"), max_length=20, choices=SuggestionCategory.choices)
    cities = models.ManyToManyField(City, blank=True, related_name="suggestions", verbose_name=_("related cities"))
    author = user_link(_("author"), related_name="forum_suggestions")
    # The enterprise or association the author wrote for (an organisation account), if any.
    organisation = link_to(Organisation, _("organisation"), related_name="forum_suggestions", optional=True)
    event = link_to(ForumEvent, _("forum event"), on_delete=models.SET_NULL, related_name="suggestions", optional=True)
    status = status_field(SuggestionStatus, max_length=12, default=SuggestionStatus.RECEIVED)
    submitted_at = models.DateTimeField(_("received at"), default=timezone.now)
    decided_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    decline_reason = models.CharField(_("decline reason"), max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(_("decline explanation"), blank=True)
    # Assigned to the office (no city) or to a city department (city and domain).
    assigned_city = city_link(_("assigned city"), related_name="assigned_suggestions", optional=True)
    assigned_domain = models.CharField(_("assigned department"), max_length=30, choices=Domain.choices, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = user_link(_("answered by"), optional=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    # The deadline of the step now owed (none once answered or declined).
    due_on = models.DateField(_("next step due on"), null=True, blank=True)
    due_provisional = models.BooleanField(_("deadline provisional"), default=False)
    reminded_for = models.DateField(_("reminded for deadline"), null=True, blank=True)
    escalated_for = models.DateField(_("escalated for deadline"), null=True, blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    merged_into = link_to("self", _("merged into"), related_name="merged", optional=True)

    detail_url_name = "forum:suggestion"

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["moderation"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="suggestion_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(assigned_city__isnull=True, assigned_domain="")
                | Q(assigned_city__isnull=False) & ~Q(assigned_domain=""),
                name="suggestion_department_is_city_and_domain",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["answered", "closed"]) | ~Q(answer="") | Q(merged_into__isnull=False),
                name="suggestion_answered_has_answer",
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="suggestion_not_merged_into_itself"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.moderation == Moderation.VISIBLE and self.decline_reason != DeclineReason.INAPPROPRIATE

    @property
    def assignee_label(self) -> str:
        if self.status not in (SuggestionStatus.ASSIGNED, SuggestionStatus.ANSWERED, SuggestionStatus.CLOSED):
            return ""
        if self.assigned_city_id is None:
            return str(_("Council office"))
        return f"{self.assigned_city.name} · {self.get_assigned_domain_display()}"


class DuplicateCandidate(models.Model):
    """A likely duplicate found when a suggestion was submitted (the engine's similarity), for the submitter and the
    moderators who may merge them."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="duplicate_candidates", verbose_name=_("suggestion")
    )
    other = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="+", verbose_name=_("likely duplicate")
    )
    similarity = models.FloatField(_("similarity"))
    dismissed = models.BooleanField(_("dismissed"), default=False)

    class Meta:
        ordering = ["-similarity", "id"]
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "other"], name="duplicate_candidate_unique"),
            models.CheckConstraint(condition=Q(similarity__gte=0) & Q(similarity__lte=1), name="duplicate_in_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} ≈ {self.other_id} ({self.similarity:.2f})"


class SuggestionVote(models.Model):
    """One person's support for a suggestion: one each (a unique constraint), individuals only."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="votes", verbose_name=_("suggestion")
    )
    voter = user_link(_("voter"), on_delete=models.CASCADE, related_name="forum_votes")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("support vote")
        verbose_name_plural = _("support votes")
        constraints = [models.UniqueConstraint(fields=["suggestion", "voter"], name="suggestion_vote_one_per_person")]

    def __str__(self) -> str:
        return f"{self.voter} → {self.suggestion_id}"


class SuggestionReport(models.Model):
    """A reader's report that a suggestion breaks the forum rules. Enough open reports hide it pending review."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="reports", verbose_name=_("suggestion")
    )
    reporter = user_link(_("reporter"), on_delete=models.CASCADE, related_name="forum_reports")
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "reporter"], name="suggestion_report_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id}: {self.get_reason_display()}"


class ResearchProject(DetailPageMixin, BilingualNameMixin, models.Model):
    """A special study of the research society or a think-tank (专项谋划, §四(一)2, e.g. 环湾大通道, 港口一体化):
    proposed → researching → report published → project pre-phase, linked to the fund project it became."""

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    organisation = link_to(Organisation, _("research body"), related_name="research_projects")
    lead = user_link(_("lead"), related_name="research_projects")
    cities = models.ManyToManyField(City, blank=True, related_name="research_projects", verbose_name=_("cities"))
    status = status_field(ResearchStatus, max_length=20, default=ResearchStatus.PROPOSED)
    report_summary = models.TextField(_("report summary"), blank=True)
    report_published_on = models.DateField(_("report published on"), null=True, blank=True)
    fund_project = link_to("funds.Project", _("fund project"), related_name="research_projects", optional=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    detail_url_name = "forum:research"

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "researching"]) | Q(report_published_on__isnull=False),
                name="research_report_has_date",
            ),
            models.CheckConstraint(
                condition=Q(fund_project__isnull=True) | Q(status="pre_phase"), name="research_fund_project_pre_phase"
            ),
        ]

    def __str__(self) -> str:
        return self.name_zh


class DigestPreference(models.Model):
    """How often a person wants their notifications mailed: every day or once a week."""

    user = user_link(_("user"), on_delete=models.CASCADE, related_name="digest_preference", one_to_one=True)
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.DAILY
    )

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_frequency_display()}"
