"""API: the registry of supervised units (SPEC §3). Same services, same
scope and same filters as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from xieguan.areas.selectors import get_area_for_user
from xieguan.core.api import ErrorOut, ListOut
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_page
from xieguan.units import services
from xieguan.units.models import Category, Subtype, Unit
from xieguan.units.schemas import UnitDetailOut, UnitIn, UnitOut, UnitPatch
from xieguan.units.selectors import UnitFilters, get_unit_for_user, missing_fields, units_filtered

router = Router(tags=["units"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


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


def _detail(u: Unit) -> dict[str, Any]:
    return {
        **_out(u),
        "missing_fields": [key for key, _label in missing_fields(u)],
        "licences": list(u.licences.all()),
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


@router.get("", response={200: ListOut[UnitOut], **ERRORS})
def unit_list(
    request: HttpRequest,
    q: str | None = Query(None, max_length=50),
    category: str | None = None,
    subtype_id: int | None = None,
    area_id: str | None = None,
    status: str | None = None,
    key_unit: bool | None = None,
    risk_grade: str | None = None,
    incomplete: bool = False,
    licence_expiring: bool = Query(False, description="a licence expires within 30 days"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Units in the caller's area by name; the filters of the registry page;
    ``q`` finds name, address, credit code or pinyin initials."""
    filters = UnitFilters(
        q=q or "",
        category=_category(category) if category else None,
        subtype=_subtype(subtype_id),
        area=get_area_for_user(request.user, area_id) if area_id else None,
        status=status or "",
        key_unit=key_unit,
        risk_grade=risk_grade or "",
        incomplete=incomplete,
        licence_expiring=licence_expiring,
    )
    page = keyset_page(units_filtered(request.user, filters), ordering=["name", "id"], cursor=after, size=limit)
    return {"items": [_out(u) for u in page.items], "next": page.next_cursor}


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
