from django.urls import path

from xieguan.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("new/", views.unit_create, name="create"),
    path("filing-rate/", views.filing_rate, name="filing_rate"),
    path("<str:pk>/", views.unit_detail, name="detail"),
    path("<str:pk>/edit/", views.unit_edit, name="edit"),
    path("<str:pk>/licences/new/", views.licence_add, name="licence_add"),
    path("<str:pk>/certificates/new/", views.certificate_add, name="certificate_add"),
]
