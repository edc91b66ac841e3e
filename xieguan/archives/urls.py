from django.urls import path

from xieguan.archives import views

app_name = "archives"
urlpatterns = [
    path("documents/<str:kind>/<str:owner_id>/", views.documents, name="documents"),
    path("documents/<str:pk>/", views.document_detail, name="document"),
    path("document-versions/<str:pk>/file/", views.version_file, name="version_file"),
    path("upper-documents/", views.upper_list, name="upper_list"),
    path("upper-documents/new/", views.upper_create, name="upper_create"),
    path("upper-documents/<str:pk>/", views.upper_detail, name="upper_detail"),
    path("upper-documents/<str:pk>/acknowledge/", views.upper_acknowledge, name="upper_acknowledge"),
    path("upper-documents/<str:pk>/file/", views.upper_file, name="upper_file"),
    path("archives/", views.archive_index, name="index"),
    path("archives/packages/<str:pk>/", views.package_detail, name="package"),
    path("archives/packages/<str:pk>/download/", views.package_download, name="package_download"),
    path("archives/<int:year>/", views.archive_year, name="year"),
    path("archives/<int:year>/close/", views.year_close, name="close"),
    path("archives/<int:year>/reopen-request/", views.year_reopen_request, name="reopen_request"),
    path("archives/<int:year>/reopen-grant/", views.year_reopen_grant, name="reopen_grant"),
    path("archives/<int:year>/<str:area_id>/", views.archive_year, name="year_area"),
    path("archives/<int:year>/<str:area_id>/package/", views.package_start, name="package_start"),
    path("archives/<int:year>/<str:area_id>/<int:index>/", views.archive_section, name="section"),
]
