"""The second sign-in step (SPEC §12, optional per person).

Signing in with the password marks the session "code still owed" when the
person has an authenticator app; ``SecurityPolicyMiddleware`` then keeps
every page but the code page and sign-out from them until django-otp has
verified a code in this session."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

SESSION_KEY = "xieguan_two_factor_owed"


@receiver(user_logged_in, dispatch_uid="xieguan-two-factor-owed")
def _mark_code_owed(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    from xieguan.accounts.selectors import two_factor_on

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = two_factor_on(user)


def code_owed(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.session.get(SESSION_KEY):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified())
