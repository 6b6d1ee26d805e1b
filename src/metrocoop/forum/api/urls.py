from metrocoop.core.api.urls import router
from metrocoop.forum.api import views

router.register("forum/suggestions", views.SuggestionViewSet, basename="forum-suggestion")
router.register("forum/research", views.ResearchProjectViewSet, basename="forum-research")
router.register("forum/events", views.ForumEventViewSet, basename="forum-event")
