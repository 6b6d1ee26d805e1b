from django.urls import path

from metrocoop.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<slug:key>/", views.document, name="document"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:code>/", views.topic, name="topic"),
    path("topics/<slug:code>/export.xlsx", views.topic_export, name="topic_export"),
    path("reforms/", views.reforms, name="reforms"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/new/", views.consultation_open, name="consultation_open"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path(
        "consultations/<int:pk>/clauses/<int:number>/comment/", views.consultation_comment, name="consultation_comment"
    ),
    path(
        "consultations/<int:pk>/comments/<int:comment_id>/answer/",
        views.consultation_answer,
        name="consultation_answer",
    ),
    path("consultations/<int:pk>/close/", views.consultation_close, name="consultation_close"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/new/", views.propose, name="propose"),
    path("proposals/<int:pk>/decide/", views.decide, name="decide"),
]
