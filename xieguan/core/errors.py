"""Error pages: Chinese HTML for pages, Chinese JSON under /api/."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


class MissingFile(Http404):
    """A record's stored file is not on disk (a lost disk, a restore without
    its media): answered 404 with this Chinese message rather than a 500.
    ``manage.py check_media`` lists such records."""

    def __init__(self) -> None:
        super().__init__(_("The file of this record is missing; tell the administrator."))


class StateConflict(ValidationError):
    """A request that is well formed but that the record's present state does
    not allow: a step out of order, a record already submitted, a month
    approved and locked. Pages show it like any ValidationError; the API
    answers 409 Conflict (RFC 9110 §15.5.10) rather than 422, so a client can
    tell "fix what you sent" from "reload: the record has moved on"."""


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Any) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": _("The request could not be understood.")}, status=400)
    return defaults.bad_request(request, exception, template_name="400.html")


def permission_denied(request: HttpRequest, exception: Any) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": str(exception) or _("Your role does not allow this.")}, status=403)
    return defaults.permission_denied(request, exception, template_name="403.html")


def page_not_found(request: HttpRequest, exception: Any) -> HttpResponse:
    missing = isinstance(exception, MissingFile)
    if _api(request):
        detail = str(exception) if missing else _("Not found, or outside your area.")
        return JsonResponse({"detail": detail}, status=404)
    if missing:
        from django.shortcuts import render

        return render(request, "404.html", {"explain": str(exception)}, status=404)
    return defaults.page_not_found(request, exception, template_name="404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    if _api(request):
        return JsonResponse(
            {"detail": _("Something went wrong on the server; it has been recorded. Try again later.")}, status=500
        )
    return defaults.server_error(request, template_name="500.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)
