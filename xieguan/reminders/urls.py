from django.urls import path

from xieguan.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="read"),
    path("due/", views.due_page, name="due"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/channel/", views.channel_save, name="channel"),
]
