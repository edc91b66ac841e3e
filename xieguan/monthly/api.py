"""API: monthly reports (SPEC §8). Submitting the first time creates the
report (idempotent on the client's ``id``); review, return and unlocks are
actions on it."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from xieguan.core.api import DOCX, ERRORS, PDF, XLSX, ListOut, file_download
from xieguan.core.pagination import keyset_page
from xieguan.monthly import services
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.schemas import (
    CellRecordOut,
    DrillOpinionOut,
    MonthlyReportOut,
    MonthlySettingIn,
    MonthlySettingOut,
    OverviewOut,
    RatesOut,
    ResubmitIn,
    ReturnIn,
    ReviewIn,
    SubmitIn,
    SummaryDocumentIn,
    SummaryOut,
    UnlockGrantIn,
    UnlockRequestIn,
)
from xieguan.monthly.selectors import get_monthly_report_for_user, get_township_for_user, monthly_figures

router = Router(tags=["monthly reports"])
settings_router = Router(tags=["monthly reports"])
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
def monthly_report_return(request: HttpRequest, report_id: str, payload: ReturnIn) -> Any:
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


@router.get(
    "/{report_id}/workbook.xlsx",
    response=ERRORS,
    openapi_extra=file_download(
        XLSX,
        "The month's workbook: sheets 月报表, 巡查登记表 and 信息报告登记表",  # i18n: data — the forms named
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
    openapi_extra=file_download(PDF, "The month's workbook as one PDF, a page per register"),
)
def monthly_report_workbook_pdf(request: HttpRequest, report_id: str) -> Any:
    """The report's month as one PDF (月报表 and the two registers)."""
    from xieguan.monthly.workbook_views import workbook_response

    report = get_monthly_report_for_user(request.user, report_id)
    return workbook_response(request.user, township=report.township, year=report.year, month=report.month, fmt="pdf")


# ---------------------------------------------------------------- issue 19 item 2: what the pages offer
# monthly:rates, monthly:overview, monthly:overview_drill, monthly:cell and
# monthly:summary, through the same selectors as the pages.

rates_router = Router(tags=["monthly reports"])
overview_router = Router(tags=["monthly reports"])
cell_router = Router(tags=["monthly reports"])
summary_router = Router(tags=["monthly reports"])


@rates_router.get("", response={200: RatesOut, **ERRORS})
def monthly_rates(
    request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100, description="this year by default")
) -> Any:
    """上报率 and 及时上报率 of each county in the caller's area for each
    month of ``year`` so far, with the townships still missing."""
    year = year or timezone.localdate().year
    from xieguan.monthly.selectors import reporting_rates

    today = timezone.localdate()
    last = 12 if year < today.year else 0 if year > today.year else today.month
    months = []
    for m in range(1, last + 1):
        counties = [
            {
                "area_id": r.area.pk,
                "area_name": r.area.name,
                "expected": r.expected,
                "submitted": r.submitted,
                "on_time": r.on_time,
                "rate": r.rate.as_dict(),
                "on_time_rate": r.on_time_rate.as_dict(),
                "missing": [{"id": a.pk, "name": a.name} for a in r.missing],
            }
            for r in reporting_rates(request.user, year=year, month=m)
        ]
        months.append({"month": m, "counties": counties})
    return {"year": year, "months": months}


def _overview_row(row: Any) -> dict[str, Any]:
    from xieguan.core.registry import registry

    figures = []
    for indicator in registry.indicators:
        r = row.rate(indicator)
        figures.append(
            {
                "code": indicator.code,
                "name": str(indicator.name),
                "formula": str(indicator.formula),
                "numerator": r.numerator,
                "denominator": r.denominator if indicator.denominator else None,
                "percent": r.percent if indicator.denominator else None,
            }
        )
    return {
        "area_id": row.area.pk,
        "area_name": row.area.name,
        "is_total": row.is_total,
        "state": row.state,
        "expected": row.expected,
        "submitted": row.submitted,
        "on_time": row.on_time,
        "figures": figures,
    }


@overview_router.get("", response={200: OverviewOut, **ERRORS})
def monthly_overview(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    month: int | None = Query(None, ge=1, le=12),
    area_id: uuid.UUID | None = None,
) -> Any:
    """The month's overview: every township of a county (or county of a
    prefecture) with its indicators and monthly report state, and the total.
    ``area_id`` picks a county or prefecture in scope (the caller's own by
    default); a township's caller has no overview (403, whatever the
    ``area_id``): their figures are their monthly report's. Without ``year`` and ``month``: the month whose
    report is due now, as the page opens."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.utils.translation import gettext as _

    from xieguan.areas.models import Level
    from xieguan.monthly.models import DEFAULT_DEADLINE_DAY
    from xieguan.monthly.overview import has_overview, month_overview, overview_area
    from xieguan.monthly.selectors import due_now_for, month_due_now

    if not has_overview(request.user):
        # Decided by the caller's own area before any area_id is looked
        # at, so the refusal says nothing about the area asked for.
        raise PermissionDenied(
            _("The overview is a county's or a prefecture's; a township's figures are in its monthly report.")
        )
    area = overview_area(request.user, str(area_id) if area_id else None)
    if area is None:
        raise Http404
    today = timezone.localdate()
    if year is None or month is None:
        due = due_now_for(area, today) if area.level == Level.COUNTY else month_due_now(today, DEFAULT_DEADLINE_DAY)
        year, month = year or due[0], month or due[1]
    data = month_overview(request.user, area=area, year=year, month=month, today=timezone.localdate())
    return {
        "area_id": area.pk,
        "area_name": area.name,
        "year": year,
        "month": month,
        "first_day": data.period.first_day,
        "last_day": data.period.last_day,
        "of_counties": data.of_counties,
        "rows": [_overview_row(r) for r in data.rows],
        "total": _overview_row(data.total),
    }


@overview_router.get("/{area_id}/{year}/{month}/opinions", response={200: ListOut[DrillOpinionOut], **ERRORS})
def monthly_overview_opinions(
    request: HttpRequest,
    area_id: str,
    year: int = Path(..., ge=2000, le=2100),
    month: int = Path(..., ge=1, le=12),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The opinions (意见书) behind the overview's figure of an area and month,
    each with whether a re-inspection found it rectified."""
    from xieguan.areas.selectors import get_area_for_user
    from xieguan.monthly.selectors import opinions_of_month

    area = get_area_for_user(request.user, area_id)
    qs = opinions_of_month(request.user, township=area, year=year, month=month)
    page = keyset_page(qs, ordering=["issued_at", "id"], cursor=after, size=limit)
    items = [
        {
            "id": o.pk,
            "number": o.number,
            "unit_id": o.unit_id,
            "unit_name": o.unit.name,
            "area_name": o.area.name,
            "issued_at": o.issued_at,
            "rectified": o.rectified,
        }
        for o in page.items
    ]
    return {"items": items, "next": page.next_cursor}


CELL_ORDERING = {"clues": ["found_at", "id"], "patrols": ["started_at", "id"], "publicity": ["date", "id"]}


def _cell_record(column: str, r: Any) -> dict[str, Any]:
    if column == "clues":
        when, kind, title = timezone.localtime(r.found_at).date(), "report", f"{r.category.name} · {r.summary}"
    elif column == "patrols":
        when, kind, title = timezone.localtime(r.started_at).date(), "inspection", r.unit.name
    else:
        when, kind, title = r.date, "outreach", r.theme
    return {"id": r.pk, "kind": kind, "date": when, "title": title, "area_name": r.area.name}


@cell_router.get(
    "/{township_id}/{year}/{month}/{row}/{column}/{period}", response={200: ListOut[CellRecordOut], **ERRORS}
)
def monthly_cell(
    request: HttpRequest,
    township_id: str,
    row: str,
    column: Literal["clues", "patrols", "publicity"],
    period: Literal["month", "year"],
    year: int = Path(..., ge=2000, le=2100),
    month: int = Path(..., ge=1, le=12),
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """The records behind one figure of a township's monthly report (row
    ``total``, a row of the national layout or a part such as
    ``food_safety-hazard``; this ``month`` or the ``year`` to date), exactly
    those the figure counted, in the order they happened."""
    from django.http import Http404

    from xieguan.monthly.selectors import cell_records

    township = get_township_for_user(request.user, township_id)
    try:
        qs = cell_records(
            request.user, township=township, year=year, month=month, row=row, column=column, period=period
        )
    except ValueError:
        raise Http404 from None
    page = keyset_page(qs, ordering=CELL_ORDERING[column], cursor=after, size=limit)
    return {"items": [_cell_record(column, r) for r in page.items], "next": page.next_cursor}


def _summary_row(row: Any) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": str(row.label),
        "clues": row.values.get("clues", 0),
        "patrols": row.values.get("patrols", 0),
        "publicity": row.values.get("publicity", 0),
        "parts": [{"key": p.key, "label": str(p.label), "clues": p.values.get("clues", 0)} for p in row.parts],
    }


def _summary(request: HttpRequest, township_id: str, year: int, quarter: int | None) -> Any:
    from xieguan.monthly.summaries import summary_of

    township = get_township_for_user(request.user, township_id)
    return summary_of(request.user, township=township, year=year, quarter=quarter, today=timezone.localdate())


@summary_router.get("/{township_id}/{year}", response={200: SummaryOut, **ERRORS})
def monthly_summary(
    request: HttpRequest,
    township_id: str,
    year: int = Path(..., ge=2000, le=2100),
    quarter: int | None = Query(None, ge=1, le=4),
) -> Any:
    """季度小结 (``quarter``) or 年度总结 of a township: the figures summed over
    the months begun, the rates, and the prose draft the page offers."""
    from xieguan.monthly.summaries import summary_draft

    data = _summary(request, township_id, year, quarter)
    return {
        "township_id": data.township.pk,
        "year": data.year,
        "quarter": data.quarter,
        "title": data.title,
        "rows": [_summary_row(r) for r in data.rows],
        "total": _summary_row(data.total),
        "coverage": data.coverage.as_dict(),
        "report_rate": data.report_rate.as_dict(),
        "timely_rate": data.timely_rate.as_dict(),
        "opinions_issued": data.opinions_issued,
        "opinions_rectified": data.opinions_rectified,
        "draft": summary_draft(data),
    }


@summary_router.post(
    "/{township_id}/{year}/document",
    response=ERRORS,
    openapi_extra=file_download((DOCX, PDF), "The summary with the text sent, as Word or PDF (``format``)"),
)
def monthly_summary_document(
    request: HttpRequest, township_id: str, payload: SummaryDocumentIn, year: int = Path(..., ge=2000, le=2100)
) -> Any:
    """The summary with the caller's edited ``text``, as the page downloads
    it (Word or PDF). Nothing is kept."""
    from xieguan.monthly.views import summary_document

    data = _summary(request, township_id, year, payload.quarter)
    return summary_document(data, payload.text, payload.format)
