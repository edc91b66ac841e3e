"""Pages of the indicators: the dashboard (figures, what is overdue today,
trend, ranking, map), a figure's breakdown by the areas below, the records
behind it, the map's data and the boundary upload. Every page reads the
user's scope through ``visible_to`` / ``get_area_for_user``."""

from __future__ import annotations

import base64
import io
import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import get_area_for_user, scope_root_for
from xieguan.core.documents import download_header
from xieguan.core.form_pages import service_form_page
from xieguan.core.pagination import page_for_request
from xieguan.core.permissions import MANAGE_AREAS, can
from xieguan.core.registry import Indicator
from xieguan.core.spreadsheets import new_workbook
from xieguan.indicators import selectors, services, tallies
from xieguan.indicators.models import Boundary
from xieguan.indicators.spans import BadPeriod, Span, month_label, month_span, parse_span, period_choices, quarter_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECORD_ORDERING = {
    "filing": ["area__path", "name", "id"],
    "licence": ["area__path", "name", "id"],
    "health_cert": ["unit__area__path", "unit__name", "id"],
    "training_cert": ["unit__area__path", "unit__name", "id"],
    "comanager_hours": ["username", "id"],
}


def _area(request: HttpRequest) -> Area:
    """The area asked for (within the user's scope), else the top of the scope."""
    pk = request.GET.get("area", "")
    if pk:
        return get_area_for_user(request.user, pk)
    root = scope_root_for(request.user)
    if root is None:
        root = Area.objects.visible_to(request.user).order_by("level", "code", "path").first()
    if root is None:
        raise Http404
    return root


def _span(request: HttpRequest, area: Area) -> tuple[Span, str]:
    """The period asked for, or the current month with the reason the text was refused."""
    today = timezone.localdate()
    text = request.GET.get("period", "")
    first, last = request.GET.get("first", "").strip(), request.GET.get("last", "").strip()
    if first or last:  # the chooser's own range of days
        text = f"{first}~{last}"
    try:
        return parse_span(text, area=area, today=today), ""
    except BadPeriod as error:
        return month_span(area, today.year, today.month), str(error)


def period_context(area: Area, span: Span) -> dict[str, Any]:
    """What the period chooser shows: the choices in words and the range's days."""
    return {
        "period_choices": period_choices(area, timezone.localdate(), span),
        "range_first": span.first_day.isoformat() if span.kind == "range" else "",
        "range_last": span.last_day.isoformat() if span.kind == "range" else "",
    }


def _indicator(code: str) -> Indicator:
    indicator = selectors.indicator_of(code)
    if indicator is None:
        raise Http404
    return indicator


def _q(area: Area, span: Span, **more: Any) -> str:
    return urlencode({"area": area.pk, "period": span.text, **more})


def _crumbs(user: Any, area: Area) -> list[Area]:
    root = scope_root_for(user)
    return [a for a in area.ancestors() if root is None or a.path.startswith(root.path)]


def _xlsx(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    out = io.BytesIO()
    book = new_workbook(out, in_memory=True)
    # A sheet's name may not hold []:*?/\ nor begin or end with a quote (an area's name may).
    sheet = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", " ", name)[:31].strip("'") or "Sheet1")
    for c, text in enumerate(header):
        sheet.write_string(0, c, text)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, "" if value is None else str(value))
    book.close()
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = download_header(f"{name}.xlsx")
    return response


def _pct(rate: Any) -> str:
    return "—" if rate.percent is None else f"{rate.percent}%"


def map_text() -> dict[str, Any]:
    """The map's words for dashboard.js: the states in the order of
    ``selectors.MAP_STATES``, and the note under the map (``%(total)s`` and
    ``%(shown)s`` are filled in by the script)."""
    return {
        "states": [
            pgettext("indicators map", "Patrol overdue"),
            pgettext("indicators map", "Rectification unfinished"),
            pgettext("indicators map", "Handed over"),
            pgettext("indicators map", "Normal"),
        ],
        "located": _("Units with a location: %(total)s"),
        "shown": _(", showing the %(shown)s whose state most needs attention"),
        "no_boundary": _(" (no boundary uploaded: the background is blank)"),
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    span, error = _span(request, area)
    today = timezone.localdate()
    codes = [i.code for i in selectors.indicators()]
    trend_code = request.GET.get("trend", "coverage")
    rank_code = request.GET.get("rank", "coverage")
    trend_indicator = _indicator(trend_code if trend_code in codes else codes[0])
    rank_indicator = _indicator(rank_code if rank_code in codes else codes[0])
    figures = selectors.figures(request.user, area=area, period=span, today=today)
    trend = selectors.trend(request.user, trend_indicator, area=area, year=span.year, month=span.month, today=today)
    parent, ranked = selectors.ranking(request.user, rank_indicator, area=area, period=span, today=today)
    export = request.GET.get("export", "")
    if export == "figures":
        return _xlsx(
            _("Indicators-%(area)s-%(period)s") % {"area": area.name, "period": span.label},
            [
                pgettext("indicators", "Indicator"),
                pgettext("indicators", "Numerator"),
                pgettext("indicators", "Denominator"),
                pgettext("indicators", "Rate"),
                pgettext("indicators", "How it is counted"),
            ],
            [
                [f.indicator.name, f.rate.numerator, f.rate.denominator, _pct(f.rate), str(f.indicator.formula)]
                for f in figures
            ],
        )
    if export == "trend":
        return _xlsx(
            _("Trend-%(code)s-%(area)s") % {"code": trend_indicator.code, "area": area.name},
            [
                pgettext("indicators", "Month"),
                pgettext("indicators", "Numerator"),
                pgettext("indicators", "Denominator"),
                pgettext("indicators", "Rate"),
            ],
            [[s.label, r.numerator, r.denominator, _pct(r)] for s, r in trend],
        )
    if export == "ranking":
        return _xlsx(
            _("Ranking-%(code)s-%(area)s") % {"code": rank_indicator.code, "area": parent.name},
            [
                pgettext("indicators", "Rank"),
                pgettext("indicators", "Area"),
                pgettext("indicators", "Numerator"),
                pgettext("indicators", "Denominator"),
                pgettext("indicators", "Rate"),
            ],
            [[n or "", row.label, row.rate.numerator, row.rate.denominator, _pct(row.rate)] for n, row, _m in ranked],
        )
    boundary_area = next(
        (a for a in [area, *reversed(area.ancestors())] if Boundary.objects.filter(area=a).exists()), None
    )
    context = {
        **period_context(area, span),
        "area": area,
        "span": span,
        "error": error,
        "crumbs": _crumbs(request.user, area),
        "figures": [(f, f"{reverse('indicators:breakdown', args=[f.code])}?{_q(area, span)}") for f in figures],
        "overdue": selectors.overdue_today(request.user, area=area, today=today),
        "trend_indicator": trend_indicator,
        "trend": trend,
        "trend_chart": {
            "labels": [f"{s.year}-{s.month:02d}" for s, _r in trend],
            "values": [None if r.percent is None else float(r.percent) for _s, r in trend],
            "name": str(trend_indicator.name),
        },
        "rank_indicator": rank_indicator,
        "rank_parent": parent,
        "ranked": ranked,
        "rank_chart": {
            "names": [row.label for _n, row, _m in ranked],
            "values": [None if row.rate.percent is None else float(row.rate.percent) for _n, row, _m in ranked],
            "marked": [mark for _n, _row, mark in ranked],
        },
        "indicators": selectors.indicators(),
        "query": _q(area, span),
        "map_url": f"{reverse('indicators:map_data')}?{urlencode({'area': area.pk})}",
        "boundary_url": reverse("indicators:boundary_data", args=[boundary_area.pk]) if boundary_area else "",
        "can_upload": can(request.user, MANAGE_AREAS) and area.level <= Level.COUNTY,
        "map_text": map_text(),
    }
    return render(request, "indicators/dashboard.html", context)


def breakdown(request: HttpRequest, code: str) -> HttpResponse:
    """One figure of an area, and the same figure of each area below it."""
    indicator = _indicator(code)
    area = _area(request)
    span, error = _span(request, area)
    today = timezone.localdate()
    total, rows = selectors.breakdown(request.user, indicator, area=area, period=span, today=today)
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            f"{indicator.code}-{area.name}-{span.label}",
            [
                pgettext("indicators", "Area"),
                pgettext("indicators", "Station"),
                pgettext("indicators", "Numerator"),
                pgettext("indicators", "Denominator"),
                pgettext("indicators", "Rate"),
            ],
            [
                [
                    r.label,
                    r.institution.name if r.institution else "",
                    r.rate.numerator,
                    r.rate.denominator,
                    _pct(r.rate),
                ]
                for r in rows
            ],
        )
    links = []
    for row in rows:
        below = row.area is not None and not row.is_own and row.area.level < Level.VILLAGE
        links.append(
            (
                row,
                f"{reverse('indicators:breakdown', args=[code])}?{_q(row.area, span)}" if below and row.area else "",
                _records_href(indicator, row.area or area, span),
            )
        )
    return render(
        request,
        "indicators/breakdown.html",
        {
            **period_context(area, span),
            "indicator": indicator,
            "area": area,
            "span": span,
            "error": error,
            "total": total,
            "rows": links,
            "crumbs": _crumbs(request.user, area),
            "records_href": _records_href(indicator, area, span),
            "query": _q(area, span),
        },
    )


def _records_href(indicator: Indicator, area: Area, span: Span) -> str:
    return f"{reverse('indicators:records', args=[indicator.code])}?{_q(area, span)}"


def records(request: HttpRequest, code: str) -> HttpResponse:
    """The records behind one figure of an area: this app's own lists, or
    the owning app's page for an indicator of another app."""
    indicator = _indicator(code)
    area = _area(request)
    span, error = _span(request, area)
    today = timezone.localdate()
    qs = selectors.unit_records(request.user, code, area=area, period=span, today=today)
    context: dict[str, Any] = {
        "indicator": indicator,
        "area": area,
        "span": span,
        "error": error,
        "crumbs": [*_crumbs(request.user, area), area],
        "breakdown_href": f"{reverse('indicators:breakdown', args=[code])}?{_q(area, span)}",
        "kind": code,
    }
    if qs is not None:
        state = request.GET.get("state", "")
        if state == "invalid":
            qs = (
                qs.filter(valid=False)
                if code != "comanager_hours"
                else qs.filter(hours__lt=tallies.TRAINING_HOURS_A_YEAR)
            )
        context["state"] = state
        context["page"] = page_for_request(request, qs, ordering=RECORD_ORDERING[code])
        context["today"] = today
        return render(request, "indicators/records.html", context)
    if code in ("monthly_complete", "monthly_timely"):
        context["months"] = [
            {**row, "label": month_label(row["year"], row["month"])}
            for row in tallies.monthly_months(request.user, area=area, period=span, today=today)
        ]
        return render(request, "indicators/records.html", context)
    if code == "publicity_done":
        context["quarters"] = [
            {**row, "label": quarter_label(row["year"], row["quarter"])}
            for row in tallies.publicity_quarters(request.user, area=area, period=span, today=today)
        ]
        return render(request, "indicators/records.html", context)
    if code == "village_trained":
        context["officers"] = [
            {**row, "label": quarter_label(row["year"], row["quarter"])}
            for row in tallies.village_officer_quarters(request.user, area=area, period=span, today=today)
        ]
        return render(request, "indicators/records.html", context)
    return redirect(indicator.drill(area, span))


def map_data(request: HttpRequest) -> JsonResponse:
    """The map's units as compact arrays: [lng, lat, state, id, name]."""
    area = _area(request)
    points, total = selectors.map_points(request.user, area=area, today=timezone.localdate())
    return JsonResponse(
        {
            "states": list(selectors.MAP_STATES),
            "points": points,
            "total": total,
            "shown": len(points),
            "unit_url": reverse("units:detail", args=["00000000000000000000000000000000"]).replace(
                "00000000000000000000000000000000", "{id}"
            ),
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def map_export_response(user: Any, area: Area) -> HttpResponse:
    """What the map shows, as an Excel table of values (no formula): for
    the area and each area below it, the units of each state, the units
    with a location and the share; the same counts as the map's own."""
    today = timezone.localdate()
    total, rows = selectors.map_counts(user, area=area, today=today)
    states = map_text()["states"]
    table = []
    for row in [total, *rows]:
        for state, name in enumerate(states):
            rate = row.rate(state)
            share = None if rate.percent is None else float(rate.percent)
            table.append([row.label, name, rate.numerator, rate.denominator, share])
    return _xlsx(
        _("Map-%(area)s-%(day)s") % {"area": area.name, "day": today.isoformat()},
        [
            pgettext("indicators", "Area"),
            pgettext("indicators map", "State"),
            pgettext("indicators map", "Units in this state"),
            pgettext("indicators map", "Units with a location"),
            pgettext("indicators map", "Share (%)"),
        ],
        table,
    )


def map_xlsx(request: HttpRequest) -> HttpResponse:
    """The map's figures as Excel: units by state, for the area and each area below."""
    return map_export_response(request.user, _area(request))


def boundary_data(request: HttpRequest, pk: str) -> JsonResponse:
    area = get_area_for_user(request.user, pk)
    boundary = Boundary.objects.filter(area=area).first()
    shape = boundary.geojson if boundary else {"type": "FeatureCollection", "features": []}
    return JsonResponse(shape, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


class BoundaryForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Boundary file (GeoJSON)"),
        help_text=gettext_lazy("GeoJSON of a surface (Polygon/MultiPolygon), no larger than 5 MB."),
    )


def boundary_upload(request: HttpRequest, pk: str) -> HttpResponse:
    area = get_area_for_user(request.user, pk)
    if not can(request.user, MANAGE_AREAS):
        raise PermissionDenied

    def upload(form: Any) -> Any:
        sent = form.cleaned_data["file"]
        if sent.size > services.MAX_BYTES:
            raise ValidationError(_("The boundary file may not be larger than 5 MB."))
        return services.boundary_upload(request.user, area, sent.read(), original_name=sent.name or "")

    return service_form_page(
        request,
        form_class=BoundaryForm,
        service=upload,
        success_url=f"{reverse('indicators:dashboard')}?{urlencode({'area': area.pk})}",
        message=_("Boundary uploaded."),
        title=_("Upload the boundary of %(area)s") % {"area": area.name},
        cancel_url=f"{reverse('indicators:dashboard')}?{urlencode({'area': area.pk})}",
        invalid_status=422,
    )


def summary(request: HttpRequest) -> HttpResponse:
    """A county's quarterly or annual summary rolled up from its townships
    (a city's from its counties), with the text drafted from the figures; as Word or PDF."""
    from xieguan.core.documents import download_name, pdf_response
    from xieguan.indicators.summary import CHART_DEFAULT, chart_indicators, charts, docx_bytes, draft, roll_up

    area = _area(request)
    span, error = _span(request, area)
    if not request.GET.get("period"):
        today = timezone.localdate()
        span = parse_span(f"{today.year}Q{(today.month - 1) // 3 + 1}", area=area, today=today)
    data = roll_up(request.user, area=area, span=span, today=timezone.localdate())
    text = draft(data)
    if request.method == "POST":
        text = (request.POST.get("text") or "")[:20000] or text
        pictures = charts(request.user, data, code=request.POST.get("chart", ""), today=timezone.localdate())
        if request.POST.get("format") == "pdf":
            return pdf_response(
                "indicators/summary_pdf.html",
                {
                    "summary": data,
                    "paragraphs": [p for p in text.splitlines() if p.strip()],
                    "chart_indicator": pictures.indicator,
                    "trend_png": base64.b64encode(pictures.trend).decode(),
                    "ranking_png": base64.b64encode(pictures.ranking).decode(),
                },
                download_name(data.title, ext="pdf"),
                inline=False,
            )
        response = HttpResponse(
            docx_bytes(data, text, pictures),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = download_header(download_name(data.title, ext="docx"))
        return response
    return render(
        request,
        "indicators/summary.html",
        {
            "summary": data,
            "area": area,
            "span": span,
            "error": error,
            "text": text,
            "chart_choices": chart_indicators(),
            "chart_default": CHART_DEFAULT,
            **period_context(area, span),
        },
    )
