from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from xieguan.areas.models import Area


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ["name", "level", "code", "parent", "retired_on"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "successor"]
    readonly_fields = ["path"]
