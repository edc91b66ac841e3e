"""API: checklists, inspections (with photo and signature upload and the
submit action), opinions, re-inspections, handovers (SPEC §4, §13). The same
services as the pages, so the same validation: one inspector, a unit outside
scope, a deadline in the past, penalty wording → 422 with a Chinese detail."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from xieguan.accounts.models import User
from xieguan.core.api import ErrorOut, ListOut
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_page
from xieguan.inspections import selectors
from xieguan.inspections.models import (
    Handover,
    Inspection,
    InspectionAnswer,
    InspectionStatus,
    Opinion,
    Reinspection,
)
from xieguan.inspections.schemas import (
    ChecklistOut,
    CorrectionIn,
    HandoverIn,
    HandoverOut,
    InspectionIn,
    InspectionOut,
    InspectionPatch,
    OpinionIn,
    OpinionOut,
    OutcomeIn,
    PhotoOut,
    ReinspectionIn,
    ReinspectionOut,
)
from xieguan.inspections.services import evidence, followups, opinions, records
from xieguan.units.selectors import get_unit_for_user

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

checklist_router = Router(tags=["checklists"])
inspection_router = Router(tags=["inspections"])
opinion_router = Router(tags=["opinions"])
reinspection_router = Router(tags=["reinspections"])
handover_router = Router(tags=["handovers"])


def _checklist_out(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "county_id": t.county_id,
        "category": t.category.code,
        "subtype": t.subtype.name if t.subtype else None,
        "title": t.title,
        "version": t.version,
        "status": t.status,
        "items": [{"id": i.pk, "code": i.code, "text": i.text, "basis": i.basis} for i in t.items.all()],
    }


@checklist_router.get("", response={200: ListOut[ChecklistOut], **ERRORS})
def checklist_list(
    request: HttpRequest, category: str | None = None, after: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> Any:
    """Checklists the caller's inspections may use: national and their county's."""
    qs = selectors.checklists_visible(request.user).prefetch_related("items")
    if category:
        qs = qs.filter(category__code=category)
    page = keyset_page(qs, ordering=["-created_at", "-id"], cursor=after, size=limit)
    return {"items": [_checklist_out(t) for t in page.items], "next": page.next_cursor}


@checklist_router.get("/{checklist_id}", response={200: ChecklistOut, **ERRORS})
def checklist_get(request: HttpRequest, checklist_id: str) -> Any:
    return _checklist_out(selectors.get_checklist_for_user(request.user, checklist_id))


# What a record's answer holds beside its own row; a list fetches each for
# its whole page at once, one record fetches them for itself.
INSPECTION_PARTS = (
    Prefetch("answers", queryset=InspectionAnswer.objects.select_related("item").order_by("item__sort", "id")),
    "inspector_links",
    "photos",
    "signatures",
)


def _inspection_out(i: Inspection) -> dict[str, Any]:
    prefetch_related_objects([i], *INSPECTION_PARTS)  # nothing to do when the list fetched them
    answers = list(i.answers.all())
    return {
        "id": i.pk,
        "unit_id": i.unit_id,
        "unit_name": i.unit.name,
        "status": i.status,
        "version": i.version,
        "supersedes_id": i.supersedes_id,
        "correction_reason": i.correction_reason,
        "checklist_id": i.template_id,
        "started_at": i.started_at,
        "place": i.place,
        "latitude": i.latitude,
        "longitude": i.longitude,
        "accuracy_m": i.accuracy_m,
        "distance_m": i.distance_m,
        "representative": i.representative,
        "problems": i.problems,
        "overall_result": i.overall_result,
        "inspector_ids": [link.user_id for link in i.inspector_links.all()],
        "answers": [
            {"item_id": a.item_id, "code": a.item.code, "text": a.item.text, "result": a.result, "note": a.note}
            for a in answers
        ],
        "photo_ids": [photo.pk for photo in i.photos.all()],
        "signatures": [
            {"role": s.role, "user_id": str(s.user_id) if s.user_id else None, "name": s.name, "refused": s.refused}
            for s in i.signatures.all()
        ],
    }


def _people(request: HttpRequest, ids: list[Any]) -> list[Any]:
    """The users behind ``ids``; an unknown or malformed id is a 422 in Chinese."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    wrong = ValidationError({"inspector_ids": _("An inspector is not a person in your area.")})
    try:
        keys = [uuid.UUID(str(pk)) for pk in ids]
    except ValueError:
        raise wrong from None
    found = {u.pk: u for u in User.objects.filter(pk__in=keys).select_related("institution__area")}
    if any(key not in found for key in keys):
        raise wrong
    return [found[key] for key in keys]


@inspection_router.get("", response={200: ListOut[InspectionOut], **ERRORS})
def inspection_list(
    request: HttpRequest,
    unit_id: str | None = None,
    status: str | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Inspection records in the caller's scope, newest first."""
    qs = Inspection.objects.visible_to(request.user).for_list().prefetch_related(*INSPECTION_PARTS)
    if unit_id:
        qs = qs.filter(unit=get_unit_for_user(request.user, unit_id))
    if status in ("draft", "submitted"):
        qs = qs.filter(status=status)
    page = keyset_page(qs, ordering=["-started_at", "-id"], cursor=after, size=limit)
    return {"items": [_inspection_out(i) for i in page.items], "next": page.next_cursor}


@inspection_router.get("/{inspection_id}", response={200: InspectionOut, **ERRORS})
def inspection_get(request: HttpRequest, inspection_id: str) -> Any:
    return _inspection_out(selectors.get_inspection_for_user(request.user, inspection_id))


@inspection_router.post("", response={200: InspectionOut, 201: InspectionOut, **ERRORS})
def inspection_create(request: HttpRequest, payload: InspectionIn) -> Any:
    """Start a draft record; idempotent on ``id``."""
    existing = existing_for_retry(Inspection, payload.id, request.user)
    if existing is not None:
        return Status(200, _inspection_out(selectors.get_inspection_for_user(request.user, existing.pk)))
    unit = get_unit_for_user(request.user, payload.unit_id)
    data = payload.dict(exclude={"unit_id", "inspector_ids"})
    inspection = records.inspection_create(
        actor=request.user, unit=unit, inspectors=_people(request, payload.inspector_ids), **data
    )
    return Status(201, _inspection_out(inspection))


def _answers_sent(inspection: Inspection, answers: list[dict[str, Any]]) -> dict[Any, tuple[str, str]]:
    """{item id: (result, note)} of the answers sent; what an answer leaves
    out (``{"item_id": 7, "note": "…"}`` has no result) keeps what the draft
    holds, and an item not on the checklist is the service's 422."""
    held = {a.item_id: (a.result, a.note) for a in inspection.answers.all()}
    out: dict[Any, tuple[str, str]] = {}
    for answer in answers:
        result, note = held.get(answer["item_id"], ("", ""))
        out[answer["item_id"]] = (answer.get("result", result), answer.get("note", note))
    return out


@inspection_router.patch("/{inspection_id}", response={200: InspectionOut, **ERRORS})
def inspection_update(request: HttpRequest, inspection_id: str, payload: InspectionPatch) -> Any:
    """Save a draft: any of the fields, partial answers; refused once submitted."""
    inspection = selectors.get_inspection_for_user(request.user, inspection_id)
    data = payload.dict(exclude_unset=True)
    answers = data.pop("answers", None)
    inspector_ids = data.pop("inspector_ids", None)
    records.inspection_save_draft(
        actor=request.user,
        inspection=inspection,
        answers=_answers_sent(inspection, answers) if answers is not None else None,
        inspectors=_people(request, inspector_ids) if inspector_ids is not None else None,
        **data,
    )
    return _inspection_out(selectors.get_inspection_for_user(request.user, inspection_id))


@inspection_router.post("/{inspection_id}/submit", response={200: InspectionOut, **ERRORS})
def inspection_submit(request: HttpRequest, inspection_id: str) -> Any:
    """Submit and lock; 422 naming what is missing (two inspectors, answers,
    result, signatures). Submitting a record already submitted answers 200
    with it (the phone's retry after a lost answer)."""
    inspection = selectors.get_inspection_for_user(request.user, inspection_id)
    if inspection.status != InspectionStatus.SUBMITTED:
        records.inspection_submit(actor=request.user, inspection=inspection)
    return _inspection_out(selectors.get_inspection_for_user(request.user, inspection_id))


@inspection_router.post("/{inspection_id}/corrections", response={201: InspectionOut, **ERRORS})
def inspection_correct(request: HttpRequest, inspection_id: str, payload: CorrectionIn) -> Any:
    inspection = selectors.get_inspection_for_user(request.user, inspection_id)
    new = records.inspection_correct(actor=request.user, inspection=inspection, reason=payload.reason)
    return Status(201, _inspection_out(new))


def _photo_out(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "sha256": p.sha256, "width": p.width, "height": p.height, "taken_at": p.taken_at}


@inspection_router.post("/{inspection_id}/photos", response={200: PhotoOut, 201: PhotoOut, **ERRORS})
def inspection_photo(
    request: HttpRequest,
    inspection_id: str,
    image: File[UploadedFile],
    id: Form[uuid.UUID | None] = None,
) -> Any:
    """An evidence photo (multipart ``image``), with the client's own ``id``
    for it: kept once per record and ``id`` (two photos of the same bytes
    under two ids are two photos); without an ``id``, once per record and
    content. Sent again, it answers 200 with the photo held."""
    inspection = selectors.get_inspection_for_user(request.user, inspection_id)
    photo, created = evidence.inspection_photo_add(
        actor=request.user, inspection=inspection, upload=image, client_id=id
    )
    return Status(201 if created else 200, _photo_out(photo))


@inspection_router.post("/{inspection_id}/signatures", response={201: dict, **ERRORS})
def inspection_signature(
    request: HttpRequest,
    inspection_id: str,
    role: Form[str],
    user_id: Form[str] = "",
    name: Form[str] = "",
    refused: Form[bool] = False,
    image: UploadedFile | None = File(None),  # noqa: B008 - how django-ninja declares an optional file
) -> Any:
    """A signature image (multipart ``image``, PNG from a canvas) of an
    inspector (``user_id``) or of the representative, or ``refused=true``:
    one per signer (a new one replaces theirs; the same one again answers
    with it), whatever another signer's looks like."""
    inspection = selectors.get_inspection_for_user(request.user, inspection_id)
    signer = _people(request, [user_id])[0] if user_id else None
    signature = evidence.signature_add(
        actor=request.user, inspection=inspection, role=role, user=signer, name=name, upload=image, refused=refused
    )
    return Status(201, {"id": str(signature.pk), "role": signature.role, "refused": signature.refused})


def _opinion_out(o: Opinion) -> dict[str, Any]:
    return {
        "id": o.pk,
        "number": o.number,
        "inspection_id": o.inspection_id,
        "unit_id": o.unit_id,
        "unit_name": o.unit.name,
        "text": o.text,
        "deadline": o.deadline,
        "issued_at": o.issued_at,
        "reinspected": o.reinspections.exists(),
    }


@opinion_router.get("", response={200: ListOut[OpinionOut], **ERRORS})
def opinion_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    from django.db.models import Exists, OuterRef

    qs = (
        Opinion.objects.visible_to(request.user)
        .for_list()
        .annotate(has_re=Exists(Reinspection.objects.filter(opinion=OuterRef("pk"))))
    )
    page = keyset_page(qs, ordering=["-issued_at", "-id"], cursor=after, size=limit)
    items = []
    for o in page.items:
        out = {
            "id": o.pk,
            "number": o.number,
            "inspection_id": o.inspection_id,
            "unit_id": o.unit_id,
            "unit_name": o.unit.name,
            "text": o.text,
            "deadline": o.deadline,
            "issued_at": o.issued_at,
            "reinspected": o.has_re,
        }
        items.append(out)
    return {"items": items, "next": page.next_cursor}


@opinion_router.get("/{opinion_id}", response={200: OpinionOut, **ERRORS})
def opinion_get(request: HttpRequest, opinion_id: str) -> Any:
    return _opinion_out(selectors.get_opinion_for_user(request.user, opinion_id))


@opinion_router.post("", response={200: OpinionOut, 201: OpinionOut, **ERRORS})
def opinion_create(request: HttpRequest, payload: OpinionIn) -> Any:
    """Issue an opinion on a submitted record; idempotent on ``id``."""
    existing = existing_for_retry(Opinion, payload.id, request.user)
    if existing is not None:
        return Status(200, _opinion_out(selectors.get_opinion_for_user(request.user, existing.pk)))
    inspection = selectors.get_inspection_for_user(request.user, payload.inspection_id)
    opinion = opinions.opinion_issue(
        actor=request.user, inspection=inspection, text=payload.text, deadline=payload.deadline, id=payload.id
    )
    return Status(201, _opinion_out(opinion))


def _reinspection_out(r: Reinspection) -> dict[str, Any]:
    return {
        "id": r.pk,
        "opinion_id": r.opinion_id,
        "inspected_at": r.inspected_at,
        "result": r.result,
        "note": r.note,
        "inspector_ids": [u.pk for u in r.inspectors.all()],
    }


@reinspection_router.get("", response={200: ListOut[ReinspectionOut], **ERRORS})
def reinspection_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    qs = Reinspection.objects.visible_to(request.user).prefetch_related("inspectors")
    page = keyset_page(qs, ordering=["-inspected_at", "-id"], cursor=after, size=limit)
    return {"items": [_reinspection_out(r) for r in page.items], "next": page.next_cursor}


@reinspection_router.get("/{reinspection_id}", response={200: ReinspectionOut, **ERRORS})
def reinspection_get(request: HttpRequest, reinspection_id: str) -> Any:
    return _reinspection_out(selectors.get_reinspection_for_user(request.user, reinspection_id))


@reinspection_router.post("", response={200: ReinspectionOut, 201: ReinspectionOut, **ERRORS})
def reinspection_create(request: HttpRequest, payload: ReinspectionIn) -> Any:
    """Record a re-inspection of an opinion; idempotent on ``id``."""
    existing = existing_for_retry(Reinspection, payload.id, request.user)
    if existing is not None:
        return Status(200, _reinspection_out(selectors.get_reinspection_for_user(request.user, existing.pk)))
    opinion = selectors.get_opinion_for_user(request.user, payload.opinion_id)
    record = followups.reinspection_record(
        actor=request.user,
        opinion=opinion,
        inspected_at=payload.inspected_at,
        result=payload.result,
        note=payload.note,
        inspectors=_people(request, payload.inspector_ids),
        id=payload.id,
    )
    return Status(201, _reinspection_out(record))


@reinspection_router.post("/{reinspection_id}/photos", response={200: PhotoOut, 201: PhotoOut, **ERRORS})
def reinspection_photo(request: HttpRequest, reinspection_id: str, image: File[UploadedFile]) -> Any:
    record = selectors.get_reinspection_for_user(request.user, reinspection_id)
    photo, created = followups.reinspection_photo_add(actor=request.user, reinspection=record, upload=image)
    return Status(201 if created else 200, _photo_out(photo))


def _handover_out(h: Handover) -> dict[str, Any]:
    return {
        "id": h.pk,
        "unit_id": h.unit_id,
        "unit_name": h.unit.name,
        "reason": h.reason,
        "status": h.status,
        "description": h.description,
        "sent_at": h.sent_at,
        "investigation": h.investigation,
        "outcome": h.outcome,
        "outcome_at": h.outcome_at,
    }


@handover_router.get("", response={200: ListOut[HandoverOut], **ERRORS})
def handover_list(
    request: HttpRequest, status: str | None = None, after: str | None = None, limit: int = Query(50, ge=1, le=200)
) -> Any:
    """The institute's inbox, or the township's handed-over cases."""
    qs = Handover.objects.visible_to(request.user).for_list()
    if status:
        qs = qs.filter(status=status)
    page = keyset_page(qs, ordering=["-sent_at", "-id"], cursor=after, size=limit)
    return {"items": [_handover_out(h) for h in page.items], "next": page.next_cursor}


@handover_router.get("/{handover_id}", response={200: HandoverOut, **ERRORS})
def handover_get(request: HttpRequest, handover_id: str) -> Any:
    return _handover_out(selectors.get_handover_for_user(request.user, handover_id))


@handover_router.post("", response={200: HandoverOut, 201: HandoverOut, **ERRORS})
def handover_create(request: HttpRequest, payload: HandoverIn) -> Any:
    """Hand a case over to the institute; idempotent on ``id``."""
    existing = existing_for_retry(Handover, payload.id, request.user)
    if existing is not None:
        return Status(200, _handover_out(selectors.get_handover_for_user(request.user, existing.pk)))
    source: dict[str, Any] = {}
    if payload.reinspection_id:
        source["reinspection"] = selectors.get_reinspection_for_user(request.user, payload.reinspection_id)
    elif payload.inspection_id:
        source["inspection"] = selectors.get_inspection_for_user(request.user, payload.inspection_id)
    handover = followups.handover_create(
        actor=request.user, reason=payload.reason, description=payload.description, id=payload.id, **source
    )
    return Status(201, _handover_out(handover))


@handover_router.post("/{handover_id}/outcome", response={200: HandoverOut, **ERRORS})
def handover_outcome(request: HttpRequest, handover_id: str, payload: OutcomeIn) -> Any:
    """The institute's investigation and outcome (institute supervisors only)."""
    handover = selectors.get_handover_for_user(request.user, handover_id)
    updated = followups.handover_record(
        actor=request.user, handover=handover, investigation=payload.investigation, outcome=payload.outcome
    )
    return _handover_out(updated)
