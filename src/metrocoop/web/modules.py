"""The modules of docs/design.md, each one of the paper's mechanisms, as the navigation shows them.

A module that is not built yet has a page that says what it will do; the navigation never links to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    key: str
    title: Promise
    section: str
    summary: Promise
    plans: tuple[Promise, ...]

    @property
    def index_url(self) -> str | None:
        """The built module's start page (`<key>:index`), or None while it is not built."""
        try:
            return reverse(f"{self.key}:index")
        except NoReverseMatch:
            return None

    @property
    def url(self) -> str:
        return self.index_url or reverse("web:module", args=[self.key])

    @property
    def built(self) -> bool:
        return self.index_url is not None


MODULES: tuple[Module, ...] = (
    Module(
        "indicators",
        _("Regional monitoring"),
        "§二(二) 表1 表2",
        _("Development gaps between the member cities, industrial structure, commuting and positioning."),
        (
            _("Indicator catalogue and yearly observations per city, imported from Excel with a full error report"),
            _("Disparity measures (max/min ratio, CV, Williamson, Gini, Theil with decomposition by province)"),
            _("Industrial structure similarity, commuting flows and a city × function positioning matrix"),
            _("A re-check of every figure in the paper that the data can check"),
        ),
    ),
    Module(
        "council",
        _("Council cycle"),
        "§四(五)1 §四(一)1",
        _("Meetings, resolutions, annual plans, work lists, quarterly progress and annual summaries."),
        (
            _("Meetings with agenda, minutes and votes per city; resolutions with quorum and majority"),
            _("Annual plan and work items with targets, lead and participating cities"),
            _("Quarterly progress reports reviewed by the office; boards of overdue and returned items"),
            _("Generated annual summary in Word and Excel; next year's list carries over unfinished items"),
        ),
    ),
    Module(
        "funds",
        _("Funds and assessment"),
        "§四(五)3-4",
        _("The investment-development fund and the reward-support fund, contributions, projects and assessment."),
        (
            _("Contribution formulas by year, notices and arrears"),
            _("Project pipeline with expert review, council decision and disbursement in tranches"),
            _("Assessment cycle: scores, rewards, compensation and assistance to lagging areas"),
        ),
    ),
    Module(
        "clearing",
        _("Public-service clearing"),
        "§四(三)2 §二(三)",
        _("Cross-city medical and elderly-care claims, settled monthly through a balanced ledger."),
        (
            _("Reimbursable catalogues per city and scheme, prior authorisations"),
            _("Claims ingested exactly once, validated and posted double-entry"),
            _("Monthly close into net positions and the fewest settlement payments, with statements"),
        ),
    ),
    Module(
        "policies",
        _("Policy library"),
        "§四(五)2,5 §四(二)3-4",
        _("Chinese full-text search of policies, cross-city comparison, pilot replication and consultations."),
        (
            _("Policy documents with relations (amends, repeals, implements) and validity"),
            _("Full-text search with Chinese word segmentation, facets and highlighted snippets"),
            _("Side-by-side comparison of one topic across cities; replication of pilot reforms"),
        ),
    ),
    Module(
        "standards",
        _("Standards"),
        "§四(二)1 §二(四)",
        _("Standards catalogue, limit values per city, harmonisation and mutual recognition."),
        (
            _("The same parameter's limit in each city side by side, strictest and spread"),
            _("A mutual-recognition matrix: is a certificate from one city recognised in another"),
        ),
    ),
    Module(
        "investment",
        _("Investment and parks"),
        "§四(二)2 §四(四)3-4",
        _("Industry-chain trees, missing links, shared leads, relocations and co-built parks with benefit sharing."),
        (
            _("Industry-chain trees and their missing links; shared investment leads"),
            _("Co-built parks: tax, GDP statistics and land quota shared between host and partner by phase"),
        ),
    ),
    Module(
        "forum",
        _("Forum and research"),
        "§四(一)2-3",
        _("Public suggestions, think-tank research projects and forum events."),
        (
            _("Suggestions from enterprises, associations and citizens, answered in public"),
            _("Research projects of the research society, from proposal to report"),
        ),
    ),
    Module(
        "spatial",
        _("Spatial coordination"),
        "§二(三)-(四) §四(四)1",
        _("Facilities and corridors on a map, and cross-border conflict rules."),
        (
            _("Ports, outfalls, water sources and corridors of every city on one map"),
            _("Conflict rules, e.g. an outfall within a set distance of another city's drinking-water source"),
        ),
    ),
)

MODULES_BY_KEY = {m.key: m for m in MODULES}
