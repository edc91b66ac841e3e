from django.urls import path

from xieguan.complaints import views

app_name = "complaints"
urlpatterns = [
    # The public's pages: no login.
    path("new", views.complaint_new, name="new"),
    path("new/filed", views.complaint_filed, name="filed"),
    path("new/villages", views.public_villages, name="public_villages"),
    path("new/units", views.public_unit_search, name="public_units"),
    path("track", views.complaint_track, name="track"),
    path("track/status", views.complaint_track_status, name="track_status"),
    path("track/add", views.complaint_track_add, name="track_add"),
    path("track/reopen", views.complaint_track_reopen, name="track_reopen"),
    # Staff.
    path("", views.complaint_list, name="list"),
    path("export.xlsx", views.complaint_export, name="export"),
    path("settings/", views.complaint_settings, name="settings"),
    path("register/", views.complaint_register, name="register"),
    path("register/units", views.complaint_unit_search, name="units"),
    path("register/villages", views.complaint_villages, name="villages"),
    path("photos/<str:pk>/", views.complaint_photo, name="photo"),
    path("<str:pk>/", views.complaint_detail, name="detail"),
    path("<str:pk>/links/", views.complaint_link, name="link"),
    path("<str:pk>/<str:action>/", views.complaint_action, name="action"),
]
