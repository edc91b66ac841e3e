"""Session rules of SPEC §12 that Django does not enforce by itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Paths a user whose password has expired may still reach.
_EXEMPT_PREFIXES = ("/accounts/password/", "/accounts/logout/", "/static/", "/i18n/", "/api/")


class SecurityPolicyMiddleware:
    """Sends a user whose password is older than PASSWORD_MAX_AGE_DAYS to the
    password change page before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and user.password_expired(settings.PASSWORD_MAX_AGE_DAYS)
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)
