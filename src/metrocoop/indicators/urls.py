from django.urls import path

from metrocoop.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("trend/", views.trend, name="trend"),
    path("structure/", views.structure, name="structure"),
    path("commuting/", views.commuting, name="commuting"),
    path("positioning/", views.positioning, name="positioning"),
    path("recheck/", views.recheck_page, name="recheck"),
    path("import/", views.import_page, name="import"),
    path("import/jobs/<uuid:pk>/", views.import_job_report, name="import_job"),
    path("export/<slug:what>.xlsx", views.export, name="export"),
    path("cities/<str:code>/", views.city_fragment, name="city"),
    path("observations/<int:pk>/edit/", views.observation_edit, name="observation_edit"),
]
