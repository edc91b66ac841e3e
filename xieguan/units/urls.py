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
    path("<str:pk>/", views.unit_detail, name="detail"),
    path("<str:pk>/edit/", views.unit_edit, name="edit"),
    path("<str:pk>/pdf/", views.unit_pdf, name="pdf"),
    path("<str:pk>/licences/new/", views.licence_add, name="licence_add"),
    path("<str:pk>/certificates/new/", views.certificate_add, name="certificate_add"),
]
