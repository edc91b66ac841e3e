"""API: special campaigns, their targets, 双随机 draws, and a draw's public JSON."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from xieguan.accounts.models import User
from xieguan.accounts.permissions import DRAW_UNITS, MANAGE_CAMPAIGNS, RECORD_INSPECTION, require
from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import get_area_for_user
from xieguan.campaigns import services
from xieguan.campaigns.checklists import (
    campaign_checklist_publish,
    campaign_checklist_save,
    campaign_checklist_versions,
    can_edit_checklist,
)
from xieguan.campaigns.draws import ALGORITHM
from xieguan.campaigns.models import Campaign, CampaignMaterial, CampaignTarget, DrawConflict, RandomDraw
from xieguan.campaigns.public import public_draw, public_draws
from xieguan.campaigns.schemas import (
    CampaignChecklistIn,
    CampaignChecklistOut,
    CampaignIn,
    CampaignOut,
    CampaignSummaryIn,
    DrawConflictIn,
    DrawConflictOut,
    DrawIn,
    DrawOut,
    DrawSettingsIn,
    DrawSettingsOut,
    MaterialOut,
    PublicDrawOut,
    PublicDrawPage,
    RedrawIn,
    TargetOut,
    TargetRecordIn,
    TargetsAddIn,
)
from xieguan.campaigns.selectors import (
    campaigns_for,
    county_of_slug,
    get_campaign_for_user,
    get_draw_for_user,
    get_target_for_user,
    targets_for,
)
from xieguan.campaigns.summary import summary_docx_bytes, summary_draft, summary_tables
from xieguan.core.api import DOCX, PDF, ErrorOut, ListOut, file_download
from xieguan.core.documents import download_header, download_name, pdf_response
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import BadCursor, keyset_list, keyset_page
from xieguan.core.photos import open_stored
from xieguan.core.scope import get_object_for_user, is_within
from xieguan.inspections.models import ChecklistTemplate, Inspection
from xieguan.units.models import Category, Subtype, Unit

router = Router(tags=["campaigns"])
draw_router = Router(tags=["campaigns"])
public_router = Router(tags=["public draws"], auth=None)
target_router = Router(tags=["campaigns"])
settings_router = Router(tags=["campaigns"])
conflict_router = Router(tags=["campaigns"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
BASIS_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": DOCX,
    "ofd": "application/ofd",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def _campaign_out(c: Campaign, user: Any) -> dict[str, Any]:
    targets = targets_for(user, c)
    return {
        "id": c.pk,
        "area_id": c.area_id,
        "area_name": c.area.name,
        "name": c.name,
        "basis": c.basis,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "category": c.category.code if c.category_id else None,
        "targets": getattr(c, "target_count", None) if hasattr(c, "target_count") else targets.count(),
        "done": getattr(c, "done_count", None) if hasattr(c, "done_count") else targets.done().count(),
        "closed": c.closed_at is not None,
    }


def _draw_out(d: RandomDraw) -> dict[str, Any]:
    return {
        "id": d.pk,
        "campaign_id": d.campaign_id,
        "area_id": d.area_id,
        "title": d.title,
        "drawn_at": d.drawn_at,
        "seed": d.seed,
        "pool": d.pool,
        "inspector_pool": d.inspector_pool,
        "count": d.count,
        "picks": d.picks,
        "replaces_id": d.replaces_id,
        "reason": d.reason,
        "results_due": d.results_due,
        "published_at": d.published_at,
        "algorithm": str(ALGORITHM),
    }


def _target_out(t: CampaignTarget) -> dict[str, Any]:
    return {
        "id": t.pk,
        "unit_id": t.unit_id,
        "unit_name": t.unit.name,
        "area_id": t.area_id,
        "area_name": t.area.name,
        "source": t.source,
        "draw_id": t.draw_id,
        "inspector_ids": [p.pk for p in t.inspectors.all()],
        "inspection_id": t.inspection_id,
        "done": t.is_done,
    }


@router.get("", response={200: ListOut[CampaignOut], **ERRORS})
def campaign_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """The campaigns of the caller's area and those above it that target units in it, newest first.
    For a county campaign seen from a township, ``targets`` and ``done`` count all of its targets."""
    page = keyset_page(campaigns_for(request.user), ordering=["-starts_on", "-id"], cursor=after, size=limit)
    return {"items": [_campaign_out(c, request.user) for c in page.items], "next": page.next_cursor}


@router.get("/{campaign_id}", response={200: CampaignOut, **ERRORS})
def campaign_get(request: HttpRequest, campaign_id: str) -> Any:
    """One campaign; ``targets`` and ``done`` count the targets the caller sees."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    out = _campaign_out(campaign, request.user)
    return out


@router.post("", response={200: CampaignOut, 201: CampaignOut, **ERRORS})
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Any:
    """Start a campaign; idempotent on ``id`` (a retry answers 200 with the campaign)."""
    existing = existing_for_retry(Campaign, payload.id, request.user)
    if existing is not None:
        return Status(200, _campaign_out(get_campaign_for_user(request.user, existing.pk), request.user))
    area = get_area_for_user(request.user, payload.area_id)
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category).first()
        if category is None:
            raise ValidationError({"category": _("There is no such unit category.")})
    subtypes = list(Subtype.objects.filter(pk__in=payload.subtype_ids))
    if len(subtypes) != len(set(payload.subtype_ids)):
        raise ValidationError({"subtype_ids": _("A subtype does not exist.")})
    template = None
    if payload.template_id:
        template = ChecklistTemplate.objects.filter(pk=payload.template_id).first()
        if template is None:
            raise ValidationError({"template_id": _("The checklist does not exist.")})
    assignees = list(User.objects.visible_to(request.user).filter(pk__in=payload.assignee_ids))
    if len(assignees) != len(set(payload.assignee_ids)):
        raise ValidationError({"assignee_ids": _("A person in charge is outside your area.")})
    campaign = services.campaign_create(
        actor=request.user,
        area=area,
        name=payload.name,
        basis=payload.basis,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        category=category,
        subtypes=subtypes,
        template=template,
        assignees=assignees,
        id=payload.id,
    )
    if payload.all_units:
        services.campaign_targets_from_filter(actor=request.user, campaign=campaign)
    return Status(201, _campaign_out(campaign, request.user))


@router.get("/{campaign_id}/targets", response={200: ListOut[TargetOut], **ERRORS})
def campaign_targets(
    request: HttpRequest,
    campaign_id: str,
    done: bool | None = None,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> Any:
    """The campaign's targets in the caller's area, by township and unit name; ``done`` filters."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    qs = targets_for(request.user, campaign)
    if done is True:
        qs = qs.done()
    elif done is False:
        qs = qs.exclude(inspection__status="submitted")
    return keyset_list(qs, ordering=["area__path", "unit__name", "id"], cursor=after, size=limit, out=_target_out)


def _require_manage(user: Any, campaign: Campaign) -> None:
    """Changing a campaign the user sees (``get_campaign_for_user``): 403
    when it is run above the user's area (a county's, seen from a township
    through its targets there; seen already, so the refusal reveals
    nothing), and 403 when the role may not manage campaigns."""
    if not is_within(user, campaign.area.path):
        raise PermissionDenied(_("This campaign is run by an area above yours; only that area can change it."))
    require(user, MANAGE_CAMPAIGNS, campaign.area.path)


@router.post("/{campaign_id}/targets", response={200: list[TargetOut], **ERRORS})
def campaign_targets_add(request: HttpRequest, campaign_id: uuid.UUID, payload: TargetsAddIn) -> Any:
    """Add targets as the page does: every unit of the campaign's categories
    in a township (``township_id``), and units by hand (``unit_ids``). Units
    already targeted are kept, so sending the same body again adds nothing;
    answers the targets this call added."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    _require_manage(request.user, campaign)
    if payload.township_id is None and not payload.unit_ids:
        raise ValidationError({"township_id": _("Choose a township or a unit.")})
    township = None
    if payload.township_id is not None:
        township = (
            Area.objects.visible_to(request.user)
            .active()
            .filter(pk=payload.township_id, level=Level.TOWNSHIP, path__startswith=campaign.area.path)
            .first()
        )
        if township is None:
            raise ValidationError({"township_id": _("The township is outside the campaign's area.")})
    wanted = set(payload.unit_ids)
    units = list(
        Unit.objects.visible_to(request.user)
        .existing()
        .filter(pk__in=wanted, area__path__startswith=campaign.area.path)
        .select_related("area")
    )
    if len(units) != len(wanted):
        raise ValidationError({"unit_ids": _("A unit does not exist or is outside the campaign's area.")})
    added = []
    if township is not None:
        added += services.campaign_targets_from_filter(actor=request.user, campaign=campaign, township=township)
    if units:
        added += services.campaign_add_targets(actor=request.user, campaign=campaign, units=units)
    made = targets_for(request.user, campaign).filter(pk__in=[t.pk for t in added])
    return [_target_out(t) for t in made.order_by("area__path", "unit__name", "id")]


@router.get(
    "/{campaign_id}/basis",
    response=ERRORS,
    openapi_extra=file_download(dict.fromkeys(BASIS_TYPES.values()), "The campaign's basis document as uploaded"),
)
def campaign_basis(request: HttpRequest, campaign_id: uuid.UUID) -> Any:
    """The basis document attached to the campaign; 404 when none is."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    if not campaign.basis_file:
        raise Http404
    ext = campaign.basis_file.name.rsplit(".", 1)[-1].lower()
    if ext not in BASIS_TYPES:  # stored before the name kept its extension
        ext = campaign.basis_name.rsplit(".", 1)[-1].lower() if "." in campaign.basis_name else "pdf"
    response = FileResponse(open_stored(campaign.basis_file), content_type=BASIS_TYPES.get(ext, "application/pdf"))
    response["Content-Disposition"] = download_header(download_name(_("Basis document"), campaign.name, ext=ext))
    return response


@router.put("/{campaign_id}/summary", response={200: CampaignOut, **ERRORS})
def campaign_summary_put(request: HttpRequest, campaign_id: uuid.UUID, payload: CampaignSummaryIn) -> Any:
    """Save the closing summary's prose (the Word and PDF print it); with
    ``close`` the campaign is closed too. Sending it again changes nothing more."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    _require_manage(request.user, campaign)
    if payload.close:
        services.campaign_close(actor=request.user, campaign=campaign, summary=payload.summary)
    else:
        services.campaign_summary_save(actor=request.user, campaign=campaign, summary=payload.summary)
    return _campaign_out(get_campaign_for_user(request.user, campaign_id), request.user)


def _checklist_out(campaign: Campaign, user: Any) -> dict[str, Any]:
    return {
        "campaign_id": campaign.pk,
        "template_id": campaign.template_id,
        "can_edit": can_edit_checklist(user, campaign) and campaign.closed_at is None,
        "versions": [
            {
                "id": v.pk,
                "title": v.title,
                "version": v.version,
                "status": v.status,
                "published_at": v.published_at,
                "items": [{"code": i.code, "text": i.text, "basis": i.basis, "order": i.sort} for i in v.items.all()],
            }
            for v in campaign_checklist_versions(campaign)
        ],
    }


@router.get("/{campaign_id}/checklist", response={200: CampaignChecklistOut, **ERRORS})
def campaign_checklist_get(request: HttpRequest, campaign_id: uuid.UUID) -> Any:
    """The campaign's own checklist: the template its visits use and the
    versions of its own, newest first, each with its items in order."""
    return _checklist_out(get_campaign_for_user(request.user, campaign_id), request.user)


@router.put("/{campaign_id}/checklist", response={200: CampaignChecklistOut, **ERRORS})
def campaign_checklist_put(request: HttpRequest, campaign_id: uuid.UUID, payload: CampaignChecklistIn) -> Any:
    """Write the draft of the campaign's own checklist (title and items, in
    order); with ``publish`` it is published and the campaign uses it. The
    county only (a township answers 403). Sending it again changes nothing more."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    with transaction.atomic():
        campaign_checklist_save(
            actor=request.user,
            campaign=campaign,
            title=payload.title,
            items=[(i.code, i.text, i.basis) for i in payload.items],
            id=payload.id,
        )
        if payload.publish:
            campaign_checklist_publish(actor=request.user, campaign=campaign)
    return _checklist_out(get_campaign_for_user(request.user, campaign_id), request.user)


@router.post("/{campaign_id}/checklist/publish", response={200: CampaignChecklistOut, **ERRORS})
def campaign_checklist_publish_post(request: HttpRequest, campaign_id: uuid.UUID) -> Any:
    """Publish the draft of the campaign's own checklist: the campaign's
    targets not yet visited are inspected with it from now on."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    campaign_checklist_publish(actor=request.user, campaign=campaign)
    return _checklist_out(get_campaign_for_user(request.user, campaign_id), request.user)


def _summary(request: HttpRequest, campaign_id: uuid.UUID) -> tuple[Campaign, Any, str]:
    campaign = get_campaign_for_user(request.user, campaign_id)
    tables = summary_tables(request.user, campaign)
    return campaign, tables, campaign.summary or summary_draft(campaign, tables)


@router.get(
    "/{campaign_id}/summary.docx",
    response=ERRORS,
    openapi_extra=file_download(
        DOCX, "The closing summary as a Word document, its tables counted in the caller's area"
    ),
)
def campaign_summary_docx(request: HttpRequest, campaign_id: uuid.UUID) -> Any:
    """The closing summary as the page exports it: the saved prose (or the
    draft from the data) and the tables of the targets the caller sees."""
    campaign, tables, text = _summary(request, campaign_id)
    response = HttpResponse(summary_docx_bytes(campaign, tables, text), content_type=DOCX)
    response["Content-Disposition"] = download_header(
        download_name(_("Special campaign summary"), campaign.name, timezone.localdate(), ext="docx")
    )
    return response


@router.get(
    "/{campaign_id}/summary.pdf",
    response=ERRORS,
    openapi_extra=file_download(PDF, "The closing summary as an A4 PDF, its tables counted in the caller's area"),
)
def campaign_summary_pdf(request: HttpRequest, campaign_id: uuid.UUID) -> Any:
    """The closing summary as a PDF, as the page prints it."""
    campaign, tables, text = _summary(request, campaign_id)
    return pdf_response(
        "campaigns/summary_pdf.html",
        {"campaign": campaign, "tables": tables, "paragraphs": [p for p in text.splitlines() if p.strip()]},
        download_name(_("Special campaign summary"), campaign.name, timezone.localdate(), ext="pdf"),
        request=request,
    )


@target_router.get("/{target_id}", response={200: TargetOut, **ERRORS})
def target_get(request: HttpRequest, target_id: uuid.UUID) -> Any:
    """One target: its unit, township, drawn inspectors and record."""
    return _target_out(get_target_for_user(request.user, target_id))


@target_router.post("/{target_id}/record", response={200: TargetOut, 201: TargetOut, **ERRORS})
def target_record(request: HttpRequest, target_id: uuid.UUID, payload: TargetRecordIn) -> Any:
    """Start the target's visit: a draft inspection record of the unit (the
    drawn inspectors on it when the caller is one of them), linked to the
    target; ``inspection_id`` names it. A target that has its record already
    answers 200 with it, so a retry makes nothing new."""
    target = get_target_for_user(request.user, target_id)
    if target.inspection_id is not None:
        require(request.user, RECORD_INSPECTION, target.area.path)
        return Status(200, _target_out(target))
    if payload.id is not None and Inspection.objects.filter(pk=payload.id).exists():
        raise ValidationError({"id": _("This id is already used by another inspection record.")})
    services.campaign_target_record(actor=request.user, target=target, id=payload.id)
    return Status(201, _target_out(get_target_for_user(request.user, target_id)))


@settings_router.get("", response={200: DrawSettingsOut, **ERRORS})
def draw_settings_get(request: HttpRequest) -> Any:
    """The caller's county's 双随机 settings (a county institution's draw permission)."""
    county = _settings_county(request)
    return _settings_out(county, services.settings_for(county))


@settings_router.put("", response={200: DrawSettingsOut, **ERRORS})
def draw_settings_put(request: HttpRequest, payload: DrawSettingsIn) -> Any:
    """Set whether co-managers may be drawn and the results deadline."""
    county = _settings_county(request)
    found = services.settings_save(
        actor=request.user,
        county=county,
        comanagers_drawn=payload.comanagers_drawn,
        results_days=payload.results_days,
    )
    return _settings_out(county, found)


def _settings_county(request: HttpRequest) -> Area:
    require(request.user, DRAW_UNITS)
    institution = getattr(request.user, "institution", None)
    if institution is None or institution.area.level != Level.COUNTY:
        raise Http404
    return institution.area


def _settings_out(county: Area, found: Any) -> dict[str, Any]:
    return {
        "county_id": county.pk,
        "county_name": county.name,
        "comanagers_drawn": found.comanagers_drawn,
        "results_days": found.results_days,
    }


@draw_router.post("", response={200: DrawOut, 201: DrawOut, **ERRORS})
def draw_create(request: HttpRequest, payload: DrawIn) -> Any:
    """Make a 双随机 draw (final once made): the body names the campaign or the
    area and filter, and the count, the ratio or the ratios per risk grade. A
    redraw names ``replaces_id`` and a ``reason``. Idempotent on ``id``."""
    require(request.user, DRAW_UNITS)  # the role before the ids: 403 for one who may not draw, whatever is named
    existing = existing_for_retry(RandomDraw, payload.id, request.user)
    if existing is not None:
        return Status(200, _draw_out(get_draw_for_user(request.user, existing.pk)))
    campaign = get_campaign_for_user(request.user, payload.campaign_id) if payload.campaign_id else None
    area = get_area_for_user(request.user, payload.area_id) if payload.area_id and campaign is None else None
    filters: dict[str, Any] = {}
    if payload.category:
        filters["category"] = payload.category
    if payload.township_ids:
        filters["townships"] = [str(t) for t in payload.township_ids]
    if payload.risk_grades:
        filters["risk_grades"] = list(payload.risk_grades)
    replaces = get_draw_for_user(request.user, payload.replaces_id) if payload.replaces_id else None
    draw = services.draw_make(
        actor=request.user,
        campaign=campaign,
        area=area,
        title=payload.title,
        filters=filters,
        count=payload.count,
        ratio=payload.ratio,
        grade_ratios=dict(payload.grade_ratios),
        inspectors_per_target=payload.inspectors_per_target,
        replaces=replaces,
        reason=payload.reason,
        id=payload.id,
    )
    return Status(201, _draw_out(draw))


@draw_router.get("/{draw_id}", response={200: DrawOut, **ERRORS})
def draw_get(request: HttpRequest, draw_id: str) -> Any:
    """A draw: seed, pool (unit ids), count and picks with their inspectors."""
    return _draw_out(get_draw_for_user(request.user, draw_id))


@draw_router.post("/{draw_id}/publish", response={200: DrawOut, **ERRORS})
def draw_publish(request: HttpRequest, draw_id: uuid.UUID) -> Any:
    """Publish the draw's results on the county's public page (once; again changes nothing)."""
    draw = get_draw_for_user(request.user, draw_id)
    services.draw_publish(actor=request.user, draw=draw)
    return _draw_out(get_draw_for_user(request.user, draw_id))


@draw_router.post("/{draw_id}/redraw", response={200: DrawOut, 201: DrawOut, **ERRORS})
def draw_redraw(request: HttpRequest, draw_id: uuid.UUID, payload: RedrawIn) -> Any:
    """Draw again with the first draw's conditions and a reason, as the page
    does; the first draw stays. Idempotent on ``id``."""
    existing = existing_for_retry(RandomDraw, payload.id, request.user)
    if existing is not None:
        return Status(200, _draw_out(get_draw_for_user(request.user, existing.pk)))
    draw = get_draw_for_user(request.user, draw_id)
    require(request.user, DRAW_UNITS, draw.area.path)
    made = services.draw_make(
        actor=request.user,
        area=draw.area,
        campaign=draw.campaign,
        title=draw.title,
        filters=draw.filter,
        count=None if draw.ratio or draw.grade_ratios else draw.count,
        ratio=draw.ratio,
        grade_ratios=draw.grade_ratios,
        inspectors_per_target=draw.inspectors_per_target,
        replaces=draw,
        reason=payload.reason,
        id=payload.id,
    )
    return Status(201, _draw_out(made))


@public_router.get("/{county}/draws/{draw_id}", response={200: PublicDrawOut, **PUBLIC_ERRORS})
def public_draw_get(request: HttpRequest, county: str, draw_id: str) -> Any:
    """A draw as the public sees it, without login: seed, pool, count and the
    picked unit ids, enough to recompute it; nothing personal. ``county`` is
    the county's statistical code."""
    found = county_of_slug(county)
    if found is None:
        raise Http404
    try:
        data = public_draw(found, draw_id)
    except ValidationError:
        data = None
    if data is None:
        raise Http404
    return data


@public_router.get("/{county}/draws", response={200: PublicDrawPage, **PUBLIC_ERRORS})
def public_draws_list(request: HttpRequest, county: str, after: str | None = None) -> Any:
    """The county's draws, newest first, five to a page, without login: each
    with its seed, pool and picks and, once published, the picks' results
    and the day of each inspection. ``after`` is the previous page's
    ``next_cursor``. Nothing personal."""
    found = county_of_slug(county)
    if found is None:
        raise Http404
    return public_draws(found, after)


# ---------------------------------------------------------------- materials


def _material_out(m: CampaignMaterial) -> dict[str, Any]:
    return {
        "id": m.pk,
        "campaign_id": m.campaign_id,
        "title": m.title,
        "file_name": m.file_name,
        "is_image": m.is_image,
        "created_at": m.created_at,
    }


@router.get("/{campaign_id}/materials", response={200: list[MaterialOut], **ERRORS})
def campaign_materials(request: HttpRequest, campaign_id: uuid.UUID) -> Any:
    """The campaign's materials (its summary lists them), oldest first, at most 200."""
    campaign = get_campaign_for_user(request.user, campaign_id)
    qs = CampaignMaterial.objects.visible_to(request.user).filter(campaign=campaign).order_by("created_at", "id")
    return [_material_out(m) for m in qs[:200]]


@router.post("/{campaign_id}/materials", response={200: MaterialOut, 201: MaterialOut, **ERRORS})
def campaign_material_add(
    request: HttpRequest,
    campaign_id: uuid.UUID,
    file: File[UploadedFile],
    title: Form[str] = "",
    id: Form[uuid.UUID | None] = None,
) -> Any:
    """Upload a material of the campaign (multipart ``file``: PDF, Word,
    Excel, OFD or a picture, 20 MB at most). Idempotent on ``id``."""
    existing = existing_for_retry(CampaignMaterial, id, request.user)
    if existing is not None:
        return Status(200, _material_out(existing))
    campaign = get_campaign_for_user(request.user, campaign_id)
    _require_manage(request.user, campaign)
    material = services.material_add(actor=request.user, campaign=campaign, upload=file, title=title, id=id)
    return Status(201, _material_out(material))


@router.get(
    "/{campaign_id}/materials/{material_id}",
    response={200: None, **ERRORS},
    openapi_extra=file_download(
        [*sorted(set(BASIS_TYPES.values())), "application/vnd.ms-excel"], "the material's file"
    ),
)
def campaign_material_file(request: HttpRequest, campaign_id: uuid.UUID, material_id: uuid.UUID) -> Any:
    """A material's file."""
    material = get_object_for_user(CampaignMaterial.objects.filter(campaign_id=campaign_id), request.user, material_id)
    ext = material.file.name.rsplit(".", 1)[-1]
    response = FileResponse(open_stored(material.file), content_type=BASIS_TYPES.get(ext, "application/octet-stream"))
    response["Content-Disposition"] = download_header(download_name(_("Campaign material"), material.title, ext=ext))
    return response


# ---------------------------------------------------------------- 回避关系


def _conflict_out(c: DrawConflict) -> dict[str, Any]:
    return {
        "id": c.pk,
        "unit_id": c.unit_id,
        "unit_name": c.unit.name,
        "inspector_id": c.inspector_id,
        "inspector_name": c.inspector.full_name or c.inspector.username,
        "reason": c.reason,
        "created_at": c.created_at,
    }


@conflict_router.get("", response={200: ListOut[DrawConflictOut], **ERRORS})
def conflict_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """The declared 回避关系 of units in the caller's area, and the caller's own."""
    from django.db.models import Q

    qs = DrawConflict.objects.filter(
        Q(pk__in=DrawConflict.objects.visible_to(request.user).values("pk")) | Q(inspector=request.user)
    ).select_related("unit", "inspector")
    try:
        page = keyset_page(qs, ordering=["unit__name", "id"], cursor=after, size=limit)
    except BadCursor:
        raise ValidationError({"after": _("The paging cursor is not valid.")}) from None
    return {"items": [_conflict_out(c) for c in page.items], "next": page.next_cursor}


@conflict_router.post("", response={200: DrawConflictOut, 201: DrawConflictOut, **ERRORS})
def conflict_create(request: HttpRequest, payload: DrawConflictIn) -> Any:
    """Declare a 回避关系: the draw never sends ``inspector_id`` to ``unit_id``.
    Anyone may declare their own; the institute that draws, anyone's of its
    county. Idempotent on ``id`` (and on the pair)."""
    existing = existing_for_retry(DrawConflict, payload.id, request.user)
    if existing is not None:
        return Status(200, _conflict_out(existing))
    unit = get_object_for_user(Unit.objects.select_related("area"), request.user, payload.unit_id)
    inspector = User.objects.filter(pk=payload.inspector_id, is_active=True).select_related("institution").first()
    if inspector is None:
        raise ValidationError({"inspector_id": _("There is no such person.")})
    conflict = services.conflict_declare(
        actor=request.user, unit=unit, inspector=inspector, reason=payload.reason, id=payload.id
    )
    return Status(201, _conflict_out(DrawConflict.objects.select_related("unit", "inspector").get(pk=conflict.pk)))


@conflict_router.delete("/{conflict_id}", response={204: None, **ERRORS})
def conflict_delete(request: HttpRequest, conflict_id: uuid.UUID) -> Any:
    """Withdraw a declared 回避关系 (the institute that draws)."""
    conflict = get_object_for_user(DrawConflict.objects.select_related("unit__area"), request.user, conflict_id)
    services.conflict_remove(actor=request.user, conflict=conflict)
    return Status(204, None)
