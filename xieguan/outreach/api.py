"""API: publicity records (SPEC §7)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from xieguan.areas.selectors import get_area_for_user
from xieguan.core.api import ErrorOut, ListOut
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_page
from xieguan.outreach import services
from xieguan.outreach.models import Outreach
from xieguan.outreach.schemas import OutreachIn, OutreachOut
from xieguan.outreach.selectors import get_outreach_for_user

router = Router(tags=["outreach"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


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
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Publicity records in the caller's scope, newest first; ``area_id``
    narrows to an area and the areas below it."""
    qs = Outreach.objects.visible_to(request.user).for_list()
    if area_id:
        qs = qs.filter(area__path__startswith=get_area_for_user(request.user, area_id).path)
    page = keyset_page(qs, ordering=["-date", "-id"], cursor=after, size=limit)
    return {"items": [_out(r) for r in page.items], "next": page.next_cursor}


@router.get("/{record_id}", response={200: OutreachOut, **ERRORS})
def outreach_get(request: HttpRequest, record_id: str) -> Any:
    return _out(get_outreach_for_user(request.user, record_id))


@router.post("", response={200: OutreachOut, 201: OutreachOut, **ERRORS})
def outreach_create(request: HttpRequest, payload: OutreachIn) -> Any:
    """Record a publicity activity; idempotent on ``id``."""
    existing = existing_for_retry(Outreach, payload.id, request.user)
    if existing is not None:
        return Status(200, _out(get_outreach_for_user(request.user, existing.pk)))
    area = get_area_for_user(request.user, payload.area_id)
    data = payload.dict(exclude={"area_id"})
    data["form"] = str(payload.form.value)
    record = services.outreach_create(actor=request.user, area=area, **data)
    return Status(201, _out(record))
