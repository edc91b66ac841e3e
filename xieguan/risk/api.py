"""API: unit risk scores with their reasons, the county's weights, the backtest."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from xieguan.areas.models import Area
from xieguan.core.api import ErrorOut, ListOut
from xieguan.core.audit import audit_record
from xieguan.core.display import join_list
from xieguan.core.pagination import keyset_list
from xieguan.core.permissions import CONFIGURE_RISK, require
from xieguan.core.scope import get_object_for_user
from xieguan.risk import backtest as bt
from xieguan.risk import reviews, services
from xieguan.risk.models import Backtest, Grade, RecordReview, UnitRisk
from xieguan.risk.reasons import readable
from xieguan.risk.schemas import (
    BacktestIn,
    BacktestOut,
    ItemFailureOut,
    RecordReviewIn,
    RecordReviewOut,
    ReviewDrawIn,
    ReviewDrawOut,
    RiskSettingsIn,
    RiskSettingsOut,
    UnitRiskOut,
)
from xieguan.risk.selectors import counties_for, last_backtest, months_from, reviews_for, scores_for
from xieguan.units.models import Category
from xieguan.units.selectors import get_unit_for_user

router = Router(tags=["risk"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _risk_out(r: UnitRisk) -> dict[str, Any]:
    return {
        "unit_id": r.unit_id,
        "unit_name": r.unit.name,
        "area_name": r.unit.area.name,
        "score": r.score,
        "grade": r.grade,
        "reasons": readable(r.reasons),
        "computed_at": r.computed_at,
    }


def _county(request: HttpRequest, county_id: str | None) -> Area:
    """The county asked for among those the caller sees whole (their own by
    default); 404 otherwise. A caller who sees no county whole (a township's)
    has none of these operations: 403, decided before ``county_id`` is
    looked at, so it says nothing about the county asked for."""
    counties = counties_for(request.user)
    if not counties.exists():
        raise PermissionDenied(
            _("Risk settings, the backtest and the review draw are a county's; your area is within one.")
        )
    if county_id:
        found = get_object_for_user(counties, request.user, county_id)
        return found
    first = counties.first()
    if first is None:
        raise Http404
    return first


@router.get("/scores", response={200: ListOut[UnitRiskOut], **ERRORS})
def scores_list(
    request: HttpRequest,
    grade: str | None = Query(None, description="high, medium or low"),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The scores of the units in the caller's area, riskiest first, each with its reasons."""
    qs = scores_for(request.user)
    if grade:
        if grade not in Grade.values:
            raise ValidationError({"grade": _("The risk grade can only be high, medium or low.")})
        qs = qs.filter(grade=grade)
    return keyset_list(qs, ordering=["-score", "id"], cursor=after, size=limit, out=_risk_out)


@router.get("/units/{unit_id}", response={200: UnitRiskOut, **ERRORS})
def unit_score(request: HttpRequest, unit_id: str) -> Any:
    """One unit's score with its reasons; 404 outside the caller's area or before it is first scored."""
    unit = get_unit_for_user(request.user, unit_id)
    found = UnitRisk.objects.for_list().filter(unit=unit).first()
    if found is None:
        raise Http404
    return _risk_out(found)


def _settings_out(county: Area) -> dict[str, Any]:
    found = services.settings_for(county.pk)
    out = {name: getattr(found, name) for name in RiskSettingsOut.model_fields if name not in ("county_id",)}
    out["county_id"] = county.pk
    out["category_points"] = dict(found.category_points or {})
    return out


@router.get("/settings", response={200: RiskSettingsOut, **ERRORS})
def settings_get(request: HttpRequest, county_id: str | None = None) -> Any:
    """The county's weights (the defaults until it sets its own)."""
    return _settings_out(_county(request, county_id))


@router.put("/settings", response={200: RiskSettingsOut, **ERRORS})
def settings_put(request: HttpRequest, payload: RiskSettingsIn, county_id: str | None = None) -> Any:
    """Set the county's weights; every unit of the county is rescored with them."""
    county = _county(request, county_id)
    require(request.user, CONFIGURE_RISK, county.path)
    values = payload.dict()
    known = set(Category.objects.values_list("code", flat=True))
    unknown = sorted(set(values["category_points"]) - known)
    if unknown:
        raise ValidationError({"category_points": _("No such categories: %(codes)s.") % {"codes": join_list(unknown)}})
    if any(not 0 <= v <= 1000 for v in values["category_points"].values()):
        raise ValidationError({"category_points": _("A category's base risk must be between 0 and 1000 points.")})
    services.settings_save(actor=request.user, county=county, **values)
    return _settings_out(county)


def _backtest_out(b: Backtest) -> dict[str, Any]:
    too_small = b.verdict == bt.TOO_SMALL
    return {
        "county_id": b.county_id,
        "cut_off": b.cut_off,
        "months": b.months,
        "k": b.k,
        "units": b.units,
        "inspections": b.inspections,
        "violations": b.violations,
        "too_small": too_small,
        "precision_risk": None if too_small else b.precision_risk,
        "precision_time": None if too_small else b.precision_time,
        "days_earlier": None if too_small else b.days_earlier,
        "days_earlier_se": None if too_small else b.days_earlier_se,
        "verdict": b.verdict,
        "ran_at": b.ran_at,
    }


@router.get("/backtest", response={200: BacktestOut, **ERRORS})
def backtest_get(request: HttpRequest, county_id: str | None = None) -> Any:
    """The county's last backtest; 404 before the first. Under 30 violations the figures are withheld."""
    found = last_backtest(_county(request, county_id))
    if found is None:
        raise Http404
    return _backtest_out(found)


@router.post("/backtest", response={200: BacktestOut, **ERRORS})
def backtest_run(request: HttpRequest, payload: BacktestIn, county_id: str | None = None) -> Any:
    """Run the backtest at a past cut-off over the months after it (they must have passed)."""
    county = _county(request, county_id)
    require(request.user, CONFIGURE_RISK, county.path)
    today = timezone.localdate()
    if payload.cut_off >= today or payload.cut_off.year < 2000:
        raise ValidationError({"cut_off": _("The cut-off must be a date from 2000 on and before today.")})
    if bt.add_months(payload.cut_off, payload.months) > today:
        raise ValidationError(
            {"months": _("The months followed must have passed: choose an earlier cut-off or fewer months.")}
        )
    bt.run_backtest(county, cut_off=payload.cut_off, months=payload.months)
    found = last_backtest(county)
    audit_record(actor=request.user, action="backtest.run", obj=found, area_path=county.path)
    return _backtest_out(found)  # type: ignore[arg-type]


# ---------------------------------------------------------------- record reviews


def _review_out(r: RecordReview) -> dict[str, Any]:
    return {
        "id": r.pk,
        "inspection_id": r.inspection_id,
        "unit_name": r.inspection.unit.name,
        "year": r.year,
        "month": r.month,
        "weight": r.weight,
        "result": r.result,
        "comment": r.comment,
        "reviewed_at": r.reviewed_at,
        "corrected_at": r.corrected_at,
    }


@router.get("/reviews", response={200: ListOut[RecordReviewOut], **ERRORS})
def reviews_list(
    request: HttpRequest,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    area_id: str | None = None,
    year: int | None = Query(None, ge=2000, le=2100),
    month: int | None = Query(None, ge=1, le=12),
    months: int = Query(1, ge=1, le=12, description="with year and month: this many months from there"),
    result: Literal["", "pending", "reviewed", "ok", "problem"] = "",
) -> Any:
    """The drawn records in the caller's area, newest month first; narrowed
    as the review indicators' drill-downs narrow the page: to an area, the
    samples of a month (or ``months`` from it) and a result."""
    area = get_object_for_user(Area.objects.all(), request.user, area_id) if area_id else None
    wanted = months_from(year, month, months) if year is not None and month is not None else None
    qs = reviews_for(request.user, area=area, months=wanted, result=result)
    return keyset_list(qs, ordering=["-year", "-month", "id"], cursor=after, size=limit, out=_review_out)


@router.post("/reviews/draw", response={200: ReviewDrawOut, **ERRORS})
def reviews_draw(request: HttpRequest, payload: ReviewDrawIn, county_id: str | None = None) -> Any:
    """Draw the month's sample of the county's records (weighted to risk and past problems)."""
    county = _county(request, county_id)
    return {"drawn": reviews.review_draw(actor=request.user, county=county, **payload.dict())}


@router.post("/reviews/{review_id}", response={200: RecordReviewOut, **ERRORS})
def review_save(request: HttpRequest, review_id: str, payload: RecordReviewIn) -> Any:
    """The institute's result for a drawn record (a comment is required unless ok)."""
    review = get_object_for_user(RecordReview.objects.for_list(), request.user, review_id)
    return _review_out(reviews.review_record(actor=request.user, review=review, **payload.dict()))


@router.post("/reviews/{review_id}/corrected", response={200: RecordReviewOut, **ERRORS, 409: ErrorOut})
def review_mark_corrected(request: HttpRequest, review_id: str) -> Any:
    """The co-manager marks a record with problems (or returned) corrected;
    409 when the review found none (only a record with problems or returned
    needs correcting)."""
    review = get_object_for_user(RecordReview.objects.for_list(), request.user, review_id)
    return _review_out(reviews.review_corrected(actor=request.user, review=review))


@router.get("/checklist-failures", response={200: list[ItemFailureOut], **ERRORS})
def checklist_failures(
    request: HttpRequest, year: int = Query(..., ge=2000, le=2100), month: int | None = Query(None, ge=1, le=12)
) -> Any:
    """How often each checklist item failed, by category and township (most failures first, at most 500 rows)."""
    from xieguan.risk.analytics import item_failures

    return item_failures(request.user, year=year, month=month)
