"""Scoped reads of institutions, people and transfers."""

from __future__ import annotations

from typing import Any

from xieguan.accounts.models import Institution, SignInLock, SignInLockQuerySet, TransferRequest, User
from xieguan.accounts.permissions import MANAGE_PEOPLE, require
from xieguan.core.scope import get_object_for_user


def get_institution_for_user(user: Any, pk: Any) -> Institution:
    return get_object_for_user(Institution.objects.select_related("area", "responsible_supervisor"), user, pk)


def get_person_for_user(user: Any, pk: Any, *, include_inactive: bool = True) -> User:
    return get_object_for_user(User.objects.select_related("institution__area").prefetch_related("roles"), user, pk)


def get_managed_person_for_user(user: Any, pk: Any) -> User:
    """A person of the user's area whom the user may manage (the pages' and the API's rule)."""
    person = get_person_for_user(user, pk)
    require(user, MANAGE_PEOPLE, person.institution.area.path if person.institution else None)
    return person


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


def people_filtered(user: Any, *, role: str = "", q: str = "") -> Any:
    """The people ``user`` may see, with a role and a text (user name, full
    name or institution) to narrow them; the 人员 page and GET /api/people."""
    from django.db.models import Q

    from xieguan.accounts.models import RoleCode

    people = User.objects.visible_to(user).select_related("institution__area").prefetch_related("roles")
    if role in RoleCode.values:
        people = people.with_role(role)
    if q:
        people = people.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(institution__name__icontains=q))
    return people


def transfers_filtered(user: Any, *, status: str) -> Any:
    """The transfer requests ``user`` may see with one status; the 调动审批
    page and GET /api/transfers."""
    from xieguan.accounts.models import TransferStatus

    transfers = TransferRequest.objects.visible_to(user).select_related(
        "person", "from_institution", "to_institution", "requested_by", "decided_by"
    )
    if status in TransferStatus.values:
        transfers = transfers.filter(status=status)
    return transfers
