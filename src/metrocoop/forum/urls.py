from django.urls import path

from metrocoop.forum import views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/new/", views.suggestion_new, name="suggestion_new"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion"),
    path("suggestions/<int:pk>/<str:step>/", views.suggestion_step, name="suggestion_step"),
    path("moderation/", views.moderation, name="moderation"),
    path("research/new/", views.research_new, name="research_new"),
    path("research/<int:pk>/", views.research_detail, name="research"),
    path("research/<int:pk>/advance/", views.research_advance, name="research_advance"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("digest/", views.digest_preference, name="digest"),
]
