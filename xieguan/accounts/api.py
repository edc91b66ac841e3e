"""API: tokens, the current user, institutions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from xieguan.accounts import services
from xieguan.accounts.models import ApiToken, Institution, SignInLock, hash_token
from xieguan.accounts.permissions import MANAGE_PEOPLE, require
from xieguan.accounts.schemas import InstitutionIn, InstitutionOut, LockoutOut, MeOut, TokenIn, TokenOut
from xieguan.accounts.selectors import (
    get_institution_for_user,
    get_signin_lock_for_user,
    signin_locks_in_force,
    two_factor_on,
)
from xieguan.areas.selectors import get_area_for_user
from xieguan.core.api import ErrorOut, ListOut
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_page

auth_router = Router(tags=["auth"])
router = Router(tags=["institutions"])
me_router = Router(tags=["auth"])
lockout_router = Router(tags=["lockouts"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from POST /api/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user__institution__area")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        found.touch()
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


@auth_router.post(
    "/token", auth=None, response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut}
)
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    """Exchange a user name and password for a bearer token. Wrong passwords
    count towards the same lockout as the sign-in page (5 → 15 minutes). A
    person with two-step sign-in also sends ``otp``, the app's current code."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        from xieguan.accounts.lockout import lockout_message

        raise HttpError(429, lockout_message(request))
    if user is None:
        raise HttpError(401, _("The user name or password is wrong."))
    if two_factor_on(user) and services.two_factor_match(user=user, code=payload.otp or "") is None:
        raise HttpError(401, _("This account signs in in two steps: send the code from the authenticator app as otp."))
    token, key = services.token_issue(user=user)
    return Status(200, {"token": key, "expires_at": token.expires_at})


@auth_router.delete("/token", response={204: None, 401: ErrorOut})
def token_delete(request: HttpRequest) -> Any:
    """Revoke the token this request was made with."""
    services.token_revoke(actor=request.user, token=request.api_token)  # type: ignore[attr-defined]
    return Status(204, None)


@me_router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request: HttpRequest) -> Any:
    """The signed-in user, their roles, institution and area."""
    user = request.user
    inst = user.institution
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "roles": sorted(user.role_codes),
        "institution": {"id": inst.pk, "name": inst.name, "type": inst.type} if inst else None,
        "area_id": inst.area_id if inst else None,
        "area_name": inst.area.name if inst else None,
    }


def _institution_out(i: Institution) -> dict[str, Any]:
    return {
        "id": i.pk,
        "name": i.name,
        "type": i.type,
        "type_label": i.get_type_display(),
        "area_id": i.area_id,
        "area_name": i.area.name,
        "host": i.host,
        "phone": i.phone,
        "address": i.address,
        "opened_on": i.opened_on,
        "closed_on": i.closed_on,
        "responsible_supervisor_id": i.responsible_supervisor_id,
    }


@router.get("", response={200: ListOut[InstitutionOut], **ERRORS})
def institution_list(
    request: HttpRequest,
    type: str | None = None,
    area_id: str | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Institutions in the caller's area, by name; page on with ``after``."""
    qs = Institution.objects.visible_to(request.user).select_related("area")
    if type:
        qs = qs.filter(type=type)
    if area_id:
        qs = qs.filter(area=get_area_for_user(request.user, area_id))
    page = keyset_page(qs, ordering=["name", "id"], cursor=after, size=limit)
    return {"items": [_institution_out(i) for i in page.items], "next": page.next_cursor}


@router.get("/{institution_id}", response={200: InstitutionOut, **ERRORS})
def institution_get(request: HttpRequest, institution_id: str) -> Any:
    return _institution_out(get_institution_for_user(request.user, institution_id))


@router.post("", response={200: InstitutionOut, 201: InstitutionOut, **ERRORS})
def institution_create(request: HttpRequest, payload: InstitutionIn) -> Any:
    """Create an institution; idempotent on ``id`` (200 with the existing record)."""
    existing = existing_for_retry(Institution, payload.id, request.user)
    if existing is not None:
        return Status(200, _institution_out(existing))
    area = get_area_for_user(request.user, payload.area_id)
    data = payload.dict(exclude={"area_id"})
    institution = services.institution_create(actor=request.user, area=area, **data)
    return Status(201, _institution_out(institution))


def _lockout_out(lock: SignInLock) -> dict[str, Any]:
    return {
        "id": lock.pk,
        "kind": lock.kind,
        "kind_label": lock.get_kind_display(),
        "username": lock.username,
        "person_id": lock.user_id,
        "person_name": str(lock.user) if lock.user is not None else None,
        "ip_address": lock.ip_address,
        "locked_at": lock.locked_at,
        "until": lock.until,
        "released_at": lock.released_at,
    }


@lockout_router.get("", response={200: ListOut[LockoutOut], **ERRORS})
def lockout_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """Sign-in locks in force on people of the caller's area, newest first
    (for administrators who manage people; locks on addresses for system
    administrators only). Page on with ``after``."""
    require(request.user, MANAGE_PEOPLE)
    page = keyset_page(signin_locks_in_force(request.user), ordering=["-locked_at", "id"], cursor=after, size=limit)
    return {"items": [_lockout_out(lock) for lock in page.items], "next": page.next_cursor}


@lockout_router.post("/{lock_id}/release", response={200: LockoutOut, **ERRORS})
def lockout_release(request: HttpRequest, lock_id: str) -> Any:
    """Release a lock before its cool-off ends (audited as signin.released);
    404 outside the caller's area, 422 when it has already ended."""
    lock = get_signin_lock_for_user(request.user, lock_id)
    return _lockout_out(services.signin_lock_release(actor=request.user, lock=lock))
