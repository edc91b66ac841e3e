"""API: checklists, inspections (with photo and signature upload and the
submit action), opinions, re-inspections, handovers (SPEC §4, §13). The same
services as the pages, so the same validation: one inspector, a unit outside
scope, a deadline in the past, penalty wording → 422 with a Chinese detail."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Path, Query, Router, Status
from ninja.files import UploadedFile

from xieguan.accounts.models import User
from xieguan.core.api import ERRORS, PDF, XLSX, ListOut, file_download
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_list, keyset_page
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
    ChecklistItemsIn,
    ChecklistNewIn,
    ChecklistOut,
    CorrectionIn,
    FrequencyRuleIn,
    FrequencyRuleOut,
    HandoverIn,
    HandoverOut,
    InspectionIn,
    InspectionOut,
    InspectionPatch,
    OpinionIn,
    OpinionOut,
    OutcomeIn,
    PatrolDueOut,
    PhotoOut,
    PhraseIn,
    PhraseOut,
    PlanIn,
    PlanOut,
    PlanSummaryOut,
    PlanUnitIn,
    ReinspectionIn,
    ReinspectionOut,
)
from xieguan.inspections.services import common, evidence, followups, opinions, records
from xieguan.units.selectors import get_unit_for_user

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
    return keyset_list(qs, ordering=["-created_at", "-id"], cursor=after, size=limit, out=_checklist_out)


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
    parts = Inspection.objects.area_parts(request.user)
    qs = Inspection.objects.visible_in_parts(request.user, parts).for_list().prefetch_related(*INSPECTION_PARTS)
    if unit_id:
        qs = qs.filter(unit=get_unit_for_user(request.user, unit_id))
        parts = None  # one unit's records: its own index
    if status in ("draft", "submitted"):
        qs = qs.filter(status=status)
    return keyset_list(qs, ordering=["-started_at", "-id"], cursor=after, size=limit, out=_inspection_out, parts=parts)


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
    """A correction: a new draft version of a submitted record, with the
    reason. 409 for a draft (edited directly) or a version already corrected."""
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
    latitude: Form[float | None] = None,
    longitude: Form[float | None] = None,
    accuracy_m: Form[float | None] = None,
) -> Any:
    """An evidence photo (multipart ``image``), with the client's own ``id``
    for it: kept once per record and ``id`` (two photos of the same bytes
    under two ids are two photos); without an ``id``, once per record and
    content. Sent again, it answers 200 with the photo held. Stamped with
    the time, the unit and the GPS fix sent with it (``latitude``,
    ``longitude``, ``accuracy_m`` in metres; 422 out of range), else the
    record's. ``sha256`` is the hash of the bytes sent, before stamping."""
    from xieguan.accounts.permissions import RECORD_INSPECTION, require

    inspection = selectors.get_inspection_for_user(request.user, inspection_id)
    require(request.user, RECORD_INSPECTION, inspection.area.path)  # the role before the fields: 403 whatever was sent
    fix = common.gps_fix_checked(latitude, longitude, accuracy_m)
    photo, created = evidence.inspection_photo_add(
        actor=request.user, inspection=inspection, upload=image, client_id=id, fix=fix
    )
    return Status(201 if created else 200, _photo_out(photo))


@inspection_router.post("/{inspection_id}/signatures", response={201: dict, **ERRORS})
def inspection_signature(
    request: HttpRequest,
    inspection_id: str,
    role: Form[Literal["inspector", "representative"]],
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
    return keyset_list(qs, ordering=["-inspected_at", "-id"], cursor=after, size=limit, out=_reinspection_out)


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
def reinspection_photo(
    request: HttpRequest,
    reinspection_id: str,
    image: File[UploadedFile],
    latitude: Form[float | None] = None,
    longitude: Form[float | None] = None,
    accuracy_m: Form[float | None] = None,
) -> Any:
    """An evidence photo of a re-inspection, stamped with the time, the
    unit and the GPS fix sent with it (else 无定位); 422 out of range."""
    from xieguan.accounts.permissions import RECORD_INSPECTION, require

    record = selectors.get_reinspection_for_user(request.user, reinspection_id)
    require(request.user, RECORD_INSPECTION, record.area.path)  # the role before the fields: 403 whatever was sent
    fix = common.gps_fix_checked(latitude, longitude, accuracy_m)
    photo, created = followups.reinspection_photo_add(actor=request.user, reinspection=record, upload=image, fix=fix)
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
    return keyset_list(qs, ordering=["-sent_at", "-id"], cursor=after, size=limit, out=_handover_out)


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


# ---------------------------------------------------------------- county settings, plans, the register
# (issue 19 item 2: what the pages inspections:checklists/checklist_new/checklist,
# inspections:settings, inspections:plan and inspections:register offer)

frequency_rule_router = Router(tags=["frequency rules"])
phrase_router = Router(tags=["frequency rules"])
plan_router = Router(tags=["monthly plans"])
patrol_register_router = Router(tags=["inspections"])


def _caller_county(request: HttpRequest) -> Any:
    """The county whose settings the caller reads (the settings page's)."""
    from django.http import Http404

    county = selectors.user_county(request.user)
    if county is None:
        raise Http404
    return county


def _category(code: str | None) -> Any:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from xieguan.units.models import Category

    if code is None:
        return None
    found = Category.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({"category": _("Choose a category.")})
    return found


@checklist_router.post("", response={200: ChecklistOut, 201: ChecklistOut, **ERRORS})
def checklist_create(request: HttpRequest, payload: ChecklistNewIn) -> Any:
    """A new draft version of the caller's county checklist for a category
    (and subtype), starting from the items of the version in use (the
    national one the first time); idempotent on ``id``. 422 while a draft of
    it exists."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from xieguan.accounts.permissions import MANAGE_CHECKLISTS, require
    from xieguan.inspections.models import ChecklistTemplate
    from xieguan.inspections.services import checklists
    from xieguan.units.models import Subtype

    if payload.id is not None and ChecklistTemplate.objects.filter(pk=payload.id).exists():
        return Status(200, _checklist_out(selectors.get_checklist_for_user(request.user, payload.id)))
    require(request.user, MANAGE_CHECKLISTS)
    county = _caller_county(request)
    category = _category(payload.category)
    subtype = None
    if payload.subtype_id is not None:
        subtype = Subtype.objects.in_force(county.pk).filter(pk=payload.subtype_id).first()
        if subtype is None:
            raise ValidationError({"subtype_id": _("The subtype is not of this category.")})
    template = checklists.checklist_draft_create(
        actor=request.user, county=county, category=category, subtype=subtype, id=payload.id
    )
    return Status(201, _checklist_out(selectors.get_checklist_for_user(request.user, template.pk)))


@checklist_router.put("/{checklist_id}/items", response={200: ChecklistOut, **ERRORS})
def checklist_items(request: HttpRequest, checklist_id: str, payload: ChecklistItemsIn) -> Any:
    """Replace a draft's title, items and the photos a record needs; 422 on a
    published version or two items with one code, 403 on a national one."""
    from xieguan.inspections.services import checklists

    template = selectors.get_checklist_for_user(request.user, checklist_id)
    checklists.checklist_items_set(
        actor=request.user,
        template=template,
        title=payload.title,
        items=[(i.code, i.text, i.basis) for i in payload.items],
        photos_required=payload.photos_required,
    )
    return _checklist_out(selectors.get_checklist_for_user(request.user, checklist_id))


@checklist_router.post("/{checklist_id}/publish", response={200: ChecklistOut, **ERRORS})
def checklist_publish(request: HttpRequest, checklist_id: str) -> Any:
    """Publish a draft: new inspections use it, old records keep theirs.
    Publishing it again answers 200 with it (a retry)."""
    from xieguan.inspections.models import ChecklistStatus
    from xieguan.inspections.services import checklists

    template = selectors.get_checklist_for_user(request.user, checklist_id)
    if template.status != ChecklistStatus.PUBLISHED:
        checklists.checklist_publish(actor=request.user, template=template)
    return _checklist_out(selectors.get_checklist_for_user(request.user, checklist_id))


def _rule_out(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "county_id": rule.county_id,
        "category": rule.category.code if rule.category_id else None,
        "key_unit": rule.key_unit,
        "period": rule.period,
        "period_label": rule.get_period_display(),
    }


@frequency_rule_router.get("", response={200: list[FrequencyRuleOut], **ERRORS})
def frequency_rule_list(request: HttpRequest) -> Any:
    """The patrol frequencies of the caller's county (units no rule names are
    quarterly, key units monthly). Two queries."""
    from xieguan.inspections.models import FrequencyRule

    rules = FrequencyRule.objects.filter(county=_caller_county(request)).select_related("category")
    return [_rule_out(r) for r in rules]


@frequency_rule_router.put("", response={200: FrequencyRuleOut, **ERRORS})
def frequency_rule_set(request: HttpRequest, payload: FrequencyRuleIn) -> Any:
    """Set how often the county's units (of a category, key or not) are
    patrolled: one rule per category and key flag, a second call changes it."""
    from xieguan.accounts.permissions import MANAGE_CHECKLISTS, require
    from xieguan.inspections.services import checklists

    require(request.user, MANAGE_CHECKLISTS)  # a township reads its county's rules, never sets them: 403
    rule = checklists.frequency_rule_set(
        actor=request.user,
        county=_caller_county(request),
        category=_category(payload.category),
        key_unit=payload.key_unit,
        period=payload.period,
    )
    return _rule_out(rule)


@frequency_rule_router.delete("/{rule_id}", response={204: None, **ERRORS})
def frequency_rule_delete(request: HttpRequest, rule_id: str) -> Any:
    """Remove a rule: its units follow the next more general one. A township
    reads its county's rules (the list shows them), so removing one it can
    read is refused with 403, as setting one is; 404 for any other id."""
    from xieguan.accounts.permissions import MANAGE_CHECKLISTS, require
    from xieguan.core.pickers import as_uuid
    from xieguan.core.scope import get_object_for_user
    from xieguan.inspections.models import FrequencyRule
    from xieguan.inspections.services import checklists

    rules = FrequencyRule.objects.select_related("county")
    county = selectors.user_county(request.user)
    own = rules.filter(county=county, pk=as_uuid(rule_id)).first() if county is not None else None
    rule = own or get_object_for_user(rules, request.user, rule_id)
    require(request.user, MANAGE_CHECKLISTS)  # as for setting one: 403 for a township
    checklists.frequency_rule_delete(actor=request.user, rule=rule)
    return Status(204, None)


def _phrase_out(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "phrase": p.phrase, "county_id": p.county_id}


@phrase_router.get("", response={200: list[PhraseOut], **ERRORS})
def phrase_list(request: HttpRequest) -> Any:
    """The penalty wording an opinion may not hold: the national list and the
    caller's county's own. One query (two to find the county)."""
    from django.db.models import Q

    from xieguan.inspections.models import ForbiddenPhrase

    county = selectors.user_county(request.user)
    qs = ForbiddenPhrase.objects.filter(Q(county__isnull=True) | Q(county=county) if county else Q(county__isnull=True))
    return [_phrase_out(p) for p in qs.order_by("county", "phrase", "id")]


@phrase_router.post("", response={200: PhraseOut, 201: PhraseOut, **ERRORS})
def phrase_add(request: HttpRequest, payload: PhraseIn) -> Any:
    """Add a phrase to the county's own list; the phrase is its own key, so
    sending one the county already has answers 200 with it."""
    from xieguan.accounts.permissions import MANAGE_CHECKLISTS, require
    from xieguan.inspections.models import ForbiddenPhrase
    from xieguan.inspections.services import checklists

    require(request.user, MANAGE_CHECKLISTS)
    county = _caller_county(request)
    require(request.user, MANAGE_CHECKLISTS, county.path)
    held = ForbiddenPhrase.objects.filter(county=county, phrase=payload.phrase.strip()).first()
    if held is not None:
        return Status(200, _phrase_out(held))
    phrase = checklists.forbidden_phrase_add(actor=request.user, county=county, phrase=payload.phrase)
    return Status(201, _phrase_out(phrase))


@phrase_router.delete("/{phrase_id}", response={204: None, **ERRORS})
def phrase_delete(request: HttpRequest, phrase_id: int = Path(..., ge=1, le=2147483647)) -> Any:
    """Remove one of the county's own phrases (the national list stays: 403)."""
    from xieguan.core.scope import get_object_for_user
    from xieguan.inspections.models import ForbiddenPhrase
    from xieguan.inspections.services import checklists

    found = ForbiddenPhrase.objects.select_related("county").filter(pk=phrase_id).first()
    if found is not None and found.county_id is None:
        checklists.forbidden_phrase_delete(actor=request.user, phrase=found)  # 403: the national list
    phrase = get_object_for_user(ForbiddenPhrase.objects.select_related("county"), request.user, phrase_id)
    checklists.forbidden_phrase_delete(actor=request.user, phrase=phrase)
    return Status(204, None)


def _plan_out(plan: Any) -> dict[str, Any]:
    progress = selectors.plan_progress(plan)
    return {
        "id": plan.pk,
        "township_id": plan.township_id,
        "township_name": plan.township.name,
        "year": plan.year,
        "month": plan.month,
        "items": [{"unit_id": u.pk, "unit_name": u.name, "done": done} for u, done in progress],
        "done_count": sum(1 for _u, done in progress if done),
    }


@plan_router.get("", response={200: ListOut[PlanSummaryOut], **ERRORS})
def plan_list(
    request: HttpRequest,
    township_id: uuid.UUID | None = None,
    year: int | None = Query(None, ge=2000, le=2100),
    month: int | None = Query(None, ge=1, le=12),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The townships' monthly plans in the caller's area, newest month first,
    with how many units each holds; one plan's units and progress are at
    /api/monthly-plans/{plan_id}."""
    from django.db.models import Count

    from xieguan.areas.selectors import get_area_for_user
    from xieguan.inspections.models import MonthlyPlan

    qs = MonthlyPlan.objects.visible_to(request.user).select_related("township").annotate(unit_count=Count("units"))
    if township_id is not None:
        qs = qs.filter(township=get_area_for_user(request.user, township_id))
    if year is not None:
        qs = qs.filter(year=year)
    if month is not None:
        qs = qs.filter(month=month)
    page = keyset_page(qs, ordering=["-year", "-month", "id"], cursor=after, size=limit)
    items = [
        {
            "id": p.pk,
            "township_id": p.township_id,
            "township_name": p.township.name,
            "year": p.year,
            "month": p.month,
            "unit_count": p.unit_count,
        }
        for p in page.items
    ]
    return {"items": items, "next": page.next_cursor}


@plan_router.get("/{plan_id}", response={200: PlanOut, **ERRORS})
def plan_get(request: HttpRequest, plan_id: str) -> Any:
    """A plan's units, each with whether it was patrolled in the month."""
    return _plan_out(selectors.get_plan_for_user(request.user, plan_id))


@plan_router.post("", response={200: PlanOut, 201: PlanOut, **ERRORS})
def plan_create(request: HttpRequest, payload: PlanIn) -> Any:
    """Make the township's plan for a month from the units due and not yet
    patrolled (the page's 生成计划); idempotent on ``id``, and a month that
    already has its plan answers 200 with it."""
    from xieguan.areas.selectors import get_area_for_user
    from xieguan.inspections.models import MonthlyPlan
    from xieguan.inspections.services import plans

    existing = existing_for_retry(MonthlyPlan, payload.id, request.user)
    if existing is not None:
        return Status(200, _plan_out(selectors.get_plan_for_user(request.user, existing.pk)))
    township = get_area_for_user(request.user, payload.township_id)
    held = MonthlyPlan.objects.filter(township=township, year=payload.year, month=payload.month).exists()
    plan = plans.plan_make_from_due(
        actor=request.user,
        township=township,
        year=payload.year,
        month=payload.month,
        today=timezone.localdate(),
        id=payload.id,
    )
    return Status(200 if held else 201, _plan_out(selectors.get_plan_for_user(request.user, plan.pk)))


@plan_router.post("/{plan_id}/units", response={200: PlanOut, **ERRORS})
def plan_unit_add(request: HttpRequest, plan_id: str, payload: PlanUnitIn) -> Any:
    """Add a unit of the plan's township (adding it again changes nothing)."""
    from xieguan.inspections.services import plans

    plan = selectors.get_plan_for_user(request.user, plan_id)
    unit = _plan_unit(request, payload.unit_id)
    plans.plan_item_add(actor=request.user, plan=plan, unit=unit)
    return _plan_out(plan)


@plan_router.delete("/{plan_id}/units/{unit_id}", response={200: PlanOut, **ERRORS})
def plan_unit_remove(request: HttpRequest, plan_id: str, unit_id: str) -> Any:
    """Take a unit off the plan (taking it off again changes nothing)."""
    from xieguan.inspections.services import plans

    plan = selectors.get_plan_for_user(request.user, plan_id)
    plans.plan_item_remove(actor=request.user, plan=plan, unit=get_unit_for_user(request.user, unit_id))
    return _plan_out(plan)


def _plan_unit(request: HttpRequest, unit_id: Any) -> Any:
    """A unit named in a body: outside the caller's area a 422 on ``unit_id``."""
    from django.core.exceptions import ValidationError
    from django.http import Http404
    from django.utils.translation import gettext as _

    try:
        return get_unit_for_user(request.user, unit_id)
    except Http404:
        raise ValidationError({"unit_id": _("The unit is not in this township.")}) from None


def _register_download(request: HttpRequest, institution_id: str, year: int, month: int | None, fmt: str) -> Any:
    from xieguan.core.scope import get_object_for_user
    from xieguan.inspections.views.registers import patrol_register_document, register_institutions

    institution = get_object_for_user(register_institutions(request.user), request.user, institution_id)
    return patrol_register_document(request, institution=institution, year=year, month=month, fmt=fmt)


@patrol_register_router.get(
    "/{institution_id}.xlsx",
    response=ERRORS,
    openapi_extra=file_download(
        XLSX,
        "卫生监督协管巡查登记表 of the institution for the year or month, as Excel",  # i18n: data — the form named
    ),
)
def patrol_register_xlsx(
    request: HttpRequest,
    institution_id: str,
    year: int | None = Query(None, ge=2000, le=2100, description="this year by default"),
    month: int | None = Query(None, ge=1, le=12),
) -> Any:
    """The 巡查登记表 of a station or the institute, as the register page's
    Excel download: a year, or one month (the county's reporting period)."""
    year = year or timezone.localdate().year
    return _register_download(request, institution_id, year, month, "xlsx")


@patrol_register_router.get(
    "/{institution_id}.pdf",
    response=ERRORS,
    openapi_extra=file_download(
        PDF,
        "卫生监督协管巡查登记表 of the institution for the year or month, as PDF",  # i18n: data — the form named
    ),
)
def patrol_register_pdf(
    request: HttpRequest,
    institution_id: str,
    year: int | None = Query(None, ge=2000, le=2100, description="this year by default"),
    month: int | None = Query(None, ge=1, le=12),
) -> Any:
    """The 巡查登记表 as the register page's PDF download."""
    year = year or timezone.localdate().year
    return _register_download(request, institution_id, year, month, "pdf")


patrol_due_router = Router(tags=["inspections"])


def _coverage_out(c: Any) -> dict[str, Any]:
    return {
        "township_id": c.township.pk if c.township is not None else None,
        "township_name": c.township.name if c.township is not None else "",
        "due": c.due,
        "done": c.done,
        "overdue": c.overdue,
        "rate": c.rate,
    }


@patrol_due_router.get("", response={200: PatrolDueOut, **ERRORS})
def patrol_due(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    month: int | None = Query(None, ge=1, le=12),
    quarter: int | None = Query(None, ge=1, le=4),
    township_id: uuid.UUID | None = None,
    state: Literal["done", "due", "overdue"] | None = None,
) -> Any:
    """Which units are due, done and overdue in a month (the county's
    reporting period, the current one by default) or a quarter, and each
    township's 巡查覆盖率 — the due page's figures."""
    from xieguan.areas.models import Level
    from xieguan.areas.selectors import get_area_for_user

    today = timezone.localdate()
    this_year, this_month = selectors.current_month(request.user, today)
    year = year or this_year
    month = None if quarter else (month or this_month)
    township = None
    if township_id is not None:
        township = get_area_for_user(request.user, township_id)
        if township.level != Level.TOWNSHIP:
            from django.http import Http404

            raise Http404
    # The figures in SQL and the first 300 units only, as the page: a
    # province's hundreds of thousands of units are never read into Python.
    view = selectors.patrol_status(
        request.user, year=year, month=month, quarter=quarter, township=township, today=today, rows=False
    )
    rows, count = selectors.patrol_rows(view, state=state or "", limit=300)
    return {
        "start": view.start,
        "end": view.end,
        "coverage": [_coverage_out(c) for c in view.coverage],
        "total": _coverage_out(view.total),
        "rows": [
            {
                "unit_id": r.unit.pk,
                "unit_name": r.unit.name,
                "frequency": r.frequency,
                "window_start": r.window_start,
                "window_end": r.window_end,
                "done_on": r.done_on,
                "state": r.state,
            }
            for r in rows
        ],
        "more_rows": max(0, count - len(rows)),
    }
