from django.urls import path

from metrocoop.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.index, name="index"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/payments/", views.call_payment, name="call_payment"),
    path("calls/<int:pk>/notices.<str:fmt>", views.call_download, name="call_download"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/review/", views.project_review, name="project_review"),
    path("projects/<int:pk>/screen/", views.project_screen, name="project_screen"),
    path("projects/<int:pk>/decide/", views.project_decide, name="project_decide"),
    path("tranches/<int:pk>/<str:action>/", views.tranche_action, name="tranche_action"),
    path("assessment/<int:pk>/", views.cycle_detail, name="cycle"),
    path("assessment/<int:pk>/run/", views.cycle_run, name="cycle_run"),
    path("assessment/<int:pk>/results.xlsx", views.cycle_download, name="cycle_download"),
]
