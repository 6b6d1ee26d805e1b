from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.models import City
from metrocoop.core.permissions import restrict
from metrocoop.forum import services
from metrocoop.forum.api import serializers as s
from metrocoop.forum.filtersets import SuggestionFilterSet
from metrocoop.forum.models import DuplicateCandidate, ForumEvent, ProgrammeItem, ResearchProject, Suggestion


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
        if self.request is not None:
            context["visible_ids"] = set(
                restrict(Suggestion.objects.all(), self.request.user).values_list("pk", flat=True)
            )
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
        data = s.DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.do_decline_suggestion(self.get_object(), actor=request.user, **data.validated_data)
        )

    @extend_schema(request=s.AssignSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def assign(self, request, pk=None):
        data = s.AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data["city"].upper()
        city = get_object_or_404(City, code=code) if code else None
        suggestion = services.do_assign_suggestion(
            self.get_object(), city=city, domain=data.validated_data["domain"], actor=request.user
        )
        return self._respond(suggestion)

    @extend_schema(request=s.AnswerSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def answer(self, request, pk=None):
        data = s.AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.do_answer_suggestion(self.get_object(), answer=data.validated_data["answer"], actor=request.user)
        )

    @extend_schema(request=None, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def close(self, request, pk=None):
        return self._respond(services.do_close_suggestion(self.get_object(), actor=request.user))

    @extend_schema(request=s.MergeSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def merge(self, request, pk=None):
        data = s.MergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        into = get_object_or_404(self.get_queryset(), pk=data.validated_data["into"])
        return self._respond(services.do_merge_suggestion(self.get_object(), into=into, actor=request.user))

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
        services.do_unvote(suggestion, actor=request.user)
        return self._respond(suggestion)

    @extend_schema(request=s.ReportSerializer, responses={201: None})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def report(self, request, pk=None):
        data = s.ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.do_report_suggestion(self.get_object(), actor=request.user, **data.validated_data)
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ModerateSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def moderate(self, request, pk=None):
        data = s.ModerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.do_moderate_suggestion(self.get_object(), remove=data.validated_data["remove"], actor=request.user)
        )


class ResearchProjectViewSet(ScopedReadOnlyViewSet):
    """Research projects of the research society and think-tanks (专项谋划 → 项目前期)."""

    queryset = ResearchProject.objects.select_related("organisation").prefetch_related("cities")
    serializer_class = s.ResearchProjectSerializer
    filterset_fields = ["status"]


class ForumEventViewSet(ScopedReadOnlyViewSet):
    """Forum events with their programme and speakers."""

    queryset = ForumEvent.objects.select_related("city").prefetch_related(
        Prefetch("programme", queryset=ProgrammeItem.objects.prefetch_related("speakers")), "speakers"
    )
    serializer_class = s.ForumEventSerializer
