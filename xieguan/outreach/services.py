"""Every write to publicity records (SPEC §7): validated, permitted, scoped, audited."""

from __future__ import annotations

import datetime
import hmac
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.permissions import MANAGE_TRAINING, RECORD_OUTREACH, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_audited_once, existing_for_retry
from xieguan.core.limits import limit_hit, limit_reached
from xieguan.core.photos import GpsFix, evidence_stamp_lines, prepare_photo, save_photo_once
from xieguan.core.registry import assert_period_open, ensure_open
from xieguan.core.validators import clean_phone, clean_text, date_error
from xieguan.outreach.models import (
    Attendance,
    Outreach,
    OutreachForm,
    OutreachPhoto,
    SignInMethod,
    Training,
    TrainingLevel,
)
from xieguan.units.models import Unit

if TYPE_CHECKING:
    from xieguan.accounts.models import User


def _clean_outreach_texts(*, place: str, theme: str, audience: str, materials: str) -> dict[str, str]:
    return {
        "place": clean_text(place, field="place", required=True, limit=200),
        "theme": clean_text(theme, field="theme", required=True, limit=200),
        "audience": clean_text(audience, field="audience", required=False, limit=200),
        "materials": clean_text(materials, field="materials", required=False, limit=2000),
    }


def _unit_errors(actor: User, area: Area, form: str, unit: Unit | None) -> dict[str, str]:
    """Guidance is to a unit of the record's area that the actor can see."""
    if form != OutreachForm.GUIDANCE:
        return {}
    if unit is None:
        return {"unit": _("Guidance to a unit needs the unit.")}
    if not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        return {"unit": _("This unit is outside your area.")}
    if not unit.area.path.startswith(area.path) and not area.path.startswith(unit.area.path):
        return {"unit": _("The unit is not in the chosen township or village.")}
    return {}


def outreach_create(
    *,
    actor: User,
    area: Area,
    date: datetime.date,
    place: str,
    form: str,
    theme: str,
    audience: str = "",
    audience_count: int = 0,
    materials: str = "",
    materials_count: int = 0,
    unit: Unit | None = None,
    id: uuid.UUID | None = None,
) -> Outreach:
    """A new publicity record in a township or village of the actor's area,
    made by the actor's institution; made once per ``id``."""
    require(actor, RECORD_OUTREACH, area.path)
    if actor.institution is None:
        raise ValidationError(_("Only a member of an institution can record publicity."))
    assert_period_open(area, date)
    errors: dict[str, str] = {}
    if area.level not in (Level.TOWNSHIP, Level.VILLAGE):
        errors["area"] = _("Choose a township or a village.")
    elif not area.is_active:
        errors["area"] = _("This area has been retired.")
    if problem := date_error(date):
        errors["date"] = problem
    if form not in OutreachForm.values:
        errors["form"] = _("Choose a form from the list.")
    if audience_count < 0 or materials_count < 0:
        errors["audience_count"] = _("Counts cannot be negative.")
    errors.update(_unit_errors(actor, area, form, unit))
    if errors:
        raise ValidationError(errors)
    clean = _clean_outreach_texts(place=place, theme=theme, audience=audience, materials=materials)

    record, _created = create_audited_once(
        Outreach,
        id,
        actor,
        "outreach.create",
        area=area,
        institution=actor.institution,
        date=date,
        form=form,
        audience_count=audience_count,
        materials_count=materials_count,
        unit=unit if form == OutreachForm.GUIDANCE else None,
        recorded_by=actor,
        **clean,
    )
    return record


def training_create(
    *,
    actor: User,
    area: Area,
    level: str,
    topic: str,
    date: datetime.date,
    hours: Decimal,
    trainer: str,
    materials: str = "",
    id: uuid.UUID | None = None,
) -> Training:
    """A training held by the actor's institution: a county training of
    co-managers sits in the county, a township training of village officers
    in the township; made once per ``id``."""
    require(actor, MANAGE_TRAINING, area.path)
    if actor.institution is None:
        raise ValidationError(_("Only a member of an institution can record a training."))
    errors: dict[str, str] = {}
    if level not in TrainingLevel.values:
        errors["level"] = _("Choose a level from the list.")
    elif level == TrainingLevel.COUNTY and area.level != Level.COUNTY:
        errors["area"] = _("A county training belongs to the county.")
    elif level == TrainingLevel.TOWNSHIP and area.level != Level.TOWNSHIP:
        errors["area"] = _("A township training belongs to a township.")
    if hours is None or not (Decimal("0.5") <= Decimal(hours) <= Decimal("40")):
        errors["hours"] = _("Hours must be between 0.5 and 40.")
    if problem := date_error(date):
        errors["date"] = problem
    if errors:
        raise ValidationError(errors)
    # A township's training sits in a month its report may have locked.
    assert_period_open(area, date)
    clean = {
        "topic": clean_text(topic, field="topic", required=True, limit=200),
        "trainer": clean_text(trainer, field="trainer", required=True, limit=100),
        "materials": clean_text(materials, field="materials", required=False, limit=2000),
    }

    training, _created = create_audited_once(
        Training,
        id,
        actor,
        "training.create",
        area=area,
        institution=actor.institution,
        level=level,
        date=date,
        hours=Decimal(hours),
        recorded_by=actor,
        **clean,
    )
    return training


def _attend(
    *, actor: User, training: Training, person: User, method: str, score: Decimal | None
) -> tuple[Attendance, bool]:
    """One attendance per person: a second sign-in returns the first."""
    area_path = person.institution.area.path if person.institution is not None else None
    if not person.is_active or area_path is None or not area_path.startswith(training.area.path):
        raise ValidationError({"person": _("This person is not in the training's area.")})
    if score is not None and not (Decimal(0) <= Decimal(score) <= Decimal(100)):
        raise ValidationError({"score": _("The score must be between 0 and 100.")})
    found = Attendance.objects.filter(training=training, person=person).first()
    if found is not None:
        return found, False
    try:
        with (
            transaction.atomic(),
            audited(actor, "attendance.sign_in" if method == SignInMethod.SELF else "attendance.register") as audit,
        ):
            attendance = audit.obj = Attendance.objects.create(
                training=training, person=person, signed_at=timezone.now(), method=method, score=score
            )
    except IntegrityError:
        # Two sign-ins at once meet at the unique constraint.
        return Attendance.objects.get(training=training, person=person), False
    return attendance, True


def attendance_register(
    *, actor: User, training: Training, person: User, score: Decimal | None = None
) -> tuple[Attendance, bool]:
    """The trainer registers a person from the people registry; idempotent per
    person. Returns (attendance, created)."""
    require(actor, MANAGE_TRAINING, training.area.path)
    with transaction.atomic():
        return _attend(actor=actor, training=training, person=person, method=SignInMethod.REGISTERED, score=score)


def attendance_sign_in(
    *, actor: User, training: Training, token: str, today: datetime.date | None = None
) -> tuple[Attendance, bool]:
    """A signed-in person signs themselves in through the QR link: the token
    must be the training's, sign-in open (its date ± 1 day) and the person in
    the training's area. Idempotent."""
    if not hmac.compare_digest(token.encode(), training.sign_in_token.encode()):
        raise Http404
    if not training.sign_in_open(today or timezone.localdate()):
        raise ValidationError(_("Sign-in for this training is closed."))
    with transaction.atomic():
        return _attend(actor=actor, training=training, person=actor, method=SignInMethod.SELF, score=None)


def _clean_guest(
    *, actor: User | None, training: Training, name: str, phone: str, workplace: str, unit: Unit | None
) -> dict[str, Any]:
    """A guest's name, phone (checked, in its stored form) and workplace:
    a registered unit of the training's area the actor may see, or what they
    wrote; one of the two is needed."""
    errors: dict[str, str] = {}
    clean_name = (name or "").strip()
    if not clean_name:
        errors["name"] = _("Enter the attendee's name.")
    elif len(clean_name) > 50:
        errors["name"] = _("Enter at most %(limit)d characters.") % {"limit": 50}
    try:
        clean = clean_phone(phone)
    except ValidationError as exc:
        errors["phone"] = " ".join(exc.messages)
    else:
        if not clean:
            errors["phone"] = _("Enter the attendee's phone number.")
    clean_workplace = clean_text(workplace, field="workplace", limit=100, errors=errors)
    if unit is not None:
        visible = actor is not None and Unit.objects.visible_to(actor).filter(pk=unit.pk).exists()
        if not visible or not unit.area.path.startswith(training.area.path):
            errors["unit"] = _("This unit is not in the training's area.")
    elif not clean_workplace:
        errors["workplace"] = _("Enter where the attendee works, or choose the unit.")
    if errors:
        raise ValidationError(errors)
    return {"name": clean_name, "phone": clean, "workplace": clean_workplace, "unit": unit}


def _attend_guest(
    *,
    actor: User | None,
    training: Training,
    method: str,
    guest: dict[str, Any],
    score: Decimal | None,
    id: uuid.UUID | None = None,
) -> tuple[Attendance, bool]:
    """One attendance per guest (name and phone) and per client id: a second
    send returns the first."""
    if score is not None and not (Decimal(0) <= Decimal(score) <= Decimal(100)):
        raise ValidationError({"score": _("The score must be between 0 and 100.")})
    if id is not None and actor is not None:
        sent_before = existing_for_retry(Attendance, id, actor)
        if sent_before is not None:
            if sent_before.training_id != training.pk:
                raise ValidationError({"id": _("This id belongs to an attendance at another training.")})
            return sent_before, False
    same_guest = Attendance.objects.filter(
        training=training, person__isnull=True, name=guest["name"], phone=guest["phone"]
    )
    found = same_guest.first()
    if found is not None:
        return found, False
    try:
        with (
            transaction.atomic(),
            audited(
                actor,
                "attendance.sign_in" if method == SignInMethod.SELF else "attendance.register",
                username=None if actor is not None else guest["name"],
            ) as audit,
        ):
            attendance = audit.obj = Attendance.objects.create(
                id=id or uuid.uuid4(),
                training=training,
                signed_at=timezone.now(),
                method=method,
                score=score,
                **guest,
            )
            if actor is None:
                audit.note = _("A guest without an account signed in through the QR code.")
    except IntegrityError:
        # Two sends at once meet at the primary key or the guest's constraint.
        again = (Attendance.objects.filter(pk=id).first() if id is not None else None) or same_guest.first()
        if again is None:
            raise
        return again, False
    return attendance, True


def attendance_register_guest(
    *,
    actor: User,
    training: Training,
    name: str,
    phone: str,
    workplace: str = "",
    unit: Unit | None = None,
    score: Decimal | None = None,
    id: uuid.UUID | None = None,
) -> tuple[Attendance, bool]:
    """The trainer registers someone without an account (a school doctor, a
    water plant's staff): name, phone, and a registered unit of the
    training's area or a free-text workplace. Idempotent per name and phone
    and per client ``id``. Returns (attendance, created)."""
    require(actor, MANAGE_TRAINING, training.area.path)
    guest = _clean_guest(actor=actor, training=training, name=name, phone=phone, workplace=workplace, unit=unit)
    with transaction.atomic():
        return _attend_guest(
            actor=actor, training=training, method=SignInMethod.REGISTERED, guest=guest, score=score, id=id
        )


def attendance_sign_in_guest(
    *,
    training: Training,
    token: str,
    name: str,
    phone: str,
    workplace: str,
    address: str | None = None,
    today: datetime.date | None = None,
) -> tuple[Attendance, bool]:
    """Someone without an account signs in through the QR link with their
    name, phone and workplace: the token must be the training's and sign-in
    open (its date ± 1 day). Idempotent per name and phone. The link is
    public, so one network address may sign in at most
    OUTREACH_GUEST_SIGN_IN_LIMIT times an hour (a village hall shares one
    address: the default, 200, is a full hall, not a script)."""
    if not hmac.compare_digest(token.encode(), training.sign_in_token.encode()):
        raise Http404
    if not training.sign_in_open(today or timezone.localdate()):
        raise ValidationError(_("Sign-in for this training is closed."))
    key = address or "unknown"
    if limit_reached("guest-sign-in", key, limit=getattr(settings, "OUTREACH_GUEST_SIGN_IN_LIMIT", 200)):
        raise ValidationError(_("Too many sign-ins from this network in the last hour. Try again later."))
    limit_hit("guest-sign-in", key, seconds=3600)
    guest = _clean_guest(actor=None, training=training, name=name, phone=phone, workplace=workplace, unit=None)
    with transaction.atomic():
        return _attend_guest(actor=None, training=training, method=SignInMethod.SELF, guest=guest, score=None)


def outreach_photo_add(
    *, actor: User, outreach: Outreach, upload: Any, fix: GpsFix | None = None
) -> tuple[OutreachPhoto, bool]:
    """Attach a photo (``xieguan.core.photos``: refused over 20 MB or when not
    an image, resized, stamped with the time, the place and the GPS fix sent
    with it, kept once by the hash of the bytes sent). Returns (photo, created)."""
    require(actor, RECORD_OUTREACH, outreach.area.path)
    lines = evidence_stamp_lines(unit=outreach.unit, area=outreach.area, place=outreach.place, fix=fix)
    return save_photo_once(
        OutreachPhoto,
        prepare_photo(upload, stamp=True, stamp_lines=lines),
        actor=actor,
        owner={"outreach": outreach},
        check=lambda: ensure_open(outreach),
    )


OUTREACH_EDITABLE = (
    "area",
    "date",
    "place",
    "form",
    "theme",
    "audience",
    "audience_count",
    "materials",
    "materials_count",
    "unit",
)


def outreach_update(*, actor: User, record: Outreach, **changes: Any) -> Outreach:
    """Correct a publicity record: the same checks as recording it, in its
    old and its new area; before → after in the audit log."""
    require(actor, RECORD_OUTREACH, record.area.path)
    unknown = set(changes) - set(OUTREACH_EDITABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = {name: changes.get(name, getattr(record, name)) for name in OUTREACH_EDITABLE}
    area: Area = values["area"]
    require(actor, RECORD_OUTREACH, area.path)
    errors: dict[str, str] = {}
    if area.level not in (Level.TOWNSHIP, Level.VILLAGE):
        errors["area"] = _("Choose a township or a village.")
    if problem := date_error(values["date"]):
        errors["date"] = problem
    if values["form"] not in OutreachForm.values:
        errors["form"] = _("Choose a form from the list.")
    if (values["audience_count"] or 0) < 0 or (values["materials_count"] or 0) < 0:
        errors["audience_count"] = _("Counts cannot be negative.")
    errors.update(_unit_errors(actor, area, values["form"], values["unit"]))
    if errors:
        raise ValidationError(errors)
    # Both the month it leaves and the month it moves to must be open.
    ensure_open(record)
    assert_period_open(area, values["date"])
    values.update(
        _clean_outreach_texts(
            place=values["place"], theme=values["theme"], audience=values["audience"], materials=values["materials"]
        )
    )
    if values["form"] != OutreachForm.GUIDANCE:
        values["unit"] = None
    with transaction.atomic():
        locked = Outreach.objects.select_for_update().get(pk=record.pk)
        with audited(actor, "outreach.update", locked):
            for name, value in values.items():
                setattr(locked, name, value)
            locked.save()
    return locked


def outreach_delete(*, actor: User, record: Outreach) -> None:
    """Delete a publicity record recorded by mistake, with its photos; the
    audit log keeps what it was."""
    require(actor, RECORD_OUTREACH, record.area.path)
    ensure_open(record)
    names = [(p.image.storage, p.image.name) for p in record.photos.all()]
    with transaction.atomic():
        with audited(actor, "outreach.delete", record):
            record.delete()

        def remove_files() -> None:
            for storage, name in names:
                if name:
                    storage.delete(name)

        transaction.on_commit(remove_files)


TRAINING_EDITABLE = ("topic", "date", "hours", "trainer", "materials")


def training_update(*, actor: User, training: Training, **changes: Any) -> Training:
    """Correct a training's topic, date, hours, trainer or materials (its level
    and area stay: attendances were signed against them)."""
    require(actor, MANAGE_TRAINING, training.area.path)
    unknown = set(changes) - set(TRAINING_EDITABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = {name: changes.get(name, getattr(training, name)) for name in TRAINING_EDITABLE}
    if values["hours"] is None or not (Decimal("0.5") <= Decimal(values["hours"]) <= Decimal("40")):
        raise ValidationError({"hours": _("Hours must be between 0.5 and 40.")})
    if problem := date_error(values["date"]):
        raise ValidationError({"date": problem})
    # Both the month it leaves and the month it moves to must be open.
    ensure_open(training)
    assert_period_open(training.area, values["date"])
    clean = {
        "topic": clean_text(values["topic"], field="topic", required=True, limit=200),
        "trainer": clean_text(values["trainer"], field="trainer", required=True, limit=100),
        "materials": clean_text(values["materials"], field="materials", required=False, limit=2000),
        "date": values["date"],
        "hours": Decimal(values["hours"]),
    }
    with transaction.atomic():
        locked = Training.objects.select_for_update().get(pk=training.pk)
        with audited(actor, "training.update", locked):
            for name, value in clean.items():
                setattr(locked, name, value)
            locked.save()
    return locked


def training_delete(*, actor: User, training: Training) -> None:
    """Delete a training recorded by mistake — only while nobody has signed
    in, since attendances are people's hours."""
    require(actor, MANAGE_TRAINING, training.area.path)
    ensure_open(training)
    with transaction.atomic():
        if training.attendances.exists():
            # The training's state, not the request, stands in the way: 409 in the API.
            raise StateConflict(_("People have signed in to this training; it cannot be deleted. Correct it instead."))
        with audited(actor, "training.delete", training):
            training.delete()
