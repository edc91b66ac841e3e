"""Every write to complaints (SPEC §6): validated, permitted, scoped, audited,
each step with its working-day deadline. The public's writes (filing,
adding information, reopening) take no actor; staff writes ``require`` a
capability and the case's area."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import Institution, InstitutionType, User
from xieguan.accounts.permissions import CONFIGURE_COMPLAINTS, HANDLE_COMPLAINT, REGISTER_COMPLAINT, can, require
from xieguan.areas.models import Area, Level
from xieguan.complaints.calendar import WorkCalendar
from xieguan.complaints.guard import captcha_check
from xieguan.complaints.models import (
    HANDLING_STATUSES,
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    CalendarOverride,
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintPhoto,
    ComplaintSettings,
    ComplaintStep,
    PendingUpload,
    Status,
    StepKind,
)
from xieguan.core.audit import audit_record, audited
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_once
from xieguan.core.limits import limit_hit, limit_reached
from xieguan.core.masking import mask_name, mask_phone
from xieguan.core.photos import PreparedPhoto, files_kept_on_success
from xieguan.core.scope import is_within
from xieguan.core.validators import clean_phone, clean_text
from xieguan.units.models import Unit

PIN_LENGTH = 6
SUBMIT_WINDOW = 3600
PIN_WINDOW = 15 * 60
MAX_PHOTOS = 3


class RateLimited(Exception):
    """Too many sends or wrong PINs from one address: answered 429, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    pin: str


# --- county settings and calendar -------------------------------------------------


def county_of(area: Area) -> Area | None:
    """The county a township or village lies in."""
    node: Area | None = area
    while node is not None and node.level > Level.COUNTY:
        node = node.parent
    return node if node is not None and node.level == Level.COUNTY else None


def settings_for(county: Area | None) -> ComplaintSettings:
    """The county's time limits; the defaults when it has set none."""
    found = ComplaintSettings.objects.filter(county=county).first() if county is not None else None
    return found or ComplaintSettings(county=county)


def _calendar(complaint: Complaint) -> tuple[WorkCalendar, ComplaintSettings]:
    county = county_of(complaint.area)
    return WorkCalendar(county), settings_for(county)


# --- receipts and PINs ------------------------------------------------------------


def normalise_receipt(value: str) -> str:
    """What a person types (k7m4-px3a, spaces, dashes) → K7M4PX3A."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[: RECEIPT_LENGTH + 4]


def _new_receipt() -> str:
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))
        if not Complaint.objects.filter(receipt=code).exists():
            return code


def _new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _i in range(PIN_LENGTH))


# --- validation -------------------------------------------------------------------


def _clean_complaint(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The common fields of a public or staff complaint, cleaned; problems
    go into ``errors`` keyed by field."""
    township = data.get("township")
    village = data.get("village")
    unit = data.get("unit")
    if township is None:
        errors["township"] = _("Choose the township where it happened.")
    elif township.level != Level.TOWNSHIP or not township.is_active:
        errors["township"] = _("Choose the township where it happened.")
    if village is not None and (township is None or village.parent_id != township.pk):
        errors["village"] = _("This village is not in the chosen township.")
    if unit is not None and (township is None or not unit.area.path.startswith(township.path)):
        errors["unit"] = _("This unit is not in the chosen township.")
    category = data.get("category") or ""
    if category not in ComplaintCategory.values:
        errors["category"] = _("Choose what the complaint is about.")
    clean: dict[str, Any] = {
        "content": clean_text(data.get("content"), field="content", required=True, limit=5000, errors=errors),
        "place": clean_text(data.get("place"), field="place", required=False, limit=200, errors=errors),
        "unit_name": clean_text(data.get("unit_name"), field="unit_name", required=False, limit=200, errors=errors),
        "complainant_name": clean_text(data.get("name"), field="name", required=False, limit=50, errors=errors),
        "complainant_phone": clean_text(data.get("phone"), field="phone", required=False, limit=30, errors=errors),
        "complainant_address": clean_text(
            data.get("address"), field="address", required=False, limit=200, errors=errors
        ),
    }
    if clean["complainant_phone"] and "phone" not in errors:
        try:
            clean["complainant_phone"] = clean_phone(clean["complainant_phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if content := clean["content"]:
        if len(content) < 5 and "content" not in errors:
            errors["content"] = _("Describe what happened in a few more words.")
    anonymous = bool(data.get("is_anonymous", True))
    if anonymous:
        # Anonymous means we keep nothing that identifies the person.
        clean.update(complainant_name="", complainant_phone="", complainant_address="")
    clean.update(area=township, village=village, unit=unit, category=category, is_anonymous=anonymous)
    return clean


def _first_deadline(complaint: Complaint) -> datetime.date:
    cal, limits = _calendar(complaint)
    return cal.add_working_days(timezone.localtime(complaint.registered_at).date(), limits.accept_days)


def _save_photos(complaint: Complaint, photos: list[PreparedPhoto], files: Any) -> None:
    seen: set[str] = set(complaint.photos.values_list("sha256", flat=True)) if complaint.pk else set()
    for prepared in photos:
        if prepared.sha256 in seen:
            continue
        seen.add(prepared.sha256)
        photo = ComplaintPhoto(
            complaint=complaint, sha256=prepared.sha256, width=prepared.width, height=prepared.height
        )
        files.save(photo.image, prepared.name, prepared.content)
        photo.save()


def _make(
    clean: dict[str, Any], *, channel: str, actor: User | None, photos: list[PreparedPhoto], id: uuid.UUID | None
) -> Filed:
    pin = _new_pin()
    with (
        files_kept_on_success() as files,
        transaction.atomic(),
        audited(
            actor,
            "complaint.register" if actor is not None else "complaint.file",
            username=None if actor is not None else "public",
        ) as audit,
    ):
        complaint = audit.obj = Complaint(
            id=id or uuid.uuid4(),
            receipt=_new_receipt(),
            pin_hash=make_password(pin),
            channel=channel,
            registered_at=timezone.now(),
            registered_by=actor,
            **clean,
        )
        complaint.due_on = _first_deadline(complaint)
        complaint.save()
        if actor is not None:
            # Who took the call heard the complainant: a handler from the start.
            complaint.handlers.add(actor)
        ComplaintStep.objects.create(
            complaint=complaint, kind=StepKind.REGISTERED, at=complaint.registered_at, actor=actor
        )
        _save_photos(complaint, photos, files)
    return Filed(complaint, pin)


# --- the public ------------------------------------------------------------------


def complaint_file_public(
    *,
    ip: str | None,
    captcha_token: str,
    captcha_answer: str,
    township: Area | None,
    category: str,
    content: str,
    village: Area | None = None,
    unit: Any = None,
    unit_name: str = "",
    place: str = "",
    is_anonymous: bool = True,
    name: str = "",
    phone: str = "",
    address: str = "",
    photos: list[PreparedPhoto] | None = None,
    photo_errors: dict[str, str] | None = None,
) -> Filed:
    """A complaint from the public page: rate-limited per address (RateLimited),
    the CAPTCHA solved, the fields valid (one ValidationError naming every
    field at fault, the CAPTCHA included). Returns the complaint and its PIN,
    which is kept only hashed and shown this once."""
    key = ip or "unknown"
    if limit_reached("submit", key, limit=_setting("COMPLAINTS_SUBMIT_LIMIT", 10)):
        raise RateLimited(_("Too many complaints sent from this network in the last hour. Try again later."))
    limit_hit("submit", key, seconds=SUBMIT_WINDOW)
    errors: dict[str, str] = dict(photo_errors or {})
    if unit is not None and (unit.status == "closed"):
        unit = None
    clean = _clean_complaint(
        {
            "township": township,
            "village": village,
            "unit": unit,
            "category": category,
            "content": content,
            "place": place,
            "unit_name": unit_name,
            "is_anonymous": is_anonymous,
            "name": name,
            "phone": phone,
            "address": address,
        },
        errors,
    )
    if not is_anonymous and not (clean["complainant_phone"] or clean["complainant_name"]):
        errors.setdefault("phone", _("Leave a name or a phone number, or choose to stay anonymous."))
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        errors.setdefault("photos", _("Send at most %(count)d photos.") % {"count": MAX_PHOTOS})
    if not captcha_check(captcha_token, captcha_answer):
        errors["captcha_answer"] = _("The characters in the picture do not match. Type the new ones.")
    if errors:
        raise ValidationError(errors)
    return _make(clean, channel=Channel.WEB, actor=None, photos=photos, id=None)


def _setting(name: str, default: int) -> int:
    from django.conf import settings

    return int(getattr(settings, name, default))


def complaint_by_receipt(*, ip: str | None, receipt: str, pin: str) -> Complaint:
    """The complaint with this receipt if ``pin`` is its PIN. Wrong PINs are
    counted per address and per receipt: past the limit, RateLimited — also
    for the right PIN, until the window passes."""
    code = normalise_receipt(receipt)
    limit = _setting("COMPLAINTS_PIN_FAILURE_LIMIT", 5)
    if limit_reached("pin-ip", ip or "unknown", limit=limit) or limit_reached("pin-receipt", code, limit=limit):
        raise RateLimited(_("Too many wrong attempts. Wait 15 minutes and try again."))
    complaint = Complaint.objects.select_related("area", "village", "unit").filter(receipt=code).first()
    # Hash even when there is no such receipt, so timing says nothing.
    ok = check_password((pin or "").strip(), complaint.pin_hash if complaint else make_password(None))
    if complaint is None or not ok:
        limit_hit("pin-ip", ip or "unknown", seconds=PIN_WINDOW)
        limit_hit("pin-receipt", code, seconds=PIN_WINDOW)
        raise ValidationError({"pin": _("The receipt code or the PIN is wrong.")})
    return complaint


def complaint_add_info(*, complaint: Complaint, text: str, photos: list[PreparedPhoto] | None = None) -> ComplaintStep:
    """The complainant adds information (and photos) to an open or replied case."""
    errors: dict[str, str] = {}
    text = clean_text(text, field="text", required=not photos, limit=2000, errors=errors)
    if complaint.status in (Status.ARCHIVED, Status.DUPLICATE, Status.NOT_ACCEPTED):
        errors["text"] = _("This complaint is closed; information can no longer be added.")
    if errors:
        raise ValidationError(errors)
    with files_kept_on_success() as files, transaction.atomic():
        step = ComplaintStep.objects.create(complaint=complaint, kind=StepKind.INFO_ADDED, at=timezone.now(), note=text)
        _save_photos(complaint, photos or [], files)
        audit_record(actor=None, action="complaint.add_info", obj=complaint, username="public")
    return step


def reopen_until(complaint: Complaint) -> datetime.date | None:
    """The last day the complainant may reopen; None if not replied."""
    if complaint.replied_at is None or complaint.status not in (Status.REPLIED, Status.ARCHIVED):
        return None
    limits = settings_for(county_of(complaint.area))
    return timezone.localtime(complaint.replied_at).date() + datetime.timedelta(days=limits.reopen_days)


def complaint_reopen(*, complaint: Complaint, reason: str, today: datetime.date | None = None) -> Complaint:
    """The complainant is not satisfied with the reply: within the county's
    reopen window the case goes back to whoever handled it, with a new
    handling deadline."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    reason = clean_text(reason, field="reason", required=True, limit=2000, errors=errors)
    until = reopen_until(complaint)
    if until is None:
        errors["reason"] = _("Only a complaint that has been replied to can be reopened.")
    elif today > until:
        errors["reason"] = _("The time to reopen this complaint ended on %(date)s.") % {"date": until.isoformat()}
    if errors:
        raise ValidationError(errors)
    cal, limits = _calendar(complaint)
    with transaction.atomic(), audited(None, "complaint.reopen", complaint, username="public"):
        institute = complaint.handler_institution
        complaint.status = (
            Status.TRANSFERRED
            if institute is not None and institute.type != InstitutionType.STATION
            else Status.ACCEPTED
        )
        complaint.due_on = cal.add_working_days(today, limits.handle_days)
        complaint.reopen_count += 1
        complaint.save()
        ComplaintStep.objects.create(complaint=complaint, kind=StepKind.REOPENED, at=timezone.now(), note=reason)
    return complaint


# --- staff -----------------------------------------------------------------------


def complaint_register(
    *,
    actor: User,
    township: Area,
    category: str,
    content: str,
    channel: str,
    village: Area | None = None,
    unit: Any = None,
    unit_name: str = "",
    place: str = "",
    is_anonymous: bool = False,
    name: str = "",
    phone: str = "",
    address: str = "",
    photos: list[PreparedPhoto] | None = None,
    photo_errors: dict[str, str] | None = None,
    id: uuid.UUID | None = None,
) -> tuple[Filed | None, Complaint, bool]:
    """A complaint taken by phone, visit, letter or hotline, in the actor's
    area; made once per ``id``. Returns (filed with the PIN to tell the
    complainant — None on a retry, when the PIN is no longer known —,
    complaint, created)."""
    require(actor, REGISTER_COMPLAINT, township.path if township is not None else None)
    errors: dict[str, str] = dict(photo_errors or {})
    if len(photos or []) > MAX_PHOTOS:
        errors.setdefault("photos", _("Send at most %(count)d photos.") % {"count": MAX_PHOTOS})
    if channel not in Channel.values or channel == Channel.WEB:
        errors["channel"] = _("Choose how the complaint came in.")
    clean = _clean_complaint(
        {
            "township": township,
            "village": village,
            "unit": unit,
            "category": category,
            "content": content,
            "place": place,
            "unit_name": unit_name,
            "is_anonymous": is_anonymous,
            "name": name,
            "phone": phone,
            "address": address,
        },
        errors,
    )
    if errors:
        raise ValidationError(errors)
    filed: list[Filed] = []

    def make() -> Complaint:
        made = _make(clean, channel=channel, actor=actor, photos=photos or [], id=id)
        filed.append(made)
        return made.complaint

    complaint, created = create_once(Complaint, id, actor, make)
    return (filed[0] if filed else None), complaint, created


def is_handler(user: User | None, complaint: Complaint) -> bool:
    """Whether ``user`` works on this case (and so may see the complainant)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return complaint.handlers.filter(pk=user.pk).exists()


def _require_handling(actor: User, complaint: Complaint) -> None:
    require(actor, HANDLE_COMPLAINT, complaint.area.path)
    in_institution = (
        complaint.handler_institution_id is not None and actor.institution_id == complaint.handler_institution_id
    )
    if not (in_institution or is_handler(actor, complaint)):
        raise PermissionDenied(_("Only those handling this complaint can do this."))


def _step(complaint: Complaint, *, actor: User, kind: str, note: str = "", deadline: Any = None) -> ComplaintStep:
    complaint.save()
    return ComplaintStep.objects.create(
        complaint=complaint, kind=kind, at=timezone.now(), note=note, actor=actor, deadline=deadline
    )


def _wrong_status() -> ValidationError:
    return StateConflict(_("This step does not fit the complaint's present state; reload the page."))


def complaint_accept(*, actor: User, complaint: Complaint) -> Complaint:
    """Accept (受理): the actor's institution handles it and the actor becomes
    a handler; the handling deadline starts today."""
    require(actor, HANDLE_COMPLAINT, complaint.area.path)
    if complaint.status != Status.REGISTERED:
        raise _wrong_status()
    if actor.institution is None:
        raise PermissionDenied(_("Only those handling this complaint can do this."))
    cal, limits = _calendar(complaint)
    with transaction.atomic(), audited(actor, "complaint.accept", complaint):
        deadline = complaint.due_on
        complaint.status = Status.ACCEPTED if actor.institution.type == InstitutionType.STATION else Status.TRANSFERRED
        complaint.handler_institution = actor.institution
        complaint.due_on = cal.add_working_days(timezone.localdate(), limits.handle_days)
        complaint.handlers.add(actor)
        _step(complaint, actor=actor, kind=StepKind.ACCEPTED, deadline=deadline)
    return complaint


def complaint_not_accept(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    """Not accepted (不予受理), with the reason the complainant reads."""
    require(actor, HANDLE_COMPLAINT, complaint.area.path)
    if complaint.status != Status.REGISTERED:
        raise _wrong_status()
    errors: dict[str, str] = {}
    reason = clean_text(reason, field="reason", required=True, limit=2000, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audited(actor, "complaint.not_accept", complaint):
        deadline = complaint.due_on
        complaint.status = Status.NOT_ACCEPTED
        complaint.not_accepted_reason = reason
        complaint.handler_institution = actor.institution
        complaint.due_on = None
        complaint.handlers.add(actor)
        _step(complaint, actor=actor, kind=StepKind.NOT_ACCEPTED, note=reason, deadline=deadline)
    return complaint


def complaint_transfer(*, actor: User, complaint: Complaint, note: str = "") -> Complaint:
    """The township passes the case to the county institute (beyond what a
    station may do); the township's responsible supervisor becomes a handler.
    The handling deadline does not restart."""
    _require_handling(actor, complaint)
    if complaint.status != Status.ACCEPTED:
        raise _wrong_status()
    county = county_of(complaint.area)
    institute = Institution.objects.filter(area=county, type=InstitutionType.INSTITUTE).first()
    if institute is None:
        raise ValidationError(_("The county has no health supervision institute to transfer to."))
    errors: dict[str, str] = {}
    note = clean_text(note, field="note", required=False, limit=2000, errors=errors)
    if errors:
        raise ValidationError(errors)
    station = (
        Institution.objects.filter(area=complaint.area, type=InstitutionType.STATION)
        .select_related("responsible_supervisor")
        .first()
    )
    with transaction.atomic(), audited(actor, "complaint.transfer", complaint):
        complaint.status = Status.TRANSFERRED
        complaint.handler_institution = institute
        supervisor = station.responsible_supervisor if station is not None else None
        if supervisor is not None:
            complaint.handlers.add(supervisor)
        _step(complaint, actor=actor, kind=StepKind.TRANSFERRED, note=note, deadline=complaint.due_on)
    return complaint


def complaint_record_result(*, actor: User, complaint: Complaint, result: str) -> Complaint:
    """The result of handling (查处结果); the reply is now due."""
    _require_handling(actor, complaint)
    if complaint.status not in HANDLING_STATUSES:
        raise _wrong_status()
    errors: dict[str, str] = {}
    result = clean_text(result, field="result", required=True, limit=5000, errors=errors)
    if errors:
        raise ValidationError(errors)
    cal, limits = _calendar(complaint)
    with transaction.atomic(), audited(actor, "complaint.result", complaint):
        deadline = complaint.due_on
        complaint.result = result
        complaint.status = Status.RESULT
        complaint.due_on = cal.add_working_days(timezone.localdate(), limits.reply_days)
        complaint.handlers.add(actor)
        _step(complaint, actor=actor, kind=StepKind.RESULT, note=result, deadline=deadline)
    return complaint


def complaint_reply(*, actor: User, complaint: Complaint, reply: str) -> Complaint:
    """The reply to the complainant (回复), shown on the tracking page."""
    _require_handling(actor, complaint)
    if complaint.status != Status.RESULT:
        raise _wrong_status()
    errors: dict[str, str] = {}
    reply = clean_text(reply, field="reply", required=True, limit=5000, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audited(actor, "complaint.reply", complaint):
        deadline = complaint.due_on
        complaint.reply = reply
        complaint.replied_at = timezone.now()
        complaint.status = Status.REPLIED
        complaint.due_on = None
        complaint.handlers.add(actor)
        _step(complaint, actor=actor, kind=StepKind.REPLIED, note=reply, deadline=deadline)
    return complaint


def complaint_archive(*, actor: User, complaint: Complaint) -> Complaint:
    """Archive (办结归档) a replied, not accepted or duplicate case."""
    _require_handling(actor, complaint)
    if complaint.status not in (Status.REPLIED, Status.NOT_ACCEPTED, Status.DUPLICATE):
        raise _wrong_status()
    with transaction.atomic(), audited(actor, "complaint.archive", complaint):
        complaint.status = Status.ARCHIVED
        complaint.due_on = None
        _step(complaint, actor=actor, kind=StepKind.ARCHIVED)
    return complaint


def complaint_link_duplicate(*, actor: User, complaint: Complaint, original: Complaint) -> Complaint:
    """Mark a new complaint as a duplicate of an earlier one about the same
    matter, so it is handled once; its complainant follows the original's
    progress on their own receipt."""
    require(actor, HANDLE_COMPLAINT, complaint.area.path)
    require(actor, HANDLE_COMPLAINT, original.area.path)
    if complaint.status != Status.REGISTERED:
        raise _wrong_status()
    if original.pk == complaint.pk or original.status == Status.DUPLICATE:
        raise ValidationError({"original": _("Choose another complaint that is not itself a duplicate.")})
    with transaction.atomic(), audited(actor, "complaint.link_duplicate", complaint):
        deadline = complaint.due_on
        complaint.status = Status.DUPLICATE
        complaint.duplicate_of = original
        complaint.handler_institution = actor.institution
        complaint.due_on = None
        complaint.handlers.add(actor)
        _step(
            complaint,
            actor=actor,
            kind=StepKind.DUPLICATE,
            note=original.receipt_display,
            deadline=deadline,
        )
    return complaint


# --- links to the unit file -------------------------------------------------------


def linked_model(name: str) -> Any:
    """The model a complaint's link ``name`` ("inspection", "opinion") points
    at, found through the foreign key: inspections is an app of the same
    layer, which complaints never imports."""
    return Complaint._meta.get_field(name).related_model


def may_link(user: User | None, complaint: Complaint) -> bool:
    """Whether ``user`` may tie the complaint to a unit, an inspection and an
    opinion: whoever may take it up while it awaits acceptance, then only
    those handling it (as for its other steps)."""
    if user is None or not can(user, HANDLE_COMPLAINT) or not is_within(user, complaint.area.path):
        return False
    if complaint.status == Status.REGISTERED:
        return True
    in_institution = (
        complaint.handler_institution_id is not None and user.institution_id == complaint.handler_institution_id
    )
    return in_institution or is_handler(user, complaint)


def complaint_link(
    *, actor: User, complaint: Complaint, unit: Unit | None, inspection: Any = None, opinion: Any = None
) -> Complaint:
    """Tie a complaint, after it was filed, to the registered unit it is
    about and to the inspection record and 卫生监督意见书 that settled it, so
    that it reaches the unit's file (一户一档); a second call changes the
    links, and an empty ``inspection`` or ``opinion`` removes that link.

    By whoever may handle it (``may_link``; PermissionDenied otherwise). The
    unit must be one of the actor's area, in the complaint's township, and
    not merged into another; the inspection a submitted record of that unit
    and the opinion one issued to it (on that inspection, when both are
    given), both in the actor's area. An opinion alone links its inspection
    too. A refusal is a ValidationError in Chinese on the field at fault and
    changes nothing. Audited as ``complaint.link`` (before → after)."""
    require(actor, HANDLE_COMPLAINT, complaint.area.path)
    if not may_link(actor, complaint):
        raise PermissionDenied(_("Only those handling this complaint can do this."))
    errors: dict[str, str] = {}
    if unit is None:
        errors["unit"] = _("Choose the registered unit the complaint is about.")
    elif not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        errors["unit"] = _("This unit is not in your area.")
    elif not unit.area.path.startswith(complaint.area.path):
        errors["unit"] = _("This unit is not in the complaint's township.")
    elif unit.merged_into_id is not None:
        errors["unit"] = _("This unit was merged into another; choose the unit it now lives on in.")
    if opinion is not None:
        if not linked_model("opinion").objects.visible_to(actor).filter(pk=opinion.pk).exists():
            errors["opinion"] = _("This supervision opinion is not in your area.")
        elif unit is not None and opinion.unit_id != unit.pk:
            errors["opinion"] = _("This supervision opinion was issued to another unit.")
        elif inspection is not None and opinion.inspection_id != inspection.pk:
            errors["opinion"] = _("This supervision opinion was issued on another inspection record.")
        elif inspection is None:
            inspection = opinion.inspection
    if inspection is not None and "opinion" not in errors:
        if not linked_model("inspection").objects.visible_to(actor).filter(pk=inspection.pk).exists():
            errors["inspection"] = _("This inspection record is not in your area.")
        elif unit is not None and inspection.unit_id != unit.pk:
            errors["inspection"] = _("This inspection record is of another unit.")
        elif not inspection.is_locked:
            errors["inspection"] = _("Choose a submitted inspection record; this one is still a draft.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audited(actor, "complaint.link", complaint, fields=LINK_FIELDS):
        complaint.unit, complaint.inspection, complaint.opinion = unit, inspection, opinion
        complaint.save(update_fields=[*LINK_FIELDS, "updated_at"])
    return complaint


LINK_FIELDS = ("unit", "inspection", "opinion")


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    address: str
    visible: bool

    @property
    def empty(self) -> bool:
        return not (self.name or self.phone or self.address)


def complaint_contact_for(*, actor: User, complaint: Complaint) -> Contact:
    """The complainant as ``actor`` may see them: in full for a handler of
    the case — and that view is written to the audit log —, masked for
    everyone else."""
    if not complaint.has_contact:
        return Contact("", "", "", visible=is_handler(actor, complaint))
    if is_handler(actor, complaint):
        audit_record(
            actor=actor,
            action="complaint.view_contact",
            obj=complaint,
            note=_("complainant's contact details"),
        )
        return Contact(
            complaint.complainant_name, complaint.complainant_phone, complaint.complainant_address, visible=True
        )
    return Contact(
        mask_name(complaint.complainant_name),
        mask_phone(complaint.complainant_phone),
        "***" if complaint.complainant_address else "",
        visible=False,
    )


# --- photos the forms keep between tries --------------------------------------------

PENDING_LIFETIME = datetime.timedelta(days=1)


def pending_owner_key(secret: str) -> str:
    """The ``PendingUpload.owner`` for a secret kept in one browser session:
    its hash, so the database never holds what the session holds."""
    return hashlib.sha256(f"xieguan.complaints.pending:{secret}".encode()).hexdigest()


def _pending_changes(pending: PendingUpload, *, created: bool) -> dict[str, list[Any]]:
    # The photo by its hash and size: enough to tell which it was, without
    # the owner's key or a storage path in the log.
    values = {"sha256": pending.sha256, "size": pending.size}
    return {name: [None, value] if created else [value, None] for name, value in values.items()}


def pending_uploads_keep(*, owner: str, photos: list[PreparedPhoto], actor: User | None = None) -> list[PendingUpload]:
    """Keep photos that passed while something else in the form failed, so
    the person does not pick them again: each becomes a ``PendingUpload``
    whose file name the server chooses; the form gets back only the
    records' ids. Audited."""
    kept: list[PendingUpload] = []
    for prepared in photos[:MAX_PHOTOS]:
        with files_kept_on_success() as files, transaction.atomic():
            pending = PendingUpload(
                owner=owner,
                sha256=prepared.sha256,
                size=len(prepared.content),
                width=prepared.width,
                height=prepared.height,
            )
            files.save(pending.image, f"{secrets.token_hex(12)}.jpg", prepared.content)
            pending.save()
            audit_record(
                actor=actor,
                action="pending_upload.keep",
                obj=pending,
                changes=_pending_changes(pending, created=True),
                username=None if actor is not None else "public",
            )
        kept.append(pending)
    return kept


def pending_uploads_for(*, owner: str, ids: str) -> list[PendingUpload]:
    """The kept photos ``ids`` (the form's comma-separated record ids) names
    that this ``owner`` made less than a day ago. Anything else — another
    visitor's id, a path, a forged or replayed value — names nothing."""
    keys: list[uuid.UUID] = []
    for part in (ids or "").split(",")[:MAX_PHOTOS]:
        try:
            keys.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    if not keys or not owner:
        return []
    fresh_since = timezone.now() - PENDING_LIFETIME
    return list(PendingUpload.objects.filter(pk__in=keys, owner=owner, created_at__gte=fresh_since))


def pending_upload_photos(uploads: list[PendingUpload]) -> list[PreparedPhoto]:
    """The photos the kept records hold, ready to be attached again (a
    record whose file has gone is skipped)."""
    photos = []
    for pending in uploads:
        try:
            with pending.image.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            continue
        photos.append(PreparedPhoto(content, pending.sha256, pending.width, pending.height, None))
    return photos


def pending_uploads_discard(*, uploads: list[PendingUpload], actor: User | None = None, note: str = "") -> int:
    """Delete kept photos: each record with its own file (the only file it
    may delete), once the complaint has its own copies or the record is
    past its day. Each deletion audited. Returns how many."""
    removed = 0
    for pending in uploads:
        storage, name = pending.image.storage, pending.image.name
        with transaction.atomic():
            deleted, _by_model = PendingUpload.objects.filter(pk=pending.pk).delete()
            if not deleted:
                continue  # another request discarded it first
            audit_record(
                actor=actor,
                action="pending_upload.discard",
                obj=pending,
                changes=_pending_changes(pending, created=False),
                note=note,
                username=None if actor is not None else "public",
            )
            if name:
                transaction.on_commit(partial(storage.delete, name))
        removed += 1
    return removed


# --- the county's settings ---------------------------------------------------------

LIMIT_FIELDS = ("accept_days", "handle_days", "reply_days", "reopen_days", "near_days")


def complaint_settings_update(*, actor: User, county: Area, **limits: int) -> ComplaintSettings:
    """Change the county's time limits (working days; the reopen window in
    days). Each between 1 and 60 (near: 0 to 10)."""
    require(actor, CONFIGURE_COMPLAINTS, county.path)
    errors: dict[str, str] = {}
    for name in LIMIT_FIELDS:
        value = limits.get(name)
        low, high = (0, 10) if name == "near_days" else (1, 60)
        if value is None or not (low <= int(value) <= high):
            errors[name] = _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        found = ComplaintSettings.objects.filter(county=county).first()
        with audited(actor, "complaint_settings.update", found, area_path=county.path) as audit:
            current = audit.obj = found or ComplaintSettings(county=county)
            for name in LIMIT_FIELDS:
                setattr(current, name, int(limits[name]))
            current.save()
    return current


def calendar_override_set(
    *, actor: User, county: Area, date: datetime.date, is_workday: bool, note: str = ""
) -> CalendarOverride:
    """Say the county works (or rests) on ``date`` whatever the national
    schedule says; one row per day, a second call changes it."""
    require(actor, CONFIGURE_COMPLAINTS, county.path)
    errors: dict[str, str] = {}
    note = clean_text(note, field="note", required=False, limit=100, errors=errors)
    if date is None:
        errors["date"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        found = CalendarOverride.objects.filter(county=county, date=date).first()
        with audited(actor, "calendar_override.set", found, area_path=county.path) as audit:
            row = audit.obj = found or CalendarOverride(county=county, date=date, is_workday=is_workday)
            row.is_workday, row.note = is_workday, note
            row.save()
    return row


def calendar_override_delete(*, actor: User, override: CalendarOverride) -> None:
    """Back to the national schedule for that day."""
    require(actor, CONFIGURE_COMPLAINTS, override.county.path)
    with transaction.atomic(), audited(actor, "calendar_override.delete", override, area_path=override.county.path):
        override.delete()
