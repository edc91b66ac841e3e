from django.urls import path

from xieguan.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("indicators/", views.indicators, name="indicators"),
    path("zero/", views.zero_reports, name="zero"),
    path("register/", views.register, name="register"),
    path("categories/", views.category_list, name="categories"),
    path("categories/new/", views.category_edit, name="category_create"),
    path("categories/<slug:code>/", views.category_edit, name="category_edit"),
    path("exposed/", views.exposed_list, name="exposed_list"),
    path("exposed/new/", views.exposed_create, name="exposed_create"),
    path("exposed/<str:pk>/", views.exposed_detail, name="exposed_detail"),
    path("photos/<str:pk>/", views.report_photo, name="photo"),
    path("<str:pk>/", views.report_detail, name="detail"),
    path("<str:pk>/links/", views.report_link, name="link"),
    path("<str:pk>/<slug:action>/", views.report_step, name="step"),
]
