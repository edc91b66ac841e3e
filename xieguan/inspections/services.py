"""Every write of patrols and inspections (SPEC §4): validated, permitted,
scoped, audited in the same transaction. Pages and the API call these."""

from __future__ import annotations

import base64
import binascii
import datetime
import io
import math
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import RoleCode, User
from xieguan.accounts.permissions import HANDLE_HANDOVER, MANAGE_CHECKLISTS, RECORD_INSPECTION, require
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audit_record, audited
from xieguan.core.idempotency import create_once
from xieguan.core.photos import (
    MAX_PHOTO_BYTES,
    files_kept_on_success,
    prepare_photo,
    prepare_signature,
    save_photo_once,
)
from xieguan.core.registry import assert_period_open, ensure_open
from xieguan.core.scope import is_within
from xieguan.core.validators import date_error
from xieguan.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistStatus,
    ChecklistTemplate,
    ForbiddenPhrase,
    FrequencyRule,
    Handover,
    HandoverReason,
    HandoverStatus,
    Inspection,
    InspectionAnswer,
    InspectionInspector,
    InspectionStatus,
    MonthlyPlan,
    MonthlyPlanItem,
    Opinion,
    OpinionCounter,
    OverallResult,
    Period,
    Photo,
    Reinspection,
    ReinspectionResult,
    Signature,
    SignerRole,
)
from xieguan.inspections.wording import find_forbidden
from xieguan.units.models import Category, Subtype, Unit, UnitStatus

INSPECTOR_ROLES = (RoleCode.COMANAGER, RoleCode.SUPERVISOR)
EARTH_RADIUS_M = 6_371_000.0


# ---------------------------------------------------------------- helpers


def county_of(area: Area) -> Area:
    """The county an area lies in (itself when it is one)."""
    if area.level == Level.COUNTY:
        return area
    prefixes = []
    path = area.path
    while path.count("/") > 1:
        path = path[: path.rstrip("/").rfind("/") + 1]
        prefixes.append(path)
    county = Area.objects.filter(path__in=prefixes, level=Level.COUNTY).first()
    if county is None:
        raise ValidationError(_("This area does not lie in a county."))
    return county


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


def _text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("Enter at most %(limit)d characters.") % {"limit": limit}})
    return value


def _check_gps(latitude: Any, longitude: Any, accuracy_m: Any) -> None:
    errors = {}
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    if latitude is not None and not (-90 <= Decimal(str(latitude)) <= 90):
        errors["latitude"] = _("The latitude must be between -90 and 90.")
    if longitude is not None and not (-180 <= Decimal(str(longitude)) <= 180):
        errors["longitude"] = _("The longitude must be between -180 and 180.")
    if accuracy_m is not None and accuracy_m < 0:
        errors["accuracy_m"] = _("The accuracy cannot be negative.")
    if errors:
        raise ValidationError(errors)


def forbidden_phrases_for(county: Area | None) -> list[str]:
    """The national penalty-wording list plus the county's own phrases."""
    qs = ForbiddenPhrase.objects.filter(county__isnull=True)
    if county is not None:
        qs = ForbiddenPhrase.objects.filter(county__isnull=True) | ForbiddenPhrase.objects.filter(county=county)
    return list(qs.values_list("phrase", flat=True))


def check_wording(text: str, *, county: Area | None, field: str) -> None:
    """Refuse ``text`` naming the penalty words it holds (SPEC §1: co-managers
    suggest, they never penalise)."""
    hits = find_forbidden(text, forbidden_phrases_for(county))
    if hits:
        words = "、".join(dict.fromkeys(h.phrase for h in hits))
        raise ValidationError(
            {
                field: _(
                    "The text contains penalty wording (%(words)s). Co-management may only suggest "
                    "rectification; rewrite it without these words."
                )
                % {"words": words}
            }
        )


def _inspectors(actor: User, users: Iterable[Any], *, field: str = "inspectors") -> list[User]:
    """The chosen inspectors, each an active co-manager or supervisor in the
    actor's area; duplicates collapse."""
    chosen: dict[Any, User] = {}
    for user in users:
        if not isinstance(user, User):
            user = User.objects.filter(pk=user).select_related("institution__area").first()
        if user is None or not user.is_active or user.institution_id is None:
            raise ValidationError({field: _("An inspector is not a person in your area.")})
        if not is_within(actor, user.institution.area.path) or not user.has_role(*INSPECTOR_ROLES):
            raise ValidationError({field: _("An inspector is not a person in your area.")})
        chosen[user.pk] = user
    return list(chosen.values())


def _require_draft(inspection: Inspection) -> None:
    if inspection.is_locked:
        raise ValidationError(
            _("This record has been submitted and is locked; make a correction (a new version) to change it.")
        )


# ---------------------------------------------------------------- checklists


def checklist_for(unit: Unit) -> ChecklistTemplate:
    """The checklist a new inspection of ``unit`` uses: the newest published
    version of the county's own (for the subtype, then the category), else
    the national default (same order)."""
    county = county_of(unit.area)
    published = ChecklistTemplate.objects.filter(status=ChecklistStatus.PUBLISHED, category=unit.category_id)
    for owner in (county, None):
        base = published.filter(county=owner) if owner is not None else published.filter(county__isnull=True)
        for subtype in ([unit.subtype_id] if unit.subtype_id else []) + [None]:
            qs = base.filter(subtype=subtype) if subtype is not None else base.filter(subtype__isnull=True)
            found = qs.order_by("-version").first()
            if found is not None:
                return found
    raise ValidationError({"unit": _("There is no published checklist for this unit's category.")})


def checklist_draft_create(
    *, actor: User, county: Area, category: Category, subtype: Subtype | None = None
) -> ChecklistTemplate:
    """A new draft version of the county's checklist for a category (and
    subtype), starting from the items of the version in use."""
    require(actor, MANAGE_CHECKLISTS, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Checklists belong to a county.")})
    if subtype is not None and subtype.category_id != category.pk:
        raise ValidationError({"subtype": _("The subtype is not of this category.")})
    if subtype is not None and subtype.county_id not in (None, county.pk):
        raise ValidationError({"subtype": _("The subtype is not of this category.")})
    with transaction.atomic():
        same = ChecklistTemplate.objects.select_for_update(of=("self",)).filter(county=county, category=category)
        same = same.filter(subtype=subtype) if subtype else same.filter(subtype__isnull=True)
        if same.filter(status=ChecklistStatus.DRAFT).exists():
            raise ValidationError(_("A draft of this checklist already exists; edit or publish it first."))
        latest = same.order_by("-version").first()
        source = latest
        if source is None:
            national = ChecklistTemplate.objects.filter(
                county__isnull=True, category=category, status=ChecklistStatus.PUBLISHED
            )
            source = national.order_by("-version").first()
        template = ChecklistTemplate.objects.create(
            county=county,
            category=category,
            subtype=subtype,
            title=source.title if source else str(category),
            version=(latest.version + 1) if latest else 1,
            status=ChecklistStatus.DRAFT,
        )
        if source is not None:
            ChecklistItem.objects.bulk_create(
                ChecklistItem(template=template, code=i.code, text=i.text, basis=i.basis, sort=i.sort)
                for i in source.items.all()
            )
        audit_record(actor=actor, action="checklist.draft", obj=template, area_path=county.path)
    return template


def parse_item_lines(text: str) -> list[tuple[str, str, str]]:
    """Checklist items typed one per line as ``code | item | basis``."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValidationError({"items": _("Line %(n)d: write it as “code | item | basis”.") % {"n": number}})
        items.append((parts[0][:10], parts[1][:300], (parts[2] if len(parts) > 2 else "")[:300]))
    if not items:
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    codes = [c for c, _t, _b in items]
    if len(set(codes)) != len(codes):
        raise ValidationError({"items": _("Two items have the same code.")})
    return items


def checklist_items_set(*, actor: User, template: ChecklistTemplate, title: str, items: str) -> ChecklistTemplate:
    """Replace a draft's title and items; a published version is never edited."""
    if template.county is None:
        raise PermissionDenied(_("The national default checklist cannot be edited; make a county version."))
    require(actor, MANAGE_CHECKLISTS, template.county.path)
    if template.status != ChecklistStatus.DRAFT:
        raise ValidationError(_("A published checklist cannot be changed; make a new version."))
    clean_title = _text(title, field="title", limit=100, required=True)
    rows = parse_item_lines(items)
    with (
        transaction.atomic(),
        audited(actor, "checklist.edit", template, snapshot_with=_checklist_snapshot, area_path=template.county.path),
    ):
        template.title = clean_title
        template.save(update_fields=["title", "updated_at"])
        template.items.all().delete()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(template=template, code=c, text=t, basis=b, sort=n) for n, (c, t, b) in enumerate(rows)
        )
    return template


def _checklist_snapshot(template: ChecklistTemplate) -> dict[str, Any]:
    """A checklist's title and its items as ``code text``."""
    return {"title": template.title, "items": [f"{i.code} {i.text}" for i in template.items.all()]}


def checklist_publish(*, actor: User, template: ChecklistTemplate) -> ChecklistTemplate:
    """Publish a draft: new inspections use it; old records keep theirs."""
    if template.county is None:
        raise PermissionDenied(_("The national default checklist cannot be edited; make a county version."))
    require(actor, MANAGE_CHECKLISTS, template.county.path)
    if template.status != ChecklistStatus.DRAFT:
        raise ValidationError(_("This version is already published."))
    if not template.items.exists():
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    with transaction.atomic():
        template.status = ChecklistStatus.PUBLISHED
        template.published_at = timezone.now()
        template.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(
            actor=actor,
            action="checklist.publish",
            obj=template,
            area_path=template.county.path,
            note=_("published"),
        )
    return template


# ---------------------------------------------------------------- frequency, phrases


def frequency_rule_set(
    *, actor: User, county: Area, category: Category | None, key_unit: bool | None, period: str
) -> FrequencyRule:
    """Set how often a county's units (of a category, key or not) are patrolled."""
    require(actor, MANAGE_CHECKLISTS, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Frequency rules belong to a county.")})
    if period not in Period.values:
        raise ValidationError({"period": _("Choose a frequency from the list.")})
    with transaction.atomic():
        # of=self and no ordering: a rule's default ordering joins its nullable
        # category, and PostgreSQL cannot lock the nullable side of an outer join.
        rule = (
            # of=self: the default ordering joins the nullable category, and
            # PostgreSQL refuses FOR UPDATE on the nullable side of a join.
            FrequencyRule.objects.select_for_update(of=("self",))
            .filter(county=county, category=category, key_unit=key_unit)
            .order_by("pk")
            .first()
        )
        with audited(actor, "frequency_rule.set", rule) as audit:
            if rule is None:
                rule = FrequencyRule(county=county, category=category, key_unit=key_unit)
            rule.period = period
            rule.save()
            audit.obj = rule
    return rule


def frequency_rule_delete(*, actor: User, rule: FrequencyRule) -> None:
    require(actor, MANAGE_CHECKLISTS, rule.county.path)
    with transaction.atomic(), audited(actor, "frequency_rule.delete", rule):
        rule.delete()


def forbidden_phrase_add(*, actor: User, county: Area, phrase: str) -> ForbiddenPhrase:
    """Add a penalty phrase to the county's own list."""
    require(actor, MANAGE_CHECKLISTS, county.path)
    clean = _text(phrase, field="phrase", limit=50, required=True)
    if not any(ch.isalnum() for ch in clean):
        raise ValidationError({"phrase": _("The phrase must contain words.")})
    if clean in forbidden_phrases_for(county):
        raise ValidationError({"phrase": _("This phrase is already on the list.")})
    with transaction.atomic():
        found = ForbiddenPhrase.objects.create(county=county, phrase=clean)
        audit_record(actor=actor, action="phrase.add", obj=found, area_path=county.path)
    return found


def forbidden_phrase_delete(*, actor: User, phrase: ForbiddenPhrase) -> None:
    if phrase.county is None:
        raise PermissionDenied(_("The national list cannot be changed."))
    require(actor, MANAGE_CHECKLISTS, phrase.county.path)
    with transaction.atomic():
        audit_record(actor=actor, action="phrase.delete", obj=phrase, area_path=phrase.county.path)
        phrase.delete()


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
) -> Inspection:
    """Start a draft inspection record of a unit in the actor's area with the
    checklist version in use today; made once per ``id``. Two inspectors are
    required at submit, not here, so a visit can be started by one phone."""
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
    template = checklist_for(unit)
    clean_place = _text(place, field="place", limit=200)

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
            clean[name] = _text(value, field=name, limit=200)
        elif name == "representative":
            clean[name] = _text(value, field=name, limit=50)
        elif name == "problems":
            clean[name] = _text(value, field=name, limit=4000)
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
    """What still blocks submitting a draft, by field (empty when none)."""
    errors: dict[str, list[str]] = {}
    inspector_ids = list(inspection.inspector_links.values_list("user_id", flat=True))
    if len(set(inspector_ids)) < 2:
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
    signed = set(
        inspection.signatures.filter(role=SignerRole.INSPECTOR, refused=False).values_list("user_id", flat=True)
    )
    missing = [uid for uid in inspector_ids if uid not in signed]
    if missing:
        names = User.objects.filter(pk__in=missing).order_by("username")
        errors.setdefault("signatures", []).append(
            _("Not yet signed by: %(names)s.") % {"names": "、".join(u.full_name or u.username for u in names)}
        )
    if not inspection.signatures.filter(role=SignerRole.REPRESENTATIVE).exists():
        errors.setdefault("signatures", []).append(
            _("The unit's representative has to sign, or record that they refused to sign.")
        )
    return errors


def inspection_submit(*, actor: User, inspection: Inspection) -> Inspection:
    """Submit and lock a draft: two distinct inspectors, every item answered,
    an overall result, problems described when an item fails, each inspector
    signed and the representative signed or refused."""
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
    clean_reason = _text(reason, field="correction_reason", limit=1000, required=True)
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if not inspection.is_locked:
            raise ValidationError(_("A draft can be edited directly; only a submitted record is corrected."))
        if Inspection.objects.filter(supersedes=inspection).exists():
            raise ValidationError(_("This version has already been corrected; correct the newest version."))
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


def _save_photo(*, actor: User, upload: Any, area: Area, **owner: Any) -> tuple[Photo, bool]:
    prepared = prepare_photo(upload, stamp=True)
    return save_photo_once(
        Photo, prepared, actor=actor, owner=owner, extra={"area": area, "taken_at": prepared.taken_at}
    )


def _upload_sha256(upload: Any) -> str | None:
    """The sha256 of an upload's bytes (the file is rewound after)."""
    import hashlib

    try:
        upload.seek(0)
        digest = hashlib.sha256(upload.read(MAX_PHOTO_BYTES + 1)).hexdigest()
        upload.seek(0)
    except (AttributeError, OSError, ValueError):
        return None
    return digest


def inspection_photo_add(*, actor: User, inspection: Inspection, upload: Any) -> tuple[Photo, bool]:
    """An evidence photo on a draft: resized, hash kept, capture time stamped
    on it; the same photo twice is kept once (a retry of a photo already
    kept answers with it even once the record is submitted). Returns
    (photo, created)."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    digest = _upload_sha256(upload)
    found = inspection.photos.filter(sha256=digest).first() if digest else None
    if found is not None:
        return found, False
    _require_draft(inspection)
    ensure_open(inspection)
    return _save_photo(actor=actor, upload=upload, area=inspection.area, inspection=inspection)


def decode_data_url(data_url: str, *, field: str = "signature") -> io.BytesIO:
    """A canvas's ``data:image/png;base64,...`` as a file."""
    head, _sep, payload = (data_url or "").partition(",")
    if not head.startswith("data:image/") or ";base64" not in head:
        raise ValidationError({field: _("The signature is empty; sign in the box first.")})
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({field: _("The signature is empty; sign in the box first.")}) from None
    return io.BytesIO(raw)


def signature_add(
    *,
    actor: User,
    inspection: Inspection,
    role: str,
    user: User | None = None,
    name: str = "",
    upload: Any = None,
    refused: bool = False,
) -> Signature:
    """An inspector's signature, or the representative's (or their refusal).
    Signing again replaces the earlier signature of the same person; the
    same signature sent again (a retry from the phone) is kept once and
    answers with the one held, even once the record is submitted."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    digest = _upload_sha256(upload) if upload is not None else None
    held = inspection.signatures.filter(role=role, user=user if role == SignerRole.INSPECTOR else None)
    same = held.filter(sha256=digest, refused=refused).first() if digest else held.filter(refused=True).first()
    if same is not None and (digest or refused):
        return same
    _require_draft(inspection)
    ensure_open(inspection)
    if role not in SignerRole.values:
        raise ValidationError({"role": _("Choose who is signing.")})
    if role == SignerRole.INSPECTOR:
        if refused:
            raise ValidationError({"refused": _("An inspector cannot refuse to sign.")})
        if user is None or not inspection.inspector_links.filter(user=user).exists():
            raise ValidationError({"user": _("Only an inspector of this record can sign as inspector.")})
        name = user.full_name or user.username
    else:
        user = None
        name = _text(name, field="name", limit=50) or inspection.representative
        if not name and not refused:
            raise ValidationError({"name": _("Give the representative's name.")})
    if not refused and upload is None:
        raise ValidationError({"signature": _("The signature is empty; sign in the box first.")})
    prepared = prepare_signature(upload, field="signature") if upload is not None else None
    with files_kept_on_success() as files, transaction.atomic():
        old = inspection.signatures.filter(role=role, user=user)
        old_names = [str(s.image.name) for s in old if s.image]
        old.delete()
        signature = Signature(inspection=inspection, role=role, user=user, name=name, refused=refused)
        if prepared is not None:
            signature.sha256 = prepared.sha256
            files.save(signature.image, f"{prepared.sha256[:16]}.png", prepared.content)
        signature.save()
        if role == SignerRole.REPRESENTATIVE and name and not inspection.representative:
            inspection.representative = name
            inspection.save(update_fields=["representative", "updated_at"])
        audit_record(
            actor=actor,
            action="inspection.sign",
            obj=inspection,
            changes={"signature": [None, f"{signature.get_role_display()} {name}"]},
            note=_("refused to sign") if refused else "",
        )
        transaction.on_commit(lambda: _delete_files(signature.image.storage, old_names))
    return signature


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        if name and storage.exists(name):
            storage.delete(name)


# ---------------------------------------------------------------- opinions


def opinion_issue(
    *,
    actor: User,
    inspection: Inspection,
    text: str,
    deadline: datetime.date,
    id: uuid.UUID | None = None,
    today: datetime.date | None = None,
) -> Opinion:
    """Issue a 卫生监督意见书 on a submitted record: the text free of penalty
    wording, a deadline not in the past, the next number of the county's year
    (a locked counter row, so two issued at once never share or skip one)."""
    require(actor, RECORD_INSPECTION, inspection.area.path)
    today = today or timezone.localdate()
    # An opinion counts in the month it is issued (today).
    assert_period_open(inspection.area, today)
    county = county_of(inspection.area)
    errors: dict[str, str] = {}
    if inspection.status != InspectionStatus.SUBMITTED:
        errors["inspection"] = _("Submit the inspection record before issuing an opinion.")
    if deadline is None or deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    elif deadline > today + datetime.timedelta(days=366):
        errors["deadline"] = _("The deadline must be within a year.")
    clean = (text or "").strip()
    if not clean:
        errors["text"] = _("This field is required.")
    elif len(clean) > 4000:
        errors["text"] = _("Enter at most %(limit)d characters.") % {"limit": 4000}
    if errors:
        raise ValidationError(errors)
    check_wording(clean, county=county, field="text")

    def make() -> Opinion:
        now = timezone.now()
        year = timezone.localdate(now).year
        try:
            with transaction.atomic():
                OpinionCounter.objects.get_or_create(county=county, year=year)
        except IntegrityError:
            pass  # made at the same moment by another issue; it exists now
        counter = OpinionCounter.objects.select_for_update().get(county=county, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        with audited(actor, "opinion.issue") as audit:
            opinion = audit.obj = Opinion.objects.create(
                id=id or uuid.uuid4(),
                inspection=inspection,
                unit=inspection.unit,
                area=inspection.area,
                county=county,
                year=year,
                serial=counter.last,
                number=f"{county.name}卫协意〔{year}〕{counter.last:04d}号",
                text=clean,
                deadline=deadline,
                issued_at=now,
                issued_by=actor,
            )
        return opinion

    with transaction.atomic():
        opinion, _created = create_once(Opinion, id, actor, make)
    return opinion


def opinion_draft_text(inspection: Inspection) -> str:
    """The opinion's suggested text: one numbered line per non-conforming
    item with its note, then a request to rectify by the deadline."""
    lines = []
    failing = inspection.answers.filter(result=Answer.FAILS).select_related("item").order_by("item__sort")
    for number, answer in enumerate(failing, start=1):
        note = f"（{answer.note}）" if answer.note else ""
        lines.append(f"{number}. {answer.item.text}{note}")
    intro = _("During the inspection the following items were found not to conform:")
    outro = _("Please rectify them before the deadline and keep a record of the rectification.")
    return "\n".join([intro, *lines, outro])


# ---------------------------------------------------------------- re-inspections


def reinspection_record(
    *,
    actor: User,
    opinion: Opinion,
    inspected_at: datetime.datetime,
    result: str,
    note: str = "",
    inspectors: Sequence[Any] = (),
    id: uuid.UUID | None = None,
) -> Reinspection:
    """Record the follow-up visit on an opinion (整改复查) and its result;
    at least two inspectors, as on any visit. Made once per ``id``."""
    require(actor, RECORD_INSPECTION, opinion.area.path)
    assert_period_open(opinion.area, inspected_at)
    errors: dict[str, str] = {}
    if result not in ReinspectionResult.values:
        errors["result"] = _("Choose a result from the list.")
    if inspected_at > timezone.now() + datetime.timedelta(minutes=10):
        errors["inspected_at"] = _("The time cannot be in the future.")
    elif problem := date_error(inspected_at, ahead_days=1):
        errors["inspected_at"] = problem
    elif inspected_at < opinion.issued_at - datetime.timedelta(minutes=1):
        errors["inspected_at"] = _("The re-inspection cannot be before the opinion was issued.")
    if errors:
        raise ValidationError(errors)
    chosen = _inspectors(actor, inspectors)
    if len(chosen) < 2:
        raise ValidationError({"inspectors": _("An inspection needs at least two inspectors.")})
    clean_note = _text(note, field="note", limit=4000)

    def make() -> Reinspection:
        with audited(actor, "reinspection.record") as audit:
            record = audit.obj = Reinspection.objects.create(
                id=id or uuid.uuid4(),
                opinion=opinion,
                area=opinion.area,
                inspected_at=inspected_at,
                result=result,
                note=clean_note,
                recorded_by=actor,
            )
            record.inspectors.set(chosen)
        return record

    with transaction.atomic():
        record, _created = create_once(Reinspection, id, actor, make)
    return record


def reinspection_photo_add(*, actor: User, reinspection: Reinspection, upload: Any) -> tuple[Photo, bool]:
    require(actor, RECORD_INSPECTION, reinspection.area.path)
    ensure_open(reinspection)
    return _save_photo(actor=actor, upload=upload, area=reinspection.area, reinspection=reinspection)


# ---------------------------------------------------------------- handovers


def handover_create(
    *,
    actor: User,
    reason: str,
    description: str = "",
    inspection: Inspection | None = None,
    opinion: Opinion | None = None,
    reinspection: Reinspection | None = None,
    id: uuid.UUID | None = None,
) -> Handover:
    """Hand a case to the county institute (案件移交) with its evidence: a
    not-rectified re-inspection, or a record with a refusal or a serious
    violation. The unit's records, opinions, photos and re-inspections go
    with it (the handover page links them)."""
    if reinspection is not None:
        opinion = reinspection.opinion
    if opinion is not None:
        inspection = opinion.inspection
    if inspection is None:
        raise ValidationError({"inspection": _("Choose the record the case is about.")})
    require(actor, RECORD_INSPECTION, inspection.area.path)
    errors: dict[str, str] = {}
    if reason not in HandoverReason.values:
        errors["reason"] = _("Choose a reason from the list.")
    elif reason == HandoverReason.NOT_RECTIFIED and (
        reinspection is None or reinspection.result != ReinspectionResult.NOT_RECTIFIED
    ):
        errors["reason"] = _("“Not rectified” needs a re-inspection that found it not rectified.")
    if inspection.status != InspectionStatus.SUBMITTED:
        errors["inspection"] = _("Submit the inspection record before handing the case over.")
    if errors:
        raise ValidationError(errors)
    clean = _text(description, field="description", limit=4000)
    check_wording(clean, county=county_of(inspection.area), field="description")

    def make() -> Handover:
        with audited(actor, "handover.create") as audit:
            handover = audit.obj = Handover.objects.create(
                id=id or uuid.uuid4(),
                unit=inspection.unit,
                area=inspection.area,
                inspection=inspection,
                opinion=opinion,
                reinspection=reinspection,
                reason=reason,
                description=clean,
                sent_at=timezone.now(),
                sent_by=actor,
            )
        return handover

    with transaction.atomic():
        handover, _created = create_once(Handover, id, actor, make)
    return handover


def handover_record(*, actor: User, handover: Handover, investigation: str, outcome: str = "") -> Handover:
    """The institute's investigation notes and, when given, its outcome (查处
    结果), which closes the case and is shown to the township read-only."""
    require(actor, HANDLE_HANDOVER, handover.area.path)
    clean_investigation = _text(investigation, field="investigation", limit=8000)
    clean_outcome = _text(outcome, field="outcome", limit=8000)
    if not clean_investigation and not clean_outcome:
        raise ValidationError({"investigation": _("Write the investigation or the outcome.")})
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        if handover.status == HandoverStatus.CLOSED:
            raise ValidationError(_("The outcome of this case has been recorded already."))
        with audited(actor, "handover.record", handover):
            handover.investigation = clean_investigation
            handover.handled_by = actor
            if clean_outcome:
                handover.outcome = clean_outcome
                handover.outcome_at = timezone.now()
                handover.status = HandoverStatus.CLOSED
            else:
                handover.status = HandoverStatus.INVESTIGATING
            handover.save()
    return handover


# ---------------------------------------------------------------- monthly plans


def plan_prefill(*, actor: User, township: Area, year: int, month: int, units: Iterable[Unit]) -> MonthlyPlan:
    """The township's plan for a month, made from ``units`` (what is due) the
    first time; an existing plan is returned unchanged."""
    require(actor, RECORD_INSPECTION, township.path)
    if township.level != Level.TOWNSHIP:
        raise ValidationError({"township": _("A monthly plan belongs to a township.")})
    if not (1 <= month <= 12):
        raise ValidationError({"month": _("Choose a month from 1 to 12.")})
    with transaction.atomic():
        plan = MonthlyPlan.objects.filter(township=township, year=year, month=month).first()
        if plan is not None:
            return plan
        try:
            with transaction.atomic():
                plan = MonthlyPlan.objects.create(township=township, year=year, month=month, created_by=actor)
        except IntegrityError:
            return MonthlyPlan.objects.get(township=township, year=year, month=month)
        MonthlyPlanItem.objects.bulk_create(MonthlyPlanItem(plan=plan, unit=u) for u in units)
        audit_record(actor=actor, action="plan.make", obj=plan, area_path=township.path)
    return plan


def plan_item_add(*, actor: User, plan: MonthlyPlan, unit: Unit) -> None:
    require(actor, RECORD_INSPECTION, plan.township.path)
    if not unit.area.path.startswith(plan.township.path):
        raise ValidationError({"unit": _("The unit is not in this township.")})
    with transaction.atomic():
        _item, created = MonthlyPlanItem.objects.get_or_create(plan=plan, unit=unit)
        if created:
            audit_record(actor=actor, action="plan.add_unit", obj=plan, changes={"units": [None, unit.name]})


def plan_item_remove(*, actor: User, plan: MonthlyPlan, unit: Unit) -> None:
    require(actor, RECORD_INSPECTION, plan.township.path)
    with transaction.atomic():
        deleted, _n = MonthlyPlanItem.objects.filter(plan=plan, unit=unit).delete()
        if deleted:
            audit_record(actor=actor, action="plan.remove_unit", obj=plan, changes={"units": [unit.name, None]})
