"""Every write of special campaigns and 双随机 draws: permitted, scoped, audited."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xieguan.accounts.models import RoleCode, User
from xieguan.accounts.permissions import DRAW_UNITS, MANAGE_CAMPAIGNS, RECORD_INSPECTION, require
from xieguan.areas.models import Area, Level
from xieguan.campaigns import draws
from xieguan.campaigns.models import (
    Campaign,
    CampaignMaterial,
    CampaignSettings,
    CampaignTarget,
    DrawConflict,
    RandomDraw,
    TargetSource,
)
from xieguan.complaints.calendar import add_working_days
from xieguan.core.audit import audited
from xieguan.core.errors import StateConflict
from xieguan.core.idempotency import create_once
from xieguan.core.scope import is_within
from xieguan.core.validators import clean_text
from xieguan.inspections.models import Inspection
from xieguan.inspections.services.records import inspection_create
from xieguan.units.models import Category, RiskGrade, Subtype, Unit

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

RESULTS_DAYS = 20  # working days from a draw to its published results, unless the county sets another
BASIS_TYPES = {"pdf", "doc", "docx", "ofd", "jpg", "jpeg", "png"}
BASIS_MAX_BYTES = 20 * 1024 * 1024
MAX_POOL = 20000


def county_of(area: Area) -> Area:
    """The county an area lies in (itself for a county)."""
    if area.level == Level.COUNTY:
        return area
    if area.level < Level.COUNTY:
        raise ValidationError({"area": _("Choose a county or a township.")})
    return Area.objects.get(pk=uuid.UUID(area.path.strip("/").split("/")[Level.COUNTY - 1]))


def settings_for(county: Area) -> CampaignSettings:
    found = CampaignSettings.objects.filter(county=county).first()
    return found or CampaignSettings(county=county)


def _check_basis_file(upload: UploadedFile | None) -> None:
    if upload is None:
        return
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in BASIS_TYPES:
        raise ValidationError({"basis_file": _("The basis document can only be a PDF, Word or OFD file or an image.")})
    if upload.size and upload.size > BASIS_MAX_BYTES:
        raise ValidationError({"basis_file": _("The basis document cannot be larger than 20 MB.")})


# ---------------------------------------------------------------- campaigns


def campaign_create(
    *,
    actor: User,
    area: Area,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    basis: str = "",
    basis_file: UploadedFile | None = None,
    category: Category | None = None,
    subtypes: Sequence[Subtype] = (),
    template: Any = None,
    assignees: Sequence[User] = (),
    id: uuid.UUID | None = None,
) -> Campaign:
    """A campaign of the county (by the county) or of a township (for its own
    area); made once per ``id``."""
    require(actor, MANAGE_CAMPAIGNS, area.path)
    errors: dict[str, str] = {}
    if area.level not in (Level.COUNTY, Level.TOWNSHIP):
        errors["area"] = _("A campaign's area can only be a county or a township.")
    elif not area.is_active:
        errors["area"] = _("This area has been abolished.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The end date cannot be before the start date.")
    if category is not None and any(s.category_id != category.pk for s in subtypes):
        errors["subtypes"] = _("The subtypes must belong to the chosen category.")
    if template is not None and category is not None and template.category_id != category.pk:
        errors["template"] = _("The checklist must be for the unit category.")
    if template is not None and template.status != "published":
        errors["template"] = _("Choose a published checklist.")
    outside = [p for p in assignees if not is_within(p, area.path) and not area.path.startswith(_home_path(p))]
    if outside:
        errors["assignees"] = _("The staff in charge must work within the campaign's area.")
    if errors:
        raise ValidationError(errors)
    _check_basis_file(basis_file)
    clean_name = clean_text(name, field="name", limit=100, required=True)
    clean_basis = clean_text(basis, field="basis", limit=200)

    def make() -> Campaign:
        with audited(actor, "campaign.create") as audit:
            campaign = audit.obj = Campaign(
                id=id or uuid.uuid4(),
                area=area,
                name=clean_name,
                basis=clean_basis,
                starts_on=starts_on,
                ends_on=ends_on,
                category=category,
                template=template,
                created_by=actor,
            )
            if basis_file is not None:
                campaign.basis_name = clean_text(basis_file.name, field="basis_file", limit=200)
                ext = (basis_file.name or "").rsplit(".", 1)[-1].lower()
                campaign.basis_file.save(f"basis.{ext}", basis_file, save=False)
            campaign.save()
            campaign.subtypes.set(subtypes)
            campaign.assignees.set(assignees)
            audit.changes["subtypes"] = [None, [s.name for s in subtypes]]
            audit.changes["assignees"] = [None, [p.full_name or p.username for p in assignees]]
        return campaign

    with transaction.atomic():
        campaign, _created = create_once(Campaign, id, actor, make)
    return campaign


def _home_path(person: User) -> str:
    institution = getattr(person, "institution", None)
    return institution.area.path if institution else ""


def campaign_units(actor: User, campaign: Campaign, *, township: Area | None = None) -> Any:
    """The units matching the campaign's categories in its area (or one township of it)."""
    area = township or campaign.area
    qs = Unit.objects.visible_to(actor).existing().filter(area__path__startswith=area.path)
    if campaign.category_id:
        qs = qs.filter(category_id=campaign.category_id)
    subtype_ids = [s.pk for s in campaign.subtypes.all()]
    if subtype_ids:
        qs = qs.filter(subtype_id__in=subtype_ids)
    return qs


def _township_of(unit: Unit, known: dict[str, Area]) -> Area:
    """The township a unit lies in, read off its area's path (townships are the fourth segment)."""
    segments = unit.area.path.strip("/").split("/")
    if len(segments) < Level.TOWNSHIP:
        raise ValidationError({"units": _("%(unit)s is in no township.") % {"unit": unit.name}})
    segment = segments[Level.TOWNSHIP - 1]
    if segment not in known:
        known[segment] = Area.objects.get(pk=uuid.UUID(segment))
    return known[segment]


def campaign_add_targets(
    *,
    actor: User,
    campaign: Campaign,
    units: Iterable[Unit],
    source: str = TargetSource.HAND,
    draw: RandomDraw | None = None,
    inspectors: dict[Any, list[User]] | None = None,
) -> list[CampaignTarget]:
    """Add units to a campaign's targets (those already there are kept)."""
    require(actor, MANAGE_CAMPAIGNS, campaign.area.path)
    if campaign.closed_at is not None:
        raise StateConflict(_("The campaign is closed: no more targets can be added."))
    units = list(units)
    for unit in units:
        if not unit.area.path.startswith(campaign.area.path) or not is_within(actor, unit.area.path):
            raise ValidationError({"units": _("%(unit)s is outside the campaign's area.") % {"unit": unit.name}})
    have = set(CampaignTarget.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    if all(unit.pk in have for unit in units):
        return []  # nothing new: nothing changes, nothing is audited
    made: list[CampaignTarget] = []
    townships: dict[str, Area] = {}
    with transaction.atomic(), audited(actor, "campaign.targets_add", campaign) as audit:
        for unit in units:
            if unit.pk in have:
                continue
            have.add(unit.pk)
            target = CampaignTarget.objects.create(
                campaign=campaign, unit=unit, area=_township_of(unit, townships), source=source, draw=draw
            )
            if inspectors and inspectors.get(unit.pk):
                target.inspectors.set(inspectors[unit.pk])
            made.append(target)
        audit.changes["targets"] = [None, [t.unit.name for t in made]]
    return made


def campaign_targets_from_filter(
    *, actor: User, campaign: Campaign, township: Area | None = None
) -> list[CampaignTarget]:
    """Every unit of the campaign's categories in its area (or a township of it) becomes a target."""
    units = campaign_units(actor, campaign, township=township).select_related("area")
    return campaign_add_targets(actor=actor, campaign=campaign, units=units, source=TargetSource.FILTER)


def campaign_target_record(*, actor: User, target: CampaignTarget, id: uuid.UUID | None = None) -> Inspection:
    """Start the target's visit: an ordinary draft inspection of the unit,
    linked to the target (the drawn inspectors named on it when the actor is
    one of them)."""
    require(actor, RECORD_INSPECTION, target.area.path)
    if target.inspection_id is not None and target.inspection is not None:
        return target.inspection
    named = list(target.inspectors.all())
    inspectors = named if actor in named else [actor]
    with transaction.atomic():
        inspection = inspection_create(
            actor=actor,
            unit=target.unit,
            started_at=timezone.now(),
            inspectors=inspectors,
            id=id,
            template=target.campaign.template,  # the campaign's own checklist, when it has one
        )
        # The new record's own signal (link_inspection) may have linked it
        # already: once is one audit event.
        linked = CampaignTarget.objects.filter(pk=target.pk).values_list("inspection_id", flat=True).first()
        if linked != inspection.pk:
            target_link(actor=actor, target=target, inspection=inspection)
        else:
            target.inspection = inspection
    return inspection


def target_link(*, actor: User, target: CampaignTarget, inspection: Inspection) -> None:
    with transaction.atomic(), audited(actor, "campaign_target.record", target):
        target.inspection = inspection
        target.save(update_fields=["inspection", "updated_at"])


def link_inspection(inspection: Inspection) -> CampaignTarget | None:
    """An inspection of a unit that an open campaign targets (and no record
    yet covers) becomes that target's visit, however it was made: on the web,
    or by the field app through the inspections API."""
    day = timezone.localdate(inspection.started_at)
    target = (
        CampaignTarget.objects.select_related("campaign")
        .filter(
            unit_id=inspection.unit_id,
            inspection__isnull=True,
            campaign__closed_at__isnull=True,
            campaign__starts_on__lte=day,
            campaign__ends_on__gte=day,
        )
        .order_by("campaign__ends_on", "id")
        .first()
    )
    if target is None:
        return None
    target_link(actor=inspection.recorded_by, target=target, inspection=inspection)
    return target


def campaign_close(*, actor: User, campaign: Campaign, summary: str) -> Campaign:
    """Close the campaign with its summary (the prose the closing report prints)."""
    require(actor, MANAGE_CAMPAIGNS, campaign.area.path)
    text = clean_text(summary, field="summary", limit=20000)
    with transaction.atomic(), audited(actor, "campaign.close", campaign):
        campaign.summary = text
        campaign.closed_at = campaign.closed_at or timezone.now()
        campaign.save(update_fields=["summary", "closed_at", "updated_at"])
    return campaign


def campaign_summary_save(*, actor: User, campaign: Campaign, summary: str) -> Campaign:
    require(actor, MANAGE_CAMPAIGNS, campaign.area.path)
    text = clean_text(summary, field="summary", limit=20000)
    with transaction.atomic(), audited(actor, "campaign.summary", campaign):
        campaign.summary = text
        campaign.save(update_fields=["summary", "updated_at"])
    return campaign


# ---------------------------------------------------------------- draws


def draw_unit_pool(actor: User, area: Area, filters: dict[str, Any]) -> Any:
    """The units a draw chooses from: existing units in ``area`` matching the
    filter (category code, subtype ids, township ids, risk grades)."""
    qs = Unit.objects.visible_to(actor).existing().filter(area__path__startswith=area.path)
    if filters.get("category"):
        qs = qs.filter(category__code=filters["category"])
    if filters.get("subtypes"):
        qs = qs.filter(subtype_id__in=filters["subtypes"])
    if filters.get("townships"):
        paths = list(
            Area.objects.filter(pk__in=filters["townships"], path__startswith=area.path).values_list("path", flat=True)
        )
        if not paths:
            return qs.none()
        from django.db.models import Q

        condition = Q()
        for path in paths:
            condition |= Q(area__path__startswith=path)
        qs = qs.filter(condition)
    if filters.get("risk_grades"):
        qs = qs.filter(risk_grade__in=filters["risk_grades"])
    return qs


def draw_inspectors(county: Area, *, comanagers: bool) -> list[User]:
    """Who may be drawn: the active supervisors of the county (and its
    co-managers when the county allows)."""
    roles = [RoleCode.SUPERVISOR] + ([RoleCode.COMANAGER] if comanagers else [])
    return list(
        User.objects.filter(is_active=True, roles__code__in=roles, institution__area__path__startswith=county.path)
        .select_related("institution")
        .distinct()
        .order_by("id")
    )


def conflicts_of(units: Sequence[Unit], people: Sequence[User]) -> set[tuple[str, str]]:
    """(unit id, person id) pairs never drawn together: a declared conflict,
    or a person working at the unit itself (their institution, or the body
    that hosts it, is the unit: a health centre's staff and its own clinic)."""
    pairs = {
        (str(u), str(p))
        for u, p in DrawConflict.objects.filter(unit__in=units, inspector__in=people).values_list(
            "unit_id", "inspector_id"
        )
    }
    for unit in units:
        name = unit.name.strip()
        for person in people:
            institution = person.institution
            if institution and name and name in {institution.name.strip(), (institution.host or "").strip()}:
                pairs.add((str(unit.pk), str(person.pk)))
    return pairs


def _ratio(value: Any, field: str) -> Decimal:
    try:
        ratio = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("A share must be a number from 0 to 100.")}) from None
    if not ratio.is_finite() or ratio <= 0 or ratio > 100:
        raise ValidationError({field: _("A share must be a number from 0 to 100.")})
    return ratio


def draw_make(
    *,
    actor: User,
    area: Area | None = None,
    campaign: Campaign | None = None,
    title: str = "",
    filters: dict[str, Any] | None = None,
    count: int | None = None,
    ratio: Any = None,
    grade_ratios: dict[str, Any] | None = None,
    inspectors_per_target: int = 2,
    replaces: RandomDraw | None = None,
    reason: str = "",
    id: uuid.UUID | None = None,
    seed: str | None = None,
) -> RandomDraw:
    """A 双随机 draw: the pool of units matching the filter in the scope now,
    ``count`` of them (or ``ratio`` per cent, or a ratio per risk grade) by the
    seed, each with its inspectors. Final once made; a redraw names the draw it
    replaces and why, and both stay. With a campaign, the picks become its
    targets (a redraw's replace the earlier draw's not yet visited)."""
    if campaign is not None:
        area = campaign.area
    if area is None:
        raise ValidationError({"area": _("Choose the area to draw from.")})
    require(actor, DRAW_UNITS, area.path)
    county = county_of(area)
    filters = dict(filters or {})
    if campaign is not None and not filters.get("category") and campaign.category is not None:
        filters["category"] = campaign.category.code
    errors: dict[str, str] = {}
    clean_grades: dict[str, Decimal] = {}
    for grade, value in (grade_ratios or {}).items():
        if value in (None, ""):
            continue
        if grade not in RiskGrade.values and grade != "":
            errors["grade_ratios"] = _("The risk grade can only be low, medium or high.")
            continue
        clean_grades[grade] = _ratio(value, "grade_ratios")
    clean_ratio = _ratio(ratio, "ratio") if ratio not in (None, "") else None
    if count is None and clean_ratio is None and not clean_grades:
        errors["count"] = _("Fill in the number of units to draw or the share.")
    if count is not None and count < 1:
        errors["count"] = _("At least 1 unit must be drawn.")
    if inspectors_per_target < 2:
        errors["inspectors_per_target"] = _("Draw at least two inspectors per unit.")
    if replaces is not None:
        if replaces.area_id != area.pk or replaces.campaign_id != (campaign.pk if campaign else None):
            errors["replaces"] = _("A redraw must have the same area and campaign as the draw it replaces.")
        if not (reason or "").strip():
            errors["reason"] = _("A redraw needs a written reason.")
    if errors:
        raise ValidationError(errors)
    clean_title = clean_text(title or (campaign.name if campaign else ""), field="title", limit=100, required=True)
    clean_reason = clean_text(reason, field="reason", limit=2000)

    units = list(draw_unit_pool(actor, area, filters).select_related("area").order_by("id")[: MAX_POOL + 1])
    if len(units) > MAX_POOL:
        raise ValidationError({"filters": _("Too many units in the pool: narrow the draw conditions.")})
    if not units:
        raise ValidationError({"filters": _("No unit matches the conditions.")})
    pool = [str(u.pk) for u in units]
    if count is not None and count > len(pool):
        raise ValidationError(
            {
                "count": ngettext("The pool holds only %(n)d unit.", "The pool holds only %(n)d units.", len(pool))
                % {"n": len(pool)}
            }
        )
    seed = seed or draws.new_seed()
    picked = draws.pick_units(
        seed,
        pool,
        count=count,
        ratio=clean_ratio,
        grade_of={str(u.pk): u.risk_grade for u in units},
        grade_ratios=clean_grades or None,
    )
    allow_comanagers = settings_for(county).comanagers_drawn
    people = draw_inspectors(county, comanagers=allow_comanagers)
    by_id = {str(u.pk): u for u in units}
    picked_units = [by_id[u] for u in picked]
    conflicts = conflicts_of(picked_units, people)
    person_ids = [str(p.pk) for p in people]
    picks: list[dict[str, Any]] = []
    for unit_id in picked:
        chosen = draws.pick_inspectors(
            seed,
            unit_id,
            person_ids,
            conflict=lambda u, p: (u, p) in conflicts,
            need=inspectors_per_target,
        )
        if len(chosen) < inspectors_per_target:
            raise ValidationError(
                {
                    "inspectors_per_target": ngettext(
                        "Fewer than %(n)d inspector can be drawn for %(unit)s.",
                        "Fewer than %(n)d inspectors can be drawn for %(unit)s.",
                        inspectors_per_target,
                    )
                    % {"unit": by_id[unit_id].name, "n": inspectors_per_target}
                }
            )
        picks.append({"unit_id": unit_id, "inspector_ids": chosen})

    def make() -> RandomDraw:
        today = timezone.localdate()
        with audited(actor, "draw.create") as audit:
            draw = audit.obj = RandomDraw.objects.create(
                id=id or uuid.uuid4(),
                campaign=campaign,
                area=area,
                title=clean_title,
                filter=filters,
                seed=seed,
                pool=pool,
                inspector_pool=person_ids,
                count=len(picked),
                ratio=clean_ratio,
                grade_ratios={k: str(v) for k, v in clean_grades.items()},
                inspectors_per_target=inspectors_per_target,
                include_comanagers=allow_comanagers,
                picks=picks,
                replaces=replaces,
                reason=clean_reason,
                drawn_at=timezone.now(),
                drawn_by=actor,
                results_due=add_working_days(county, today, settings_for(county).results_days),
            )
            audit.changes["pool_size"] = [None, len(pool)]
            audit.changes["picked"] = [None, [u.name for u in picked_units]]
        if campaign is not None:
            if replaces is not None:
                stale = CampaignTarget.objects.filter(campaign=campaign, draw=replaces, inspection__isnull=True)
                with audited(actor, "campaign.targets_remove", campaign) as removed:
                    removed.changes["targets"] = [[t.unit.name for t in stale.select_related("unit")], None]
                    stale.delete()
            people_by_id = {str(p.pk): p for p in people}
            campaign_add_targets(
                actor=actor,
                campaign=campaign,
                units=picked_units,
                source=TargetSource.DRAW,
                draw=draw,
                inspectors={by_id[p["unit_id"]].pk: [people_by_id[i] for i in p["inspector_ids"]] for p in picks},
            )
        return draw

    with transaction.atomic():
        draw, _created = create_once(RandomDraw, id, actor, make)
    return draw


def draw_publish(*, actor: User, draw: RandomDraw) -> RandomDraw:
    """Publish the draw's results on the county's public page (once)."""
    require(actor, DRAW_UNITS, draw.area.path)
    if draw.published_at is not None:
        return draw
    with transaction.atomic(), audited(actor, "draw.publish", draw):
        draw.published_at = timezone.now()
        draw.save(update_fields=["published_at", "updated_at"])
    return draw


def conflict_declare(
    *, actor: User, unit: Unit, inspector: User, reason: str = "", id: uuid.UUID | None = None
) -> DrawConflict:
    """Declare that ``inspector`` must never be drawn for ``unit`` (回避关系):
    by the institute for anyone of its county, or by a person for themself."""
    if actor.pk != inspector.pk:
        require(actor, DRAW_UNITS, unit.area.path)
    if not is_within(actor, unit.area.path) and actor.pk != inspector.pk:
        raise Http404
    if not inspector.is_active:
        raise ValidationError({"inspector": _("This person's account is disabled.")})
    county = county_of(unit.area)
    home = _home_path(inspector)
    if not home or not home.startswith(county.path):
        raise ValidationError({"inspector": _("The inspector must be a person of this county.")})
    clean = clean_text(reason, field="reason", limit=200, required=True)
    if id is not None:
        same = DrawConflict.objects.filter(pk=id).first()
        if same is not None:
            if same.unit_id != unit.pk or same.inspector_id != inspector.pk:
                raise ValidationError({"id": _("This id is already used by another declared conflict.")})
            return same
    existing = DrawConflict.objects.filter(unit=unit, inspector=inspector).first()
    if existing is not None:
        return existing
    with transaction.atomic(), audited(actor, "draw_conflict.create") as audit:
        conflict = audit.obj = DrawConflict.objects.create(
            id=id or uuid.uuid4(), unit=unit, inspector=inspector, reason=clean
        )
    return conflict


def conflict_remove(*, actor: User, conflict: DrawConflict) -> None:
    """Withdraw a declared conflict (the institute only: a person cannot undo their own)."""
    require(actor, DRAW_UNITS, conflict.unit.area.path)
    with transaction.atomic(), audited(actor, "draw_conflict.remove", conflict):
        conflict.delete()


MATERIAL_TYPES = {"pdf", "doc", "docx", "xls", "xlsx", "ofd", "jpg", "jpeg", "png"}


def material_add(
    *, actor: User, campaign: Campaign, upload: UploadedFile, title: str = "", id: uuid.UUID | None = None
) -> CampaignMaterial:
    """Keep a material with the campaign (listed, and pictures shown, in its summary)."""
    require(actor, MANAGE_CAMPAIGNS, campaign.area.path)
    if not is_within(actor, campaign.area.path):
        raise Http404
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in MATERIAL_TYPES:
        raise ValidationError({"file": _("A material can only be a PDF, Word, Excel or OFD file or an image.")})
    if not upload.size or upload.size > BASIS_MAX_BYTES:
        raise ValidationError({"file": _("A material cannot be empty or larger than 20 MB.")})
    if ext in {"jpg", "jpeg", "png"}:
        from PIL import Image, UnidentifiedImageError

        try:
            upload.seek(0)
            Image.open(upload).verify()
            upload.seek(0)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ValidationError({"file": _("This file is not an image.")}) from None
    clean_title = clean_text(title or name.rsplit(".", 1)[0], field="title", limit=200, required=True)
    clean_name = name[-200:]

    def make() -> CampaignMaterial:
        with audited(actor, "campaign_material.add") as audit:
            material = audit.obj = CampaignMaterial(
                id=id or uuid.uuid4(),
                campaign=campaign,
                area=campaign.area,
                title=clean_title,
                file_name=clean_name,
                uploaded_by=actor,
            )
            material.file.save(f"material.{ext}", upload, save=False)
            material.save()
        return material

    with transaction.atomic():
        material, _created = create_once(CampaignMaterial, id, actor, make)
    return material


def settings_save(*, actor: User, county: Area, comanagers_drawn: bool, results_days: int) -> CampaignSettings:
    require(actor, DRAW_UNITS, county.path)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("Only a county has these settings.")})
    if not 1 <= results_days <= 120:
        raise ValidationError({"results_days": _("The time limit must be from 1 to 120 working days.")})
    found = settings_for(county)
    with transaction.atomic(), audited(actor, "campaign_settings.save", found if found.pk else None) as audit:
        found.comanagers_drawn = comanagers_drawn
        found.results_days = results_days
        found.save()
        audit.obj = found
    return found
