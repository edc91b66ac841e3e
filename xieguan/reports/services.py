"""Every write to information reports (SPEC §5): validated, permitted,
scoped, audited, each step of the flow timed and signed by its actor."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.accounts.models import InstitutionType
from xieguan.accounts.permissions import (
    FILE_REPORT,
    HANDLE_REPORT,
    MANAGE_REPORT_CATEGORIES,
    REGISTER_EXPOSED,
    VERIFY_REPORT,
    can,
    require,
)
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_audited_once, create_once
from xieguan.core.photos import (
    GpsFix,
    PreparedPhoto,
    evidence_stamp_lines,
    files_kept_on_success,
    gps_fix_checked,
    prepare_photo,
    save_photo_once,
)
from xieguan.core.registry import assert_period_open, ensure_open
from xieguan.core.scope import is_within
from xieguan.core.validators import clean_phone, clean_text, date_error
from xieguan.reports.defaults import OCCUPATIONAL
from xieguan.reports.models import (
    EMERGENCY_LIMIT_MINUTES,
    ExposedPerson,
    Report,
    ReportCategory,
    ReportNature,
    ReportPhoto,
    ReportStatus,
    ReportStep,
    StepKind,
    ZeroReport,
)
from xieguan.reports.selectors import effective_categories

if TYPE_CHECKING:
    from xieguan.accounts.models import User

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_PHOTOS = 6


def _step(report: Report, kind: str, *, by: Any, at: datetime.datetime, note: str = "") -> ReportStep:
    return ReportStep.objects.create(report=report, kind=kind, by=by, at=at, note=note)


def _resolve_category(area: Area, category: ReportCategory | str | uuid.UUID | None) -> ReportCategory:
    """The category in force in the area's county, given as a row, an id or a code."""
    in_force = effective_categories(area)
    for candidate in in_force:
        if isinstance(category, ReportCategory):
            if candidate.pk == category.pk or candidate.code == category.code:
                return candidate
        elif category is not None and str(category) in (str(candidate.pk), candidate.code):
            return candidate
    raise ValidationError({"category": _("Unknown category: choose one from your county's list.")})


def report_create(
    *,
    actor: User,
    category: ReportCategory | str | uuid.UUID | None,
    found_at: datetime.datetime | None,
    place: str,
    content: str,
    affected_count: int = 0,
    area: Area | None = None,
    unit: Any = None,
    exposed_person: ExposedPerson | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    accuracy_m: float | None = None,
    forward_now: bool = False,
    photos: Sequence[Any] = (),
    id: uuid.UUID | None = None,
    now: datetime.datetime | None = None,
    nature: str | None = None,
) -> tuple[Report, bool]:
    """File an event or clue found (SPEC §5); made once per ``id``.

    The place is the unit's area when a unit is named, else ``area``, else
    the reporter's own village or township; it must lie in the reporter's
    area. The category must be in force in that county; ``nature`` (an
    incident or hazard, or an illegal act) defaults to the category's usual
    one, so clients that do not send it keep working; ``deadline_at`` is
    ``found_at`` plus its limit. A supervisor's filing is at the county at
    once; a co-manager may verify and forward on filing (``forward_now``).
    Returns (report, created)."""
    require(actor, FILE_REPORT)
    if actor.institution is None:
        raise ValidationError(_("Only a member of an institution can file a report."))
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if unit is not None:
        from xieguan.units.models import Unit

        if not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
            raise ValidationError({"unit": _("This unit is not in your area.")})
        area = unit.area
    if area is None:
        area = actor.institution.area
    assert area is not None
    if not is_within(actor, area.path):
        raise ValidationError({"area": _("This place is not in your area.")})
    if area.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError({"area": _("Choose the township or village where it was found.")})
    chosen = _resolve_category(area, category)
    if found_at is None:
        errors["found_at"] = _("Enter when it was found.")
    else:
        if timezone.is_naive(found_at):
            found_at = timezone.make_aware(found_at)
        if found_at > now + CLOCK_SKEW:
            errors["found_at"] = _("The time found cannot be in the future.")
        elif found_at < now - datetime.timedelta(days=366):
            errors["found_at"] = _("The time found is more than a year ago.")
    if affected_count is None or not (0 <= int(affected_count) <= 100000):
        errors["affected_count"] = _("Enter a number of people between 0 and 100000.")
    if latitude is not None and not (-90 <= Decimal(latitude) <= 90):
        errors["latitude"] = _("The location is not valid.")
    if longitude is not None and not (-180 <= Decimal(longitude) <= 180):
        errors["longitude"] = _("The location is not valid.")
    if exposed_person is not None:
        if not ExposedPerson.objects.visible_to(actor).filter(pk=exposed_person.pk).exists():
            errors["exposed_person"] = _("This person is not in your area.")
        elif chosen.code != OCCUPATIONAL:
            errors["category"] = _("A report about a person exposed to hazards belongs to occupational health.")
    if nature in (None, ""):
        nature = chosen.default_nature
    elif nature not in ReportNature.values:
        errors["nature"] = _("Choose whether it is an incident or hazard, or an illegal act.")
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}
    if errors:
        raise ValidationError(errors)
    assert found_at is not None
    assert_period_open(area, found_at)
    clean = {
        "place": clean_text(place, field="place", required=True, limit=200),
        "content": clean_text(content, field="content", required=True, limit=2000),
    }
    # The photos are evidence: stamped with the time, the place and the fix
    # the report was filed with (sha256 of the bytes sent, before stamping).
    fix = gps_fix_checked(latitude, longitude, accuracy_m) if latitude is not None and longitude is not None else None
    lines = evidence_stamp_lines(unit=unit, area=area, place=clean["place"], fix=fix)
    prepared: list[PreparedPhoto] = [prepare_photo(p, field="photos", stamp=True, stamp_lines=lines) for p in photos]
    at_county = actor.institution.type in (InstitutionType.INSTITUTE, InstitutionType.BUREAU)
    forward = at_county or (forward_now and can(actor, VERIFY_REPORT))

    def make() -> Report:
        with files_kept_on_success() as files, audited(actor, "report.file") as audit:
            report = audit.obj = Report(
                id=id or uuid.uuid4(),
                area=area,
                institution=actor.institution,
                category=chosen,
                nature=nature,
                unit=unit,
                exposed_person=exposed_person,
                found_at=found_at,
                received_at=now,
                deadline_at=found_at + datetime.timedelta(minutes=chosen.limit_minutes),
                is_emergency=chosen.is_emergency,
                latitude=latitude,
                longitude=longitude,
                affected_count=int(affected_count),
                reporter=actor,
                status=ReportStatus.FORWARDED if forward else ReportStatus.FILED,
                reported_at=now if forward else None,
                **clean,
            )
            report.save()
            _step(report, StepKind.FOUND, by=actor, at=found_at)
            _step(report, StepKind.FILED, by=actor, at=now)
            if forward and not at_county:
                _step(report, StepKind.VERIFIED, by=actor, at=now)
            if forward:
                _step(report, StepKind.FORWARDED, by=actor, at=now)
            for photo in prepared:
                _save_photo(files, report=report, prepared=photo, actor=actor)
        return report

    with transaction.atomic():
        return create_once(Report, id, actor, make)


def _save_photo(files: Any, *, report: Report, prepared: PreparedPhoto, actor: User) -> ReportPhoto:
    photo = ReportPhoto(
        report=report,
        sha256=prepared.sha256,
        width=prepared.width,
        height=prepared.height,
        taken_at=prepared.taken_at,
        uploaded_by=actor,
    )
    files.save(photo.image, prepared.name, prepared.content)
    photo.save()
    return photo


def report_photo_stamp_lines(report: Report, fix: GpsFix | None = None) -> list[str]:
    """The place and fix stamped on a report's photo: the fix sent with the
    photo, else the one the report was filed with."""
    if fix is None and report.latitude is not None and report.longitude is not None:
        fix = GpsFix(report.latitude, report.longitude)
    return evidence_stamp_lines(unit=report.unit, area=report.area, place=report.place, fix=fix)


def report_photo_add(
    *, actor: User, report: Report, upload: Any, fix: GpsFix | None = None
) -> tuple[ReportPhoto, bool]:
    """Attach a photo (resized, stamped with the time, place and GPS fix,
    kept once by the hash of the bytes sent). Returns (photo, created)."""
    require(actor, FILE_REPORT, report.area.path)

    def check() -> None:
        ensure_open(report)
        if report.photos.count() >= MAX_PHOTOS:
            raise ValidationError({"image": _("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS}})

    prepared = prepare_photo(upload, stamp=True, stamp_lines=report_photo_stamp_lines(report, fix))
    return save_photo_once(
        ReportPhoto,
        prepared,
        actor=actor,
        owner={"report": report},
        extra={"taken_at": prepared.taken_at},
        check=check,
    )


# ------------------------------------------------------------------ the flow

# step → (capabilities, statuses it may follow, status it leads to)
FLOW: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    StepKind.VERIFIED: ((VERIFY_REPORT,), (ReportStatus.FILED,), ReportStatus.VERIFIED),
    StepKind.FORWARDED: ((VERIFY_REPORT,), (ReportStatus.FILED, ReportStatus.VERIFIED), ReportStatus.FORWARDED),
    StepKind.NOT_FORWARDED: (
        (VERIFY_REPORT,),
        (ReportStatus.FILED, ReportStatus.VERIFIED),
        ReportStatus.NOT_FORWARDED,
    ),
    StepKind.HANDLED: ((HANDLE_REPORT,), (ReportStatus.FORWARDED,), ReportStatus.HANDLED),
    StepKind.FED_BACK: ((HANDLE_REPORT,), (ReportStatus.HANDLED,), ReportStatus.FED_BACK),
    StepKind.CLOSED: ((HANDLE_REPORT, VERIFY_REPORT), (ReportStatus.FED_BACK,), ReportStatus.CLOSED),
}
TOWNSHIP_STEPS = {StepKind.VERIFIED, StepKind.FORWARDED, StepKind.NOT_FORWARDED}
STEP_EVENTS: dict[str, str] = {
    StepKind.VERIFIED: "report.verify",
    StepKind.FORWARDED: "report.forward",
    StepKind.NOT_FORWARDED: "report.close_unforwarded",
    StepKind.HANDLED: "report.handle",
    StepKind.FED_BACK: "report.feedback",
    StepKind.CLOSED: "report.close",
}
STEP_ACTIONS = {
    "verify": StepKind.VERIFIED,
    "forward": StepKind.FORWARDED,
    "close-unforwarded": StepKind.NOT_FORWARDED,
    "handle": StepKind.HANDLED,
    "feedback": StepKind.FED_BACK,
    "close": StepKind.CLOSED,
}
# Steps whose note is required, and the field it fills on the report.
NOTE_REQUIRED: dict[str, str] = {
    StepKind.NOT_FORWARDED: "closing_reason",
    StepKind.HANDLED: "",
    StepKind.FED_BACK: "result",
}


def allowed_steps(user: User, report: Report) -> list[str]:
    """The steps ``user`` may take on ``report`` now, in flow order."""
    result = []
    for kind, (caps, before, _after) in FLOW.items():
        if report.status in before and any(can(user, c) for c in caps) and is_within(user, report.area.path):
            result.append(kind)
    return result


def report_step(
    *, actor: User, report: Report, kind: str, note: str = "", now: datetime.datetime | None = None
) -> tuple[Report, bool]:
    """Take one step of the flow (SPEC §5): verify, forward to the county
    (the moment the report counts as reported), close without forwarding
    (a reason is required; it still counts as found), handle, feed the
    result back, close. A step already taken is not taken twice (a retried
    request answers with the report as it is). Returns (report, taken)."""
    if kind not in FLOW:
        raise ValidationError({"step": _("Unknown step.")})
    capabilities, before, after = FLOW[kind]
    if not is_within(actor, report.area.path):
        from django.http import Http404

        raise Http404
    if not any(can(actor, c) for c in capabilities):
        require(actor, capabilities[0], report.area.path)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.steps.filter(kind=kind).exists():
            return locked, False
        # The township's steps change what its approved month counted
        # (forwarding sets the time the report reached the county, which
        # 信息报告率 and 及时报告率 count): not in a locked month. The
        # county's handling, feedback and closing come later, change no
        # figure of the township's month, and must not wait for an unlock.
        if kind in TOWNSHIP_STEPS:
            ensure_open(locked)
        if locked.status not in before:
            raise StateConflict(
                {
                    "step": _("This step is not possible now: the report is “%(status)s”.")
                    % {"status": locked.get_status_display()}
                }
            )
        note = clean_text(note, field="note", required=kind in NOTE_REQUIRED, limit=2000)
        with audited(actor, STEP_EVENTS[kind], locked):
            locked.status = after
            if kind == StepKind.FORWARDED:
                locked.reported_at = now
            target = NOTE_REQUIRED.get(kind)
            if target:
                setattr(locked, target, note)
            locked.save()
            _step(locked, kind, by=actor, at=now, note=note)
    return locked, True


# ------------------------------------------------------------------ links

LINK_FIELDS = ("unit", "inspection")


def linked_inspection_model() -> Any:
    """The inspection record model, through the report's foreign key:
    inspections is an app of the same layer, which reports never imports."""
    return Report._meta.get_field("inspection").related_model


def may_link(user: User | None, report: Report) -> bool:
    """Whether ``user`` may tie the report to a unit and an inspection: those
    who take its steps (the township that verifies, the institute that
    handles), in the report's area."""
    if user is None or not is_within(user, report.area.path):
        return False
    return can(user, VERIFY_REPORT) or can(user, HANDLE_REPORT)


def report_link(*, actor: User, report: Report, unit: Any, inspection: Any = None) -> Report:
    """Tie a report, after it was filed, to the registered unit it is about
    and to the inspection record that followed it up, so that it reaches the
    unit's file (一户一档); a second call changes the links, an empty
    ``inspection`` removes that one. The report stays where it was found
    (its area, and so its month's figures, do not change), so a locked
    month does not stop it.

    By those who take its steps (``may_link``; PermissionDenied otherwise).
    The unit must be one of the actor's area, in the report's township, not
    merged into another; the inspection a submitted record of that unit in
    the actor's area. A refusal is a ValidationError in Chinese on the field
    at fault and changes nothing. Audited as ``report.link``."""
    if not is_within(actor, report.area.path):
        from django.http import Http404

        raise Http404
    if not may_link(actor, report):
        raise PermissionDenied(_("Your role does not allow this."))
    from xieguan.units.models import Unit
    from xieguan.units.selectors import township_path_of

    errors: dict[str, str] = {}
    township = township_path_of(report.area.path) or report.area.path
    if unit is None:
        errors["unit"] = _("Choose the registered unit the report is about.")
    elif not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        errors["unit"] = _("This unit is not in your area.")
    elif not unit.area.path.startswith(township):
        errors["unit"] = _("This unit is not in the report's township.")
    elif unit.merged_into_id is not None:
        errors["unit"] = _("This unit was merged into another; choose the unit it now lives on in.")
    if inspection is not None:
        if not linked_inspection_model().objects.visible_to(actor).filter(pk=inspection.pk).exists():
            errors["inspection"] = _("This inspection record is not in your area.")
        elif unit is not None and inspection.unit_id != unit.pk:
            errors["inspection"] = _("This inspection record is of another unit.")
        elif not inspection.is_locked:
            errors["inspection"] = _("Choose a submitted inspection record; this one is still a draft.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audited(actor, "report.link", report, fields=LINK_FIELDS):
        report.unit, report.inspection = unit, inspection
        report.save(update_fields=[*LINK_FIELDS, "updated_at"])
    return report


# ------------------------------------------------------------------ zero reports


def zero_report_make(
    *, actor: User, month: datetime.date, today: datetime.date | None = None, id: uuid.UUID | None = None
) -> tuple[ZeroReport, bool]:
    """The actor's station confirms that nothing was found in its township in
    ``month`` (零报告). Refused for a month still to come and for a month in
    which something was found. Made once per station and month."""
    require(actor, VERIFY_REPORT)
    station = actor.institution
    if station is None or station.type != InstitutionType.STATION:
        raise ValidationError(_("A zero report is made by a co-management station."))
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if month > today.replace(day=1):
        raise ValidationError({"month": _("A zero report cannot be made for a month still to come.")})
    if problem := date_error(month, today=today):
        raise ValidationError({"month": problem})
    found = ZeroReport.objects.filter(institution=station, month=month).first()
    if found is not None:
        return found, False
    from xieguan.reports.selectors import period_bounds

    start, end = period_bounds(month.year, month.month)
    if Report.objects.filter(area__path__startswith=station.area.path).found_between(start, end).exists():
        raise ValidationError(
            {"month": _("Events or clues were found in this month; a zero report is only for a month with none.")}
        )
    try:
        with transaction.atomic(), audited(actor, "zero_report.make") as audit:
            zero = audit.obj = ZeroReport.objects.create(
                id=id or uuid.uuid4(), institution=station, area=station.area, month=month, made_by=actor
            )
    except IntegrityError:
        return ZeroReport.objects.get(institution=station, month=month), False
    return zero, True


# ------------------------------------------------------------------ categories


def category_save(
    *,
    actor: User,
    county: Area,
    name: str,
    is_emergency: bool,
    limit_minutes: int,
    is_active: bool = True,
    sort: int = 100,
    category: ReportCategory | None = None,
    default_nature: str | None = None,
    id: uuid.UUID | None = None,
) -> ReportCategory:
    """A county's category: editing a shared default makes the county's own
    row with the same code (the default stays for other counties); without
    ``category`` a new one is added. Emergencies keep the national 2-hour
    limit; others take a limit between 10 minutes and 30 days."""
    require(actor, MANAGE_REPORT_CATEGORIES, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Categories are set per county.")})
    errors: dict[str, str] = {}
    clean_name = clean_text(name, field="name", required=True, limit=50)
    if is_emergency and int(limit_minutes) != EMERGENCY_LIMIT_MINUTES:
        errors["limit_minutes"] = _("An emergency must reach the county within 2 hours (120 minutes).")
    elif not (10 <= int(limit_minutes) <= 43200):
        errors["limit_minutes"] = _("Enter a limit between 10 minutes and 30 days (43200 minutes).")
    if category is not None and category.county_id not in (None, county.pk):
        errors["category"] = _("This category belongs to another county.")
    if default_nature is not None and default_nature not in ReportNature.values:
        errors["default_nature"] = _("Choose what the reports are usually about from the list.")
    if errors:
        raise ValidationError(errors)
    # An override keeps the nature of the default it overrides unless told otherwise.
    nature = default_nature or (category.default_nature if category is not None else ReportNature.HAZARD)
    fields = {
        "default_nature": nature,
        "name": clean_name,
        "is_emergency": bool(is_emergency),
        "limit_minutes": int(limit_minutes),
        "is_active": bool(is_active),
        "sort": int(sort),
    }
    with transaction.atomic():
        if category is not None and category.county_id == county.pk:
            with audited(actor, "report_category.update", category, area_path=county.path):
                for key, value in fields.items():
                    setattr(category, key, value)
                category.save()
            return category
        # A county's own row made from a default records what it changed
        # from that default.
        with audited(actor, "report_category.create", category, area_path=county.path) as audit:
            code = category.code if category is not None else f"c-{uuid.uuid4().hex[:10]}"
            made = audit.obj = ReportCategory.objects.create(
                **({"id": id} if id is not None and category is None else {}), county=county, code=code, **fields
            )
        return made


# ------------------------------------------------------------------ occupational health

ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


def exposed_person_register(
    *,
    actor: User,
    area: Area | None,
    name: str,
    employer: str,
    hazard_factors: str,
    id_number: str = "",
    phone: str = "",
    exposure_years: int | None = None,
    note: str = "",
    id: uuid.UUID | None = None,
) -> tuple[ExposedPerson, bool]:
    """Register a person exposed to occupational hazards met during medical
    service (SPEC §5); made once per ``id``. Returns (person, created)."""
    require(actor, REGISTER_EXPOSED)
    if actor.institution is None:
        raise ValidationError(_("Only a member of an institution can register a person."))
    area = area or actor.institution.area
    if not is_within(actor, area.path) or area.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError({"area": _("Choose a township or village in your area.")})
    id_number = (id_number or "").strip().upper()
    if id_number and not ID_NUMBER.match(id_number):
        raise ValidationError({"id_number": _("An ID number has 18 characters: 17 digits and a digit or X.")})
    if exposure_years is not None and not (0 <= int(exposure_years) <= 70):
        raise ValidationError({"exposure_years": _("Enter the years of exposure between 0 and 70.")})
    clean = {
        "name": clean_text(name, field="name", required=True, limit=50),
        "employer": clean_text(employer, field="employer", required=True, limit=200),
        "hazard_factors": clean_text(hazard_factors, field="hazard_factors", required=True, limit=300),
        "phone": clean_text(phone, field="phone", required=False, limit=30),
        "note": clean_text(note, field="note", required=False, limit=2000),
    }
    try:
        clean["phone"] = clean_phone(clean["phone"])
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None

    return create_audited_once(
        ExposedPerson,
        id,
        actor,
        "exposed_person.register",
        area=area,
        id_number=id_number,
        exposure_years=exposure_years,
        registered_by=actor,
        **clean,
    )
