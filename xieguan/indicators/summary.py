"""A county's (or city's) quarterly or annual summary rolled up from its
townships: every indicator for the whole area and for each area below it,
the trend of each over the months of the period, and a prose draft the
user edits — as Word and PDF. The same registered tallies as every page."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from xieguan.areas.models import Area
from xieguan.core.registry import Rate
from xieguan.indicators import selectors
from xieguan.indicators.spans import Span, month_span


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

    @property
    def title(self) -> str:
        return f"{self.area.name}{self.span.label}卫生监督协管工作总结"


def roll_up(user: Any, *, area: Area, span: Span, today: datetime.date) -> RollUp:
    """Each indicator's breakdown once (one tally call per indicator), then
    the area's figure month by month over the period."""
    names: list[str] = []
    rows = []
    for indicator in selectors.indicators():
        total, below = selectors.breakdown(user, indicator, area=area, period=span, today=today)
        below = [r for r in below if not r.is_own]
        if not names:
            names = [r.label for r in below]
        rows.append((indicator, pct(total), [pct(r.rate) for r in below]))
    month_spans = [month_span(area, y, m) for y, m in span.months]
    trend = []
    for indicator in selectors.indicators():
        figures = [
            pct(selectors.figures(user, area=area, period=s, today=today, codes=[indicator.code])[0].rate)
            for s in month_spans
        ]
        trend.append((indicator, figures))
    return RollUp(area, span, names, rows, [s.label for s in month_spans], trend)


def draft(summary: RollUp) -> str:
    """A first prose draft from the figures; the user edits it before downloading."""
    by_code = {indicator.code: total for indicator, total, _below in summary.rows}
    lines = [
        f"{summary.span.label}，{summary.area.name}卫生监督协管工作在各乡镇的共同努力下有序开展。",
        f"巡查覆盖率为{by_code.get('coverage', '—')}，季度巡查率为{by_code.get('quarterly', '—')}；"
        f"信息报告率为{by_code.get('report', '—')}，及时报告率为{by_code.get('timely', '—')}。",
        f"建档率为{by_code.get('filing', '—')}；卫生许可证持证率为{by_code.get('licence', '—')}，"
        f"健康证持证率为{by_code.get('health_cert', '—')}，培训合格证持证率为{by_code.get('training_cert', '—')}。",
        f"意见书整改完成率为{by_code.get('rectified', '—')}，专项完成率为{by_code.get('campaign', '—')}；"
        f"宣传完成率为{by_code.get('publicity_done', '—')}，协管员培训达标率为{by_code.get('comanager_hours', '—')}。",
        f"月报完整率为{by_code.get('monthly_complete', '—')}，月报及时率为{by_code.get('monthly_timely', '—')}。",
        "下一步，将针对排名靠后的乡镇和未达标的指标加强督导。",
    ]
    return "\n".join(lines)


def docx_bytes(summary: RollUp, text: str) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    document.add_heading(summary.title, level=1)
    for block in text.replace("\r\n", "\n").split("\n"):
        if block.strip():
            document.add_paragraph(block.strip())
    document.add_heading("各项指标", level=2)
    table = document.add_table(rows=1, cols=2 + len(summary.names))
    table.style = "Table Grid"
    for i, label in enumerate(["指标", summary.area.name, *summary.names]):
        table.rows[0].cells[i].text = label
    for indicator, total, below in summary.rows:
        cells = table.add_row().cells
        for i, value in enumerate([str(indicator.name), total, *below]):
            cells[i].text = value
    document.add_heading("逐月趋势", level=2)
    trend = document.add_table(rows=1, cols=1 + len(summary.months))
    trend.style = "Table Grid"
    for i, label in enumerate(["指标", *summary.months]):
        trend.rows[0].cells[i].text = label
    for indicator, figures in summary.trend:
        cells = trend.add_row().cells
        for i, value in enumerate([str(indicator.name), *figures]):
            cells[i].text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
