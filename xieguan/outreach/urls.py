from django.urls import path

from xieguan.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.outreach_list, name="list"),
    path("new/", views.outreach_create, name="create"),
    path("due/", views.outreach_due, name="due"),
    path("<str:pk>/", views.outreach_detail, name="detail"),
]
