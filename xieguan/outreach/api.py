"""API: publicity records (SPEC §7)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from xieguan.accounts.permissions import RECORD_OUTREACH, require
from xieguan.accounts.selectors import get_person_for_user
from xieguan.areas.selectors import get_area_for_user
from xieguan.core.api import ERRORS, ConflictOut, ListOut
from xieguan.core.idempotency import conflict_response, existing_for_retry, retry_conflicts, wants_create_only
from xieguan.core.pagination import keyset_list, keyset_page
from xieguan.core.photos import gps_fix_checked
from xieguan.outreach import services
from xieguan.outreach.models import Attendance, Outreach, OutreachForm, OutreachPhoto, Training
from xieguan.outreach.schemas import (
    AttendanceIn,
    AttendanceOut,
    GuestAttendanceIn,
    HoursListOut,
    OutreachIn,
    OutreachOut,
    OutreachPatch,
    OutreachPhotoOut,
    PersonYearOut,
    TrainingIn,
    TrainingOut,
    TrainingPatch,
)
from xieguan.outreach.selectors import get_outreach_for_user, get_training_for_user, outreach_filtered
from xieguan.units.models import Unit

router = Router(tags=["outreach"])


def _out(r: Outreach) -> dict[str, Any]:
    return {
        "id": r.pk,
        "area_id": r.area_id,
        "area_name": r.area.name,
        "institution_id": r.institution_id,
        "date": r.date,
        "place": r.place,
        "form": r.form,
        "form_label": r.get_form_display(),
        "theme": r.theme,
        "audience": r.audience,
        "audience_count": r.audience_count,
        "materials": r.materials,
        "materials_count": r.materials_count,
        "unit_id": r.unit_id,
        "recorded_by": r.recorded_by.full_name or r.recorded_by.username,
    }


@router.get("", response={200: ListOut[OutreachOut], **ERRORS})
def outreach_list(
    request: HttpRequest,
    area_id: str | None = None,
    form: OutreachForm | None = None,
    year: int | None = Query(None, ge=2000, le=2100),
    quarter: int | None = Query(None, ge=1, le=4),
    q: str = "",
    unit_id: str | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Publicity records in the caller's scope, newest first, filtered as the
    list page filters: ``area_id`` (that area and below), ``form``, ``year``
    (and ``quarter``), ``q`` (theme, place, audience), ``unit_id``."""
    qs = outreach_filtered(
        request.user,
        q=q.strip(),
        form=str(form.value) if form else "",
        area=get_area_for_user(request.user, area_id) if area_id else None,
        year=year,
        quarter=quarter,
        unit=_unit_or_422(request, unit_id) if unit_id else None,
    )
    return keyset_list(qs, ordering=["-date", "-id"], cursor=after, size=limit, out=_out)


@router.get("/{record_id}", response={200: OutreachOut, **ERRORS})
def outreach_get(request: HttpRequest, record_id: str) -> Any:
    return _out(get_outreach_for_user(request.user, record_id))


@router.post("", response={200: OutreachOut, 201: OutreachOut, **ERRORS, 409: ConflictOut})
def outreach_create(request: HttpRequest, payload: OutreachIn) -> Any:
    """Record a publicity activity; idempotent on ``id``. With
    ``If-None-Match: *`` a retry whose fields differ from the record held
    (changed on the server since) answers 409 and changes nothing, with the
    record as the server holds it in ``server``; the phone's version can
    then win through PATCH."""
    existing = existing_for_retry(Outreach, payload.id, request.user)
    if existing is not None:
        record = get_outreach_for_user(request.user, existing.pk)
        if wants_create_only(request):
            conflicts = retry_conflicts(
                {
                    "area_id": (record.area_id, payload.area_id),
                    "date": (record.date, payload.date),
                    "place": (record.place, payload.place),
                    "form": (record.form, payload.form.value),
                    "theme": (record.theme, payload.theme),
                    "audience": (record.audience, payload.audience),
                    "audience_count": (record.audience_count, payload.audience_count),
                    "materials": (record.materials, payload.materials),
                    "materials_count": (record.materials_count, payload.materials_count),
                }
            )
            if conflicts:
                return conflict_response(conflicts, _out(record))
        return Status(200, _out(record))
    area = get_area_for_user(request.user, payload.area_id)
    data = payload.dict(exclude={"area_id", "unit_id"})
    data["form"] = str(payload.form.value)
    data["unit"] = _unit_or_422(request, payload.unit_id)
    record = services.outreach_create(actor=request.user, area=area, **data)
    return Status(201, _out(record))


def _unit_or_422(request: HttpRequest, unit_id: Any) -> Unit | None:
    """The unit named by the client, or a 422 naming the field (a unit in
    another area is bad input here, not a missing page)."""
    if unit_id is None:
        return None
    unit = Unit.objects.visible_to(request.user).select_related("area").filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("This unit is outside your area.")})
    return unit


@router.patch("/{record_id}", response={200: OutreachOut, **ERRORS})
def outreach_patch(request: HttpRequest, record_id: str, payload: OutreachPatch) -> Any:
    """Correct a record: only the fields sent change."""
    record = get_outreach_for_user(request.user, record_id)
    require(request.user, RECORD_OUTREACH, record.area.path)  # the role before the fields: 403 whatever was sent
    changes = payload.dict(exclude_unset=True)
    if "area_id" in changes:
        changes["area"] = get_area_for_user(request.user, changes.pop("area_id"))
    if "unit_id" in changes:
        changes["unit"] = _unit_or_422(request, changes.pop("unit_id"))
    if changes.get("form") is not None:
        changes["form"] = str(payload.form.value)  # type: ignore[union-attr]
    changes = {k: v for k, v in changes.items() if v is not None or k == "unit"}
    updated = services.outreach_update(actor=request.user, record=record, **changes)
    return _out(get_outreach_for_user(request.user, updated.pk))


@router.delete("/{record_id}", response={204: None, **ERRORS})
def outreach_delete(request: HttpRequest, record_id: str) -> Any:
    services.outreach_delete(actor=request.user, record=get_outreach_for_user(request.user, record_id))
    return Status(204, None)


def _photo_out(photo: OutreachPhoto) -> dict[str, Any]:
    return {
        "id": photo.pk,
        "sha256": photo.sha256,
        "width": photo.width,
        "height": photo.height,
        "url": reverse("outreach:photo", args=[photo.pk]),
    }


@router.get("/{record_id}/photos", response={200: list[OutreachPhotoOut], **ERRORS})
def outreach_photos(request: HttpRequest, record_id: str) -> Any:
    record = get_outreach_for_user(request.user, record_id)
    return [_photo_out(p) for p in record.photos.order_by("created_at", "id")]


@router.post("/{record_id}/photos", response={200: OutreachPhotoOut, 201: OutreachPhotoOut, **ERRORS})
def outreach_photo_add(
    request: HttpRequest,
    record_id: str,
    image: File[UploadedFile],
    latitude: Form[float | None] = None,
    longitude: Form[float | None] = None,
    accuracy_m: Form[float | None] = None,
) -> Any:
    """Attach a photo (multipart field ``image``; JPEG/PNG, at most 20 MB).
    The same photo sent again answers 200 with the first one. Stamped with
    the time, the place and the GPS fix sent with it (``latitude``,
    ``longitude``, ``accuracy_m`` in metres; 422 out of range); ``sha256``
    is the hash of the bytes sent, before stamping."""
    record = get_outreach_for_user(request.user, record_id)
    require(request.user, RECORD_OUTREACH, record.area.path)  # the role before the fields: 403 whatever was sent
    fix = gps_fix_checked(latitude, longitude, accuracy_m)
    photo, created = services.outreach_photo_add(actor=request.user, outreach=record, upload=image, fix=fix)
    return Status(201 if created else 200, _photo_out(photo))


training_router = Router(tags=["trainings"])


def _training_out(t: Training, attendee_count: int | None = None) -> dict[str, Any]:
    return {
        "id": t.pk,
        "area_id": t.area_id,
        "area_name": t.area.name,
        "institution_id": t.institution_id,
        "level": t.level,
        "level_label": t.get_level_display(),
        "topic": t.topic,
        "date": t.date,
        "hours": t.hours,
        "trainer": t.trainer,
        "materials": t.materials,
        "attendee_count": t.attendances.count() if attendee_count is None else attendee_count,
    }


@training_router.get("", response={200: ListOut[TrainingOut], **ERRORS})
def training_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """Trainings held in the caller's scope, newest first."""
    qs = Training.objects.visible_to(request.user).for_list()
    page = keyset_page(qs, ordering=["-date", "-id"], cursor=after, size=limit)
    return {"items": [_training_out(t, t.attendee_count) for t in page.items], "next": page.next_cursor}


@training_router.get("/{training_id}", response={200: TrainingOut, **ERRORS})
def training_get(request: HttpRequest, training_id: str) -> Any:
    return _training_out(get_training_for_user(request.user, training_id))


@training_router.post("", response={200: TrainingOut, 201: TrainingOut, **ERRORS})
def training_create(request: HttpRequest, payload: TrainingIn) -> Any:
    """Record a training; idempotent on ``id``."""
    existing = existing_for_retry(Training, payload.id, request.user)
    if existing is not None:
        return Status(200, _training_out(get_training_for_user(request.user, existing.pk)))
    area = get_area_for_user(request.user, payload.area_id)
    data = payload.dict(exclude={"area_id"})
    data["level"] = str(payload.level.value)
    training = services.training_create(actor=request.user, area=area, **data)
    return Status(201, _training_out(training, 0))


@training_router.patch("/{training_id}", response={200: TrainingOut, **ERRORS})
def training_patch(request: HttpRequest, training_id: str, payload: TrainingPatch) -> Any:
    """Correct a training: only the fields sent change."""
    training = get_training_for_user(request.user, training_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    updated = services.training_update(actor=request.user, training=training, **changes)
    return _training_out(get_training_for_user(request.user, updated.pk))


@training_router.delete("/{training_id}", response={204: None, **ERRORS})
def training_delete(request: HttpRequest, training_id: str) -> Any:
    """Delete a training nobody has signed in to (else 422)."""
    services.training_delete(actor=request.user, training=get_training_for_user(request.user, training_id))
    return Status(204, None)


@training_router.post("/{training_id}/attendance", response={200: AttendanceOut, 201: AttendanceOut, **ERRORS})
def attendance_register(request: HttpRequest, training_id: str, payload: AttendanceIn) -> Any:
    """Register a person from the people registry at a training; idempotent
    per person (a second call answers 200 with the first attendance)."""
    training = get_training_for_user(request.user, training_id)
    person = get_person_for_user(request.user, payload.person_id)
    attendance, created = services.attendance_register(
        actor=request.user, training=training, person=person, score=payload.score
    )
    return Status(201 if created else 200, _attendance_out(attendance))


def _attendance_out(attendance: Attendance) -> dict[str, Any]:
    return {
        "id": attendance.pk,
        "training_id": attendance.training_id,
        "person_id": attendance.person_id,
        "person_name": attendance.display_name,
        "is_guest": attendance.is_guest,
        "workplace": attendance.display_workplace,
        "unit_id": attendance.unit_id,
        "phone": attendance.masked_phone if attendance.is_guest else attendance.person.masked_phone,
        "signed_at": attendance.signed_at,
        "method": attendance.method,
        "score": attendance.score,
    }


@training_router.post("/{training_id}/guests", response={200: AttendanceOut, 201: AttendanceOut, **ERRORS})
def attendance_register_guest(request: HttpRequest, training_id: str, payload: GuestAttendanceIn) -> Any:
    """Register someone without an account (a school doctor, a water plant's
    staff) by name, phone and a registered unit (``unit_id``) or a written
    ``workplace``. Idempotent on ``id`` and on name and phone: a second call
    answers 200 with the first attendance. The phone comes back masked."""
    training = get_training_for_user(request.user, training_id)
    attendance, created = services.attendance_register_guest(
        actor=request.user,
        training=training,
        name=payload.name,
        phone=payload.phone,
        workplace=payload.workplace,
        unit=_unit_or_422(request, payload.unit_id),
        score=payload.score,
        id=payload.id,
    )
    return Status(201 if created else 200, _attendance_out(attendance))


# ---------------------------------------------------------------- issue 19 item 2: training hours
# outreach:hours and outreach:hours_person, through the same selectors.

hours_router = Router(tags=["outreach"])


@hours_router.get("", response={200: HoursListOut, **ERRORS})
def training_hours(
    request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100, description="this year by default")
) -> Any:
    """Each active co-manager in the caller's area with the hours of the
    trainings they attended in ``year``, against the yearly minimum. One
    query whatever the number of people."""
    year = year or timezone.localdate().year
    from xieguan.outreach.selectors import MINIMUM_HOURS, comanager_hours

    people = [
        {
            "person_id": p.pk,
            "name": p.full_name or p.username,
            "institution_name": p.institution.name if p.institution_id else "",
            "hours": p.year_hours,
            "short": p.year_hours < MINIMUM_HOURS,
        }
        for p in comanager_hours(request.user, year=year)
    ]
    return {"year": year, "minimum": MINIMUM_HOURS, "people": people}


@hours_router.get("/{person_id}", response={200: PersonYearOut, **ERRORS})
def training_hours_person(
    request: HttpRequest,
    person_id: str,
    year: int | None = Query(None, ge=2000, le=2100, description="this year by default"),
) -> Any:
    """One person's trainings in ``year``: the sessions behind their hours."""
    year = year or timezone.localdate().year
    from decimal import Decimal

    from xieguan.outreach.selectors import MINIMUM_HOURS, attendances_of

    person = get_person_for_user(request.user, person_id)
    attendances = attendances_of(person, year=year)
    sessions = [
        {
            "training_id": a.training_id,
            "date": a.training.date,
            "topic": a.training.topic,
            "institution_name": a.training.institution.name,
            "hours": a.training.hours,
        }
        for a in attendances
    ]
    return {
        "person_id": person.pk,
        "name": person.full_name or person.username,
        "year": year,
        "minimum": MINIMUM_HOURS,
        "total": sum((a.training.hours for a in attendances), Decimal(0)),
        "sessions": sessions,
    }
