"""A county's (or city's) quarterly or annual summary rolled up from its
townships: every indicator for the whole area and for each area below it,
the trend of each over the months of the period, and a prose draft the
user edits — as Word and PDF. The same registered tallies as every page."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xieguan.areas.models import Area
from xieguan.core.display import join_list
from xieguan.core.registry import Rate
from xieguan.indicators import selectors
from xieguan.indicators.spans import Span, month_span
from xieguan.risk.analytics import most_failed_items


def pct(rate: Rate) -> str:
    if rate.denominator == 0:
        return "—" if rate.numerator == 0 else str(rate.numerator)
    return f"{rate.percent}%"


@dataclass
class RollUp:
    area: Area
    span: Span
    names: list[str]  # the areas below, in order
    rows: list[tuple[Any, str, list[str]]]  # indicator, total, per area below
    months: list[str]
    trend: list[tuple[Any, list[str]]]  # indicator, per month
    below: dict[str, list[selectors.Row]] = field(default_factory=dict)  # each indicator's areas below
    # The checklist items failed most often in the area over the period
    # (risk.analytics.most_failed_items): the problems the county sees most.
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("%(area)s: health supervision co-management summary, %(period)s") % {
            "area": self.area.name,
            "period": self.span.label,
        }


def roll_up(user: Any, *, area: Area, span: Span, today: datetime.date) -> RollUp:
    """Each indicator's breakdown once (one tally call per indicator), then
    the area's figure month by month over the period."""
    names: list[str] = []
    rows = []
    below_rows: dict[str, list[selectors.Row]] = {}
    for indicator in selectors.indicators():
        total, below = selectors.breakdown(user, indicator, area=area, period=span, today=today)
        below = [r for r in below if not r.is_own]
        if not names:
            names = [r.label for r in below]
        rows.append((indicator, pct(total), [pct(r.rate) for r in below]))
        below_rows[indicator.code] = below
    month_spans = [month_span(area, y, m) for y, m in span.months]
    trend = []
    for indicator in selectors.indicators():
        figures = [
            pct(selectors.figures(user, area=area, period=s, today=today, codes=[indicator.code])[0].rate)
            for s in month_spans
        ]
        trend.append((indicator, figures))
    failures = most_failed_items(user, within=area.path, start=span.start, end=span.end)
    return RollUp(area, span, names, rows, [s.label for s in month_spans], trend, below_rows, failures)


CHART_DEFAULT = "coverage"


@dataclass
class Charts:
    """The summary's two pictures (PNG) and the indicator they show."""

    indicator: Any
    trend: bytes
    ranking: bytes


def chart_indicators() -> list[Any]:
    """The indicators a chart can show: rates (with a denominator)."""
    return [i for i in selectors.indicators() if i.denominator]


def charts(user: Any, summary: RollUp, *, code: str, today: datetime.date) -> Charts:
    """The trend of indicator ``code`` over the 12 reporting months up to the
    period's end (the dashboard's trend) and the areas below ranked by it
    over the period (the summary's own table), drawn as images."""
    from xieguan.indicators import charts as drawing

    choices = {i.code: i for i in chart_indicators()}
    indicator = choices.get(code) or choices.get(CHART_DEFAULT) or next(iter(choices.values()))
    trend = selectors.trend(
        user, indicator, area=summary.area, year=summary.span.year, month=summary.span.month, today=today
    )
    trend_png = drawing.line_chart(
        _("%(name)s over the last 12 months") % {"name": indicator.name},
        [f"{s.year % 100:02d}-{s.month:02d}" for s, _r in trend],
        [None if r.percent is None else float(r.percent) for _s, r in trend],
    )
    ranked = selectors.rank_rows(summary.below.get(indicator.code, []))
    ranking_png = drawing.bar_chart(
        _("Areas ranked by %(name)s, %(period)s") % {"name": indicator.name, "period": summary.span.label},
        [f"{n}. {row.label}" if n else row.label for n, row, _m in ranked],
        [None if row.rate.percent is None else float(row.rate.percent) for _n, row, _m in ranked],
        [False for _r in ranked],
    )
    return Charts(indicator, trend_png, ranking_png)


def draft(summary: RollUp) -> str:
    """A first prose draft from the figures; the user edits it before downloading."""
    by_code = {indicator.code: total for indicator, total, _below in summary.rows}
    codes = [
        "coverage",
        "quarterly",
        "report",
        "timely",
        "filing",
        "licence",
        "health_cert",
        "training_cert",
        "rectified",
        "campaign",
        "publicity_done",
        "comanager_hours",
        "monthly_complete",
        "monthly_timely",
    ]
    figure = {code: by_code.get(code, "—") for code in codes}
    lines = [
        _(
            "In %(period)s, health supervision co-management in %(area)s went ahead in good order "
            "through the joint effort of every township."
        )
        % {"period": summary.span.label, "area": summary.area.name},
        _(
            "Patrol coverage was %(coverage)s and the quarterly patrol rate %(quarterly)s; "
            "the report rate was %(report)s and the timely report rate %(timely)s."
        )
        % figure,
        _(
            "The filing rate was %(filing)s; the hygiene licence holding rate was %(licence)s, "
            "the health certificate holding rate %(health_cert)s and the training certificate holding rate "
            "%(training_cert)s."
        )
        % figure,
        _(
            "The rate of opinions rectified was %(rectified)s and the campaign completion rate %(campaign)s; "
            "the publicity completion rate was %(publicity_done)s and the co-manager training attainment rate "
            "%(comanager_hours)s."
        )
        % figure,
        _("Monthly report completeness was %(monthly_complete)s and monthly report timeliness %(monthly_timely)s.")
        % figure,
    ]
    if summary.failures:
        lines.append(
            _("The checklist items failed most often were %(items)s.")
            % {
                "items": join_list(
                    _("%(item)s (%(failed)d of %(answered)d checks)")
                    % {"item": row["text"], "failed": row["failed"], "answered": row["answered"]}
                    for row in summary.failures[:3]
                )
            }
        )
    lines += [
        _("Next, supervision will be stepped up for the townships ranked lowest and the indicators below target."),
    ]
    return "\n".join(lines)


def docx_bytes(summary: RollUp, text: str, pictures: Charts | None = None) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    document.add_heading(summary.title, level=1)
    for block in text.replace("\r\n", "\n").split("\n"):
        if block.strip():
            document.add_paragraph(block.strip())
    document.add_heading(_("All indicators"), level=2)
    table = document.add_table(rows=1, cols=2 + len(summary.names))
    table.style = "Table Grid"
    for i, label in enumerate([pgettext("indicators", "Indicator"), summary.area.name, *summary.names]):
        table.rows[0].cells[i].text = label
    for indicator, total, below in summary.rows:
        cells = table.add_row().cells
        for i, value in enumerate([str(indicator.name), total, *below]):
            cells[i].text = value
    document.add_heading(_("Month by month"), level=2)
    trend = document.add_table(rows=1, cols=1 + len(summary.months))
    trend.style = "Table Grid"
    for i, label in enumerate([pgettext("indicators", "Indicator"), *summary.months]):
        trend.rows[0].cells[i].text = label
    for indicator, figures in summary.trend:
        cells = trend.add_row().cells
        for i, value in enumerate([str(indicator.name), *figures]):
            cells[i].text = value
    if summary.failures:
        document.add_heading(_("Checklist items failed most often"), level=2)
        failed = document.add_table(rows=1, cols=4)
        failed.style = "Table Grid"
        for i, label in enumerate([_("Checklist item"), _("Times checked"), _("Times failed"), _("Failure rate")]):
            failed.rows[0].cells[i].text = label
        for row in summary.failures:
            cells = failed.add_row().cells
            for i, value in enumerate([row["text"], str(row["answered"]), str(row["failed"]), f"{row['rate']:.0%}"]):
                cells[i].text = value
    if pictures is not None:
        document.add_heading(_("Trend and ranking: %(name)s") % {"name": pictures.indicator.name}, level=2)
        document.add_picture(io.BytesIO(pictures.trend), width=Cm(16))
        document.add_picture(io.BytesIO(pictures.ranking), width=Cm(16))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
