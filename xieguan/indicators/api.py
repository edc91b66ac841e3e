"""API: the indicators of an area and a period, a figure's breakdown by the
areas below, and the records behind it — the same functions as the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from ninja import Query, Router, Schema

from xieguan.areas.models import Area
from xieguan.areas.selectors import get_area_for_user, scope_root_for
from xieguan.core.api import XLSX, ErrorOut, RateOut, file_download
from xieguan.core.pagination import keyset_list
from xieguan.indicators import selectors, tallies
from xieguan.indicators.spans import BadPeriod, Span, month_label, parse_span, quarter_label
from xieguan.indicators.views import RECORD_ORDERING, map_export_response

router = Router(tags=["indicators"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class IndicatorFigureOut(Schema):
    code: str
    name: str
    formula: str
    numerator_key: str
    denominator_key: str | None
    rate: RateOut


class IndicatorFiguresOut(Schema):
    area_id: Any
    area_name: str
    period: str
    label: str
    first_day: datetime.date
    last_day: datetime.date
    items: list[IndicatorFigureOut]


class BreakdownRowOut(Schema):
    area_id: Any
    name: str
    own: bool
    institution: str | None
    rate: RateOut


class BreakdownOut(Schema):
    code: str
    area_id: Any
    period: str
    total: RateOut
    rows: list[BreakdownRowOut]


class IndicatorRecordOut(Schema):
    id: str
    kind: str
    name: str
    unit_id: Any | None = None
    area_name: str = ""
    counted: bool
    detail: str = ""


class IndicatorRecordsOut(Schema):
    items: list[IndicatorRecordOut]
    next: str | None = None
    drill_url: str | None = None


def _where(request: HttpRequest, area: str | None, period: str | None) -> tuple[Area, Span]:
    if area:
        found = get_area_for_user(request.user, area)
    else:
        root = scope_root_for(request.user)
        found = root or Area.objects.visible_to(request.user).order_by("level", "code", "path").first()
        if found is None:
            raise ValidationError({"area": _("Please specify an area.")})
    try:
        return found, parse_span(period or "", area=found, today=timezone.localdate())
    except BadPeriod as error:
        raise ValidationError({"period": str(error)}) from error


def _indicator(code: str) -> Any:
    indicator = selectors.indicator_of(code)
    if indicator is None:
        raise ValidationError({"code": _("There is no such indicator.")})
    return indicator


@router.get("", response={200: IndicatorFiguresOut, **ERRORS})
def indicator_list(request: HttpRequest, area: str | None = None, period: str | None = None) -> Any:
    """Every indicator of an area (default: the caller's) for a period: 2026-12, 2026Q4, 2026H2, 2026 or
    2026-10-01~2026-12-31 (default: the current reporting month)."""
    found, span = _where(request, area, period)
    figures = selectors.figures(request.user, area=found, period=span, today=timezone.localdate())
    return {
        "area_id": found.pk,
        "area_name": found.name,
        "period": span.text,
        "label": span.label,
        "first_day": span.first_day,
        "last_day": span.last_day,
        "items": [
            {
                "code": f.code,
                "name": str(f.indicator.name),
                "formula": str(f.indicator.formula),
                "numerator_key": f.indicator.numerator,
                "denominator_key": f.indicator.denominator,
                "rate": f.rate.as_dict(),
            }
            for f in figures
        ],
    }


@router.get(
    "/map.xlsx",
    response={400: ErrorOut, **ERRORS},
    openapi_extra=file_download(
        XLSX, "What the dashboard map shows, as Excel: units by state for the area and each area below"
    ),
)
def indicator_map_export(request: HttpRequest, area: str | None = None) -> Any:
    """The dashboard map's figures as the page's Excel download: for the area (default: the caller's)
    and each area directly below it, the units in each state (巡查逾期, 整改未完成, 已移交, 正常), the
    units with a location, and the share (%). Values only, no formula."""
    found, _span = _where(request, area, None)
    return map_export_response(request.user, found)


@router.get("/{code}/breakdown", response={200: BreakdownOut, **ERRORS})
def indicator_breakdown(request: HttpRequest, code: str, area: str | None = None, period: str | None = None) -> Any:
    """One indicator of an area and of each area directly below it (with its co-management station)."""
    indicator = _indicator(code)
    found, span = _where(request, area, period)
    total, rows = selectors.breakdown(request.user, indicator, area=found, period=span, today=timezone.localdate())
    return {
        "code": code,
        "area_id": found.pk,
        "period": span.text,
        "total": total.as_dict(),
        "rows": [
            {
                "area_id": r.area.pk if r.area else None,
                "name": r.label,
                "own": r.is_own,
                "institution": r.institution.name if r.institution else None,
                "rate": r.rate.as_dict(),
            }
            for r in rows
        ],
    }


@router.get("/{code}/records", response={200: IndicatorRecordsOut, **ERRORS})
def indicator_records(
    request: HttpRequest,
    code: str,
    area: str | None = None,
    period: str | None = None,
    after: str | None = None,
    limit: int = Query(100, ge=1, le=500),
) -> Any:
    """The records behind an indicator: units (建档率, 卫生许可证持证率), certificates (健康证/培训合格证持证率),
    co-managers (协管员培训达标率), township-months (月报), township-quarters (宣传完成率) or
    officer-quarters (村级信息员培训完成率); ``counted`` says whether each is in the numerator. For an
    indicator another app lists, ``items`` is empty and ``drill_url`` names that app's page."""
    indicator = _indicator(code)
    found, span = _where(request, area, period)
    today = timezone.localdate()
    qs = selectors.unit_records(request.user, code, area=found, period=span, today=today)
    if qs is not None:
        return keyset_list(qs, ordering=RECORD_ORDERING[code], cursor=after, size=limit, out=lambda r: _record(code, r))
    if code in ("monthly_complete", "monthly_timely"):
        rows = tallies.monthly_months(request.user, area=found, period=span, today=today)
        key = "submitted" if code == "monthly_complete" else "on_time"
        items = [
            {
                "id": f"{r['township_id'].hex}-{r['year']}-{r['month']}",
                "kind": "township_month",
                "name": f"{r['township']} {month_label(r['year'], r['month'])}",
                "area_name": r["township"],
                "counted": r[key],
                "detail": _("Deadline %(date)s") % {"date": r["deadline"].isoformat()},
            }
            for r in rows
        ]
        return {"items": items}
    if code == "publicity_done":
        rows = tallies.publicity_quarters(request.user, area=found, period=span, today=today)
        return {
            "items": [
                {
                    "id": f"{r['id'].hex}-{r['year']}Q{r['quarter']}",
                    "kind": "township_quarter",
                    "name": f"{r['name']} {quarter_label(r['year'], r['quarter'])}",
                    "area_name": r["name"],
                    "counted": r["done"],
                    "detail": ngettext("%(n)d publicity activity", "%(n)d publicity activities", r["activities"])
                    % {"n": r["activities"]},
                }
                for r in rows
            ]
        }
    if code == "village_trained":
        rows = tallies.village_officer_quarters(request.user, area=found, period=span, today=today)
        return {
            "items": [
                {
                    "id": f"{r['id'].hex}-{r['year']}Q{r['quarter']}",
                    "kind": "officer_quarter",
                    "name": f"{r['full_name'] or r['username']} {quarter_label(r['year'], r['quarter'])}",
                    "counted": r["done"],
                }
                for r in rows
            ]
        }
    return {"items": [], "drill_url": indicator.drill(found, span)}


def _record(code: str, record: Any) -> dict[str, Any]:
    if code in ("licence", "filing"):
        return {
            "id": record.pk.hex,
            "kind": "unit",
            "name": record.name,
            "unit_id": record.pk,
            "area_name": record.area.name,
            "counted": bool(record.valid),
            "detail": _("Judged on %(date)s") % {"date": record.ref_day.isoformat()},
        }
    if code == "comanager_hours":
        return {
            "id": record.pk.hex,
            "kind": "person",
            "name": record.full_name or record.username,
            "area_name": record.institution.name if record.institution else "",
            "counted": record.hours >= tallies.TRAINING_HOURS_A_YEAR,
            "detail": _("%(hours)s hours of training in the past year") % {"hours": record.hours},
        }
    return {
        "id": record.pk.hex,
        "kind": "certificate",
        "name": record.person_name,
        "unit_id": record.unit_id,
        "area_name": record.unit.area.name,
        "counted": bool(record.valid),
        "detail": _("Valid until %(date)s")
        % {"date": record.expires_on.isoformat() if record.expires_on else pgettext("indicators", "no expiry")},
    }
