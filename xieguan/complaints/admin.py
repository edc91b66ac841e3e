from django.contrib import admin

from xieguan.complaints.models import CalendarOverride, ComplaintSettings


@admin.register(ComplaintSettings)
class ComplaintSettingsAdmin(admin.ModelAdmin):
    list_display = ("county", "accept_days", "handle_days", "reply_days", "reopen_days", "near_days")


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("county", "date", "is_workday", "note")
    list_filter = ("is_workday",)


# Complaints themselves are not in the Django admin: the complainant is shown
# only to the case's handlers, through the complaint pages, with each view audited.
