"""API: monthly reports (SPEC §8). Submitting the first time creates the
report (idempotent on the client's ``id``); review, return and unlocks are
actions on it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from xieguan.core.api import ErrorOut, ListOut
from xieguan.core.pagination import keyset_page
from xieguan.monthly import services
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.schemas import (
    MonthlyReportOut,
    MonthlySettingIn,
    MonthlySettingOut,
    ResubmitIn,
    ReviewIn,
    SubmitIn,
    UnlockGrantIn,
    UnlockRequestIn,
)
from xieguan.monthly.selectors import get_monthly_report_for_user, get_township_for_user, monthly_figures

router = Router(tags=["monthly reports"])
settings_router = Router(tags=["monthly reports"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ORDERING = ["-year", "-month", "id"]


def _out(
    report: MonthlyReport, *, version_count: int | None = None, figures: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "id": report.pk,
        "township_id": report.township_id,
        "township_name": report.township.name,
        "year": report.year,
        "month": report.month,
        "status": report.status,
        "status_label": report.get_status_display(),
        "deadline": report.deadline,
        "submitted_at": report.submitted_at,
        "on_time": report.on_time,
        "remarks": report.remarks,
        "review_comment": report.review_comment,
        "unlock_reason": report.unlock_reason,
        "unlock_requested_at": report.unlock_requested_at,
        "unlocked_until": report.unlocked_until,
        "versions": report.versions.count() if version_count is None else version_count,
        "figures": figures,
    }


@router.get("", response={200: ListOut[MonthlyReportOut], **ERRORS})
def monthly_report_list(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    month: int | None = Query(None, ge=1, le=12),
    status: MonthlyStatus | None = None,
    township_id: str | None = None,
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Monthly reports in the caller's area, newest month first."""
    from django.db.models import Count

    qs: Any = MonthlyReport.objects.visible_to(request.user).for_list().annotate(version_count=Count("versions"))
    if year is not None:
        qs = qs.filter(year=year)
    if month is not None:
        qs = qs.filter(month=month)
    if status is not None:
        qs = qs.filter(status=str(status.value))
    if township_id:
        qs = qs.filter(township=get_township_for_user(request.user, township_id))
    page = keyset_page(qs, ordering=ORDERING, cursor=after, size=limit)
    return {"items": [_out(r, version_count=r.version_count) for r in page.items], "next": page.next_cursor}


@router.get("/{report_id}", response={200: MonthlyReportOut, **ERRORS})
def monthly_report_get(request: HttpRequest, report_id: str) -> Any:
    """One report with its figures as they are now."""
    report = get_monthly_report_for_user(request.user, report_id)
    figures = monthly_figures(
        request.user, township=report.township, year=report.year, month=report.month, today=timezone.localdate()
    )
    return _out(report, figures=figures.as_json())


@router.post("", response={200: MonthlyReportOut, 201: MonthlyReportOut, **ERRORS})
def monthly_report_submit(request: HttpRequest, payload: SubmitIn) -> Any:
    """Submit a township's report of a month (creating it); the same ``id``
    sent again answers 200 with the report already made."""
    township = get_township_for_user(request.user, payload.township_id)
    report, created = services.monthly_report_submit(
        actor=request.user,
        township=township,
        year=payload.year,
        month=payload.month,
        remarks=payload.remarks,
        report_id=payload.id,
    )
    report = get_monthly_report_for_user(request.user, report.pk)
    return Status(201 if created else 200, _out(report))


@router.post("/{report_id}/submit", response={200: MonthlyReportOut, **ERRORS})
def monthly_report_resubmit(request: HttpRequest, report_id: str, payload: ResubmitIn) -> Any:
    """Submit again after a return, or inside a granted unlock."""
    report = get_monthly_report_for_user(request.user, report_id)
    services.monthly_report_submit(
        actor=request.user, township=report.township, year=report.year, month=report.month, remarks=payload.remarks
    )
    return _out(get_monthly_report_for_user(request.user, report_id))


@router.post("/{report_id}/approve", response={200: MonthlyReportOut, **ERRORS})
def monthly_report_approve(request: HttpRequest, report_id: str, payload: ReviewIn) -> Any:
    report = get_monthly_report_for_user(request.user, report_id)
    services.monthly_report_approve(actor=request.user, report=report, comment=payload.comment)
    return _out(get_monthly_report_for_user(request.user, report_id))


@router.post("/{report_id}/return", response={200: MonthlyReportOut, **ERRORS})
def monthly_report_return(request: HttpRequest, report_id: str, payload: ReviewIn) -> Any:
    report = get_monthly_report_for_user(request.user, report_id)
    services.monthly_report_return(actor=request.user, report=report, comment=payload.comment)
    return _out(get_monthly_report_for_user(request.user, report_id))


@router.post("/{report_id}/unlock-request", response={200: MonthlyReportOut, **ERRORS})
def monthly_report_unlock_request(request: HttpRequest, report_id: str, payload: UnlockRequestIn) -> Any:
    report = get_monthly_report_for_user(request.user, report_id)
    services.monthly_report_unlock_request(actor=request.user, report=report, reason=payload.reason)
    return _out(get_monthly_report_for_user(request.user, report_id))


@router.post("/{report_id}/unlock-grant", response={200: MonthlyReportOut, **ERRORS})
def monthly_report_unlock_grant(request: HttpRequest, report_id: str, payload: UnlockGrantIn) -> Any:
    report = get_monthly_report_for_user(request.user, report_id)
    services.monthly_report_unlock_grant(actor=request.user, report=report, until=payload.until)
    return _out(get_monthly_report_for_user(request.user, report_id))


def _setting_out(county: Any) -> dict[str, Any]:
    from django.utils import timezone as tz

    from xieguan.monthly.periods import rules_for

    rules = rules_for(county)
    current = rules.containing(tz.localdate())
    return {
        "county_id": county.pk,
        "county_name": county.name,
        "period_start_day": rules.latest_start_day,
        "period_start_days": [
            {"applies_from": f"{applies:%Y-%m}", "start_day": start} for applies, start in rules.start_days
        ],
        "deadline_day": rules.deadline_day,
        "current_period": [current.first_day, current.last_day],
        "current_deadline": current.deadline(rules.deadline_day),
    }


def _county(request: HttpRequest, county_id: str) -> Any:
    from xieguan.monthly.selectors import get_county_for_user

    return get_county_for_user(request.user, county_id)


@settings_router.get("/{county_id}", response={200: MonthlySettingOut, **ERRORS})
def monthly_setting_get(request: HttpRequest, county_id: str) -> Any:
    """A county's reporting period and deadline day (the defaults, 1 and 23,
    where it set none); 404 for a county outside the caller's area."""
    return _setting_out(_county(request, county_id))


@settings_router.put("/{county_id}", response={200: MonthlySettingOut, **ERRORS})
def monthly_setting_put(request: HttpRequest, county_id: str, payload: MonthlySettingIn) -> Any:
    """Set them (the county's bureau, institute or an administrator; 403
    otherwise). A new period start day needs ``applies_from``, a month after
    every month of which a report of the county is submitted or approved.
    422 with a Chinese ``detail`` for a day out of range, a missing or too
    early ``applies_from``."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from xieguan.accounts.permissions import CONFIGURE_MONTHLY, can

    county = _county(request, county_id)
    if not can(request.user, CONFIGURE_MONTHLY):
        # A co-manager reads their county's rules but may not change them.
        raise PermissionDenied(_("Your role does not allow this."))
    services.monthly_setting_set(
        actor=request.user,
        county=county,
        deadline_day=payload.deadline_day,
        period_start_day=payload.period_start_day,
        applies_from=payload.applies_from,
    )
    return _setting_out(county)


def _binary(content_type: str, description: str) -> dict[str, Any]:
    """The OpenAPI description of a file download (ninja cannot infer it)."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


@router.get(
    "/{report_id}/workbook.xlsx",
    response=ERRORS,
    openapi_extra=_binary(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "The month's workbook: sheets 月报表, 巡查登记表 and 信息报告登记表",
    ),
)
def monthly_report_workbook_xlsx(request: HttpRequest, report_id: str) -> Any:
    """The report's month as one Excel workbook (月报表 and the two registers)."""
    from xieguan.monthly.workbook_views import workbook_response

    report = get_monthly_report_for_user(request.user, report_id)
    return workbook_response(request.user, township=report.township, year=report.year, month=report.month, fmt="xlsx")


@router.get(
    "/{report_id}/workbook.pdf",
    response=ERRORS,
    openapi_extra=_binary("application/pdf", "The month's workbook as one PDF, a page per register"),
)
def monthly_report_workbook_pdf(request: HttpRequest, report_id: str) -> Any:
    """The report's month as one PDF (月报表 and the two registers)."""
    from xieguan.monthly.workbook_views import workbook_response

    report = get_monthly_report_for_user(request.user, report_id)
    return workbook_response(request.user, township=report.township, year=report.year, month=report.month, fmt="pdf")
