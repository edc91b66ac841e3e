from django.urls import path

from xieguan.field import views

app_name = "field"
urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("token", views.token, name="token"),
]
