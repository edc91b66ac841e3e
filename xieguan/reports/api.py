"""API: information reports (SPEC §5, §13). Steps of the flow are actions:
POST /api/reports/{id}/verify | forward | close-unforwarded | handle |
feedback | close, each answering 200 with the report (a step already taken
is not taken twice)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from xieguan.accounts.permissions import FILE_REPORT, require
from xieguan.areas.selectors import get_area_for_user, scope_root_for
from xieguan.core.api import ERRORS, PDF, XLSX, ConflictOut, ListOut, file_download
from xieguan.core.idempotency import conflict_response, existing_for_retry, retry_conflicts, wants_create_only
from xieguan.core.pagination import keyset_list
from xieguan.core.photos import gps_fix_checked
from xieguan.reports import services
from xieguan.reports.models import ExposedPerson, Report
from xieguan.reports.schemas import (
    CategoryEditIn,
    CategoryFullOut,
    CategoryIn,
    CategoryOut,
    ExposedPersonIn,
    ExposedPersonOut,
    IndicatorsOut,
    ReportIn,
    ReportLinksIn,
    ReportOut,
    ReportPhotoOut,
    StepIn,
    ZeroReportIn,
    ZeroReportOut,
    ZeroStationOut,
)
from xieguan.reports.selectors import (
    ReportFilters,
    effective_categories,
    get_exposed_person_for_user,
    get_report_for_user,
    reports_filtered,
)

router = Router(tags=["reports"])
category_router = Router(tags=["reports"])


def _out(r: Report, *, full: bool = False) -> dict[str, Any]:
    now = timezone.now()
    body: dict[str, Any] = {
        "id": r.pk,
        "area_id": r.area_id,
        "area_name": r.area.name,
        "institution_id": r.institution_id,
        "category_code": r.category.code,
        "category_name": r.category.name,
        "is_emergency": r.is_emergency,
        "nature": r.nature,
        "unit_id": r.unit_id,
        "inspection_id": r.inspection_id,
        "exposed_person_id": r.exposed_person_id,
        "found_at": r.found_at,
        "received_at": r.received_at,
        "reported_at": r.reported_at,
        "deadline_at": r.deadline_at,
        "seconds_left": r.seconds_left(now) if r.is_awaiting_county else None,
        "is_late": r.is_late(now),
        "is_on_time": r.is_on_time,
        "place": r.place,
        "latitude": r.latitude,
        "longitude": r.longitude,
        "content": r.content,
        "affected_count": r.affected_count,
        "reporter": r.reporter.full_name or r.reporter.username,
        "status": r.status,
        "status_label": r.get_status_display(),
        "closing_reason": r.closing_reason,
        "result": r.result,
    }
    if full:
        body["steps"] = [
            {
                "kind": s.kind,
                "kind_label": s.get_kind_display(),
                "at": s.at,
                "by": s.by.full_name or s.by.username,
                "note": s.note,
            }
            for s in r.steps.select_related("by").order_by("at", "created_at", "id")
        ]
        body["photo_ids"] = list(r.photos.order_by("created_at", "id").values_list("id", flat=True))
    return body


@category_router.get("", response={200: list[CategoryOut], **ERRORS})
def category_list(request: HttpRequest) -> Any:
    """The categories in force in the caller's county, with their limits."""
    home = scope_root_for(request.user)
    if home is None:
        return []
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "is_emergency": c.is_emergency,
            "limit_minutes": c.limit_minutes,
            "county_id": c.county_id,
            "default_nature": c.default_nature,
        }
        for c in effective_categories(home)
    ]


@router.get("", response={200: ListOut[ReportOut], **ERRORS})
def report_list(
    request: HttpRequest,
    state: str = Query("open", pattern="^(open|all)$"),
    area_id: str | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Reports in the caller's area. ``open``: on their way to the county
    first, nearest their limit first; ``all``: newest found first."""
    filters = ReportFilters(state=state)
    if area_id:
        filters.area = get_area_for_user(request.user, area_id)
    qs, ordering = reports_filtered(request.user, filters)
    return keyset_list(qs, ordering=ordering, cursor=after, size=limit, out=_out)


@router.get("/{report_id}", response={200: ReportOut, **ERRORS})
def report_get(request: HttpRequest, report_id: str) -> Any:
    return _out(get_report_for_user(request.user, report_id), full=True)


def _in_scope(getter: Any, user: Any, pk: Any, field: str, message: str) -> Any:
    """A referenced record outside the caller's area is a 422 on that field."""
    if pk is None:
        return None
    try:
        return getter(user, pk)
    except Http404:
        raise ValidationError({field: message}) from None


@router.post("", response={200: ReportOut, 201: ReportOut, **ERRORS, 409: ConflictOut})
def report_create(request: HttpRequest, payload: ReportIn) -> Any:
    """File an event or clue; idempotent on ``id`` (201, then 200). With
    ``If-None-Match: *`` a retry whose fields differ from the report held
    answers 409 instead (the report is not changed), with the report as the
    server holds it in ``server``."""
    from django.utils.translation import gettext as _

    from xieguan.units.selectors import get_unit_for_user

    existing = existing_for_retry(Report, payload.id, request.user)
    if existing is not None:
        report = get_report_for_user(request.user, existing.pk)
        if wants_create_only(request):
            category = str(payload.category)
            conflicts = retry_conflicts(
                {
                    "category": (category in (report.category.code, str(report.category_id)), True),
                    "found_at": (report.found_at, payload.found_at),
                    "place": (report.place, payload.place),
                    "content": (report.content, payload.content),
                    "affected_count": (report.affected_count, payload.affected_count),
                    "unit_id": (report.unit_id, payload.unit_id),
                }
            )
            if conflicts:
                return conflict_response(conflicts, _out(report))
        return Status(200, _out(report, full=True))
    area = _in_scope(get_area_for_user, request.user, payload.area_id, "area", _("This place is not in your area."))
    unit = _in_scope(get_unit_for_user, request.user, payload.unit_id, "unit", _("This unit is not in your area."))
    person: ExposedPerson | None = _in_scope(
        get_exposed_person_for_user,
        request.user,
        payload.exposed_person_id,
        "exposed_person",
        _("This person is not in your area."),
    )
    report, created = services.report_create(
        actor=request.user,
        id=payload.id,
        category=payload.category,
        found_at=payload.found_at,
        place=payload.place,
        content=payload.content,
        affected_count=payload.affected_count,
        area=area,
        unit=unit,
        exposed_person=person,
        latitude=payload.latitude,
        longitude=payload.longitude,
        forward_now=payload.forward_now,
        nature=payload.nature,
    )
    return Status(201 if created else 200, _out(get_report_for_user(request.user, report.pk), full=True))


def _step_endpoint(action: str) -> Any:
    kind = services.STEP_ACTIONS[action]

    def take(request: HttpRequest, report_id: str, payload: StepIn) -> Any:
        report = get_report_for_user(request.user, report_id)
        services.report_step(actor=request.user, report=report, kind=kind, note=payload.note)
        return _out(get_report_for_user(request.user, report_id), full=True)

    take.__name__ = f"report_{action.replace('-', '_')}"
    take.__doc__ = f"Step of the flow: {kind}."
    return take


for _action in services.STEP_ACTIONS:
    router.post(f"/{{report_id}}/{_action}", response={200: ReportOut, **ERRORS})(_step_endpoint(_action))


@router.post("/{report_id}/links", response={200: ReportOut, **ERRORS})
def report_links(request: HttpRequest, report_id: str, payload: ReportLinksIn) -> Any:
    """Tie the report, after it was filed, to the registered unit it is
    about and to the inspection record that followed it up, so it shows in
    the unit's file; sending it again with other ids changes the links. For
    those who verify or handle it (403 otherwise). A unit or record that is
    not the caller's to choose (another township, another unit, outside their
    area, no such id) is a 422 naming the field (``unit``, ``inspection``);
    nothing changes then."""
    from django.utils.translation import gettext as _

    from xieguan.units.models import Unit

    report = get_report_for_user(request.user, report_id)
    if not services.may_link(request.user, report):
        raise PermissionDenied(_("Your role does not allow this."))
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    inspection_model = services.linked_inspection_model()
    inspection = inspection_model.objects.filter(pk=payload.inspection_id).first() if payload.inspection_id else None
    # An id that does not exist gets the words of one outside the caller's
    # area, so ids cannot be probed.
    unknown = {}
    if unit is None:
        unknown["unit"] = _("This unit is not in your area.")
    if payload.inspection_id and inspection is None:
        unknown["inspection"] = _("This inspection record is not in your area.")
    if unknown:
        raise ValidationError(unknown)
    services.report_link(actor=request.user, report=report, unit=unit, inspection=inspection)
    return _out(get_report_for_user(request.user, report_id), full=True)


@router.post("/{report_id}/photos", response={200: ReportPhotoOut, 201: ReportPhotoOut, **ERRORS})
def report_photo_add(
    request: HttpRequest,
    report_id: str,
    image: File[UploadedFile],
    latitude: Form[float | None] = None,
    longitude: Form[float | None] = None,
    accuracy_m: Form[float | None] = None,
) -> Any:
    """Attach a photo (multipart ``image``); the same photo twice is kept once.
    Stamped with the time, the place and the GPS fix sent with it
    (``latitude``, ``longitude``, ``accuracy_m`` in metres; 422 out of
    range), else the report's. ``sha256`` is the hash of the bytes sent,
    before stamping."""
    report = get_report_for_user(request.user, report_id)
    require(request.user, FILE_REPORT, report.area.path)  # the role before the fields: 403 whatever was sent
    fix = gps_fix_checked(latitude, longitude, accuracy_m)
    photo, created = services.report_photo_add(actor=request.user, report=report, upload=image, fix=fix)
    body = {
        "id": photo.pk,
        "report_id": report.pk,
        "width": photo.width,
        "height": photo.height,
        "sha256": photo.sha256,
    }
    return Status(201 if created else 200, body)


# ---------------------------------------------------------------- issue 19 item 2: what the pages offer
# reports:zero, reports:exposed_*, reports:categories/category_create/category_edit,
# reports:indicators and reports:register, through the same services and selectors.

zero_router = Router(tags=["reports"])
exposed_router = Router(tags=["reports"])
indicator_router = Router(tags=["reports"])
register_router = Router(tags=["reports"])


def _zero_out(z: Any) -> dict[str, Any]:
    return {
        "id": z.pk,
        "institution_id": z.institution_id,
        "institution_name": z.institution.name,
        "month": f"{z.month:%Y-%m}",
        "made_at": z.created_at,
    }


@zero_router.get("", response={200: list[ZeroStationOut], **ERRORS})
def zero_report_grid_get(
    request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100, description="this year by default")
) -> Any:
    """Each station in the caller's area and month of ``year``: events or
    clues found, its 零报告, or neither. Three queries whatever the size."""
    year = year or timezone.localdate().year
    from xieguan.reports.selectors import zero_report_grid

    return [
        {
            "institution_id": row.station.pk,
            "institution_name": row.station.name,
            "area_id": row.station.area_id,
            "missing": row.missing,
            "months": [{"month": m, "state": state, "found": n} for m, state, n in row.cells],
        }
        for row in zero_report_grid(request.user, year=year)
    ]


@zero_router.post("", response={200: ZeroReportOut, 201: ZeroReportOut, **ERRORS})
def zero_report_create(request: HttpRequest, payload: ZeroReportIn) -> Any:
    """The caller's station confirms nothing was found in its township in a
    month; made once per station and month and per ``id`` (200 the second
    time). 422 for a month to come or one in which something was found."""
    import datetime

    from xieguan.reports.models import ZeroReport

    existing = existing_for_retry(ZeroReport, payload.id, request.user)
    if existing is None:
        existing, created = services.zero_report_make(
            actor=request.user, month=datetime.date.fromisoformat(payload.month + "-01"), id=payload.id
        )
    else:
        created = False
    return Status(201 if created else 200, _zero_out(existing))


def _exposed_out(p: Any, *, report_ids: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": p.pk,
        "area_id": p.area_id,
        "area_name": p.area.name,
        "name": p.name,
        "id_number": p.id_number,
        "phone": p.phone,
        "employer": p.employer,
        "hazard_factors": p.hazard_factors,
        "exposure_years": p.exposure_years,
        "note": p.note,
        "report_ids": report_ids,
    }


@exposed_router.get("", response={200: ListOut[ExposedPersonOut], **ERRORS})
def exposed_list(request: HttpRequest, after: str | None = None, limit: int = Query(50, ge=1, le=200)) -> Any:
    """People exposed to occupational hazards registered in the caller's area, by name."""
    qs = ExposedPerson.objects.visible_to(request.user).select_related("area")
    return keyset_list(qs, ordering=["name", "id"], cursor=after, size=limit, out=_exposed_out)


@exposed_router.get("/{person_id}", response={200: ExposedPersonOut, **ERRORS})
def exposed_get(request: HttpRequest, person_id: str) -> Any:
    """One registered person and the reports about them the caller may see."""
    person = get_exposed_person_for_user(request.user, person_id)
    reports = person.reports.visible_to(request.user).order_by("-found_at", "-id")  # type: ignore[attr-defined]
    return _exposed_out(person, report_ids=list(reports.values_list("id", flat=True)))


@exposed_router.post("", response={200: ExposedPersonOut, 201: ExposedPersonOut, **ERRORS})
def exposed_create(request: HttpRequest, payload: ExposedPersonIn) -> Any:
    """Register a person exposed to hazards met during medical service;
    idempotent on ``id``. An area outside the caller's is a 422."""
    area = None
    if payload.area_id is not None:
        area = _in_scope(
            get_area_for_user, request.user, payload.area_id, "area_id", _("Choose a township or village in your area.")
        )
    person, created = services.exposed_person_register(
        actor=request.user, area=area, **payload.dict(exclude={"area_id"})
    )
    return Status(201 if created else 200, _exposed_out(get_exposed_person_for_user(request.user, person.pk)))


def _category_full(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "is_emergency": c.is_emergency,
        "limit_minutes": c.limit_minutes,
        "county_id": c.county_id,
        "default_nature": c.default_nature,
        "sort": c.sort,
        "is_active": c.is_active,
    }


def _category_county(request: HttpRequest) -> Any:
    """The caller's county, whose categories they change (the page's)."""
    from xieguan.accounts.permissions import MANAGE_REPORT_CATEGORIES, require
    from xieguan.reports.selectors import county_of

    require(request.user, MANAGE_REPORT_CATEGORIES)
    user: Any = request.user
    county = county_of(user.institution.area) if user.institution else None
    if county is None:
        raise Http404
    return county


@category_router.post("", response={200: CategoryFullOut, 201: CategoryFullOut, **ERRORS})
def category_create(request: HttpRequest, payload: CategoryIn) -> Any:
    """Add a category of the caller's county (county leaders); idempotent on
    ``id``. An emergency keeps the 2-hour limit (120 minutes)."""
    from xieguan.reports.models import ReportCategory

    county = _category_county(request)
    if payload.id is not None:
        held = ReportCategory.objects.filter(pk=payload.id).first()
        if held is not None:
            if held.county_id != county.pk:
                raise Http404
            return Status(200, _category_full(held))
    made = services.category_save(actor=request.user, county=county, **payload.dict())
    return Status(201, _category_full(made))


@category_router.put("/{code}", response={200: CategoryFullOut, **ERRORS})
def category_edit(request: HttpRequest, code: str, payload: CategoryEditIn) -> Any:
    """Change a category in force in the caller's county: a national default
    becomes the county's own row with the same code (other counties keep the
    default)."""
    county = _category_county(request)
    category = next((c for c in effective_categories(county, active_only=False) if c.code == code), None)
    if category is None:
        raise Http404
    saved = services.category_save(actor=request.user, county=county, category=category, **payload.dict())
    return _category_full(saved)


def _indicator_row(row: Any) -> dict[str, Any]:
    return {
        "area_id": row.area.pk,
        "area_name": row.area.name,
        "is_total": row.is_total,
        "found": row.found,
        "reported": row.reported,
        "timely": row.timely,
        "report_rate": row.report_rate.as_dict(),
        "timely_rate": row.timely_rate.as_dict(),
    }


@indicator_router.get("", response={200: IndicatorsOut, **ERRORS})
def report_indicators_get(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100, description="this year by default"),
    month: int | None = Query(None, ge=1, le=12),
    area_id: uuid.UUID | None = None,
) -> Any:
    """信息报告率 and 及时报告率 of an area (the caller's own by default) and
    of each area directly below it, for a year or a month."""
    year = year or timezone.localdate().year
    from xieguan.reports.selectors import (
        REPORT_RATE_FORMULA,
        TIMELY_RATE_FORMULA,
        period_bounds,
        report_indicators,
    )

    area = get_area_for_user(request.user, area_id) if area_id else scope_root_for(request.user)
    if area is None:
        raise Http404
    start, end = period_bounds(year, month)
    total, rows = report_indicators(request.user, area=area, start=start, end=end)
    return {
        "area_id": area.pk,
        "year": year,
        "month": month,
        "report_rate_formula": str(REPORT_RATE_FORMULA),
        "timely_rate_formula": str(TIMELY_RATE_FORMULA),
        "total": _indicator_row(total),
        "rows": [_indicator_row(r) for r in rows],
    }


def _report_register(request: HttpRequest, institution_id: str, year: int, month: int | None, fmt: str) -> Any:
    from xieguan.core.scope import get_object_for_user
    from xieguan.reports.selectors import register_institution_queryset
    from xieguan.reports.views import report_register_document

    chosen = get_object_for_user(register_institution_queryset(request.user), request.user, institution_id)
    return report_register_document(request, institution=chosen, year=year, month=month, fmt=fmt)


@register_router.get(
    "/{institution_id}.xlsx",
    response=ERRORS,
    openapi_extra=file_download(
        XLSX,
        "卫生监督协管信息报告登记表 of the institution for the year or month, as Excel",  # i18n: data — the form named
    ),
)
def report_register_xlsx(
    request: HttpRequest,
    institution_id: str,
    year: int | None = Query(None, ge=2000, le=2100, description="this year by default"),
    month: int | None = Query(None, ge=1, le=12),
) -> Any:
    """The 信息报告登记表 of a station, information point or the institute, as
    the register page's Excel download."""
    year = year or timezone.localdate().year
    return _report_register(request, institution_id, year, month, "xlsx")


@register_router.get(
    "/{institution_id}.pdf",
    response=ERRORS,
    openapi_extra=file_download(
        PDF,
        "卫生监督协管信息报告登记表 of the institution for the year or month, as PDF",  # i18n: data — the form named
    ),
)
def report_register_pdf(
    request: HttpRequest,
    institution_id: str,
    year: int | None = Query(None, ge=2000, le=2100, description="this year by default"),
    month: int | None = Query(None, ge=1, le=12),
) -> Any:
    """The 信息报告登记表 as the register page's PDF download."""
    year = year or timezone.localdate().year
    return _report_register(request, institution_id, year, month, "pdf")
