from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from xieguan.accounts.models import Institution, TransferRequest, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "institution", "is_active", "is_superuser"]
    search_fields = ["username", "full_name"]
    raw_id_fields = ["institution"]
    filter_horizontal = ["roles", "groups", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Health supervision assistance"),
            {"fields": ("full_name", "institution", "roles", "phone", "education", "title", "inspection_card_no")},
        ),
    )


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "type", "area", "closed_on"]
    list_filter = ["type"]
    search_fields = ["name"]
    raw_id_fields = ["area", "responsible_supervisor"]


@admin.register(TransferRequest)
class TransferRequestAdmin(admin.ModelAdmin):
    list_display = ["person", "from_institution", "to_institution", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["person", "from_institution", "to_institution", "requested_by", "decided_by"]
