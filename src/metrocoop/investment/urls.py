from django.urls import path

from metrocoop.investment import views

app_name = "investment"

urlpatterns = [
    path("", views.index, name="index"),
    path("chains/<str:code>/", views.chain_detail, name="chain"),
    path("gaps/", views.gaps, name="gaps"),
    path("enterprises/", views.enterprises, name="enterprises"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("leads/", views.leads, name="leads"),
    path("leads/<int:pk>/withdraw/", views.lead_withdraw, name="lead_withdraw"),
    path("events/new/", views.event_create, name="event_create"),
    path("land-transfers/new/", views.land_transfer_create, name="land_transfer_create"),
    path("conflicts/<int:pk>/decide/", views.conflict_decide, name="conflict_decide"),
    path("relocations/", views.relocations, name="relocations"),
    path("relocations/<int:pk>/tax/", views.relocation_tax, name="relocation_tax"),
    path("parks/", views.parks, name="parks"),
    path("parks/<str:code>/", views.park_detail, name="park"),
    path("parks/<str:code>/post/<int:year>/", views.park_post, name="park_post"),
    path("parks/<str:code>/statement.<str:fmt>", views.park_statement, name="park_statement"),
]
