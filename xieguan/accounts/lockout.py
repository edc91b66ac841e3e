"""Sign-in limits an attacker cannot turn against users (SPEC §12, issue 17).

django-axes counts failures per user name *and* address
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``): five wrong
passwords for ``bureau`` from one address lock ``bureau`` for that address
only, and the right password from anywhere else still signs in. Attempts
while locked are refused without being counted
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so the cool-off
is fixed and cannot be prolonged by knocking.

What axes cannot say is a second, larger limit per address across user names
(password spraying): it compares the largest count of all its parameter sets
with one ``AXES_FAILURE_LIMIT``, so "5 per name and address" and "20 per
address" cannot both be given. ``SignInLockHandler`` adds that one, and
records every lock as a ``SignInLock`` (audited ``signin.locked``) that the
person's administrator sees and may release (``signin_lock_release``).

What a locked-out sign-in gets (``AXES_LOCKOUT_CALLABLE``): the login page
again with a Chinese message, or JSON with 429 for the API.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xieguan.accounts.models import SignInLock, SignInLockKind, User
from xieguan.core.audit import audit_record


def cool_off() -> timedelta:
    return settings.AXES_COOLOFF_TIME


def address_failures(ip_address: str | None, at: datetime) -> int:
    """Failed sign-ins from one address, whatever the user name, within the
    cool-off before ``at`` and since the address's last released lock."""
    if not ip_address:
        return 0
    since = at - cool_off()
    released = SignInLock.objects.filter(
        kind=SignInLockKind.ADDRESS, ip_address=ip_address, released_at__isnull=False
    ).aggregate(last=Max("released_at"))["last"]
    if released is not None and released > since:
        since = released
    attempts = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def address_lock(ip_address: str | None) -> SignInLock | None:
    if not ip_address:
        return None
    return SignInLock.objects.active().filter(kind=SignInLockKind.ADDRESS, ip_address=ip_address).first()


def lock_record(*, kind: str, username: str, ip_address: str | None, at: datetime) -> SignInLock:
    """The lock that starts at ``at`` (the one in force, if a concurrent
    request recorded it first), audited as ``signin.locked``."""
    same = SignInLock.objects.active().filter(kind=kind, ip_address=ip_address)
    if kind == SignInLockKind.ACCOUNT:
        same = same.filter(username=username)
    with transaction.atomic():
        existing = same.first()
        if existing is not None:
            return existing
        user = (
            User.objects.filter(username=username).select_related("institution__area").first()
            if kind == SignInLockKind.ACCOUNT
            else None
        )
        lock = SignInLock.objects.create(
            kind=kind,
            username=username if kind == SignInLockKind.ACCOUNT else "",
            user=user,
            ip_address=ip_address,
            locked_at=at,
            until=at + cool_off(),
        )
        audit_record(
            actor=None,
            username=username,
            action="signin.locked",
            obj=lock,
            ip=ip_address,
            changes={"until": [None, lock.until]},
        )
    return lock


class SignInLockHandler(AxesDatabaseHandler):
    """axes' database handler plus the per-address limit and the lock records."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if address_lock(getattr(request, "axes_ip_address", None)) is not None:
            request.signin_lock_kind = SignInLockKind.ADDRESS
            return True
        return super().is_locked(request, credentials)

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        # Refused while locked: axes records nothing, so the cool-off stays fixed.
        refused = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or refused:
            return
        username = str(get_client_username(request, credentials) or "")[:150]
        ip_address = request.axes_ip_address
        at = request.axes_attempt_time
        if request.axes_locked_out:
            lock_record(kind=SignInLockKind.ACCOUNT, username=username, ip_address=ip_address, at=at)
            return
        limit = settings.LOCKOUT_ADDRESS_FAILURES
        if limit and address_failures(ip_address, at) >= limit:
            lock_record(kind=SignInLockKind.ADDRESS, username=username, ip_address=ip_address, at=at)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.signin_lock_kind = SignInLockKind.ADDRESS


def lockout_message(request: HttpRequest | None = None) -> str:
    minutes = int(cool_off().total_seconds() // 60)
    if getattr(request, "signin_lock_kind", None) == SignInLockKind.ADDRESS:
        return _(
            "Too many failed sign-ins from your network address: signing in from it is paused for "
            "%(minutes)d minutes. Try again later or ask your administrator."
        ) % {"minutes": minutes}
    return _(
        "Too many failed sign-ins: this account is locked for %(minutes)d minutes. "
        "Try again later or ask your administrator."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(request)}, status=429)
    from xieguan.accounts.forms import LoginForm

    # An unbound form: binding it would authenticate (and log) the attempt again.
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_message": lockout_message(request)},
        status=429,
    )
