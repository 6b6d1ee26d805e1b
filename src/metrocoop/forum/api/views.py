from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.serializers import validated
from metrocoop.core.models import City, Organisation
from metrocoop.core.permissions import Action, reads_everything, restrict
from metrocoop.forum import services
from metrocoop.forum.api import serializers as s
from metrocoop.forum.filtersets import ResearchProjectFilter, SuggestionFilterSet
from metrocoop.forum.models import (
    DuplicateCandidate,
    ForumEvent,
    ProgrammeItem,
    ResearchProject,
    Suggestion,
    SuggestionVote,
)
from metrocoop.forum.policies import ANSWER, REPORT


def _submit(data: dict, *, actor) -> Suggestion:
    return services.do_submit_suggestion(
        services.SuggestionInput(
            title=data["title"],
            text=data["text"],
            category=data["category"],
            cities=data.get("cities", []),
            event=data.get("event"),
        ),
        actor=actor,
    )


class SuggestionViewSet(ServiceModelViewSet):
    """Suggestions from the public. POST submits one (any signed-in person) and answers with its likely duplicates;
    the actions move it through its steps (the office; `answer` the assigned department), `vote` supports it (one
    person, one vote; organisation accounts do not vote) and `report` flags it for the moderators."""

    queryset = (
        Suggestion.objects.select_related("author", "organisation", "assigned_city")
        .prefetch_related(
            "cities", Prefetch("duplicate_candidates", queryset=DuplicateCandidate.objects.select_related("other"))
        )
        .annotate(vote_count=Count("votes", distinct=True))
        .order_by("-submitted_at", "-id")
    )
    serializer_class = s.SuggestionSerializer
    filterset_class = SuggestionFilterSet
    create_service = _submit

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = getattr(self.request, "user", None)
        context["reads_everything"] = reads_everything(user)
        context["user_id"] = getattr(user, "pk", None)
        return context

    def _respond(self, suggestion: Suggestion, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=suggestion.pk).first() or suggestion
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=None, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def accept(self, request, pk=None):
        return self._respond(services.do_accept_suggestion(self.get_object(), actor=request.user))

    @extend_schema(request=s.DeclineSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def decline(self, request, pk=None):
        suggestion = self.get_object_for(Action.CHANGE)
        data = validated(s.DeclineSerializer, request.data)
        return self._respond(services.do_decline_suggestion(suggestion, actor=request.user, **data))

    @extend_schema(request=s.AssignSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def assign(self, request, pk=None):
        data = validated(s.AssignSerializer, request.data)
        code = data["city"].upper()
        city = get_object_or_404(City, code=code) if code else None
        suggestion = services.do_assign_suggestion(
            self.get_object(), city=city, domain=data["domain"], actor=request.user
        )
        return self._respond(suggestion)

    @extend_schema(request=s.AnswerSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def answer(self, request, pk=None):
        suggestion = self.get_object_for(ANSWER)
        data = validated(s.AnswerSerializer, request.data)
        return self._respond(services.do_answer_suggestion(suggestion, answer=data["answer"], actor=request.user))

    @extend_schema(request=None, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def close(self, request, pk=None):
        return self._respond(services.do_close_suggestion(self.get_object(), actor=request.user))

    @extend_schema(request=s.MergeSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def merge(self, request, pk=None):
        duplicate = self.get_object_for(Action.CHANGE)
        data = validated(s.MergeSerializer, request.data)
        into = get_object_or_404(self.get_queryset(), pk=data["into"])
        return self._respond(services.do_merge_suggestion(duplicate, into=into, actor=request.user))

    @extend_schema(request=None, responses={201: s.SuggestionSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def vote(self, request, pk=None):
        suggestion = self.get_object()
        services.do_vote(suggestion, actor=request.user)
        return self._respond(suggestion, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def unvote(self, request, pk=None):
        suggestion = self.get_object()
        self.require_role_for(Action.DELETE, SuggestionVote)  # before "you do not support this suggestion"
        services.do_unvote(suggestion, actor=request.user)
        return self._respond(suggestion)

    @extend_schema(request=s.ReportSerializer, responses={201: None})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def report(self, request, pk=None):
        suggestion = self.get_object_for(REPORT)
        data = validated(s.ReportSerializer, request.data)
        services.do_report_suggestion(suggestion, actor=request.user, **data)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ModerateSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def moderate(self, request, pk=None):
        suggestion = self.get_object_for(Action.CHANGE)
        data = validated(s.ModerateSerializer, request.data)
        return self._respond(services.do_moderate_suggestion(suggestion, remove=data["remove"], actor=request.user))


def _propose(data: dict, *, actor) -> ResearchProject:
    organisation = Organisation.objects.filter(code=data["organisation"]).first()
    if organisation is None:
        raise ValidationError({"organisation": _("Unknown organisation.")})
    return services.do_propose_research(
        name_zh=data["name_zh"],
        name_en=data.get("name_en", ""),
        summary=data.get("summary", ""),
        organisation=organisation,
        cities=list(City.objects.filter(code__in=[c.upper() for c in data.get("cities", [])])),
        actor=actor,
    )


@extend_schema_view(
    create=extend_schema(request=s.ResearchProposalSerializer, responses={201: s.ResearchProjectSerializer})
)
class ResearchProjectViewSet(ServiceModelViewSet):
    """Research projects of the research society and think-tanks (专项谋划 → 项目前期). POST proposes one (researchers,
    the office); `advance` moves it one step (its lead or the office), `link` names the fund project it became."""

    queryset = (
        ResearchProject.objects.select_related("organisation").prefetch_related("cities").order_by("-created_at", "id")
    )
    serializer_class = s.ResearchProjectSerializer
    filterset_class = ResearchProjectFilter
    create_service = _propose
    written_serializer_class = s.ResearchProjectSerializer

    def get_serializer_class(self):
        return s.ResearchProposalSerializer if self.action == "create" else s.ResearchProjectSerializer

    @extend_schema(request=s.ResearchAdvanceSerializer, responses=s.ResearchProjectSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def advance(self, request, pk=None):
        v = validated(s.ResearchAdvanceSerializer, request.data)
        project = services.do_advance_research(
            self.get_object(),
            report_summary=v["report_summary"],
            published_on=v.get("published_on"),
            actor=request.user,
        )
        return Response(s.ResearchProjectSerializer(project).data)

    @extend_schema(request=s.ResearchLinkSerializer, responses=s.ResearchProjectSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def link(self, request, pk=None):
        from metrocoop.funds.models import Project

        research = self.get_object_for(Action.CHANGE)
        data = validated(s.ResearchLinkSerializer, request.data)
        fund_project = get_object_or_404(restrict(Project.objects.all(), request.user), pk=data["fund_project"])
        project = services.do_link_fund_project(research, fund_project=fund_project, actor=request.user)
        return Response(s.ResearchProjectSerializer(project).data)


class ForumEventViewSet(ScopedReadOnlyViewSet):
    """Forum events with their programme and speakers."""

    queryset = ForumEvent.objects.select_related("city").prefetch_related(
        Prefetch("programme", queryset=ProgrammeItem.objects.prefetch_related("speakers")), "speakers"
    )
    serializer_class = s.ForumEventSerializer
