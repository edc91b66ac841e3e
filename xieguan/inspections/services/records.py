"""Inspection records (现场检查记录): started, saved as a draft, submitted
and locked, corrected as a new version. Their photos and signatures are
``evidence``'s; what blocks a submit is ``submit_problems``, the one rule
the page, the API and the phone's bootstrap all read."""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import User
from xieguan.accounts.permissions import RECORD_INSPECTION, require
from xieguan.core.audit import audit_record, audited
from xieguan.core.display import join_list
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_once
from xieguan.core.photos import check_gps as _check_gps
from xieguan.core.registry import assert_period_open, ensure_open
from xieguan.core.validators import clean_text, date_error
from xieguan.inspections.models import (
    MIN_INSPECTORS,
    Answer,
    ChecklistStatus,
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionInspector,
    InspectionStatus,
    OverallResult,
    Photo,
    SignerRole,
)
from xieguan.inspections.services.checklists import checklist_for
from xieguan.inspections.services.common import _inspectors, _require_draft
from xieguan.units.models import Unit, UnitStatus

EARTH_RADIUS_M = 6_371_000.0


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _distance(unit: Unit, latitude: Decimal | None, longitude: Decimal | None) -> float | None:
    if None in (latitude, longitude, unit.latitude, unit.longitude):
        return None
    return round(haversine_m(float(latitude), float(longitude), float(unit.latitude), float(unit.longitude)), 1)  # type: ignore[arg-type]


# ---------------------------------------------------------------- inspections


def inspection_create(
    *,
    actor: User,
    unit: Unit,
    started_at: datetime.datetime,
    inspectors: Sequence[Any] = (),
    place: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy_m: float | None = None,
    device_time: datetime.datetime | None = None,
    id: uuid.UUID | None = None,
    template: ChecklistTemplate | None = None,
) -> Inspection:
    """Start a draft inspection record of a unit in the actor's area with the
    checklist version in use today (or ``template``, a published checklist of
    the unit's category: a special campaign's own); made once per ``id``. Two inspectors are
    required at submit (``submit_problems``), not here, so a visit can be
    started by one phone."""
    require(actor, RECORD_INSPECTION, unit.area.path)
    institution = actor.institution
    if institution is None:
        raise ValidationError(_("Only a member of an institution can record an inspection."))
    errors: dict[str, str] = {}
    if unit.status == UnitStatus.CLOSED:
        errors["unit"] = _("This unit is closed.")
    if started_at > timezone.now() + datetime.timedelta(minutes=10):
        errors["started_at"] = _("The time cannot be in the future.")
    elif problem := date_error(started_at, ahead_days=1):  # the future: to the minute, above
        errors["started_at"] = problem
    if errors:
        raise ValidationError(errors)
    assert_period_open(unit.area, started_at)
    _check_gps(latitude, longitude, accuracy_m)
    chosen = _inspectors(actor, inspectors)
    if template is None or template.status != ChecklistStatus.PUBLISHED or template.category_id != unit.category_id:
        template = checklist_for(unit)
    clean_place = clean_text(place, field="place", limit=200)

    def make() -> Inspection:
        with audited(actor, "inspection.create") as audit:
            inspection = audit.obj = Inspection.objects.create(
                id=id or uuid.uuid4(),
                unit=unit,
                area=unit.area,
                institution=institution,
                template=template,
                started_at=started_at,
                device_time=device_time,
                place=clean_place or unit.address,
                latitude=latitude,
                longitude=longitude,
                accuracy_m=accuracy_m,
                distance_m=_distance(unit, latitude, longitude),
                recorded_by=actor,
            )
            InspectionInspector.objects.bulk_create(InspectionInspector(inspection=inspection, user=u) for u in chosen)
            InspectionAnswer.objects.bulk_create(
                InspectionAnswer(inspection=inspection, item=item) for item in template.items.all()
            )
        return inspection

    with transaction.atomic():
        inspection, _created = create_once(Inspection, id, actor, make)
    return inspection


DRAFT_FIELDS = ("place", "representative", "problems", "overall_result", "latitude", "longitude", "accuracy_m")


def inspection_save_draft(
    *,
    actor: User,
    inspection: Inspection,
    answers: dict[Any, tuple[str, str]] | None = None,
    inspectors: Sequence[Any] | None = None,
    **fields: Any,
) -> Inspection:
    """Save whatever has been typed so far into a draft: partial answers,
    blank fields and one inspector are all kept. ``answers`` maps an item id
    to (result or "", note)."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    _require_draft(inspection)
    ensure_open(inspection)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"not draft fields: {sorted(unknown)}")
    if "overall_result" in fields and fields["overall_result"] not in ("", None, *OverallResult.values):
        raise ValidationError({"overall_result": _("Choose a result from the list.")})
    if "latitude" in fields or "longitude" in fields or "accuracy_m" in fields:
        _check_gps(fields.get("latitude"), fields.get("longitude"), fields.get("accuracy_m"))
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("place",):
            clean[name] = clean_text(value, field=name, limit=200)
        elif name == "representative":
            clean[name] = clean_text(value, field=name, limit=50)
        elif name == "problems":
            clean[name] = clean_text(value, field=name, limit=4000)
        elif name == "overall_result":
            clean[name] = value or ""
        else:
            clean[name] = value
    chosen = _inspectors(actor, inspectors) if inspectors is not None else None
    rows: dict[str, InspectionAnswer] = {str(a.item_id): a for a in inspection.answers.all()}
    changed_answers: list[InspectionAnswer] = []
    for item_id, (result, note) in (answers or {}).items():
        row = rows.get(str(item_id))
        if row is None:
            raise ValidationError({"answers": _("An answer is for an item not on this record's checklist.")})
        if result not in ("", None, *Answer.values):
            raise ValidationError({"answers": _("An answer must be conforms, does not conform or not applicable.")})
        row.result = result or ""
        row.note = (note or "").strip()[:300]
        changed_answers.append(row)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _require_draft(locked)
        with audited(actor, "inspection.save_draft", inspection) as audit:
            for name, value in clean.items():
                setattr(inspection, name, value)
            if {"latitude", "longitude"} & set(clean):
                inspection.distance_m = _distance(inspection.unit, inspection.latitude, inspection.longitude)
            inspection.save()
            if changed_answers:
                InspectionAnswer.objects.bulk_update(changed_answers, ["result", "note"])
            if chosen is not None:
                inspection.inspector_links.exclude(user__in=chosen).delete()
                have = set(inspection.inspector_links.values_list("user_id", flat=True))
                InspectionInspector.objects.bulk_create(
                    InspectionInspector(inspection=inspection, user=u) for u in chosen if u.pk not in have
                )
            # Answers and inspectors saved are a change the record's fields do not show.
            audit.always = bool(changed_answers) or chosen is not None
    return inspection


def submit_problems(inspection: Inspection) -> dict[str, list[str]]:
    """What still blocks submitting a draft, by field (empty when none): at
    least ``MIN_INSPECTORS`` distinct inspectors, every item answered, an
    overall result that agrees with the answers, problems described when an
    item fails, the photos the checklist asks for
    (``ChecklistTemplate.photos_required``), each inspector signed and the
    representative signed or refused. A draft may lack any of these."""
    errors: dict[str, list[str]] = {}
    inspector_ids = list(inspection.inspector_links.values_list("user_id", flat=True))
    if len(set(inspector_ids)) < MIN_INSPECTORS:
        errors.setdefault("inspectors", []).append(_("An inspection needs at least two inspectors."))
    unanswered = inspection.answers.filter(result="").count()
    if unanswered:
        errors.setdefault("answers", []).append(
            _("%(count)d checklist items are not answered yet.") % {"count": unanswered}
        )
    failing = inspection.answers.filter(result=Answer.FAILS).exists()
    if not inspection.overall_result:
        errors.setdefault("overall_result", []).append(_("Choose the overall result."))
    elif failing and inspection.overall_result == OverallResult.CONFORMING:
        errors.setdefault("overall_result", []).append(
            _("An item does not conform, so the overall result cannot be “conforming”.")
        )
    if failing and not inspection.problems.strip():
        errors.setdefault("problems", []).append(_("Describe the problems found."))
    required = inspection.template.photos_required
    photos = inspection.photos.count()
    if photos < required:
        errors.setdefault("photos", []).append(
            _("This checklist needs at least %(required)d photos; the record has %(count)d.")
            % {"required": required, "count": photos}
        )
    signed = set(
        inspection.signatures.filter(role=SignerRole.INSPECTOR, refused=False).values_list("user_id", flat=True)
    )
    missing = [uid for uid in inspector_ids if uid not in signed]
    if missing:
        names = User.objects.filter(pk__in=missing).order_by("username")
        errors.setdefault("signatures", []).append(
            _("Not yet signed by: %(names)s.") % {"names": join_list(u.full_name or u.username for u in names)}
        )
    if not inspection.signatures.filter(role=SignerRole.REPRESENTATIVE).exists():
        errors.setdefault("signatures", []).append(
            _("The unit's representative has to sign, or record that they refused to sign.")
        )
    return errors


def inspection_submit(*, actor: User, inspection: Inspection) -> Inspection:
    """Submit and lock a draft once nothing in ``submit_problems`` blocks it."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    ensure_open(inspection)
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _require_draft(inspection)
        errors = submit_problems(inspection)
        if errors:
            raise ValidationError(errors)
        with audited(actor, "inspection.submit", inspection):
            inspection.status = InspectionStatus.SUBMITTED
            inspection.submitted_at = timezone.now()
            inspection.save(update_fields=["status", "submitted_at", "updated_at"])
    return inspection


def inspection_correct(*, actor: User, inspection: Inspection, reason: str) -> Inspection:
    """A correction of a submitted record: a new draft version with the same
    answers, inspectors and photos, and the reason; the old version stays
    readable and counts until the new one is submitted."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    ensure_open(inspection)
    clean_reason = clean_text(reason, field="correction_reason", limit=1000, required=True)
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if not inspection.is_locked:
            raise StateConflict(_("A draft can be edited directly; only a submitted record is corrected."))
        if Inspection.objects.filter(supersedes=inspection).exists():
            raise StateConflict(_("This version has already been corrected; correct the newest version."))
        new = Inspection.objects.create(
            unit=inspection.unit,
            area=inspection.area,
            institution=inspection.institution,
            template=inspection.template,
            version=inspection.version + 1,
            supersedes=inspection,
            correction_reason=clean_reason,
            started_at=inspection.started_at,
            device_time=inspection.device_time,
            place=inspection.place,
            latitude=inspection.latitude,
            longitude=inspection.longitude,
            accuracy_m=inspection.accuracy_m,
            distance_m=inspection.distance_m,
            representative=inspection.representative,
            problems=inspection.problems,
            overall_result=inspection.overall_result,
            recorded_by=actor,
        )
        InspectionInspector.objects.bulk_create(
            InspectionInspector(inspection=new, user_id=link.user_id) for link in inspection.inspector_links.all()
        )
        InspectionAnswer.objects.bulk_create(
            InspectionAnswer(inspection=new, item_id=a.item_id, result=a.result, note=a.note)
            for a in inspection.answers.all()
        )
        Photo.objects.bulk_create(
            Photo(
                area=p.area,
                inspection=new,
                image=p.image.name,
                width=p.width,
                height=p.height,
                sha256=p.sha256,
                client_id=p.client_id,
                taken_at=p.taken_at,
                uploaded_by=p.uploaded_by,
            )
            for p in inspection.photos.all()
        )
        audit_record(
            actor=actor,
            action="inspection.correct",
            obj=new,
            changes={"version": [inspection.version, new.version]},
            note=clean_reason,
        )
    return new
