"""What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): the
login page again with a Chinese message, or JSON for the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-ins: this account is locked for %(minutes)d minutes. "
        "Try again later or ask your administrator."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    from xieguan.accounts.forms import LoginForm

    # An unbound form: binding it would authenticate (and log) the attempt again.
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_message": lockout_message()},
        status=429,
    )
