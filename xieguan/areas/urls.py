from django.urls import path

from xieguan.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.area_list, name="list"),
    path("import/", views.area_import, name="import"),
    path("<str:pk>/", views.area_detail, name="detail"),
    path("<str:pk>/new/", views.area_create, name="create"),
    path("<str:pk>/edit/", views.area_edit, name="edit"),
    path("<str:pk>/retire/", views.area_retire, name="retire"),
    path("<str:pk>/split/", views.area_split, name="split"),
]
