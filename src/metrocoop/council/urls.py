from django.urls import path

from metrocoop.council import views

app_name = "council"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:year>/", views.plan_detail, name="plan"),
    path("plans/<int:year>/items/add/", views.plan_add_item, name="plan_add_item"),
    path("plans/<int:year>/<slug:step>/", views.plan_transition, name="plan_step"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/report/", views.item_report, name="item_report"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("meetings/add/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/resolutions/add/", views.meeting_resolution_add, name="meeting_resolution_add"),
    path("meetings/<int:pk>/attach/", views.meeting_attach, name="meeting_attach"),
    path("resolutions/<int:pk>/", views.resolution_detail, name="resolution"),
    path("resolutions/<int:pk>/vote/", views.resolution_vote, name="resolution_vote"),
    path("resolutions/<int:pk>/decide/", views.resolution_decide, name="resolution_decide"),
    path("board/", views.board, name="board"),
    path("summaries/<int:year>/", views.summary, name="summary"),
    path("summaries/<int:year>/download.<str:fmt>", views.summary_download, name="summary_download"),
    path("alignment/", views.alignment, name="alignment"),
]
