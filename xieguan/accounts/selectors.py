"""Scoped reads of institutions, people and transfers."""

from __future__ import annotations

from typing import Any

from xieguan.accounts.models import Institution, SignInLock, SignInLockQuerySet, TransferRequest, User
from xieguan.core.scope import get_object_for_user


def get_institution_for_user(user: Any, pk: Any) -> Institution:
    return get_object_for_user(Institution.objects.select_related("area", "responsible_supervisor"), user, pk)


def get_person_for_user(user: Any, pk: Any, *, include_inactive: bool = True) -> User:
    return get_object_for_user(User.objects.select_related("institution__area").prefetch_related("roles"), user, pk)


def get_transfer_for_user(user: Any, pk: Any) -> TransferRequest:
    return get_object_for_user(
        TransferRequest.objects.select_related(
            "person", "from_institution__area", "to_institution__area", "requested_by"
        ),
        user,
        pk,
    )


def signin_locks_in_force(user: Any) -> SignInLockQuerySet:
    """The sign-in locks in force that ``user`` may see: on people of their
    area; locks on an address or on a user name that names nobody belong to no
    area, so only a system administrator sees them."""
    return SignInLock.objects.visible_to(user).active().select_related("user__institution__area")


def get_signin_lock_for_user(user: Any, pk: Any) -> SignInLock:
    return get_object_for_user(SignInLock.objects.select_related("user__institution__area"), user, pk)


def two_factor_on(user: Any) -> bool:
    """Whether the user signs in with a code from an authenticator app too."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return (
        bool(getattr(user, "is_authenticated", False)) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


def backup_codes_left(user: Any) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
