from django.urls import path

from metrocoop.spatial import views

app_name = "spatial"

urlpatterns = [
    path("", views.index, name="index"),
    path("conflicts/<int:pk>/", views.conflict_detail, name="conflict"),
    path("conflicts/detect/", views.detect, name="detect"),
    path("rules/", views.rules, name="rules"),
    path("layers/<str:kind>.geojson", views.layer_geojson, name="layer"),
]
