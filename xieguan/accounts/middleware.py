"""Session rules of SPEC §12 that Django does not enforce by itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from xieguan.accounts.two_factor import code_owed

# Paths a user whose password has expired may still reach.
_EXEMPT_PREFIXES = ("/accounts/password/", "/accounts/logout/", "/static/", "/i18n/", "/api/")
# Paths a user who still owes the second sign-in step may reach.
_CODE_EXEMPT_PREFIXES = ("/accounts/verify/", "/accounts/logout/", "/static/", "/i18n/")


class SecurityPolicyMiddleware:
    """Keeps a session that still owes its two-step code on the code page,
    and sends a user whose password is older than PASSWORD_MAX_AGE_DAYS to
    the password change page before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if not request.path.startswith(_CODE_EXEMPT_PREFIXES) and code_owed(request):
            if request.path.startswith(("/api/", "/m/token")):
                return JsonResponse({"detail": _("Enter the code from your authenticator app first.")}, status=403)
            return redirect(f"{reverse('accounts:two_factor_verify')}?next={quote(request.get_full_path())}")
        if not request.path.startswith(_EXEMPT_PREFIXES) and user.password_expired(settings.PASSWORD_MAX_AGE_DAYS):
            return redirect("accounts:password_change")
        return self.get_response(request)


class IdleSessionMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE, 30 minutes): a signed-in
    session's expiry moves forward as it is used, written at most once every
    SESSION_REFRESH_SECONDS instead of on every request
    (SESSION_SAVE_EVERY_REQUEST wrote the session's row and committed on
    every page and list the user opened). A session still expires 30 minutes
    after its last use, give or take that minute. Sits inside
    SessionMiddleware, so the session it marks is saved on the way out."""

    KEY = "_refreshed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        try:
            last = int(session.get(self.KEY, 0))
        except (TypeError, ValueError):
            last = 0
        if now - last >= settings.SESSION_REFRESH_SECONDS:
            session[self.KEY] = now
        return response
