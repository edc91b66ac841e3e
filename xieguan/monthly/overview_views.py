"""Pages of the county overview (SPEC §8, issue 9 part 5): the townships of
a county (or the counties of a prefecture) with their indicators for a
month, sortable, each figure with its formula and a link to what is behind
it; and the two drill-downs no other page has (opinions, trainings of the
month)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import get_area_for_user
from xieguan.core.pagination import page_for_request
from xieguan.core.registry import Rate
from xieguan.monthly.models import DEFAULT_DEADLINE_DAY
from xieguan.monthly.overview import (
    Overview,
    OverviewRow,
    columns,
    indicator_of,
    month_overview,
    overview_area,
    sort_key,
    sorted_rows,
)
from xieguan.monthly.selectors import due_now_for, month_due_now, opinions_of_month
from xieguan.monthly.views import _chosen_month, _month


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


def cell_html(cell: Cell, state: str | None, status: dict[str, str]) -> SafeString:
    """One ``<td>`` of the table, written in Python: a county's table is
    some 350 cells, and an included template per cell was most of the page's
    time. ``status`` holds the report states' badges, rendered once a page
    (monthly/_status.html, shared with the review page). Each cell carries
    its formula as its title, read on hover."""
    if cell.column == "status" and cell.rate is None:
        inner = status[state] if state else format_html('<span class="muted">{}</span>', _("not expected"))
        body = format_html('<a href="{}">{}</a>', cell.href, inner)
    elif cell.rate is not None:
        shown = "—" if cell.percent is None else f"{localize(cell.percent)}%"
        body = format_html(
            '<a href="{}"><span class="pct">{}</span> <span class="counts small muted">{}/{}</span></a>',
            cell.href,
            shown,
            localize(cell.rate.numerator),
            localize(cell.rate.denominator),
        )
    else:
        body = format_html('<a href="{}"><span class="pct">{}</span></a>', cell.href, localize(cell.value))
        if cell.note:
            body += format_html('<br><span class="small muted">{}</span>', cell.note)
    return format_html(
        '<td data-cell="{}" data-label="{}" title="{}">{}</td>', cell.column, cell.label, cell.formula, body
    )


def _row_html(row: OverviewRow, data: Overview, status: dict[str, str]) -> SafeString:
    return mark_safe("".join(cell_html(c, row.state, status) for c in _cells(row, data)))  # noqa: S308 - escaped above


def _status_badges() -> dict[str, str]:
    """Each report state's badge, from the one template that draws them."""
    states = ("approved", "on_time", "late", "not_due", "returned", "missing")
    return {s: render_to_string("monthly/_status.html", {"state": s}) for s in states}


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
    period = {"year": year, "month": month}
    publicity_href = ""
    if township:
        publicity_href = reverse("monthly:cell", args=[area.pk, year, month, "total", "publicity", "month"])
        status_href = reverse("monthly:report", args=[area.pk, year, month])
    else:
        status_href = (
            _url("monthly:review", **period) if row.is_total else _url("monthly:overview", area=area.pk, **period)
        )
    if township and not row.is_total:
        publicity_note = {
            "done": _("quarter: %(n)d, done") % {"n": row.counts["publicity_quarter"]},
            "due": _("quarter: none yet"),
            "overdue": _("quarter: none, overdue"),
        }.get(row.publicity_state, "")
    else:
        publicity_note = _("townships with publicity this quarter: %(done)d / %(all)d") % {
            "done": row.counts["quarter_done"],
            "all": row.counts["quarter_townships"],
        }
    # Where a figure drills to when it is not the page its indicator names.
    special = {"publicity": publicity_href, "status": status_href}
    notes = {"publicity": publicity_note, "training": _("%(n)d people") % {"n": row.counts["trained"]}}
    cells = []
    for column in columns():
        indicator = indicator_of(column.key)
        if indicator is None:  # the monthly report's own state
            rate = row.submitted_rate if not (township and not row.is_total) else None
            cells.append(Cell(column.key, rate, None, status_href, label=column.label, formula=column.formula))
            continue
        figure = row.rate(indicator)
        href = special.get(column.key) or indicator.drill(area, data.period)
        rate, value = (figure, None) if indicator.denominator else (None, figure.numerator)
        cells.append(Cell(column.key, rate, value, href, notes.get(column.key, ""), column.label, column.formula))
    return cells


def overview(request: HttpRequest) -> HttpResponse:
    """The month's overview of a county (or a prefecture); a township user
    is sent to their own monthly report of the month."""
    today = timezone.localdate()
    area = overview_area(request.user, request.GET.get("area"))
    if area is None:
        user: Any = request.user
        township = user.institution.area
        year, month, _form = _chosen_month(request, due_now_for(township, today))
        return redirect("monthly:report", township.pk, year, month)
    due = due_now_for(area, today) if area.level == Level.COUNTY else month_due_now(today, DEFAULT_DEADLINE_DAY)
    year, month, form = _chosen_month(request, due)
    data = month_overview(request.user, area=area, year=year, month=month, today=today)
    sort = request.GET.get("sort", "")
    sort = sort if sort_key(sort) else ""
    descending = request.GET.get("dir") == "desc"
    rows = sorted_rows(data.rows, sort=sort, descending=descending)
    base: dict[str, Any] = {"year": year, "month": month}
    if request.GET.get("area"):
        base["area"] = area.pk
    headers = []
    shown = columns()
    for column in shown:
        flip = "asc" if (sort == column.key and descending) else "desc" if sort == column.key else "asc"
        headers.append(
            {
                "column": column,
                "href": "?" + urlencode({**base, "sort": column.key, "dir": flip}),
                "current": ("desc" if descending else "asc") if sort == column.key else "",
            }
        )
    # The bar chart shows the rate the table is sorted by (else coverage).
    rates = [c for c in shown if (i := indicator_of(c.key)) is not None and i.denominator]
    chart_column = next((c for c in rates if c.key == sort), rates[1])
    chart_indicator: Any = indicator_of(chart_column.key)
    chart = {
        "names": [row.area.name for row in rows],
        "values": [_chart_value(row.rate(chart_indicator)) for row in rows],
    }
    parent = area.parent if area.level == Level.COUNTY and area.parent_id else None
    if parent is not None and not Area.objects.visible_to(request.user).filter(pk=parent.pk).exists():
        parent = None
    status = _status_badges()
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
            "rows": [(row, _row_html(row, data, status)) for row in rows],
            "total": (data.total, _row_html(data.total, data, status)),
            "columns": shown,
            "of_counties": data.of_counties,
            "sort": sort,
            "chart": chart,
            "chart_column": chart_column,
        },
    )


def _chart_value(rate: Rate) -> float | None:
    return float(rate.percent) if rate.percent is not None else None


def overview_drill(request: HttpRequest, area_id: str, year: int, month: int, measure: str) -> HttpResponse:
    """The records behind the overview's opinions figure of an area and
    month, keyset-paged (the other figures drill to their apps' lists)."""
    if measure != "opinions":
        raise Http404
    area = get_area_for_user(request.user, area_id)
    year, month = _month(year, month)
    qs = opinions_of_month(request.user, township=area, year=year, month=month)
    page = page_for_request(request, qs, ordering=["issued_at", "id"])
    return render(
        request,
        "monthly/overview_drill.html",
        {
            "area": area,
            "year": year,
            "month": month,
            "page": page,
            "back": _url(
                "monthly:overview", area=area.pk if area.level <= Level.COUNTY else None, year=year, month=month
            ),
        },
    )
