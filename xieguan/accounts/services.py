"""Every write to institutions, people, transfers and API tokens."""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import (
    INSTITUTION_LEVELS,
    ApiToken,
    Institution,
    InstitutionType,
    Role,
    RoleCode,
    SignInLock,
    SignInLockKind,
    TransferRequest,
    TransferStatus,
    User,
    hash_token,
)
from xieguan.accounts.permissions import (
    APPROVE_TRANSFERS,
    MANAGE_INSTITUTIONS,
    MANAGE_PEOPLE,
    require,
)
from xieguan.areas.models import Area
from xieguan.core.audit import audit_record, audited, snapshot
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_once
from xieguan.core.scope import is_within

INSTITUTION_FIELDS = ("name", "type", "host", "phone", "address", "opened_on", "closed_on")
PROFILE_FIELDS = (
    "full_name",
    "email",
    "phone",
    "id_number",
    "education",
    "major",
    "title",
    "is_full_time",
    "appointed_on",
    "appointment_doc_no",
    "inspection_card_no",
    "health_status",
)
# Roles held only by people who work at the level that role describes.
ROLES_BY_INSTITUTION = {
    InstitutionType.BUREAU: {RoleCode.SYSTEM_ADMIN, RoleCode.COUNTY_LEADER, RoleCode.SUPERVISOR},
    InstitutionType.INSTITUTE: {RoleCode.SYSTEM_ADMIN, RoleCode.SUPERVISOR, RoleCode.COUNTY_LEADER},
    InstitutionType.STATION: {RoleCode.COMANAGER, RoleCode.TOWNSHIP_LEADER},
    InstitutionType.INFO_POINT: {RoleCode.INFO_OFFICER},
}


# --- Institutions -----------------------------------------------------------


def _checked_phone(value: Any) -> str:
    """The phone in its stored form, or a ValidationError keyed ``phone``
    (``core.validators.validate_phone``, the check of every phone)."""
    from xieguan.core.validators import clean_phone

    try:
        return clean_phone(value)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None


def _check_institution(area: Area, type: str) -> None:
    allowed = INSTITUTION_LEVELS[InstitutionType(type)]
    if area.level not in allowed:
        from xieguan.areas.models import Level

        raise ValidationError(
            {
                "area": _("A %(type)s cannot sit in a %(level)s.")
                % {
                    "type": InstitutionType(type).label,
                    "level": Level(area.level).label,
                }
            }
        )
    if not area.is_active:
        raise ValidationError({"area": _("The area has been retired.")})


def institution_create(
    *, actor: User, area: Area, name: str, type: str, id: uuid.UUID | None = None, **fields: Any
) -> Institution:
    """A new institution in an area of the actor's scope; idempotent on ``id``."""
    require(actor, MANAGE_INSTITUTIONS, area.path)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the institution's name.")})
    if type not in InstitutionType.values:
        raise ValidationError({"type": _("Choose a type.")})
    _check_institution(area, type)
    if "phone" in fields:
        fields["phone"] = _checked_phone(fields["phone"])

    def make() -> Institution:
        institution = Institution(
            id=id or uuid.uuid4(),
            area=area,
            name=name,
            type=type,
            **{k: v for k, v in fields.items() if k in INSTITUTION_FIELDS},
        )
        with audited(actor, "institution.create") as audit:
            institution.full_clean()
            institution.save()
            audit.obj = institution
        return institution

    with transaction.atomic():
        institution, _created = create_once(Institution, id, actor, make)
    return institution


def institution_update(*, actor: User, institution: Institution, **fields: Any) -> Institution:
    require(actor, MANAGE_INSTITUTIONS, institution.area.path)
    old_phone = institution.phone
    with transaction.atomic(), audited(actor, "institution.update", institution):
        for key, value in fields.items():
            if key in INSTITUTION_FIELDS:
                setattr(institution, key, value.strip() if isinstance(value, str) else value)
        if "phone" in fields and institution.phone != old_phone:
            institution.phone = _checked_phone(institution.phone)
        if not institution.name:
            raise ValidationError({"name": _("Enter the institution's name.")})
        institution.full_clean()
        institution.save()
    return institution


def institution_assign_supervisor(*, actor: User, institution: Institution, supervisor: User | None) -> Institution:
    """Name the county's 责任监督员 for a township's station."""
    require(actor, MANAGE_INSTITUTIONS, institution.area.path)
    if institution.type != InstitutionType.STATION:
        raise ValidationError(
            {"responsible_supervisor": _("Only a co-management station has a responsible supervisor.")}
        )
    if supervisor is not None:
        if not supervisor.has_role(RoleCode.SUPERVISOR) or not is_within(
            actor, supervisor.institution.area.path if supervisor.institution else "\x00"
        ):
            raise ValidationError({"responsible_supervisor": _("Choose a supervisor of your county.")})
        if supervisor.institution is None or not institution.area.path.startswith(supervisor.institution.area.path):
            raise ValidationError(
                {"responsible_supervisor": _("The supervisor must work at the county above this township.")}
            )
    with (
        transaction.atomic(),
        audited(actor, "institution.assign_supervisor", institution, fields=["responsible_supervisor"]),
    ):
        institution.responsible_supervisor = supervisor
        institution.save(update_fields=["responsible_supervisor", "updated_at"])
    return institution


# --- People -------------------------------------------------------------------


def _role_labels(codes: Iterable[str]) -> list[str]:
    return [str(RoleCode(c).label) for c in sorted(codes)]


def _check_roles(institution: Institution, roles: Iterable[str]) -> list[str]:
    codes = sorted(set(roles))
    if not codes:
        raise ValidationError({"roles": _("Choose at least one role.")})
    unknown = [c for c in codes if c not in RoleCode.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(role)s") % {"role": ", ".join(unknown)}})
    allowed = ROLES_BY_INSTITUTION.get(InstitutionType(institution.type), set())
    if institution.area.level < 3:
        allowed = {RoleCode.HIGHER_READONLY, RoleCode.SYSTEM_ADMIN}
    else:
        allowed = set(allowed) | {RoleCode.HIGHER_READONLY}
    wrong = [c for c in codes if c not in allowed]
    if wrong:
        raise ValidationError(
            {
                "roles": _("%(institution)s cannot hold the role %(role)s.")
                % {
                    "institution": institution.name,
                    "role": ", ".join(str(RoleCode(c).label) for c in wrong),
                }
            }
        )
    return codes


def _check_profile(fields: dict[str, Any]) -> dict[str, Any]:
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items() if k in PROFILE_FIELDS}
    id_number = clean.get("id_number")
    if id_number:
        from xieguan.core.validators import validate_id_number

        try:
            validate_id_number(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
    if "phone" in clean:
        clean["phone"] = _checked_phone(clean["phone"])
    return clean


def user_create(
    *,
    actor: User,
    institution: Institution,
    username: str,
    password: str,
    roles: Iterable[str],
    id: uuid.UUID | None = None,
    **profile: Any,
) -> User:
    """A new person in an institution of the actor's scope."""
    require(actor, MANAGE_PEOPLE, institution.area.path)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The user name %(name)s is taken.") % {"name": username}})
    codes = _check_roles(institution, roles)
    clean = _check_profile(profile)
    candidate = User(username=username, institution=institution, **clean)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None

    def make() -> User:
        with audited(actor, "user.create", snapshot_with=_person_snapshot) as audit:
            user = User(id=id or uuid.uuid4(), username=username, institution=institution, **clean)
            user.set_password(password)
            user.save()
            user.roles.set(Role.objects.filter(code__in=codes))
            audit.obj = user
        return user

    with transaction.atomic():
        user, _created = create_once(User, id, actor, make)
    return user


def user_update(*, actor: User, person: User, roles: Iterable[str] | None = None, **profile: Any) -> User:
    """Change a person's profile and roles (not their institution: see
    ``transfer_request`` for co-managers and ``user_move`` for others)."""
    require(actor, MANAGE_PEOPLE, person.institution.area.path if person.institution else None)
    if person.is_superuser and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator can change this account."))  # a role limit: 403
    if "full_name" in profile and not (profile["full_name"] or "").strip():
        raise ValidationError({"full_name": _("Enter the full name.")})  # after the role: 403 whatever was sent
    clean = _check_profile(profile)
    codes = _check_roles(person.institution, roles) if roles is not None and person.institution else None
    with transaction.atomic(), audited(actor, "user.update", person, snapshot_with=_person_snapshot):
        for key, value in clean.items():
            setattr(person, key, value)
        person.save()
        if codes is not None:
            person.roles.set(Role.objects.filter(code__in=codes))
            person.__dict__.pop("role_codes", None)
    return person


def _person_snapshot(person: User) -> dict[str, Any]:
    """A person's audited values with their roles by name."""
    return {**snapshot(person), "roles": _role_labels(person.role_codes)}


def user_set_active(*, actor: User, person: User, active: bool) -> User:
    """Deactivate (or reactivate) an account; deactivation revokes its tokens."""
    require(actor, MANAGE_PEOPLE, person.institution.area.path if person.institution else None)
    if person.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    with (
        transaction.atomic(),
        audited(actor, "user.activate" if active else "user.deactivate", person, fields=["is_active"]),
    ):
        person.is_active = active
        person.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return person


def user_reset_password(*, actor: User, person: User, password: str) -> User:
    """An administrator sets a new password; the person's tokens are revoked."""
    require(actor, MANAGE_PEOPLE, person.institution.area.path if person.institution else None)
    return _set_password(actor=actor, person=person, password=password, reset=True)


def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """A user changes their own password."""
    if not actor.check_password(old_password or ""):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    if old_password == new_password:
        raise ValidationError({"new_password": _("The new password must differ from the current one.")})
    return _set_password(actor=actor, person=actor, password=new_password, reset=False)


def _set_password(*, actor: User, person: User, password: str, reset: bool) -> User:
    try:
        password_validation.validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    with transaction.atomic():
        person.set_password(password)
        person.save(update_fields=["password", "password_changed_at"])
        ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=actor, action="user.password_reset" if reset else "user.password_change", obj=person)
    return person


def user_move(*, actor: User, person: User, institution: Institution) -> User:
    """Move a person who is not a co-manager directly; a co-manager moves only
    through an approved transfer request (SPEC §1)."""
    if person.has_role(RoleCode.COMANAGER):
        raise ValidationError(
            {"institution": _("A co-manager moves only after the bureau approves a transfer request.")}
        )
    require(actor, MANAGE_PEOPLE, person.institution.area.path if person.institution else None)
    require(actor, MANAGE_PEOPLE, institution.area.path)
    return _move(actor=actor, person=person, institution=institution)


def _move(*, actor: User, person: User, institution: Institution, note: str = "") -> User:
    with transaction.atomic(), audited(actor, "user.move", person, fields=["institution"], note=note):
        person.institution = institution
        person.save(update_fields=["institution"])
    return person


# --- Transfers of co-managers ---------------------------------------------------


def transfer_request(
    *, actor: User, person: User, to_institution: Institution, reason: str, id: uuid.UUID | None = None
) -> TransferRequest:
    """Ask the bureau to move a co-manager to another institution."""
    from_institution = person.institution
    if from_institution is None:
        raise ValidationError(_("This person belongs to no institution."))
    require(actor, MANAGE_PEOPLE, from_institution.area.path)
    require(actor, MANAGE_PEOPLE, to_institution.area.path)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the transfer.")})
    if to_institution.pk == person.institution_id:
        raise ValidationError({"to_institution": _("The person already works there.")})
    if not to_institution.is_active:
        raise ValidationError({"to_institution": _("That institution is closed.")})
    if TransferRequest.objects.filter(person=person, status=TransferStatus.PENDING).exists():
        raise ValidationError(_("This person already has a transfer request waiting for a decision."))

    def make() -> TransferRequest:
        transfer = TransferRequest.objects.create(
            id=id or uuid.uuid4(),
            person=person,
            from_institution=from_institution,
            to_institution=to_institution,
            reason=reason,
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            action="transfer.request",
            obj=transfer,
            changes={"to_institution": [str(from_institution), str(to_institution)]},
            note=reason,
        )
        return transfer

    with transaction.atomic():
        transfer, _created = create_once(TransferRequest, id, actor, make)
    return transfer


def transfer_decide(*, actor: User, transfer: TransferRequest, approve: bool, note: str = "") -> TransferRequest:
    """The bureau approves (the person moves now) or refuses (with a note)."""
    require(actor, APPROVE_TRANSFERS, transfer.from_institution.area.path)
    require(actor, APPROVE_TRANSFERS, transfer.to_institution.area.path)
    if transfer.status != TransferStatus.PENDING:
        raise StateConflict(_("This request has already been decided."))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"decision_note": _("Give the reason for refusing.")})
    with transaction.atomic():
        locked = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
        if locked.status != TransferStatus.PENDING:
            raise StateConflict(_("This request has already been decided."))
        transfer.status = TransferStatus.APPROVED if approve else TransferStatus.REFUSED
        transfer.decided_by = actor
        transfer.decided_at = timezone.now()
        transfer.decision_note = note
        transfer.save()
        audit_record(
            actor=actor,
            action="transfer.approve" if approve else "transfer.refuse",
            obj=transfer,
            note=note,
        )
        if approve:
            _move(actor=actor, person=transfer.person, institution=transfer.to_institution, note=_("Transfer approved"))
    return transfer


# --- API tokens -----------------------------------------------------------------


def token_issue(*, user: User, id: uuid.UUID | None = None) -> tuple[ApiToken, str]:
    """A new bearer token; the clear key is returned once and never stored.
    ``id`` is the client's (POST /api/api-tokens checks a retry first)."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            id=id or uuid.uuid4(),
            user=user,
            key_hash=hash_token(key),
            prefix=key[:8],
            expires_at=timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS),
        )
        # When it was issued, never a piece of its key (nor its id), names it in the log.
        audit_record(actor=user, action="token.issue", obj=user, note=str(token))
    return token, key


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        require(actor, MANAGE_PEOPLE, token.user.institution.area.path if token.user.institution else None)
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="token.revoke", obj=token.user, note=str(token))
    return token


# --- Two-step sign-in (optional second factor, SPEC §12) -----------------------

BACKUP_CODES = 10


def _two_factor_devices(user: User) -> list[Any]:
    from django_otp import devices_for_user

    return list(devices_for_user(user, confirmed=None))


def two_factor_start(*, actor: User) -> Any:
    """A new, unconfirmed authenticator for ``actor`` (any earlier unconfirmed
    one is dropped); it counts only once ``two_factor_confirm`` accepts a code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise ValidationError(_("Two-step sign-in is already on."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name=_("Authenticator app"), confirmed=False)


def _new_backup_codes(user: User) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": _("Backup codes")})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def two_factor_confirm(*, actor: User, device_id: Any, code: str) -> list[str]:
    """Turn two-step sign-in on once the app's first code is right; returns
    the backup codes, shown to the user this once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=actor, pk=device_id, confirmed=False).first()
    if device is None:
        raise ValidationError(_("This set-up has expired. Start again."))
    if not device.verify_token(_clean_code(code)):
        raise _wrong_code()
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(actor)
        _audit_two_factor(actor=actor, person=actor, on=True)
    return codes


def two_factor_backup_codes(*, actor: User, code: str) -> list[str]:
    """New backup codes (the old ones stop working), after a current code."""
    _require_two_factor_on(actor)
    _require_code(actor, code)
    with transaction.atomic():
        codes = _new_backup_codes(actor)
        audit_record(actor=actor, action="two_factor.backup_codes", obj=actor, note=_("New backup codes made"))
    return codes


def two_factor_match(*, user: User, code: str) -> Any:
    """The device that accepts ``code`` (an app code, or a backup code, which
    is then used up), else None. Each device throttles repeated failures."""
    from django_otp import match_token

    code = _clean_code(code)
    if not code or len(code) > 16:
        return None
    return match_token(user, code)


def _clean_code(code: str) -> str:
    """The code as typed, without the spaces and dashes people put in."""
    return (code or "").strip().replace(" ", "").replace("-", "")


def _wrong_code() -> ValidationError:
    return ValidationError({"code": _("That code is not right. Type the 6 digits the app shows now.")})


def two_factor_verify(*, user: User, code: str) -> Any:
    """The second sign-in step: the device that accepts ``code``; a wrong
    code is refused and recorded as a failed sign-in."""
    device = two_factor_match(user=user, code=code)
    if device is None:
        audit_record(
            actor=None,
            action="session.login_failed",
            obj=user,
            username=user.get_username(),
            note=_("Wrong two-step code"),
        )
        raise _wrong_code()
    return device


def _require_two_factor_on(user: User) -> None:
    """A step that needs two-step sign-in on: without it, no code can be
    right, and that is the account's state, not the code sent (409)."""
    from xieguan.accounts.selectors import two_factor_on

    if not two_factor_on(user):
        raise StateConflict(_("Two-step sign-in is not on for this account."))


def _require_code(user: User, code: str) -> None:
    if two_factor_match(user=user, code=code) is None:
        raise _wrong_code()


def _audit_two_factor(*, actor: User, person: User, on: bool) -> None:
    audit_record(
        actor=actor,
        action="two_factor.on" if on else "two_factor.off",
        obj=person,
        changes={"two_factor": [not on, on]},
        note=_("Two-step sign-in turned on") if on else _("Two-step sign-in turned off"),
    )


def two_factor_off(*, actor: User, person: User, code: str = "") -> User:
    """Turn two-step sign-in off: the person with a current code, or an
    administrator of their area (a lost phone) without one."""
    if person.pk == actor.pk:
        _require_two_factor_on(person)
        _require_code(person, code)
    else:
        require(actor, MANAGE_PEOPLE, person.institution.area.path if person.institution else None)
    with transaction.atomic():
        for device in _two_factor_devices(person):
            device.delete()
        _audit_two_factor(actor=actor, person=person, on=False)
    return person


# --- Sign-in locks (SPEC §12, issue 17; see lockout.py) --------------------------


def signin_lock_release(*, actor: User, lock: SignInLock) -> SignInLock:
    """End a sign-in lock before its cool-off: the user name may be tried again
    from that address at once (its failures there are forgotten), or the
    address may sign in again (its earlier failures no longer count). An
    administrator of the person's area may release a lock on them; a lock on
    an address, or on a user name that names nobody, only a system
    administrator — to anyone else it does not exist."""
    from axes.models import AccessAttempt

    institution = lock.user.institution if lock.user is not None else None
    if institution is None and not actor.is_superuser:
        raise Http404
    require(actor, MANAGE_PEOPLE, institution.area.path if institution is not None else None)
    with transaction.atomic():
        current = SignInLock.objects.select_for_update().get(pk=lock.pk)
        if current.released_at is not None or current.until <= timezone.now():
            raise StateConflict(_("This lock has already ended."))
        lock.released_at = timezone.now()
        lock.released_by = actor
        lock.save(update_fields=["released_at", "released_by", "updated_at"])
        if lock.kind == SignInLockKind.ACCOUNT:
            AccessAttempt.objects.filter(username=lock.username, ip_address=lock.ip_address).delete()
        audit_record(
            actor=actor,
            action="signin.released",
            obj=lock,
            changes={"released_at": [None, lock.released_at]},
            note=str(lock),
        )
    return lock
