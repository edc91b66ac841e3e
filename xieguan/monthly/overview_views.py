"""Pages of the county overview (SPEC §8, issue 9 part 5): the townships of
a county (or the counties of a prefecture) with their indicators for a
month, sortable, each figure with its formula and a link to what is behind
it; and the two drill-downs no other page has (opinions, trainings of the
month)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import get_area_for_user
from xieguan.core.pagination import page_for_request
from xieguan.monthly.models import DEFAULT_DEADLINE_DAY
from xieguan.monthly.overview import (
    COLUMNS,
    SORTS,
    Overview,
    OverviewRow,
    month_overview,
    overview_area,
    sorted_rows,
    trainings_of_month,
)
from xieguan.monthly.selectors import deadline_day_for, month_due_now, opinions_of_month
from xieguan.monthly.views import _chosen_month, _month
from xieguan.reports.selectors import Rate


@dataclass
class Cell:
    """One figure as the page shows it: the counts, the per cent ("—" when
    nothing is counted), where it drills to, and a note under it."""

    column: str
    rate: Rate | None
    value: int | None
    href: str
    note: str = ""
    label: Any = ""
    formula: Any = ""

    @property
    def percent(self) -> Decimal | None:
        return self.rate.percent if self.rate is not None else None


def _url(name: str, *args: Any, **query: Any) -> str:
    url = reverse(name, args=args or None)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _cells(row: OverviewRow, data: Overview) -> list[Cell]:
    """The figures of one row and their drill-downs: a township's go to the
    records of that township, a county's to its own overview or lists, the
    total's to the area's pages."""
    area, year, month = row.area, data.year, data.month
    township = area.level == Level.TOWNSHIP
    quarter = (month - 1) // 3 + 1
    period = {"year": year, "month": month}
    if row.is_total:
        filing_href = reverse("units:filing_rate")
    else:
        filing_href = _url("units:list", area=area.pk)
    coverage_href = _url("inspections:due", township=area.pk if township else None, **period)
    report_href = _url("reports:indicators", area=area.pk, **period)
    drill = "monthly:overview_drill"
    if township:
        publicity_href = reverse("monthly:cell", args=[area.pk, year, month, "total", "publicity", "month"])
        status_href = reverse("monthly:report", args=[area.pk, year, month])
    else:
        publicity_href = _url("outreach:list", area=area.pk, year=year, quarter=quarter)
        status_href = (
            _url("monthly:review", **period) if row.is_total else _url("monthly:overview", area=area.pk, **period)
        )
    if township and not row.is_total:
        publicity_note = {
            "done": _("quarter: %(n)d, done") % {"n": row.publicity_quarter},
            "due": _("quarter: none yet"),
            "overdue": _("quarter: none, overdue"),
        }.get(row.publicity_state, "")
    else:
        publicity_note = _("townships with publicity this quarter: %(done)d / %(all)d") % {
            "done": row.quarter_done,
            "all": row.quarter_townships,
        }
    cells = [
        Cell("filing", row.filing_rate, None, filing_href),
        Cell("coverage", row.coverage_rate, None, coverage_href),
        Cell("report", row.report_rate, None, report_href),
        Cell("timely", row.timely_rate, None, report_href),
        Cell("rectified", row.rectified_rate, None, reverse(drill, args=[area.pk, year, month, "opinions"])),
        Cell("publicity", None, row.publicity, publicity_href, publicity_note),
        Cell(
            "training",
            None,
            row.trainings,
            reverse(drill, args=[area.pk, year, month, "trainings"]),
            _("%(n)d people") % {"n": row.trained},
        ),
        Cell("status", row.submitted_rate if not (township and not row.is_total) else None, None, status_href),
    ]
    for cell, column in zip(cells, COLUMNS, strict=True):
        cell.label, cell.formula = column.label, column.formula
    return cells


def overview(request: HttpRequest) -> HttpResponse:
    """The month's overview of a county (or a prefecture); a township user
    is sent to their own monthly report of the month."""
    today = timezone.localdate()
    area = overview_area(request.user, request.GET.get("area"))
    if area is None:
        user: Any = request.user
        township = user.institution.area
        year, month, _form = _chosen_month(request, month_due_now(today, deadline_day_for(township)))
        return redirect("monthly:report", township.pk, year, month)
    day = deadline_day_for(area) if area.level == Level.COUNTY else DEFAULT_DEADLINE_DAY
    year, month, form = _chosen_month(request, month_due_now(today, day))
    data = month_overview(request.user, area=area, year=year, month=month, today=today)
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTS else ""
    descending = request.GET.get("dir") == "desc"
    rows = sorted_rows(data.rows, sort=sort, descending=descending)
    base: dict[str, Any] = {"year": year, "month": month}
    if request.GET.get("area"):
        base["area"] = area.pk
    headers = []
    for column in COLUMNS:
        flip = "asc" if (sort == column.key and descending) else "desc" if sort == column.key else "asc"
        headers.append(
            {
                "column": column,
                "href": "?" + urlencode({**base, "sort": column.key, "dir": flip}),
                "current": ("desc" if descending else "asc") if sort == column.key else "",
            }
        )
    # The bar chart shows the rate the table is sorted by (else coverage).
    chart_column = next((c for c in COLUMNS if c.key == sort and c.key in RATE_OF), COLUMNS[1])
    chart = {
        "names": [row.area.name for row in rows],
        "values": [_chart_value(RATE_OF[chart_column.key](row)) for row in rows],
    }
    parent = area.parent if area.level == Level.COUNTY and area.parent_id else None
    if parent is not None and not Area.objects.visible_to(request.user).filter(pk=parent.pk).exists():
        parent = None
    return render(
        request,
        "monthly/overview.html",
        {
            "data": data,
            "area": area,
            "parent": parent,
            "year": year,
            "month": month,
            "form": form,
            "headers": headers,
            "rows": [(row, _cells(row, data)) for row in rows],
            "total": (data.total, _cells(data.total, data)),
            "columns": COLUMNS,
            "of_counties": data.of_counties,
            "sort": sort,
            "chart": chart,
            "chart_column": chart_column,
        },
    )


RATE_OF: dict[str, Callable[[OverviewRow], Rate]] = {
    "filing": lambda row: row.filing_rate,
    "coverage": lambda row: row.coverage_rate,
    "report": lambda row: row.report_rate,
    "timely": lambda row: row.timely_rate,
    "rectified": lambda row: row.rectified_rate,
}


def _chart_value(rate: Rate) -> float | None:
    return float(rate.percent) if rate.percent is not None else None


DRILLS = {"opinions": ("issued_at", "id"), "trainings": ("date", "id")}


def overview_drill(request: HttpRequest, area_id: str, year: int, month: int, measure: str) -> HttpResponse:
    """The records behind the overview's opinions or training figure of an
    area and month, keyset-paged."""
    if measure not in DRILLS:
        raise Http404
    area = get_area_for_user(request.user, area_id)
    year, month = _month(year, month)
    if measure == "opinions":
        qs = opinions_of_month(request.user, township=area, year=year, month=month)
    else:
        qs = trainings_of_month(request.user, area=area, year=year, month=month)
    page = page_for_request(request, qs, ordering=list(DRILLS[measure]))
    return render(
        request,
        "monthly/overview_drill.html",
        {
            "area": area,
            "year": year,
            "month": month,
            "measure": measure,
            "page": page,
            "back": _url(
                "monthly:overview", area=area.pk if area.level <= Level.COUNTY else None, year=year, month=month
            ),
        },
    )
