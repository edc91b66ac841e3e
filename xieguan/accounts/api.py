"""API: tokens, the current user, institutions."""

from __future__ import annotations

from typing import Any, Literal

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from xieguan.accounts import services
from xieguan.accounts.models import (
    ApiToken,
    Institution,
    InstitutionType,
    RoleCode,
    SignInLock,
    TransferRequest,
    User,
    hash_token,
)
from xieguan.accounts.permissions import (
    APPROVE_TRANSFERS,
    MANAGE_INSTITUTIONS,
    MANAGE_PEOPLE,
    VIEW_PEOPLE,
    can,
    require,
)
from xieguan.accounts.schemas import (
    ActiveIn,
    ApiTokenCreatedOut,
    ApiTokenIn,
    ApiTokenOut,
    BackupCodesOut,
    InstitutionIn,
    InstitutionOut,
    InstitutionPatch,
    LockoutOut,
    MeOut,
    MoveIn,
    PasswordChangeIn,
    PasswordResetIn,
    PersonDetailOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    RoleName,
    RoleOut,
    SupervisorIn,
    TokenIn,
    TokenOut,
    TransferDecideIn,
    TransferIn,
    TransferOut,
    TwoFactorCodeIn,
    TwoFactorConfirmIn,
    TwoFactorOut,
    TwoFactorStartOut,
)
from xieguan.accounts.selectors import (
    backup_codes_left,
    get_institution_for_user,
    get_managed_person_for_user,
    get_person_for_user,
    get_signin_lock_for_user,
    get_transfer_for_user,
    people_filtered,
    signin_locks_in_force,
    transfers_filtered,
    two_factor_on,
)
from xieguan.areas.selectors import get_area_for_user
from xieguan.core.api import ERRORS, ErrorOut, ListOut
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_list, keyset_page
from xieguan.core.scope import get_object_for_user

auth_router = Router(tags=["auth"])
router = Router(tags=["institutions"])
me_router = Router(tags=["auth"])
lockout_router = Router(tags=["lockouts"])


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


@auth_router.post("/password", response={204: None, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut})
def password_change(request: HttpRequest, payload: PasswordChangeIn) -> Any:
    """Change one's own password (修改密码). Every API token of the account is
    revoked with it, this one too: sign in again with POST /api/auth/token."""
    services.password_change(actor=request.user, old_password=payload.old_password, new_password=payload.new_password)
    return Status(204, None)


@auth_router.get("/two-factor", response={200: TwoFactorOut, 401: ErrorOut})
def two_factor_state(request: HttpRequest) -> Any:
    """Whether one's own two-step sign-in is on, and the backup codes left."""
    on = two_factor_on(request.user)
    return {"on": on, "backup_codes_left": backup_codes_left(request.user) if on else 0}


@auth_router.post("/two-factor/start", response={200: TwoFactorStartOut, 401: ErrorOut, 422: ErrorOut})
def two_factor_start(request: HttpRequest) -> Any:
    """Begin turning two-step sign-in on: a new authenticator key (an earlier
    unconfirmed one is dropped); it counts once confirmed with a code."""
    import base64

    device = services.two_factor_start(actor=request.user)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return {"device_id": device.pk, "secret": secret, "config_url": device.config_url}


@auth_router.post("/two-factor/confirm", response={200: BackupCodesOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut})
def two_factor_confirm(request: HttpRequest, payload: TwoFactorConfirmIn) -> Any:
    """Turn two-step sign-in on with the app's first code; answers the backup codes."""
    codes = services.two_factor_confirm(actor=request.user, device_id=payload.device_id, code=payload.code)
    return {"backup_codes": codes}


@auth_router.post(
    "/two-factor/backup-codes",
    response={200: BackupCodesOut, 400: ErrorOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def two_factor_backup_codes(request: HttpRequest, payload: TwoFactorCodeIn) -> Any:
    """New backup codes (the old ones stop working), after a current code;
    409 when two-step sign-in is not on."""
    return {"backup_codes": services.two_factor_backup_codes(actor=request.user, code=payload.code)}


@auth_router.post(
    "/two-factor/off", response={200: TwoFactorOut, 400: ErrorOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut}
)
def two_factor_off(request: HttpRequest, payload: TwoFactorCodeIn) -> Any:
    """Turn one's own two-step sign-in off, with a current code; 409 when it is not on."""
    services.two_factor_off(actor=request.user, person=request.user, code=payload.code)
    return {"on": False, "backup_codes_left": 0}


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
    q: str | None = Query(None, max_length=50, description="part of the name or the host, as the picker searches"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Institutions in the caller's area, by name; page on with ``after``."""
    qs = Institution.objects.visible_to(request.user).select_related("area")
    if type:
        qs = qs.filter(type=type)
    if q and q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(host__icontains=q.strip()))
    if area_id:
        qs = qs.filter(area=get_area_for_user(request.user, area_id))
    return keyset_list(qs, ordering=["name", "id"], cursor=after, size=limit, out=_institution_out)


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


# People (人员), roles, transfers, API tokens: what the people pages do --------

people_router = Router(tags=["people"])
roles_router = Router(tags=["people"])
transfers_router = Router(tags=["transfers"])
tokens_router = Router(tags=["auth"])


def _person_out(p: User) -> dict[str, Any]:
    inst = p.institution
    codes = sorted(p.role_codes)
    return {
        "id": p.pk,
        "username": p.username,
        "full_name": p.full_name,
        "is_active": p.is_active,
        "roles": codes,
        "role_labels": [str(RoleCode(c).label) for c in codes],
        "institution_id": inst.pk if inst else None,
        "institution_name": inst.name if inst else None,
        "area_id": inst.area_id if inst else None,
        "area_name": inst.area.name if inst else None,
        **{f: getattr(p, f) for f in services.PROFILE_FIELDS if f not in ("id_number",)},
    }


@roles_router.get("", response={200: list[RoleOut], 401: ErrorOut})
def role_list(request: HttpRequest) -> Any:
    """The fixed roles (SPEC §2) with their Chinese names and the kinds of
    institution whose people may hold them (higher-level read-only: any)."""
    return [
        {
            "code": code,
            "label": str(label),
            "institution_types": sorted(
                str(t) for t, allowed in services.ROLES_BY_INSTITUTION.items() if code in allowed
            )
            if code != RoleCode.HIGHER_READONLY
            else sorted(InstitutionType.values),
        }
        for code, label in RoleCode.choices
    ]


@people_router.get("", response={200: ListOut[PersonOut], **ERRORS})
def person_list(
    request: HttpRequest,
    role: RoleName | None = None,
    q: str | None = Query(None, max_length=50, description="user name, full name or institution"),
    institution_id: str | None = Query(None, description="the staff of one institution"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """People of the caller's area by user name (those who may view people);
    the filters of the 人员 page, or an institution's staff. Page on with ``after``."""
    require(request.user, VIEW_PEOPLE)
    people = people_filtered(request.user, role=role or "", q=q or "")
    if institution_id:
        people = people.filter(institution=get_institution_for_user(request.user, institution_id))
    return keyset_list(people, ordering=["username", "id"], cursor=after, size=limit, out=_person_out)


@people_router.post("", response={200: PersonOut, 201: PersonOut, **ERRORS})
def person_create(request: HttpRequest, payload: PersonIn) -> Any:
    """Add a person to an institution of the caller's area; idempotent on ``id``."""
    require(request.user, MANAGE_PEOPLE)
    existing = existing_for_retry(User, payload.id, request.user)
    if existing is not None:
        return Status(200, _person_out(get_person_for_user(request.user, existing.pk)))
    institution = get_institution_for_user(request.user, payload.institution_id)
    data = payload.dict(exclude={"institution_id"})
    person = services.user_create(actor=request.user, institution=institution, **data)
    return Status(201, _person_out(get_person_for_user(request.user, person.pk)))


@people_router.get("/{person_id}", response={200: PersonDetailOut, **ERRORS})
def person_get(request: HttpRequest, person_id: str) -> Any:
    require(request.user, VIEW_PEOPLE)
    person = get_person_for_user(request.user, person_id)
    return _person_detail(request, person)


def _person_detail(request: HttpRequest, person: User) -> dict[str, Any]:
    """A person as the person page shows them: the profile, two-step sign-in
    (to those who manage people) and their transfer requests."""
    transfers = (
        TransferRequest.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("person", "from_institution", "to_institution", "requested_by", "decided_by")
        .order_by("-created_at", "id")
    )
    return {
        **_person_out(person),
        "two_factor": two_factor_on(person) if can(request.user, MANAGE_PEOPLE) else None,
        "transfers": [_transfer_out(t) for t in transfers],
    }


@people_router.patch("/{person_id}", response={200: PersonOut, **ERRORS})
def person_patch(request: HttpRequest, person_id: str, payload: PersonPatch) -> Any:
    """Change the profile fields and roles sent (not the institution: see
    /move and /api/transfers)."""
    person = get_managed_person_for_user(request.user, person_id)
    data = {k: ("" if v is None and k != "appointed_on" else v) for k, v in payload.dict(exclude_unset=True).items()}
    roles = data.pop("roles", None) or None
    if "is_full_time" in data and data["is_full_time"] == "":
        data["is_full_time"] = False
    services.user_update(actor=request.user, person=person, roles=roles, **data)
    return _person_out(get_person_for_user(request.user, person.pk))


@people_router.post("/{person_id}/password", response={200: PersonOut, **ERRORS})
def person_password(request: HttpRequest, person_id: str, payload: PasswordResetIn) -> Any:
    """Set a new password; the person's API tokens are revoked."""
    person = get_managed_person_for_user(request.user, person_id)
    try:
        services.user_reset_password(actor=request.user, person=person, password=payload.password)
    except ValidationError as exc:
        if "new_password" in getattr(exc, "error_dict", {}):
            raise ValidationError({"password": exc.error_dict["new_password"]}) from None
        raise
    return _person_out(person)


@people_router.post("/{person_id}/active", response={200: PersonOut, **ERRORS})
def person_active(request: HttpRequest, person_id: str, payload: ActiveIn) -> Any:
    """Deactivate (revoking the tokens) or reactivate an account."""
    person = get_person_for_user(request.user, person_id, include_inactive=True)
    services.user_set_active(actor=request.user, person=person, active=payload.active)
    return _person_out(person)


@people_router.post("/{person_id}/move", response={200: PersonOut, **ERRORS})
def person_move(request: HttpRequest, person_id: str, payload: MoveIn) -> Any:
    """Move a person who is not a co-manager to another institution at once;
    a co-manager moves only through POST /api/transfers (422 here)."""
    person = get_managed_person_for_user(request.user, person_id)
    institution = get_institution_for_user(request.user, payload.institution_id)
    services.user_move(actor=request.user, person=person, institution=institution)
    return _person_out(get_person_for_user(request.user, person.pk))


@people_router.post("/{person_id}/two-factor-off", response={200: PersonDetailOut, **ERRORS})
def person_two_factor_off(request: HttpRequest, person_id: str) -> Any:
    """Turn a person's two-step sign-in off (a lost phone); for those who
    manage the person's area."""
    person = get_person_for_user(request.user, person_id)
    require(request.user, MANAGE_PEOPLE)  # the role first: 403 for one who manages nobody, whoever is named
    if person.pk == request.user.pk:
        raise ValidationError(_("Turn your own two-step sign-in off on the security page, with a current code."))
    services.two_factor_off(actor=request.user, person=person)
    return _person_detail(request, person)


def _transfer_out(t: TransferRequest) -> dict[str, Any]:
    return {
        "id": t.pk,
        "person_id": t.person_id,
        "person_name": str(t.person),
        "from_institution_id": t.from_institution_id,
        "from_institution_name": t.from_institution.name,
        "to_institution_id": t.to_institution_id,
        "to_institution_name": t.to_institution.name,
        "reason": t.reason,
        "status": t.status,
        "status_label": t.get_status_display(),
        "requested_by": str(t.requested_by),
        "requested_at": t.created_at,
        "decided_by": str(t.decided_by) if t.decided_by else None,
        "decided_at": t.decided_at,
        "decision_note": t.decision_note,
    }


@transfers_router.get("", response={200: ListOut[TransferOut], **ERRORS})
def transfer_list(
    request: HttpRequest,
    status: Literal["pending", "approved", "refused"] = "pending",
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Transfer requests of co-managers of the caller's area, newest first
    (for those who approve transfers); pending ones unless ``status`` says."""
    require(request.user, APPROVE_TRANSFERS)
    page = keyset_page(
        transfers_filtered(request.user, status=status), ordering=["-created_at", "id"], cursor=after, size=limit
    )
    return {"items": [_transfer_out(t) for t in page.items], "next": page.next_cursor}


@transfers_router.get("/{transfer_id}", response={200: TransferOut, **ERRORS})
def transfer_get(request: HttpRequest, transfer_id: str) -> Any:
    return _transfer_out(get_transfer_for_user(request.user, transfer_id))


@transfers_router.post("", response={200: TransferOut, 201: TransferOut, **ERRORS})
def transfer_create(request: HttpRequest, payload: TransferIn) -> Any:
    """Ask the bureau to move a co-manager (the 调动 request of the person
    page); idempotent on ``id``."""
    existing = existing_for_retry(TransferRequest, payload.id, request.user)
    if existing is not None:
        return Status(200, _transfer_out(get_transfer_for_user(request.user, existing.pk)))
    person = get_managed_person_for_user(request.user, str(payload.person_id))
    to = get_institution_for_user(request.user, payload.to_institution_id)
    transfer = services.transfer_request(
        actor=request.user, person=person, to_institution=to, reason=payload.reason, id=payload.id
    )
    return Status(201, _transfer_out(get_transfer_for_user(request.user, transfer.pk)))


@transfers_router.post("/{transfer_id}/decide", response={200: TransferOut, **ERRORS})
def transfer_decide(request: HttpRequest, transfer_id: str, payload: TransferDecideIn) -> Any:
    """Approve (the person moves now) or refuse (with a note)."""
    transfer = get_transfer_for_user(request.user, transfer_id)
    require(request.user, APPROVE_TRANSFERS, transfer.from_institution.area.path)
    services.transfer_decide(
        actor=request.user, transfer=transfer, approve=payload.decision == "approve", note=payload.note
    )
    return _transfer_out(get_transfer_for_user(request.user, transfer.pk))


@router.patch("/{institution_id}", response={200: InstitutionOut, **ERRORS})
def institution_patch(request: HttpRequest, institution_id: str, payload: InstitutionPatch) -> Any:
    """Change the fields sent (not the type or the area)."""
    institution = get_institution_for_user(request.user, institution_id)
    require(request.user, MANAGE_INSTITUTIONS, institution.area.path)
    data = payload.dict(exclude_unset=True)
    for name in ("name", "host", "phone", "address"):
        if name in data and data[name] is None:
            data[name] = ""
    services.institution_update(actor=request.user, institution=institution, **data)
    return _institution_out(get_institution_for_user(request.user, institution.pk))


@router.put("/{institution_id}/supervisor", response={200: InstitutionOut, **ERRORS})
def institution_supervisor(request: HttpRequest, institution_id: str, payload: SupervisorIn) -> Any:
    """Name (or clear) the 责任监督员 of a township's station."""
    institution = get_institution_for_user(request.user, institution_id)
    require(request.user, MANAGE_INSTITUTIONS, institution.area.path)
    supervisor = None
    if payload.supervisor_id is not None:
        supervisor = User.objects.visible_to(request.user).filter(pk=payload.supervisor_id).first()
        if supervisor is None:
            raise ValidationError({"supervisor_id": _("Choose a supervisor of your county.")})
    services.institution_assign_supervisor(actor=request.user, institution=institution, supervisor=supervisor)
    return _institution_out(get_institution_for_user(request.user, institution.pk))


def _token_out(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.pk,
        "person_id": t.user_id,
        "label": str(t),
        "created_at": t.created_at,
        "expires_at": t.expires_at,
        "last_used_at": t.last_used_at,
        "revoked_at": t.revoked_at,
    }


@tokens_router.get("", response={200: ListOut[ApiTokenOut], **ERRORS})
def api_token_list(
    request: HttpRequest,
    person_id: str | None = Query(None, description="another person's tokens (for those who manage people)"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The API tokens in force of the caller, or of a person the caller
    manages (as the person page lists them), newest first."""
    person = request.user if not person_id else get_managed_person_for_user(request.user, person_id)
    qs = ApiToken.objects.filter(user=person, revoked_at__isnull=True, expires_at__gt=timezone.now())
    return keyset_list(qs, ordering=["-created_at", "id"], cursor=after, size=limit, out=_token_out)


@tokens_router.post("", response={200: ApiTokenCreatedOut, 201: ApiTokenCreatedOut, **ERRORS})
def api_token_create(request: HttpRequest, payload: ApiTokenIn) -> Any:
    """A new token for the caller (another device), its key shown this once;
    idempotent on ``id`` (a retry answers 200 with ``token`` null)."""
    existing = existing_for_retry(ApiToken, payload.id, request.user)
    if existing is not None:
        if existing.user_id != request.user.pk:
            raise Http404
        return Status(200, {**_token_out(existing), "token": None})
    token, key = services.token_issue(user=request.user, id=payload.id)
    return Status(201, {**_token_out(token), "token": key})


@tokens_router.post("/{token_id}/revoke", response={200: ApiTokenOut, **ERRORS})
def api_token_revoke(request: HttpRequest, token_id: str) -> Any:
    """Revoke a token: one's own, or one of a person the caller manages."""
    token = get_object_for_user(ApiToken.objects.select_related("user__institution__area"), request.user, token_id)
    return _token_out(services.token_revoke(actor=request.user, token=token))
