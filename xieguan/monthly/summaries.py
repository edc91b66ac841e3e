"""Quarterly and annual summaries (季度小结, 年度总结; SPEC §8): the
figures of a township's quarter or year, summed from the monthly figures,
and a prose draft in Chinese that the user edits before downloading it as
Word or PDF. Nothing here is stored: the summary is a document made on
demand from the data and the user's edited text."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xieguan.areas.models import Area
from xieguan.inspections.selectors import patrol_status
from xieguan.monthly.periods import Rules, rules_for
from xieguan.monthly.selectors import COLUMNS, LAYOUT, OTHER, SUB_ROWS_BY_KEY, monthly_figures
from xieguan.reports.selectors import Rate, report_indicators


@dataclass
class SummaryRow:
    """A row's totals; a split row's ``parts`` (事故/隐患, 违法行为) carry
    their clues only (patrols and publicity are not split)."""

    key: str
    label: Any
    values: dict[str, int] = field(default_factory=dict)
    parts: list[SummaryRow] = field(default_factory=list)


@dataclass
class Summary:
    township: Area
    year: int
    quarter: int | None
    rows: list[SummaryRow]
    total: SummaryRow
    coverage: Rate
    report_rate: Rate
    timely_rate: Rate
    opinions_issued: int
    opinions_rectified: int

    @property
    def title(self) -> str:
        if self.quarter:
            return _("%(township)s: summary of Q%(quarter)d %(year)d") % {
                "township": self.township.name,
                "quarter": self.quarter,
                "year": self.year,
            }
        return _("%(township)s: annual summary %(year)d") % {"township": self.township.name, "year": self.year}


def _months(year: int, quarter: int | None, today: datetime.date, rules: Rules) -> list[int]:
    """The months of the quarter (or year) whose period has begun."""
    months = range(3 * quarter - 2, 3 * quarter + 1) if quarter else range(1, 13)
    return [m for m in months if rules.period(year, m).first_day <= today]


def summary_of(user: Any, *, township: Area, year: int, quarter: int | None, today: datetime.date) -> Summary:
    """The township's figures for a quarter (or the year, ``quarter=None``):
    the monthly report's columns summed over its months (a quarter is three
    reporting periods of the county, ``monthly.periods``); 季度巡查率 from
    ``patrol_status`` per quarter (summed over the quarters of a year);
    信息报告率 and 及时报告率 from ``report_indicators`` over the period."""
    rows = {r.key: SummaryRow(r.key, r.label, dict.fromkeys(COLUMNS, 0)) for r in (*LAYOUT, OTHER)}
    for sub in SUB_ROWS_BY_KEY.values():
        rows[sub.row].parts.append(SummaryRow(sub.key, sub.label, {"clues": 0}))
    rules = rules_for(township)
    issued = rectified = 0
    for month in _months(year, quarter, today, rules):
        period = rules.period(year, month)
        figures = monthly_figures(user, township=township, year=year, month=month, today=today, period=period)
        for row in figures.rows:
            for column in COLUMNS:
                rows[row.key].values[column] += getattr(row, column)[0]
            for target, part in zip(rows[row.key].parts, row.parts, strict=True):
                target.values["clues"] += part.clues[0]
        issued += figures.opinions_issued
        rectified += figures.opinions_rectified
    total = SummaryRow("total", _("Total"), {c: sum(r.values[c] for r in rows.values()) for c in COLUMNS})
    due = done = 0
    for q in [quarter] if quarter else [q for q in range(1, 5) if rules.period(year, 3 * q - 2).first_day <= today]:
        cov = patrol_status(user, year=year, quarter=q, township=township, today=today).total
        due, done = due + cov.due, done + cov.done
    first, last = (3 * quarter - 2, 3 * quarter) if quarter else (1, 12)
    start, end = rules.period(year, first).start, rules.period(year, last).end
    report_total, _children = report_indicators(user, area=township, start=start, end=end)
    return Summary(
        township=township,
        year=year,
        quarter=quarter,
        rows=list(rows.values()),
        total=total,
        coverage=Rate(done, due),
        report_rate=report_total.report_rate,
        timely_rate=report_total.timely_rate,
        opinions_issued=issued,
        opinions_rectified=rectified,
    )


def _percent(rate: Rate) -> str:
    return f"{rate.percent}%" if rate.percent is not None else _("not applicable")


def summary_draft(summary: Summary) -> str:
    """A prose draft in Chinese: what was done, the figures, problems, next steps."""
    period = (
        _("Q%(quarter)d %(year)d") % {"quarter": summary.quarter, "year": summary.year}
        if summary.quarter
        else _("%(year)d") % {"year": summary.year}
    )
    t = summary.total.values
    done = _(
        "In %(period)s, %(township)s carried out %(patrols)d patrols on site, reported %(clues)d events and clues "
        "and held %(publicity)d publicity activities."
    ) % {"period": period, "township": summary.township.name, **t}
    figures = _(
        "Patrol coverage was %(coverage)s, the report rate %(report_rate)s and the timely report rate "
        "%(timely_rate)s; %(issued)d opinions were issued, of which %(rectified)d have been rectified."
    ) % {
        "coverage": _percent(summary.coverage),
        "report_rate": _percent(summary.report_rate),
        "timely_rate": _percent(summary.timely_rate),
        "issued": summary.opinions_issued,
        "rectified": summary.opinions_rectified,
    }
    problems = []
    missed = summary.coverage.denominator - summary.coverage.numerator
    if missed > 0:
        problems.append(_("%(n)d units due for patrol were not patrolled.") % {"n": missed})
    unreported = summary.report_rate.denominator - summary.report_rate.numerator
    if unreported > 0:
        problems.append(_("%(n)d events or clues did not reach the county.") % {"n": unreported})
    late = summary.timely_rate.denominator - summary.timely_rate.numerator
    if late > 0:
        problems.append(_("%(n)d reports reached the county after their limit.") % {"n": late})
    if summary.opinions_issued > summary.opinions_rectified:
        problems.append(
            _("%(n)d opinions are not yet rectified.") % {"n": summary.opinions_issued - summary.opinions_rectified}
        )
    if not problems:
        problems.append(_("No outstanding problems were found in the figures."))
    paragraphs = [
        _("1. Work done") + "\n" + done,
        _("2. Figures") + "\n" + figures,
        _("3. Problems") + "\n" + "".join(problems),
        _("4. Next steps")
        + "\n"
        + _(
            "Patrol the units still due first, report every event and clue within its limit, follow up the "
            "opinions not yet rectified, and keep publicity going every quarter."
        ),
    ]
    return "\n\n".join(paragraphs)


def summary_docx(summary: Summary, text: str) -> bytes:
    """The summary as a Word document: title, the figures table and the
    user's edited text, paragraph by paragraph."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
    document.add_heading(summary.title, level=1)
    table = document.add_table(rows=1, cols=1 + len(COLUMNS))
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text = pgettext("monthly report row", "Item")
    for i, label in enumerate(column_labels(), start=1):
        header[i].text = str(label)
    for row in [*summary.rows, summary.total]:
        cells = table.add_row().cells
        cells[0].text = str(row.label)
        for i, column in enumerate(COLUMNS, start=1):
            cells[i].text = str(row.values[column])
        for part in row.parts:
            cells = table.add_row().cells
            cells[0].text = _("of which %(part)s") % {"part": part.label}
            cells[1].text = str(part.values["clues"])
    document.add_paragraph("")
    for block in text.replace("\r\n", "\n").split("\n"):
        if block.strip():
            document.add_paragraph(block.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def column_labels() -> list[str]:
    return [_("Events and clues reported"), _("Patrols on site"), _("Publicity and education")]
