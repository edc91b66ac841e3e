"""API: the area tree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile

from xieguan.areas import services
from xieguan.areas.models import Area
from xieguan.areas.schemas import (
    AreaImportOut,
    AreaImportRejectedOut,
    AreaIn,
    AreaOut,
    AreaPatch,
    AreaRetireIn,
    AreaRetireOut,
    AreaSplitIn,
    AreaSplitOut,
)
from xieguan.areas.selectors import get_area_for_user
from xieguan.core.api import ERRORS, ErrorOut, ListOut
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_list
from xieguan.core.permissions import MANAGE_AREAS, require

router = Router(tags=["areas"])


def _out(a: Area) -> dict[str, Any]:
    return {
        "id": a.pk,
        "parent_id": a.parent_id,
        "name": a.name,
        "level": a.level,
        "level_label": a.get_level_display(),
        "code": a.code,
        "retired_on": a.retired_on,
        "successor_id": a.successor_id,
    }


@router.get("", response={200: ListOut[AreaOut], **ERRORS})
def area_list(
    request: HttpRequest,
    parent_id: str | None = None,
    level: int | None = Query(None, ge=1, le=5),
    q: str | None = Query(None, max_length=50),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Areas in the caller's scope, by level then name; filter by parent or
    level, search by name or code prefix; page on with ``after``."""
    qs = Area.objects.visible_to(request.user)
    if parent_id:
        qs = qs.filter(parent=get_area_for_user(request.user, parent_id))
    if level:
        qs = qs.filter(level=level)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return keyset_list(qs, ordering=["level", "name", "id"], cursor=after, size=limit, out=_out)


@router.post(
    "/import", response={200: AreaImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: AreaImportRejectedOut}
)
def area_import(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Build or update the tree from a sheet (Excel or CSV) of 12-digit codes
    and names, as the 导入 page does: every row is checked first and one bad
    row rejects the file (422 with each row's reason), so nothing is half
    imported. Sending the same file again changes nothing (all unchanged).
    (Declared before "/{area_id}", which would take the name.)"""
    try:
        summary = services.areas_import_file(actor=request.user, upload=file)
    except services.ImportRejected as exc:
        rows = [{"row": e.row, "column": str(e.column), "reason": str(e.reason)} for e in exc.errors]
        detail = _("The file has %(count)d bad rows; nothing was imported.") % {"count": len(rows)}
        return Status(422, {"detail": detail, "rows": rows})
    return {"created": summary.created, "renamed": summary.renamed, "unchanged": summary.unchanged}


@router.get("/{area_id}", response={200: AreaOut, **ERRORS})
def area_get(request: HttpRequest, area_id: str) -> Any:
    return _out(get_area_for_user(request.user, area_id))


@router.post("", response={200: AreaOut, 201: AreaOut, **ERRORS})
def area_create(request: HttpRequest, payload: AreaIn) -> Any:
    """Add an area below ``parent_id``; idempotent on ``id``."""
    existing = existing_for_retry(Area, payload.id, request.user)
    if existing is not None:
        return Status(200, _out(existing))
    parent = get_area_for_user(request.user, payload.parent_id)
    area = services.area_create(actor=request.user, parent=parent, name=payload.name, code=payload.code, id=payload.id)
    return Status(201, _out(area))


@router.post("/{area_id}/split", response={200: AreaSplitOut, 201: AreaSplitOut, **ERRORS})
def area_split(request: HttpRequest, area_id: str, payload: AreaSplitIn) -> Any:
    """Split an area in two (a township divided): a new area beside it takes
    the areas named in ``village_ids`` with everything under them and the
    open work about them. 201 with the new area; a retry with the same ``id``
    answers 200 and moves nothing; bad input 422 in Chinese."""
    area = get_area_for_user(request.user, area_id)
    require(request.user, MANAGE_AREAS, area.path)
    existing = existing_for_retry(Area, payload.id, request.user)
    if existing is not None:
        return Status(200, _split_out(services.area_split_retry(actor=request.user, new_area=existing)))
    villages = list(Area.objects.visible_to(request.user).filter(pk__in=payload.village_ids))
    if len(villages) != len(set(payload.village_ids)):
        raise ValidationError(
            {"village_ids": _("Some of the areas chosen are not below %(name)s.") % {"name": area.name}}
        )
    result = services.area_split(
        actor=request.user, area=area, new_name=payload.name, new_code=payload.code, villages=villages, id=payload.id
    )
    return Status(201, _split_out(result))


def _split_out(result: services.SplitResult) -> dict[str, Any]:
    return {
        "area": _out(result.area),
        "moved_area_ids": [child.pk for child in result.moved_children],
        "moved_records": result.moved_records,
    }


@router.patch("/{area_id}", response={200: AreaOut, **ERRORS})
def area_patch(request: HttpRequest, area_id: str, payload: AreaPatch) -> Any:
    """Rename an area or change its code (the 编辑 page)."""
    area = get_area_for_user(request.user, area_id)
    require(request.user, MANAGE_AREAS, area.path)
    return _out(services.area_update(actor=request.user, area=area, name=payload.name, code=payload.code))


@router.post("/{area_id}/retire", response={200: AreaRetireOut, **ERRORS})
def area_retire(request: HttpRequest, area_id: str, payload: AreaRetireIn) -> Any:
    """Retire an area into one beside it (撤乡并镇): the areas below it and its
    records move to the successor, its institutions close. 409 when it is
    already retired."""
    area = get_area_for_user(request.user, area_id)
    require(request.user, MANAGE_AREAS, area.path)
    successor = (
        Area.objects.visible_to(request.user)
        .active()
        .filter(pk=payload.successor_id, level=area.level, parent=area.parent)
        .exclude(pk=area.pk)
        .first()
    )
    if successor is None:
        raise ValidationError({"successor_id": _("Choose an active area of the same level to merge into.")})
    result = services.area_retire(actor=request.user, area=area, successor=successor, on=payload.on)
    area.refresh_from_db()
    return {
        "area": _out(area),
        "successor": _out(successor),
        "moved_children": result.moved_children,
        "moved_records": result.moved_records,
        "closed_institutions": result.closed_institutions,
    }
