from django.urls import path

from metrocoop.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.index, name="index"),
    path("catalogue/", views.standard_list, name="standards"),
    path("catalogue/<int:pk>/", views.standard_detail, name="standard"),
    path("catalogue/add/", views.standard_edit, name="standard_add"),
    path("catalogue/<int:pk>/edit/", views.standard_edit, name="standard_edit"),
    path("catalogue/<int:pk>/key/", views.standard_key, name="standard_key"),
    path("parameters/<str:code>/", views.parameter_detail, name="parameter"),
    path("parameters/<str:code>/set/", views.limit_set, name="limit_set"),
    path("limits/<int:pk>/delete/", views.limit_delete, name="limit_delete"),
    path("limits/import/", views.limits_import, name="import"),
    path("download/<str:kind>", views.download, name="download"),
    path("recognition/<slug:code>/", views.matrix, name="matrix"),
    path("recognition/<slug:code>/add/", views.recognition_add, name="recognition_add"),
    path("recognitions/<int:pk>/delete/", views.recognition_delete, name="recognition_delete"),
    path("recognised/", views.recognised, name="recognised"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/add/", views.proposal_add, name="proposal_add"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/<str:verb>/", views.proposal_action, name="proposal_action"),
]
