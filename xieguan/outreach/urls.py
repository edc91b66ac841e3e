from django.urls import path

from xieguan.outreach import views

app_name = "outreach"
urlpatterns = [
    path("outreach/", views.outreach_list, name="list"),
    path("outreach/new/", views.outreach_create, name="create"),
    path("outreach/due/", views.outreach_due, name="due"),
    path("outreach/photos/<str:pk>/", views.outreach_photo, name="photo"),
    path("outreach/<str:pk>/", views.outreach_detail, name="detail"),
    path("outreach/<str:pk>/edit/", views.outreach_edit, name="edit"),
    path("outreach/<str:pk>/delete/", views.outreach_delete, name="delete"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/hours/", views.hours_list, name="hours"),
    path("trainings/hours/<str:pk>/", views.hours_person, name="hours_person"),
    path("trainings/<str:pk>/", views.training_detail, name="training_detail"),
    path("trainings/<str:pk>/edit/", views.training_edit, name="training_edit"),
    path("trainings/<str:pk>/delete/", views.training_delete, name="training_delete"),
    path("trainings/<str:pk>/guests/new/", views.training_guest, name="training_guest"),
    path("trainings/<str:pk>/sign-in/<str:token>/", views.training_sign_in, name="training_sign_in"),
]
