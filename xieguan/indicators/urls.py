from django.urls import path

from xieguan.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("map.json", views.map_data, name="map_data"),
    path("map.xlsx", views.map_xlsx, name="map_xlsx"),
    path("summary/", views.summary, name="summary"),
    path("boundary/<str:pk>.json", views.boundary_data, name="boundary_data"),
    path("boundary/<str:pk>/", views.boundary_upload, name="boundary_upload"),
    path("<str:code>/", views.breakdown, name="breakdown"),
    path("<str:code>/records/", views.records, name="records"),
]
