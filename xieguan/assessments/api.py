"""API: assessment schemes, assessments (scores per item, totals, tiers,
appeals, bulletin, allocations), populations and station visits (SPEC §9)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from xieguan.accounts.models import User
from xieguan.accounts.permissions import APPEAL_ASSESSMENT, MANAGE_ASSESSMENTS, SCORE_ASSESSMENTS, require
from xieguan.areas.models import Area
from xieguan.areas.selectors import get_area_for_user
from xieguan.assessments import services
from xieguan.assessments.bulletin import bulletin_docx, bulletin_draft
from xieguan.assessments.models import (
    Appeal,
    AssessedArea,
    Assessment,
    AssessmentItem,
    AssessmentScheme,
    Deduction,
    FundFormula,
    Population,
    StationVisit,
)
from xieguan.assessments.schemas import (
    AppealAnswerIn,
    AssessmentAppealIn,
    AssessmentAppealOut,
    AssessmentBulletinIn,
    AssessmentBulletinOut,
    AssessmentDeductionIn,
    AssessmentDeductionOut,
    AssessmentIn,
    AssessmentOut,
    AssessmentSchemeIn,
    AssessmentSchemeOut,
    AssessmentSchemePatch,
    FundAllocationsOut,
    ItemScoreIn,
    ItemScoreOut,
    PopulationImportOut,
    PopulationIn,
    PopulationOut,
    ReviewerAssignIn,
    SchemeItemIn,
    SchemeItemOut,
    SchemeItemPatch,
    StationVisitIn,
    StationVisitOut,
)
from xieguan.assessments.selectors import (
    allocations_of,
    appeals_of,
    areas_of,
    assessments_for,
    deductions_of,
    get_appeal_for_user,
    get_assessment_for_user,
    get_item_for_user,
    get_scheme_for_user,
    get_score_for_user,
    get_visit_for_user,
    populations_for,
    released_results,
    runs,
    schemes_for,
    scores_of,
    visits_for,
)
from xieguan.core.api import DOCX, PDF, XLSX, ConflictOut, ErrorOut, ListOut, file_download
from xieguan.core.documents import download_header, download_name, pdf_response
from xieguan.core.idempotency import conflict_response, existing_for_retry, retry_conflicts, wants_create_only
from xieguan.core.pagination import keyset_list, keyset_page
from xieguan.core.scope import is_within

scheme_router = Router(tags=["assessments"])
router = Router(tags=["assessments"])
score_router = Router(tags=["assessments"])
appeal_router = Router(tags=["assessments"])
population_router = Router(tags=["assessments"])
visit_router = Router(tags=["station visits"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _item_out(i: AssessmentItem) -> dict[str, Any]:
    return {
        "id": i.pk,
        "order": i.order,
        "name": i.name,
        "guidance": i.guidance,
        "max_score": i.max_score,
        "kind": i.kind,
        "indicator_code": i.indicator_code,
        "rule": i.rule,
        "target": i.target,
        "floor": i.floor,
        "tiers": i.tiers,
    }


def _scheme_out(s: AssessmentScheme) -> dict[str, Any]:
    return {
        "id": s.pk,
        "area_id": s.area_id,
        "name": s.name,
        "period_kind": s.period_kind,
        "version": s.version,
        "previous_id": s.previous_id,
        "status": s.status,
        "award_mode": s.award_mode,
        "award_tiers": s.award_tiers,
        "fund_formula": s.fund_formula,
        "appeal_days": s.appeal_days,
        "items": [_item_out(i) for i in s.items.all()],
    }


def _assessment_out(a: Assessment, user: Any, rows: list[Any] | None = None) -> dict[str, Any]:
    rows = list(areas_of(user, a)) if rows is None else rows
    return {
        "id": a.pk,
        "scheme_id": a.scheme_id,
        "area_id": a.area_id,
        "name": a.name,
        "period_kind": a.period_kind,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "status": a.status,
        "appeal_until": a.appeal_until,
        "budget_mode": a.budget_mode,
        "per_capita": a.per_capita,
        "budget": a.budget,
        "bulletin_published": a.bulletin_published_at is not None,
        "areas": [
            {
                "area_id": r.area_id,
                "area_name": r.area.name,
                "total": r.total,
                "rank": r.rank,
                "tier": r.tier,
                "vetoed": r.vetoed,
            }
            for r in rows
        ],
    }


def _score_out(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "area_id": s.area_id,
        "area_name": s.area.name,
        "item_id": s.item_id,
        "item_name": s.item.name,
        "kind": s.item.kind,
        "max_score": s.item.max_score,
        "score": s.score,
        "figures": s.figures,
        "notes": s.notes,
        "reviewer_id": s.reviewer_id,
        "has_evidence": bool(s.evidence),
    }


def _appeal_out(a: Appeal) -> dict[str, Any]:
    return {
        "id": a.pk,
        "assessment_id": a.assessment_id,
        "area_id": a.area_id,
        "item_id": a.item_id,
        "reason": a.reason,
        "answer": a.answer,
        "new_score": a.new_score,
        "answered_at": a.answered_at,
    }


# ---------------------------------------------------------------- schemes


@scheme_router.get("", response={200: ListOut[AssessmentSchemeOut], **ERRORS})
def scheme_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """The schemes of the caller's area, newest first."""
    page = keyset_page(
        schemes_for(request.user).prefetch_related("items"), ordering=["-created_at", "-id"], cursor=after, size=limit
    )
    return {"items": [_scheme_out(s) for s in page.items], "next": page.next_cursor}


@scheme_router.post("", response={200: AssessmentSchemeOut, 201: AssessmentSchemeOut, **ERRORS})
def scheme_create(request: HttpRequest, payload: AssessmentSchemeIn) -> Any:
    """A draft scheme; idempotent on ``id``."""
    existing = existing_for_retry(AssessmentScheme, payload.id, request.user)
    if existing is not None:
        return Status(200, _scheme_out(existing))
    area = get_area_for_user(request.user, payload.area_id)
    scheme = services.scheme_create(
        actor=request.user,
        area=area,
        name=payload.name,
        period_kind=payload.period_kind,
        award_mode=payload.award_mode,
        award_tiers=[t.dict() for t in payload.award_tiers],
        fund_formula=payload.fund_formula,
        appeal_days=payload.appeal_days,
        id=payload.id,
    )
    return Status(201, _scheme_out(scheme))


@scheme_router.get("/{scheme_id}", response={200: AssessmentSchemeOut, **ERRORS})
def scheme_get(request: HttpRequest, scheme_id: uuid.UUID) -> Any:
    return _scheme_out(get_scheme_for_user(request.user, scheme_id))


@scheme_router.patch("/{scheme_id}", response={200: AssessmentSchemeOut, **ERRORS})
def scheme_update(request: HttpRequest, scheme_id: uuid.UUID, payload: AssessmentSchemePatch) -> Any:
    """Edit a draft scheme; the fields sent are changed. A scheme in use answers 422: revise it."""
    scheme = get_scheme_for_user(request.user, scheme_id)
    changes = payload.dict(exclude_unset=True)
    if "award_tiers" in changes:
        changes["award_tiers"] = [t.dict() for t in payload.award_tiers or []]
    scheme = services.scheme_update(actor=request.user, scheme=scheme, changes=changes)
    return _scheme_out(scheme)


@scheme_router.post("/{scheme_id}/items", response={200: SchemeItemOut, 201: SchemeItemOut, **ERRORS})
def scheme_item_create(request: HttpRequest, scheme_id: uuid.UUID, payload: SchemeItemIn) -> Any:
    """Add an item to a draft scheme; idempotent on ``id``."""
    scheme = get_scheme_for_user(request.user, scheme_id)
    existing = existing_for_retry(AssessmentItem, payload.id, request.user)
    if existing is not None:
        return Status(200, _item_out(existing))
    data = payload.dict()
    item = services.scheme_item_add(actor=request.user, scheme=scheme, **data)
    return Status(201, _item_out(item))


@scheme_router.patch("/{scheme_id}/items/{item_id}", response={200: SchemeItemOut, **ERRORS})
def scheme_item_update(request: HttpRequest, scheme_id: uuid.UUID, item_id: uuid.UUID, payload: SchemeItemPatch) -> Any:
    """Edit an item of a draft scheme (weight, rule, bands…); the fields sent are changed."""
    item = get_item_for_user(request.user, item_id)
    if item.scheme_id != scheme_id:
        raise Http404
    changes = payload.dict(exclude_unset=True)
    if changes.get("tiers") is None:
        changes.pop("tiers", None)
    item = services.scheme_item_update(actor=request.user, item=item, changes=changes)
    return _item_out(item)


@scheme_router.delete("/{scheme_id}/items/{item_id}", response={204: None, **ERRORS})
def scheme_item_delete(request: HttpRequest, scheme_id: uuid.UUID, item_id: uuid.UUID) -> Any:
    """Take an item out of a draft scheme."""
    item = get_item_for_user(request.user, item_id)
    if item.scheme_id != scheme_id:
        raise Http404
    services.scheme_item_delete(actor=request.user, item=item)
    return Status(204, None)


@scheme_router.post("/{scheme_id}/publish", response={200: AssessmentSchemeOut, **ERRORS})
def scheme_publish(request: HttpRequest, scheme_id: uuid.UUID) -> Any:
    """Put a draft in use (its items frozen)."""
    scheme = services.scheme_publish(actor=request.user, scheme=get_scheme_for_user(request.user, scheme_id))
    return _scheme_out(scheme)


@scheme_router.post("/{scheme_id}/revise", response={201: AssessmentSchemeOut, **ERRORS})
def scheme_revise(request: HttpRequest, scheme_id: uuid.UUID) -> Any:
    """A new draft version copied from a scheme in use."""
    copy = services.scheme_revise(actor=request.user, scheme=get_scheme_for_user(request.user, scheme_id))
    return Status(201, _scheme_out(copy))


# ---------------------------------------------------------------- assessments


@router.get("", response={200: ListOut[AssessmentOut], **ERRORS})
def assessment_list(request: HttpRequest, after: str | None = None, limit: int = Query(20, ge=1, le=100)) -> Any:
    """Assessments the caller runs, and released ones of the caller's area; newest first."""
    page = keyset_page(assessments_for(request.user), ordering=["-starts_on", "-id"], cursor=after, size=limit)
    rows: dict[Any, list[Any]] = {a.pk: [] for a in page.items}
    by_id = {a.pk: a for a in page.items}
    # One query for every assessment's areas, then what areas_of would keep of each.
    for row in (
        AssessedArea.objects.select_related("area").filter(assessment__in=page.items).order_by("rank", "area__path")
    ):
        a = by_id[row.assessment_id]
        if runs(request.user, a) or (is_within(request.user, row.area.path) and a.is_released):
            rows[a.pk].append(row)
    return {"items": [_assessment_out(a, request.user, rows[a.pk]) for a in page.items], "next": page.next_cursor}


@router.post("", response={200: AssessmentOut, 201: AssessmentOut, **ERRORS})
def assessment_create(request: HttpRequest, payload: AssessmentIn) -> Any:
    """Start an assessment; idempotent on ``id``."""
    existing = existing_for_retry(Assessment, payload.id, request.user)
    if existing is not None:
        return Status(200, _assessment_out(get_assessment_for_user(request.user, existing.pk), request.user))
    scheme = get_scheme_for_user(request.user, payload.scheme_id)
    areas = list(Area.objects.visible_to(request.user).filter(pk__in=payload.area_ids))
    if len(areas) != len(set(payload.area_ids)):
        raise ValidationError({"area_ids": _("An assessed area is outside your area.")})
    assessment = services.assessment_create(
        actor=request.user,
        scheme=scheme,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        areas=areas,
        budget_mode=payload.budget_mode,
        budget=payload.budget,
        per_capita=payload.per_capita,
        id=payload.id,
    )
    return Status(201, _assessment_out(assessment, request.user))


@router.get("/{assessment_id}", response={200: AssessmentOut, **ERRORS})
def assessment_get(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """One assessment with the totals, ranks and tiers the caller may see."""
    return _assessment_out(get_assessment_for_user(request.user, assessment_id), request.user)


def _step(request: HttpRequest, assessment_id: uuid.UUID, service: Any) -> Any:
    assessment = get_assessment_for_user(request.user, assessment_id)
    service(actor=request.user, assessment=assessment)
    return _assessment_out(get_assessment_for_user(request.user, assessment_id), request.user)


@router.post("/{assessment_id}/start", response={200: AssessmentOut, **ERRORS})
def assessment_start(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """Open scoring; the automatic items are computed from the indicators."""
    return _step(request, assessment_id, services.assessment_start)


@router.post("/{assessment_id}/compute", response={200: AssessmentOut, **ERRORS})
def assessment_compute(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """Recompute the automatic items (not once final)."""
    return _step(request, assessment_id, services.assessment_compute)


@router.post("/{assessment_id}/release", response={200: AssessmentOut, **ERRORS})
def assessment_release(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """Publish the scores to the assessed areas; the appeal window opens."""
    return _step(request, assessment_id, services.assessment_release)


@router.post("/{assessment_id}/finalise", response={200: AssessmentOut, **ERRORS})
def assessment_finalise(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """Final: appeals answered, scores frozen, funds allocated."""
    return _step(request, assessment_id, services.assessment_finalise)


@router.post("/{assessment_id}/reviewers", response={200: AssessmentOut, **ERRORS})
def reviewer_assign(request: HttpRequest, assessment_id: uuid.UUID, payload: ReviewerAssignIn) -> Any:
    """Give a manual item (for every assessed area) to one reviewer."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    require(request.user, MANAGE_ASSESSMENTS, assessment.area.path)
    item = assessment.scheme.items.filter(pk=payload.item_id).first()
    reviewer = User.objects.visible_to(request.user).filter(pk=payload.reviewer_id).first()
    if item is None:
        raise ValidationError({"item_id": _("This item is not part of this assessment.")})
    if reviewer is None:
        raise ValidationError({"reviewer_id": _("The scorer is outside your area.")})
    services.reviewer_assign(actor=request.user, assessment=assessment, item=item, reviewer=reviewer)
    return _assessment_out(assessment, request.user)


@router.get("/{assessment_id}/scores", response={200: ListOut[ItemScoreOut], **ERRORS})
def assessment_scores(
    request: HttpRequest, assessment_id: uuid.UUID, after: str | None = None, limit: int = Query(200, ge=1, le=500)
) -> Any:
    """Scores per item and area the caller may see (an assessed area: its own, once released)."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    page = keyset_page(
        scores_of(request.user, assessment), ordering=["area__path", "item__order", "id"], cursor=after, size=limit
    )
    return {"items": [_score_out(s) for s in page.items], "next": page.next_cursor}


@router.post(
    "/{assessment_id}/deductions", response={200: AssessmentDeductionOut, 201: AssessmentDeductionOut, **ERRORS}
)
def deduction_create(request: HttpRequest, assessment_id: uuid.UUID, payload: AssessmentDeductionIn) -> Any:
    """A deduction or a one-vote veto, with its reason; idempotent on ``id``."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    require(request.user, SCORE_ASSESSMENTS, assessment.area.path)
    existing = existing_for_retry(Deduction, payload.id, request.user)
    if existing is None:
        area = assessment.areas.filter(area_id=payload.area_id).select_related("area").first()
        if area is None:
            raise ValidationError({"area_id": _("This area is not in this assessment.")})
        made = services.deduction_add(
            actor=request.user,
            assessment=assessment,
            area=area.area,
            kind=payload.kind,
            points=payload.points,
            reason=payload.reason,
            id=payload.id,
        )
        status = 201
    else:
        made, status = existing, 200
    return Status(
        status,
        {"id": made.pk, "area_id": made.area_id, "kind": made.kind, "points": made.points, "reason": made.reason},
    )


@router.get("/{assessment_id}/deductions", response={200: list[AssessmentDeductionOut], **ERRORS})
def deduction_list(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    assessment = get_assessment_for_user(request.user, assessment_id)
    return [
        {"id": d.pk, "area_id": d.area_id, "kind": d.kind, "points": d.points, "reason": d.reason}
        for d in deductions_of(request.user, assessment)
    ]


@router.get("/{assessment_id}/appeals", response={200: list[AssessmentAppealOut], **ERRORS})
def appeal_list(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """The appeals the caller may see: all for the assessor, its own for an assessed area."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    return [_appeal_out(a) for a in appeals_of(request.user, assessment)]


@router.post("/{assessment_id}/appeals", response={200: AssessmentAppealOut, 201: AssessmentAppealOut, **ERRORS})
def appeal_create(request: HttpRequest, assessment_id: uuid.UUID, payload: AssessmentAppealIn) -> Any:
    """The caller's area appeals within the window; idempotent on ``id``."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    existing = existing_for_retry(Appeal, payload.id, request.user)
    if existing is not None:
        return Status(200, _appeal_out(existing))
    if runs(request.user, assessment):
        raise PermissionDenied  # the assessor answers appeals; only an assessed area makes one
    row = areas_of(request.user, assessment).first()
    if row is None:
        raise Http404
    require(request.user, APPEAL_ASSESSMENT, row.area.path)
    item = None
    if payload.item_id is not None:
        item = assessment.scheme.items.filter(pk=payload.item_id).first()
        if item is None:
            raise ValidationError({"item_id": _("This item is not part of this assessment.")})
    appeal = services.appeal_create(
        actor=request.user, assessment=assessment, area=row.area, item=item, reason=payload.reason, id=payload.id
    )
    return Status(201, _appeal_out(appeal))


@router.get("/{assessment_id}/allocations", response={200: FundAllocationsOut, **ERRORS})
def allocation_list(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """The funds: each area's population, score, coefficient and amount; the amounts add up to ``budget``
    (an assessed area sees its own row only)."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    rows = allocations_of(request.user, assessment)
    return {
        "assessment_id": assessment.pk,
        "budget": assessment.budget,
        "formula": str(FundFormula(assessment.scheme.fund_formula).label),
        "items": [
            {
                "area_id": r.area_id,
                "area_name": r.area.name,
                "population": r.population,
                "score": r.score,
                "coefficient": r.coefficient,
                "amount": r.amount,
            }
            for r in rows
        ],
    }


@router.post("/{assessment_id}/allocations", response={200: FundAllocationsOut, **ERRORS})
def allocation_compute(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """Allocate (again) from the current totals and populations."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    services.allocation_compute(actor=request.user, assessment=assessment)
    return allocation_list(request, assessment_id)


@router.get(
    "/{assessment_id}/allocations.xlsx",
    response=ERRORS,
    openapi_extra=file_download(XLSX, "The allocation table (values only, no formula)"),
)
def allocation_xlsx(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    from xieguan.assessments.views import allocations_xlsx

    return allocations_xlsx(request, str(assessment_id))


def _bulletin_text(request: HttpRequest, assessment: Assessment) -> tuple[Any, str]:
    results = released_results(request.user, assessment)
    if not runs(request.user, assessment) and not assessment.bulletin_published_at:
        raise Http404
    return results, assessment.bulletin or bulletin_draft(assessment, results)


@router.get("/{assessment_id}/bulletin", response={200: AssessmentBulletinOut, **ERRORS})
def bulletin_get(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """The bulletin's text: as saved, or the draft from the data."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    _found, text = _bulletin_text(request, assessment)
    return {"text": text, "saved": bool(assessment.bulletin), "published_at": assessment.bulletin_published_at}


@router.put("/{assessment_id}/bulletin", response={200: AssessmentBulletinOut, **ERRORS})
def bulletin_put(request: HttpRequest, assessment_id: uuid.UUID, payload: AssessmentBulletinIn) -> Any:
    assessment = get_assessment_for_user(request.user, assessment_id)
    services.bulletin_save(actor=request.user, assessment=assessment, text=payload.text)
    return {"text": assessment.bulletin, "saved": True, "published_at": assessment.bulletin_published_at}


@router.post("/{assessment_id}/bulletin/publish", response={200: AssessmentBulletinOut, **ERRORS})
def bulletin_publish(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    """Issue the bulletin to the assessed areas' home pages."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    services.bulletin_publish(actor=request.user, assessment=assessment)
    return {"text": assessment.bulletin, "saved": True, "published_at": assessment.bulletin_published_at}


@router.get(
    "/{assessment_id}/bulletin.docx", response=ERRORS, openapi_extra=file_download(DOCX, "The bulletin as Word")
)
def bulletin_docx_get(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    assessment = get_assessment_for_user(request.user, assessment_id)
    results, text = _bulletin_text(request, assessment)
    response = HttpResponse(bulletin_docx(assessment, results, text), content_type=DOCX)
    response["Content-Disposition"] = download_header(
        download_name(_("Assessment bulletin"), assessment.name, ext="docx")
    )
    return response


@router.get(
    "/{assessment_id}/bulletin.pdf", response=ERRORS, openapi_extra=file_download(PDF, "The bulletin as an A4 PDF")
)
def bulletin_pdf_get(request: HttpRequest, assessment_id: uuid.UUID) -> Any:
    assessment = get_assessment_for_user(request.user, assessment_id)
    results, text = _bulletin_text(request, assessment)
    lines = text.replace("\r\n", "\n").split("\n")
    return pdf_response(
        "assessments/bulletin_pdf.html",
        {
            "assessment": assessment,
            "results": results,
            "title": lines[0],
            "paragraphs": [p for p in lines[1:] if p.strip()],
        },
        download_name(_("Assessment bulletin"), assessment.name, ext="pdf"),
        request=request,
    )


# ---------------------------------------------------------------- scores, appeals


@score_router.get("/{score_id}", response={200: ItemScoreOut, **ERRORS})
def score_get(request: HttpRequest, score_id: uuid.UUID) -> Any:
    return _score_out(get_score_for_user(request.user, score_id))


@score_router.put("/{score_id}", response={200: ItemScoreOut, **ERRORS})
def score_put(request: HttpRequest, score_id: uuid.UUID, payload: ItemScoreIn) -> Any:
    """A reviewer's score of a manual item, with notes."""
    score = get_score_for_user(request.user, score_id)
    if not runs(request.user, score.assessment):
        raise Http404
    services.item_score_set(actor=request.user, score=score, value=payload.score, notes=payload.notes)
    return _score_out(score)


@appeal_router.get("/{appeal_id}", response={200: AssessmentAppealOut, **ERRORS})
def appeal_get(request: HttpRequest, appeal_id: uuid.UUID) -> Any:
    return _appeal_out(get_appeal_for_user(request.user, appeal_id))


@appeal_router.post("/{appeal_id}/answer", response={200: AssessmentAppealOut, **ERRORS})
def appeal_answer(request: HttpRequest, appeal_id: uuid.UUID, payload: AppealAnswerIn) -> Any:
    """The assessor's answer; ``new_score`` changes the appealed item's score."""
    appeal = get_appeal_for_user(request.user, appeal_id)
    if not runs(request.user, appeal.assessment):
        # The assessed area sees its own appeal: a role limit, 403 (hiding nothing).
        raise PermissionDenied(_("Only the area that runs the assessment answers its appeals."))
    services.appeal_answer(actor=request.user, appeal=appeal, answer=payload.answer, new_score=payload.new_score)
    return _appeal_out(appeal)


# ---------------------------------------------------------------- population


def _population_out(p: Population) -> dict[str, Any]:
    return {
        "id": p.pk,
        "area_id": p.area_id,
        "area_name": p.area.name,
        "year": p.year,
        "population": p.population,
        "source": p.source,
    }


@population_router.get("", response={200: ListOut[PopulationOut], **ERRORS})
def population_list(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> Any:
    qs = populations_for(request.user)
    if year is not None:
        qs = qs.filter(year=year)
    return keyset_list(qs, ordering=["-year", "area__path", "id"], cursor=after, size=limit, out=_population_out)


@population_router.post("", response={200: PopulationOut, **ERRORS, 409: ConflictOut})
def population_save(request: HttpRequest, payload: PopulationIn) -> Any:
    """Set an area's population for a year (saving again updates it). An
    ``id`` already given to another area's or year's figure answers 409."""
    area = get_area_for_user(request.user, payload.area_id)
    existing = existing_for_retry(Population, payload.id, request.user)
    if existing is not None:
        conflicts = retry_conflicts({"area_id": (existing.area_id, area.pk), "year": (existing.year, payload.year)})
        if conflicts:
            return conflict_response(conflicts, _population_out(existing))
    found = services.population_save(
        actor=request.user,
        area=area,
        year=payload.year,
        population=payload.population,
        source=payload.source,
        id=payload.id,
    )
    found.area = area
    return _population_out(found)


@population_router.post("/import", response={200: PopulationImportOut, **ERRORS})
def population_import(
    request: HttpRequest,
    file: File[UploadedFile],
    year: int = Form(..., ge=2000, le=2100),
    source: str = Form("", max_length=100),
) -> Any:
    """Import populations from a workbook: area name, population (inside the caller's area)."""
    institution = getattr(request.user, "institution", None)
    if institution is None:
        raise Http404
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("That year is not right.")})
    rows = services.population_import(
        actor=request.user, parent=institution.area, year=year, upload=file, source=source
    )
    return {"rows": rows}


# ---------------------------------------------------------------- station visits


def _visit_out(v: StationVisit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "area_id": v.area_id,
        "area_name": v.area.name,
        "kind": v.kind,
        "visited_on": v.visited_on,
        "supervisors": v.supervisors,
        "items": v.items,
        "findings": v.findings,
        "score": v.score,
    }


@visit_router.get("", response={200: ListOut[StationVisitOut], **ERRORS})
def visit_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """The institute's 督导/抽查 of the stations in the caller's area, newest first."""
    page = keyset_page(visits_for(request.user), ordering=["-visited_on", "-id"], cursor=after, size=limit)
    return {"items": [_visit_out(v) for v in page.items], "next": page.next_cursor}


@visit_router.post("", response={200: StationVisitOut, 201: StationVisitOut, **ERRORS, 409: ConflictOut})
def visit_create(request: HttpRequest, payload: StationVisitIn) -> Any:
    """Record a visit (the institute's of a township station, a township's of
    a village station); idempotent on ``id`` (201, then 200). With
    ``If-None-Match: *`` (the field app) a retry whose fields differ from the
    visit held answers 409 instead (the visit is not changed), with the visit
    as the server holds it in ``server``."""
    existing = existing_for_retry(StationVisit, payload.id, request.user)
    if existing is not None:
        visit = get_visit_for_user(request.user, existing.pk)
        if wants_create_only(request):
            conflicts = retry_conflicts(
                {
                    "area_id": (visit.area_id, payload.area_id),
                    "kind": (visit.kind, payload.kind),
                    "visited_on": (visit.visited_on, payload.visited_on),
                    "supervisors": (visit.supervisors, payload.supervisors),
                    "items": (visit.items, payload.items),
                    "findings": (visit.findings, payload.findings),
                    "score": (visit.score, payload.score),
                }
            )
            if conflicts:
                return conflict_response(conflicts, _visit_out(visit))
        return Status(200, _visit_out(visit))
    area = get_area_for_user(request.user, payload.area_id)
    data = payload.dict(exclude={"area_id"})
    visit = services.station_visit_create(actor=request.user, area=area, **data)
    return Status(201, _visit_out(get_visit_for_user(request.user, visit.pk)))


@visit_router.get("/{visit_id}", response={200: StationVisitOut, **ERRORS})
def visit_get(request: HttpRequest, visit_id: uuid.UUID) -> Any:
    return _visit_out(get_visit_for_user(request.user, visit_id))
