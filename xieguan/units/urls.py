from django.urls import path

from xieguan.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("new/", views.unit_create, name="create"),
    path("filing-rate/", views.filing_rate, name="filing_rate"),
    path("export/", views.unit_export, name="export"),
    path("licences/", views.licence_expiry, name="licence_expiry"),
    path("certificates/", views.certificate_expiry, name="certificate_expiry"),
    path("import/", views.import_start, name="import_start"),
    path("import/template/<slug:code>/", views.import_template, name="import_template"),
    path("import/<str:pk>/", views.import_detail, name="import_detail"),
    path("import/<str:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<str:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("categories/", views.category_settings, name="categories"),
    path("categories/<slug:code>/subtypes/new/", views.subtype_create, name="subtype_create"),
    path("categories/<slug:code>/fields/new/", views.field_create, name="field_create"),
    path("categories/subtypes/<str:pk>/active/", views.subtype_active, name="subtype_active"),
    path("categories/fields/<str:pk>/active/", views.field_active, name="field_active"),
    path("pick/", views.unit_pick, name="pick"),
    path("<str:pk>/", views.unit_detail, name="detail"),
    path("<str:pk>/edit/", views.unit_edit, name="edit"),
    path("<str:pk>/pdf/", views.unit_pdf, name="pdf"),
    path("<str:pk>/merge/<str:other>/", views.unit_merge, name="merge"),
    path("<str:pk>/licences/new/", views.licence_add, name="licence_add"),
    path("<str:pk>/certificates/new/", views.certificate_add, name="certificate_add"),
]
