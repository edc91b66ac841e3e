"""API: the registry of supervised units (SPEC §3). Same services, same
scope and same filters as the pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from xieguan.areas.selectors import get_area_for_user
from xieguan.core.api import ERRORS, PDF, ErrorOut, ListOut, file_download
from xieguan.core.documents import XLSX_TYPE, download_header, download_name
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_list, keyset_page
from xieguan.core.permissions import MANAGE_UNITS, require
from xieguan.units import batches, categories, imports, services
from xieguan.units.exports import units_export_response
from xieguan.units.models import Category, ImportBatch, Licence, StaffCertificate, Subtype, Unit
from xieguan.units.schemas import (
    CategoryFieldIn,
    CategoryFieldOut,
    CertificateDueOut,
    CertificateIn,
    CertificateOut,
    DuplicatePairOut,
    FilingRateOut,
    ImportBatchDetailOut,
    ImportBatchOut,
    LicenceDueOut,
    LicenceIn,
    LicenceOut,
    SubtypeIn,
    SubtypeOut,
    UnitCategoriesOut,
    UnitDetailOut,
    UnitIn,
    UnitMergeIn,
    UnitOut,
    UnitPatch,
)
from xieguan.units.selectors import (
    EXPIRING_DAYS,
    UNIT_ORDERINGS,
    UnitFilters,
    category_settings_for,
    certificates_by_expiry,
    duplicate_pairs_for,
    fields_in_force,
    filing_rate_by_township,
    get_category_field_for_user,
    get_import_batch_for_user,
    get_settings_county_for_user,
    get_subtype_for_user,
    get_unit_for_user,
    import_batches_for,
    licences_by_expiry,
    missing_fields,
    unit_county_id,
    units_filtered,
)

router = Router(tags=["units"])
DUPLICATE_REASONS = {"credit_code": _("same credit code"), "name": _("similar name and address")}


def _out(u: Unit) -> dict[str, Any]:
    return {
        "id": u.pk,
        "name": u.name,
        "name_initials": u.name_initials,
        "credit_code": u.credit_code,
        "legal_representative": u.legal_representative,
        "phone": u.phone,
        "address": u.address,
        "latitude": u.latitude,
        "longitude": u.longitude,
        "area_id": u.area_id,
        "area_name": u.area.name,
        "category": u.category.code,
        "category_name": u.category.name,
        "subtype_id": u.subtype_id,
        "subtype_name": u.subtype.name if u.subtype else None,
        "status": u.status,
        "status_label": u.get_status_display(),
        "opened_on": u.opened_on,
        "closed_on": u.closed_on,
        "is_key_unit": u.is_key_unit,
        "risk_grade": u.risk_grade,
        "hygiene_grade": u.hygiene_grade,
        "extra": u.extra or {},
        "is_complete": u.is_complete,
    }


def _certificate_out(c: StaffCertificate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "person_name": c.person_name,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "number": c.number,
        "expires_on": c.expires_on,
    }


def _detail(u: Unit) -> dict[str, Any]:
    return {
        **_out(u),
        "missing_fields": [key for key, _label in missing_fields(u)],
        "fields": fields_in_force(u.category, unit_county_id(u)),
        "licences": list(u.licences.all()),
        "certificates": [_certificate_out(c) for c in u.certificates.all()],
    }


def _category(code: str) -> Category:
    found = Category.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({"category": _("There is no category %(code)s.") % {"code": code}})
    return found


def _subtype(pk: int | None) -> Subtype | None:
    if pk is None:
        return None
    found = Subtype.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({"subtype_id": _("There is no subtype %(id)s.") % {"id": pk}})
    return found


class UnitFilterQuery(Schema):
    """The filters of the registry page, for the list and its export."""

    q: str | None = Field(None, max_length=50, description="name, address, credit code or pinyin initials")
    category: str | None = None
    subtype_id: int | None = None
    area_id: str | None = None
    status: str | None = None
    key_unit: bool | None = None
    risk_grade: str | None = None
    incomplete: bool = False
    licence_expiring: bool = Field(False, description="a licence expires within 30 days")
    licence_expired: bool = Field(False, description="a licence has expired")
    sort: Literal["name", "recent"] = Field("name", description="by name, or recently changed first")


def _unit_filters(request: HttpRequest, f: UnitFilterQuery) -> UnitFilters:
    return UnitFilters(
        q=f.q or "",
        category=_category(f.category) if f.category else None,
        subtype=_subtype(f.subtype_id),
        area=get_area_for_user(request.user, f.area_id) if f.area_id else None,
        status=f.status or "",
        key_unit=f.key_unit,
        risk_grade=f.risk_grade or "",
        incomplete=f.incomplete,
        licence_expiring=f.licence_expiring,
        licence_expired=f.licence_expired,
    )


# The county's registry as a whole (before "/{unit_id}", which would take these names)


@router.get(
    "/export",
    response=ERRORS,
    openapi_extra=file_download(XLSX_TYPE, "The filtered units as an Excel workbook (every match, not one page)"),
)
def unit_export(request: HttpRequest, filters: Query[UnitFilterQuery]) -> Any:
    """The registry's 导出: the units the filters find in the caller's area
    as Excel, the same workbook as the list page's."""
    return units_export_response(request.user, _unit_filters(request, filters), UNIT_ORDERINGS[filters.sort])


@router.get("/duplicates", response={200: list[DuplicatePairOut], **ERRORS})
def unit_duplicates(request: HttpRequest, area_id: str | None = None) -> Any:
    """Possible duplicates (疑似重复) among the current units of the caller's
    area, or of one area in it, by township then name: merge a pair with
    POST /api/units/{unit_id}/merge."""
    area = get_area_for_user(request.user, area_id) if area_id else None
    return [
        {
            "first": _out(pair.first),
            "second": _out(pair.second),
            "reason": pair.reason,
            "reason_label": str(DUPLICATE_REASONS.get(pair.reason, pair.reason)),
        }
        for pair in duplicate_pairs_for(request.user, area=area)
    ]


@router.get("/filing-rate", response={200: list[FilingRateOut], **ERRORS})
def unit_filing_rate(request: HttpRequest) -> Any:
    """建档率 per township of the caller's area: units with a complete file ÷
    units existing (not closed)."""
    return [
        {
            "township_id": r.township.pk,
            "township_name": r.township.name,
            "units": r.units,
            "complete": r.complete,
            "rate": r.rate,
        }
        for r in filing_rate_by_township(request.user)
    ]


@router.get("", response={200: ListOut[UnitOut], **ERRORS})
def unit_list(
    request: HttpRequest,
    filters: Query[UnitFilterQuery],
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Units in the caller's area by name; the filters of the registry page;
    ``q`` finds name, address, credit code or pinyin initials (the unit
    picker's search too)."""
    qs = units_filtered(request.user, _unit_filters(request, filters))
    return keyset_list(qs, ordering=UNIT_ORDERINGS[filters.sort], cursor=after, size=limit, out=_out)


@router.get("/{unit_id}", response={200: UnitDetailOut, **ERRORS})
def unit_get(request: HttpRequest, unit_id: str) -> Any:
    return _detail(get_unit_for_user(request.user, unit_id))


@router.post("", response={200: UnitOut, 201: UnitOut, **ERRORS})
def unit_create(request: HttpRequest, payload: UnitIn) -> Any:
    """Register a unit; idempotent on ``id``."""
    existing = existing_for_retry(Unit, payload.id, request.user)
    if existing is not None:
        return Status(200, _out(get_unit_for_user(request.user, existing.pk)))
    data = payload.dict(exclude={"id", "area_id", "category", "subtype_id"})
    unit = services.unit_create(
        actor=request.user,
        id=payload.id,
        area=get_area_for_user(request.user, payload.area_id),
        category=_category(payload.category),
        subtype=_subtype(payload.subtype_id),
        **data,
    )
    return Status(201, _out(unit))


@router.patch("/{unit_id}", response={200: UnitOut, **ERRORS})
def unit_patch(request: HttpRequest, unit_id: str, payload: UnitPatch) -> Any:
    """Change the fields sent; the others keep their values."""
    unit = get_unit_for_user(request.user, unit_id)
    data = payload.dict(exclude_unset=True)
    if "area_id" in data:
        area_id = data.pop("area_id")
        if area_id is None:
            raise ValidationError({"area_id": _("A unit must have an area.")})
        data["area"] = get_area_for_user(request.user, area_id)
    if "category" in data:
        data["category"] = _category(data["category"] or "")
    if "subtype_id" in data:
        data["subtype"] = _subtype(data.pop("subtype_id"))
    for name in ("name", "legal_representative", "phone", "address", "status", "risk_grade", "hygiene_grade"):
        if name in data and data[name] is None:
            data[name] = ""
    if "is_key_unit" in data and data["is_key_unit"] is None:
        data["is_key_unit"] = False
    if "extra" in data and data["extra"] is None:
        data["extra"] = {}
    services.unit_update(actor=request.user, unit=unit, **data)
    return _out(get_unit_for_user(request.user, unit.pk))


# Licences and staff certificates of one unit ------------------------------


@router.get("/{unit_id}/licences", response={200: ListOut[LicenceOut], **ERRORS})
def licence_list(
    request: HttpRequest, unit_id: str, after: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> Any:
    """The unit's licences by expiry date."""
    unit = get_unit_for_user(request.user, unit_id)
    return keyset_list(unit.licences.all(), ordering=["expires_on", "id"], cursor=after, size=limit)


@router.post("/{unit_id}/licences", response={200: LicenceOut, 201: LicenceOut, **ERRORS})
def licence_create(request: HttpRequest, unit_id: str, payload: LicenceIn) -> Any:
    """Record a licence of the unit (卫生许可证 …); idempotent on ``id``."""
    unit = get_unit_for_user(request.user, unit_id)
    existing = existing_for_retry(Licence, payload.id, request.user)
    if existing is not None:
        return Status(200, existing)
    licence = services.licence_add(actor=request.user, unit=unit, **payload.dict())
    return Status(201, licence)


@router.get("/{unit_id}/certificates", response={200: ListOut[CertificateOut], **ERRORS})
def certificate_list(
    request: HttpRequest, unit_id: str, after: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> Any:
    """The staff certificates of the unit by person."""
    unit = get_unit_for_user(request.user, unit_id)
    page = keyset_page(unit.certificates.all(), ordering=["person_name", "id"], cursor=after, size=limit)
    return {"items": [_certificate_out(c) for c in page.items], "next": page.next_cursor}


@router.post("/{unit_id}/certificates", response={200: CertificateOut, 201: CertificateOut, **ERRORS})
def certificate_create(request: HttpRequest, unit_id: str, payload: CertificateIn) -> Any:
    """Record a staff certificate (健康证, 卫生知识培训合格证); idempotent on ``id``."""
    unit = get_unit_for_user(request.user, unit_id)
    existing = existing_for_retry(StaffCertificate, payload.id, request.user)
    if existing is not None:
        return Status(200, _certificate_out(existing))
    certificate = services.certificate_add(actor=request.user, unit=unit, **payload.dict())
    return Status(201, _certificate_out(certificate))


# What expires, across the caller's area ------------------------------------

licences_router = Router(tags=["units"])
certificates_router = Router(tags=["units"])
EXPIRY_QUERY = {
    "expiring": Query(
        None, ge=1, le=366, description="expiring within this many days from today (e.g. 30); the default"
    ),
    "expired": Query(False, description="expired instead: expiry date before today"),
}


def _due_state(expiring: int | None, expired: bool) -> tuple[str, int]:
    return ("expired" if expired else "expiring"), (expiring or EXPIRING_DAYS)


@licences_router.get("", response={200: ListOut[LicenceDueOut], **ERRORS})
def licences_due(
    request: HttpRequest,
    expiring: int | None = EXPIRY_QUERY["expiring"],
    expired: bool = EXPIRY_QUERY["expired"],
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Licences in the caller's area expiring within ``expiring`` days
    (30 if not given) or, with ``expired=1``, already expired; by expiry date."""
    state, days = _due_state(expiring, expired)
    qs = licences_by_expiry(request.user, state=state, days=days)
    return _due_page(qs, after, limit, lambda licence: LicenceOut.model_validate(licence).model_dump())


@certificates_router.get("", response={200: ListOut[CertificateDueOut], **ERRORS})
def certificates_due(
    request: HttpRequest,
    expiring: int | None = EXPIRY_QUERY["expiring"],
    expired: bool = EXPIRY_QUERY["expired"],
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Staff certificates in the caller's area expiring within ``expiring``
    days (30 if not given) or, with ``expired=1``, already expired."""
    state, days = _due_state(expiring, expired)
    qs = certificates_by_expiry(request.user, state=state, days=days)
    return _due_page(qs, after, limit, _certificate_out)


def _due_page(qs: Any, after: str | None, limit: int, out: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """A keyset page (by expiry date) of licences or certificates, each with
    the unit it belongs to."""
    page = keyset_page(qs, ordering=["expires_on", "id"], cursor=after, size=limit)
    items = [
        {**out(row), "unit_id": row.unit_id, "unit_name": row.unit.name, "area_name": row.unit.area.name}
        for row in page.items
    ]
    return {"items": items, "next": page.next_cursor}


# A county's subtypes and category fields ------------------------------------

categories_router = Router(tags=["units"])
# Subtypes and fields have whole-number ids, so a create takes no client-made
# id: it is idempotent on what it makes instead (see each operation).
_RETRY = (
    " Sending the same again answers 200 with the one already made; a name the category already has "
    "(nationally or in the county, also switched off) is refused with 422."
)


def _category_or_404(code: str) -> Category:
    found = Category.objects.filter(code=code).first()
    if found is None:
        raise Http404
    return found


@categories_router.get("", response={200: UnitCategoriesOut, **ERRORS})
def unit_categories(request: HttpRequest, county_id: str | None = None) -> Any:
    """Every category of units with its subtypes and fields as a county has
    them: the national ones (``county_id`` null), then the county's own,
    those it switched off too (``is_active`` false). The county is
    ``county_id`` (one in the caller's area, or the one the caller works
    in), else the caller's own; 404 for another county."""
    county = get_settings_county_for_user(request.user, county_id)
    return {
        "county_id": county.pk,
        "county_name": county.name,
        "categories": [
            {"code": s.category.code, "name": s.category.name, "subtypes": s.subtypes, "fields": s.fields}
            for s in category_settings_for(county)
        ],
    }


@categories_router.post(
    "/{code}/subtypes",
    response={200: SubtypeOut, 201: SubtypeOut, **ERRORS},
    description="Add a subtype of the category for a county's units (its bureau, institute or an administrator; "
    "403 otherwise). No client-made id: subtypes have whole-number ids." + _RETRY,
)
def subtype_create(request: HttpRequest, code: str, payload: SubtypeIn) -> Any:
    county = get_settings_county_for_user(request.user, payload.county_id)
    subtype, created = categories.subtype_add(
        actor=request.user, county=county, category=_category_or_404(code), name=payload.name
    )
    return Status(201 if created else 200, subtype)


@categories_router.post(
    "/{code}/fields",
    response={200: CategoryFieldOut, 201: CategoryFieldOut, **ERRORS},
    description="Add a field the category's units of a county carry (its bureau, institute or an administrator; "
    "403 otherwise); a required one counts for a complete file from now on. No client-made id: fields have "
    "whole-number ids. The same label (or key) with the same kind, choices and requirement answers 200 with "
    "the field already made; any other clash with a national field or one of the county's (also switched "
    "off) is refused with 422.",
)
def category_field_create(request: HttpRequest, code: str, payload: CategoryFieldIn) -> Any:
    county = get_settings_county_for_user(request.user, payload.county_id)
    field, created = categories.category_field_add(
        actor=request.user,
        county=county,
        category=_category_or_404(code),
        **payload.dict(exclude={"county_id"}),
    )
    return Status(201 if created else 200, field)


@categories_router.post("/subtypes/{subtype_id}/deactivate", response={200: SubtypeOut, **ERRORS})
def subtype_deactivate(request: HttpRequest, subtype_id: str) -> Any:
    """Switch off a county's own subtype: no unit is given it any more, the
    units that have it keep it. 422 for a national one; 404 for another
    county's."""
    return categories.subtype_deactivate(actor=request.user, subtype=get_subtype_for_user(request.user, subtype_id))


@categories_router.post("/subtypes/{subtype_id}/reactivate", response={200: SubtypeOut, **ERRORS})
def subtype_reactivate(request: HttpRequest, subtype_id: str) -> Any:
    """Switch a county's own subtype back on."""
    return categories.subtype_reactivate(actor=request.user, subtype=get_subtype_for_user(request.user, subtype_id))


@categories_router.post("/fields/{field_id}/deactivate", response={200: CategoryFieldOut, **ERRORS})
def category_field_deactivate(request: HttpRequest, field_id: str) -> Any:
    """Switch off a county's own field, never deleted: the form, the unit
    file, the import and the completeness check drop it; the values filled
    in stay in the units (``extra``) and come back if it is switched on
    again. 422 for a national one; 404 for another county's."""
    field = get_category_field_for_user(request.user, field_id)
    return categories.category_field_deactivate(actor=request.user, field=field)


@categories_router.post("/fields/{field_id}/reactivate", response={200: CategoryFieldOut, **ERRORS})
def category_field_reactivate(request: HttpRequest, field_id: str) -> Any:
    """Switch a county's own field back on, with the values kept."""
    field = get_category_field_for_user(request.user, field_id)
    return categories.category_field_reactivate(actor=request.user, field=field)


@router.post("/{unit_id}/merge", response={200: UnitOut, **ERRORS})
def unit_merge(request: HttpRequest, unit_id: str, payload: UnitMergeIn) -> Any:
    """Merge a duplicate into this unit (合并): this unit stays, keeping its own
    values except the fields named in ``take_from_merged``; every record of
    the merged unit moves here and it leaves the lists. Merging it again
    answers 422."""
    survivor = get_unit_for_user(request.user, unit_id)
    merged = get_unit_for_user(request.user, payload.merged_id)
    services.unit_merge(actor=request.user, survivor=survivor, merged=merged, take_from_merged=payload.take_from_merged)
    return _out(get_unit_for_user(request.user, survivor.pk))


# Excel import (上传 → 检查 → 确认 / 取消), with the batch's progress ----------

imports_router = Router(tags=["units"])


def _batch_out(b: ImportBatch) -> dict[str, Any]:
    return {
        "id": b.pk,
        "category": b.category.code,
        "category_name": b.category.name,
        "original_name": b.original_name,
        "status": b.status,
        "status_label": b.get_status_display(),
        "done": b.done,
        "total": b.total,
        "percent": b.percent,
        "is_running": b.is_running,
        "message": b.message,
        "created_count": b.created_count,
        "incomplete_count": b.incomplete_count,
        "created_by": str(b.created_by),
        "created_at": b.created_at,
        "imported_at": b.imported_at,
    }


def _batch_detail(b: ImportBatch) -> dict[str, Any]:
    return {**_batch_out(b), "errors": b.errors or [], "duplicates": b.duplicates or [], "preview": b.preview or {}}


@imports_router.get("", response={200: ListOut[ImportBatchOut], **ERRORS})
def import_batch_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """Uploads of unit sheets in the caller's area, newest first."""
    page = keyset_page(import_batches_for(request.user), ordering=["-created_at", "-id"], cursor=after, size=limit)
    return {"items": [_batch_out(b) for b in page.items], "next": page.next_cursor}


@imports_router.post("", response={200: ImportBatchDetailOut, 201: ImportBatchDetailOut, 400: ErrorOut, **ERRORS})
def import_batch_create(
    request: HttpRequest,
    category: Form[str],
    file: File[UploadedFile],
    id: Form[uuid.UUID | None] = None,
) -> Any:
    """Upload a filled-in template (multipart ``file``, Excel or CSV) of one
    ``category``: a small sheet is checked at once, a large one in the
    background (``is_running``: ask GET /api/unit-imports/{batch_id} for the
    progress). Idempotent on ``id`` (200 with the batch already made)."""
    require(request.user, MANAGE_UNITS)
    existing = existing_for_retry(ImportBatch, id, request.user)
    if existing is not None:
        return Status(200, _batch_detail(get_import_batch_for_user(request.user, existing.pk)))
    found = Category.objects.filter(code=category).first()
    if found is None:
        raise ValidationError({"category": _("There is no category %(code)s.") % {"code": category}})
    batch = batches.import_batch_create(actor=request.user, category=found, upload=file, id=id)
    return Status(201, _batch_detail(get_import_batch_for_user(request.user, batch.pk)))


@imports_router.get(
    "/template/{code}",
    response=ERRORS,
    openapi_extra=file_download(XLSX_TYPE, "The import template of the category, with the caller's areas in its lists"),
)
def import_template(request: HttpRequest, code: str) -> Any:
    """The import template of one category (Excel), as the 导入 page gives it."""
    require(request.user, MANAGE_UNITS)
    category = _category_or_404(code)
    response = HttpResponse(imports.template_xlsx(category, request.user), content_type=XLSX_TYPE)
    response["Content-Disposition"] = download_header(
        download_name(_("Unit import template"), category.name, ext="xlsx")
    )
    return response


@imports_router.get("/{batch_id}", response={200: ImportBatchDetailOut, **ERRORS})
def import_batch_get(request: HttpRequest, batch_id: str) -> Any:
    """A batch: its progress while it is checked or imported, then the rows
    with errors, the possible duplicates and the preview to confirm."""
    return _batch_detail(get_import_batch_for_user(request.user, batch_id))


@imports_router.post("/{batch_id}/confirm", response={200: ImportBatchDetailOut, **ERRORS})
def import_batch_confirm(request: HttpRequest, batch_id: str) -> Any:
    """Import a checked batch without errors: every row or none (a large one
    in the background). Confirming again changes nothing; 422 when it has errors."""
    batch = get_import_batch_for_user(request.user, batch_id)
    batch = batches.import_batch_confirm(actor=request.user, batch=batch)
    return _batch_detail(get_import_batch_for_user(request.user, batch.pk))


@imports_router.post("/{batch_id}/cancel", response={200: ImportBatchDetailOut, **ERRORS})
def import_batch_cancel(request: HttpRequest, batch_id: str) -> Any:
    """Drop a batch that was not imported; cancelling again changes nothing,
    an imported one answers 422."""
    batch = get_import_batch_for_user(request.user, batch_id)
    batches.import_batch_cancel(actor=request.user, batch=batch)
    return _batch_detail(get_import_batch_for_user(request.user, batch.pk))


@router.get(
    "/{unit_id}/file.pdf",
    response=ERRORS,
    openapi_extra=file_download(PDF, "The unit file (一户一档) as an A4 PDF"),  # i18n: data — the term glossed
)
def unit_file_pdf(request: HttpRequest, unit_id: str) -> Any:
    """The unit file (一户一档) as the page prints it: the unit, its licences
    and certificates, its history. A merged unit's file is its survivor's."""
    from xieguan.units.views import unit_pdf

    return unit_pdf(request, unit_id)
