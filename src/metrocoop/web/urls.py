from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from metrocoop.core.login_guard import GuardedLoginView
from metrocoop.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("home/", views.home, name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("login/", GuardedLoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("cities/", views.city_list, name="cities"),
    path("cities/<str:code>/", views.city_detail, name="city"),
    path("cities/<str:code>/profile/", views.city_profile_block, name="city_profile"),
    path("cities/<str:code>/profile/edit/", views.city_profile_edit, name="city_profile_edit"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("audit/<str:app_label>/<str:model>/<str:pk>/", views.audit_for_object, name="audit_object"),
    path("jobs/<uuid:pk>/", views.job_status, name="job"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
    path("modules/<slug:key>/", views.module_page, name="module"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
