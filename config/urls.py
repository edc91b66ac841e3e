from django.contrib import admin
from django.urls import include, path

from config.api import api

admin.site.site_header = "卫生监督协管信息系统 · 系统管理"
admin.site.site_title = "系统管理"

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("areas/", include("xieguan.areas.urls")),
    path("units/", include("xieguan.units.urls")),
    path("complaints/", include("xieguan.complaints.urls")),
    path("reports/", include("xieguan.reports.urls")),
    path("monthly/", include("xieguan.monthly.urls")),
    path("m/", include("xieguan.field.urls")),
    path("", include("xieguan.outreach.urls")),
    path("", include("xieguan.inspections.urls")),
    path("", include("xieguan.accounts.urls")),
    path("", include("xieguan.core.urls")),
]

handler400 = "xieguan.core.errors.bad_request"
handler403 = "xieguan.core.errors.permission_denied"
handler404 = "xieguan.core.errors.page_not_found"
handler500 = "xieguan.core.errors.server_error"

# The Django admin is for system administrators (superusers) only; county
# administrators work on the ordinary pages, scoped to their county.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser  # type: ignore[method-assign]
