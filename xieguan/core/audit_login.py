"""Sign-in events into the audit log (SPEC §12: every login, logout and failed
login with user, time and address). These are Django's own authentication
signals — framework events, not domain behaviour."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from xieguan.core.audit import audit_record, client_ip


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="session.login", obj=user, ip=client_ip(request) if request else None)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="session.logout", obj=user, ip=client_ip(request) if request else None)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).select_related("institution__area").first()
    locked = bool(getattr(request, "axes_locked_out", False)) if request is not None else False
    audit_record(
        actor=None,
        username=username,
        action="session.locked_out" if locked else "session.login_failed",
        obj=user,
        area_path=user.institution.area.path if user and user.institution else "",
        ip=client_ip(request) if request is not None else None,
    )
