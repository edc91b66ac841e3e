from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLResolver, include, path

from config.api import api


def signed_out_allowed(urls: Any) -> Any:
    """Exempt every view of an included URL set from LoginRequiredMiddleware.
    The API answers a signed-out call with its own 401 JSON (bearer token or
    session), the admin sends people to its own sign-in page, and the
    language switch is used on the sign-in page: the site-wide redirect to
    the sign-in page must touch none of them."""
    module = urls[0] if isinstance(urls, tuple) else urls
    patterns = getattr(module, "urlpatterns", module)
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            signed_out_allowed(pattern.url_patterns)
        elif getattr(pattern.callback, "login_required", True):
            # A bound method (the admin's own) is marked on its function.
            login_not_required(getattr(pattern.callback, "__func__", pattern.callback))
    return urls


admin.site.site_header = "卫生监督协管信息系统 · 系统管理"
admin.site.site_title = "系统管理"

urlpatterns = [
    path("api/", signed_out_allowed(api.urls)),
    path("admin/", signed_out_allowed(admin.site.urls)),
    path("i18n/", signed_out_allowed(include("django.conf.urls.i18n"))),
    path("areas/", include("xieguan.areas.urls")),
    path("units/", include("xieguan.units.urls")),
    path("complaints/", include("xieguan.complaints.urls")),
    path("reports/", include("xieguan.reports.urls")),
    path("monthly/", include("xieguan.monthly.urls")),
    path("indicators/", include("xieguan.indicators.urls")),
    path("", include("xieguan.campaigns.urls")),
    path("", include("xieguan.risk.urls")),
    path("", include("xieguan.assessments.urls")),
    path("", include("xieguan.archives.urls")),
    path("m/", include("xieguan.field.urls")),
    path("reminders/", include("xieguan.reminders.urls")),
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
