"""The policy library of the metropolitan area (§四(五)2: the expert committee builds and extends the 政策库;
§四(五)5: pilots of the demonstration zone replicated across the area; §四(二)3: 重大政策沟通协调 in business
registration, land, environment, finance, subsidies, human resources and public services; §四(二)4: regional
industrial policy; §二(四): "标准不统一" made visible by comparing the same topic across cities).

Search: every document keeps its title and text segmented into words (jieba with the app's policy dictionary,
`engine/segment.py`); the database indexes that segmented text (SQLite FTS5 through triggers, PostgreSQL a
generated tsvector with a GIN index; migration 0002), so the index changes in the same transaction as the row.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from metrocoop.core.model_mixins import DetailPageMixin, city_link, link_to, status_field, user_link
from metrocoop.core.models import BilingualNameMixin, Organisation, Province
from metrocoop.policies.choices import (
    CatalogueStance,
    CommentResponse,
    ConsultationStatus,
    Kind,
    Level,
    PolicyDomain,
    ProposalKind,
    ProposalStatus,
    PublicationStatus,
    RelationKind,
    ReplicationStatus,
    Strictness,
    Validity,
)

DOCUMENT = _("document")


def document_link(verbose_name=DOCUMENT, *, on_delete=models.SET_NULL, **options) -> models.ForeignKey:
    """An optional link from a row to the policy document that sets, adopts or is corrected by it; the row outlives
    the document unless `on_delete` says otherwise."""
    return link_to("PolicyDocument", verbose_name, on_delete=on_delete, optional=True, **options)


class PolicyDocumentQuerySet(models.QuerySet):
    def in_force_on(self, day: date) -> PolicyDocumentQuerySet:
        """Documents in force on `day`: effective by then and not yet repealed or expired."""
        effective = Q(effective_on__lte=day) | Q(effective_on__isnull=True, issued_on__lte=day)
        return self.filter(effective).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))


class PolicyDocument(DetailPageMixin, models.Model):
    """One policy document (law, regulation, normative document, plan, notice) of a member city, a province,
    the state or the region jointly, with its validity over time (§四(五)2 政策库)."""

    key = models.SlugField(_("key"), max_length=80, unique=True, help_text=_("Stable key, e.g. sz-talent-2023"))
    title = models.CharField(_("title"), max_length=300)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    doc_number_norm = models.CharField(_("normalised document number"), max_length=100, blank=True, db_index=True)
    # issuer and issue date may be empty: a plain text imported without them (importer.py) waits, flagged
    # 待补充 in the curation queue, for an expert to fill them in
    issuer = models.CharField(_("issuing organisation"), max_length=200, blank=True)
    issuer_org = link_to(
        Organisation, _("issuing organisation (platform)"), related_name="policy_documents", optional=True
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    city = city_link(related_name="policy_documents", optional=True)
    province = link_to(Province, _("province"), related_name="policy_documents", optional=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    validity = models.CharField(_("validity"), max_length=20, choices=Validity.choices, default=Validity.IN_FORCE)
    validity_since = models.DateField(_("validity since"), null=True, blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True, help_text=_("Repeal or expiry date"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    status = status_field(
        PublicationStatus, max_length=12, default=PublicationStatus.PUBLISHED, verbose_name=_("publication status")
    )
    created_by = user_link(_("created by"), optional=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The long texts come last: on SQLite a row's short columns then sit on its first page, so filters and facets
    # over many matching rows never read the overflow pages of the text.
    text = models.TextField(_("full text"), blank=True)
    title_segmented = models.TextField(_("segmented title"), blank=True, editable=False)
    text_segmented = models.TextField(_("segmented text"), blank=True, editable=False)
    search_terms = models.TextField(_("search sub-words"), blank=True, editable=False)
    # the title's and text's distinct character bigrams (and single CJK characters, Latin/digit words), the
    # second index that does not depend on the dictionary (engine.segment.bigrams; migration 0005)
    search_bigrams = models.TextField(_("search character bigrams"), blank=True, editable=False)

    objects = PolicyDocumentQuerySet.as_manager()

    detail_url_name = "policies:document"
    detail_url_field = "key"

    class Meta:
        ordering = ["-issued_on", "key"]
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        indexes = [models.Index(fields=["city", "issued_on"]), models.Index(fields=["issued_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(level__in=["municipal", "district"]) | Q(city__isnull=False),
                name="policydocument_city_level_has_city",
            ),
            models.CheckConstraint(
                condition=Q(effective_on__isnull=True) | Q(effective_on__gte=models.F("issued_on")),
                name="policydocument_effective_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.doc_number}）" if self.doc_number else self.title

    @property
    def year(self) -> int | None:
        return self.issued_on.year if self.issued_on else None

    def in_force_on(self, day: date) -> bool:
        start = self.effective_on or self.issued_on
        return start is not None and start <= day and (self.valid_until is None or self.valid_until > day)


class PolicyDomainTag(models.Model):
    """One domain a document belongs to (a document may belong to several); facets count these."""

    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="domain_tags", verbose_name=_("document")
    )
    domain = models.CharField(_("domain"), max_length=20, choices=PolicyDomain.choices)

    class Meta:
        ordering = ["document", "domain"]
        verbose_name = _("policy domain tag")
        verbose_name_plural = _("policy domain tags")
        constraints = [models.UniqueConstraint(fields=["document", "domain"], name="policydomaintag_unique")]

    def __str__(self) -> str:
        return self.get_domain_display()


class PolicyAttachment(models.Model):
    """A file published with a document (annex, form, original scan)."""

    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("document")
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="policies/attachments/%Y/")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["document", "name"]
        verbose_name = _("policy attachment")
        verbose_name_plural = _("policy attachments")

    def __str__(self) -> str:
        return self.name


class PolicyRelation(models.Model):
    """`source` amends / repeals / implements / cites `target`; shown on both documents' pages."""

    source = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="outgoing_relations", verbose_name=_("source")
    )
    target = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="incoming_relations", verbose_name=_("target")
    )
    kind = models.CharField(_("relation"), max_length=12, choices=RelationKind.choices)
    effective_on = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["source", "kind", "target"]
        verbose_name = _("policy relation")
        verbose_name_plural = _("policy relations")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="policyrelation_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="policyrelation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source.title} {self.get_kind_display()} {self.target.title}"


class ValidityChange(models.Model):
    """One entry of a document's validity history (in force → amended → repealed …)."""

    document = models.ForeignKey(
        PolicyDocument, on_delete=models.CASCADE, related_name="validity_changes", verbose_name=_("document")
    )
    validity = models.CharField(_("validity"), max_length=20, choices=Validity.choices)
    since = models.DateField(_("since"))
    relation = link_to(
        PolicyRelation, _("relation"), on_delete=models.SET_NULL, related_name="validity_changes", optional=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["document", "since", "id"]
        verbose_name = _("validity change")
        verbose_name_plural = _("validity changes")

    def __str__(self) -> str:
        return f"{self.document.title}: {self.get_validity_display()} {self.since}"


class Topic(DetailPageMixin, BilingualNameMixin, models.Model):
    """A policy topic compared across cities (高层次人才认定 …): "标准不统一" made visible (§二(四))."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    domain = models.CharField(_("domain"), max_length=20, choices=PolicyDomain.choices)
    description = models.TextField(_("description"), blank=True)
    threshold_label = models.CharField(_("threshold label"), max_length=100, blank=True)
    threshold_unit = models.CharField(_("threshold unit"), max_length=30, blank=True)
    threshold_direction = models.CharField(
        _("stricter when"), max_length=10, choices=Strictness.choices, default=Strictness.HIGHER_IS_STRICTER
    )
    amount_label = models.CharField(_("amount label"), max_length=100, blank=True)

    detail_url_name = "policies:topic"
    detail_url_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("policy topic")
        verbose_name_plural = _("policy topics")

    def __str__(self) -> str:
        return self.name_zh


class TopicProvision(models.Model):
    """One city's key provisions on a topic, as structured fields, with the document that sets them."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="provisions", verbose_name=_("topic"))
    city = city_link()
    document = document_link(related_name="topic_provisions")
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    duration_months = models.PositiveIntegerField(_("duration (months)"), null=True, blank=True)
    condition = models.TextField(_("condition"), blank=True)

    class Meta:
        ordering = ["topic", "city__sort_order"]
        verbose_name = _("topic provision")
        verbose_name_plural = _("topic provisions")
        constraints = [
            models.UniqueConstraint(fields=["topic", "city"], name="topicprovision_one_per_city"),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=0) | Q(amount_fen__isnull=True), name="topic_amount_pos"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} · {self.city}"


class PilotReform(models.Model):
    """An institutional innovation of the demonstration zone or a city, to be replicated (§四(五)5)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    origin_city = city_link(_("origin city"), optional=True)
    origin_label = models.CharField(
        _("origin"), max_length=100, default="长三角生态绿色一体化发展示范区", help_text=_("Origin when not a city")
    )
    domain = models.CharField(_("domain"), max_length=20, choices=PolicyDomain.choices)
    introduced_on = models.DateField(_("introduced on"))
    description = models.TextField(_("description"), blank=True)
    document = document_link()

    class Meta:
        ordering = ["introduced_on", "code"]
        verbose_name = _("pilot reform")
        verbose_name_plural = _("pilot reforms")

    def __str__(self) -> str:
        return self.title


class ReformReplication(models.Model):
    """Where one member city stands on replicating a pilot reform, with the policy that adopted it."""

    reform = models.ForeignKey(
        PilotReform, on_delete=models.CASCADE, related_name="replications", verbose_name=_("reform")
    )
    city = city_link()
    status = status_field(ReplicationStatus, max_length=12)
    status_on = models.DateField(_("status date"))
    document = document_link()
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["reform", "city__sort_order"]
        verbose_name = _("reform replication")
        verbose_name_plural = _("reform replications")
        constraints = [models.UniqueConstraint(fields=["reform", "city"], name="reformreplication_one_per_city")]

    def __str__(self) -> str:
        return f"{self.reform} · {self.city}: {self.get_status_display()}"


class IndustryCatalogueEntry(models.Model):
    """One line of the regional industrial-policy catalogue (§四(二)4 引导性/约束性): an industry by its national
    classification code (GB/T 4754) encouraged, restricted or prohibited in one city, by which policy."""

    industry_code = models.CharField(_("industry code"), max_length=10, db_index=True)
    industry_name = models.CharField(_("industry"), max_length=100)
    city = city_link()
    stance = models.CharField(_("stance"), max_length=12, choices=CatalogueStance.choices)
    document = document_link()
    clause = models.CharField(_("clause"), max_length=300, blank=True)

    class Meta:
        ordering = ["industry_code", "city__sort_order"]
        verbose_name = _("industry catalogue entry")
        verbose_name_plural = _("industry catalogue entries")
        constraints = [models.UniqueConstraint(fields=["industry_code", "city"], name="industrycatalogue_one_per_city")]

    def __str__(self) -> str:
        return f"{self.industry_code} {self.industry_name} · {self.city}: {self.get_stance_display()}"


class CurationProposal(models.Model):
    """Anyone signed in proposes a document or a correction; an expert of the committee accepts or declines it
    (§四(五)2: the expert committee builds and extends the policy library)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProposalKind.choices)
    proposer = user_link(_("proposer"))
    document = document_link(on_delete=models.CASCADE, related_name="proposals")
    payload = models.JSONField(_("proposed values"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = status_field(ProposalStatus, max_length=10, default=ProposalStatus.OPEN)
    decided_by = user_link(_("decided by"), optional=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("curation proposal")
        verbose_name_plural = _("curation proposals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="correction") | Q(document__isnull=False), name="curation_correction_has_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Consultation(DetailPageMixin, models.Model):
    """A draft policy a city circulates to the other members and the experts before adopting it (§四(二)3
    重大政策沟通协调机制): comments per clause until the deadline, the author's answer to each, the outcome."""

    title = models.CharField(_("title"), max_length=300)
    city = city_link(_("author city"))
    domain = models.CharField(_("domain"), max_length=20, choices=PolicyDomain.choices)
    summary = models.TextField(_("summary"), blank=True)
    deadline = models.DateField(_("deadline for comments"))
    status = status_field(ConsultationStatus, max_length=10, default=ConsultationStatus.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    document = document_link(_("adopted document"))
    created_by = user_link(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    detail_url_name = "policies:consultation"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return self.title


class ConsultationClause(models.Model):
    """One clause of a circulated draft."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("consultation")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["consultation", "number"]
        verbose_name = _("draft clause")
        verbose_name_plural = _("draft clauses")
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="consultationclause_unique")]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.number}"


class ConsultationComment(models.Model):
    """A comment of another city or an expert on one clause, and the author city's answer to it."""

    clause = models.ForeignKey(
        ConsultationClause, on_delete=models.CASCADE, related_name="comments", verbose_name=_("clause")
    )
    author = user_link(_("author"))
    author_city = city_link(_("commenting city"), optional=True)
    text = models.TextField(_("comment"))
    response = models.CharField(
        _("answer"), max_length=10, choices=CommentResponse.choices, default=CommentResponse.PENDING
    )
    response_text = models.TextField(_("answer text"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["clause", "created_at", "id"]
        verbose_name = _("consultation comment")
        verbose_name_plural = _("consultation comments")

    def __str__(self) -> str:
        return f"{self.clause}: {self.text[:30]}"
