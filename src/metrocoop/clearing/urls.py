from django.urls import path

from metrocoop.clearing import views

app_name = "clearing"
urlpatterns = [
    path("", views.index, name="index"),
    path("periods/<str:code>/", views.period_detail, name="period"),
    path("periods/<str:code>/close/", views.period_close, name="period-close"),
    path("periods/<str:code>/statements/<slug:city>/<slug:fmt>/", views.statement, name="statement"),
    path("instructions/<int:pk>/confirm/", views.instruction_confirm, name="instruction-confirm"),
    path("claims/", views.claim_list, name="claims"),
    path("catalogue/", views.catalogue, name="catalogue"),
]
